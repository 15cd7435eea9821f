"""The real process over HTTP: greetings per language, help, and a dialog that survives SIGKILL."""

from __future__ import annotations

import signal

from emulator import FakeTelegram
from tests.e2e.harness import BotProcess


def test_russian_user_is_greeted_in_russian(tg: FakeTelegram, bot_process: BotProcess) -> None:
    anna = tg.user(first_name="Анна", language_code="ru")
    tg.send_text(anna, "/start")
    tg.wait_for_message(anna, contains="Здравствуйте")
    # Telegram said `ru`: Russian already; the other language is offered, not required.
    greeting = tg.wait_for_message(anna, contains="Выберите язык")
    tg.press_button(anna, greeting, text="Русский")
    tg.wait_for_edit(anna, greeting, contains="Язык: русский")
    tg.send_text(anna, "/help")
    help_message = tg.wait_for_message(anna, contains="Что я умею")
    assert "/language" in help_message.plain


def test_english_user_is_greeted_in_english(tg: FakeTelegram, bot_process: BotProcess) -> None:
    john = tg.user(first_name="John", language_code="en")
    tg.send_text(john, "/start")
    tg.wait_for_message(john, contains="Welcome!")
    offer = tg.wait_for_message(john, contains="choose your language")
    tg.press_button(john, offer, text="English")
    tg.wait_for_edit(john, offer, contains="Language: English")
    tg.send_text(john, "/help")
    assert "What I can do" in tg.wait_for_message(john, contains="/cancel").plain


def test_commands_menu_is_published_per_language(tg: FakeTelegram, bot_process: BotProcess) -> None:
    commands = tg.commands
    languages = {language for (_scope, language) in commands}
    assert {"ru", "en", ""} <= languages
    ru = dict(next(v for (s, lang), v in commands.items() if lang == "ru"))
    assert ru["help"] == "Что умеет бот"


def test_bad_input_over_http(tg: FakeTelegram, bot_process: BotProcess) -> None:
    eve = tg.user(first_name="<b>Eve</b>", language_code="ru")
    tg.send_text(eve, "/start")
    prompt = tg.wait_for_message(eve, contains="Выберите язык")
    tg.press_button(eve, prompt, text="Русский")
    tg.send_text(eve, "/start ev_<script>")
    tg.wait_for_message(eve, contains="ссылка не распознана")
    tg.send_text(eve, "/nosuchcommand")
    tg.wait_for_message(eve, contains="не знаю команду /nosuchcommand")
    query = tg.press_callback(eve, message_id=prompt.message_id, data="v0:forged")
    assert "устарела" in (tg.wait_for_answer(query).text or "")
    tg.send_group_text(group_id=-100777, user=eve, text="/start")
    tg.wait_for_message(-100777, contains="личном чате")


def test_sigint_stops_cleanly(tg: FakeTelegram, bot_process: BotProcess) -> None:
    assert bot_process.stop(sig=signal.SIGINT) == 0
    assert bot_process.log().rstrip().endswith("stopped cleanly")
    bot_process.start()


def test_dialog_survives_sigkill_and_restart(tg: FakeTelegram, bot_process: BotProcess) -> None:
    # A language the bot does not speak: the first start waits for the choice, keeping the
    # link in the dialog.
    olga = tg.user(first_name="Ольга", language_code="de")
    tg.send_text(olga, "/start zz_from_press_release")
    prompt = tg.wait_for_message(olga, contains="Выберите язык")
    bot_process.kill()
    bot_process.start()
    # After the restart the dialog is where it was: text is answered by the onboarding step.
    tg.send_text(olga, "hello?")
    tg.wait_for_message(olga, contains="выберите язык кнопками")
    tg.press_button(olga, prompt, text="English")
    # ...and the link saved before the crash is opened once the language is chosen.
    tg.wait_for_message(olga, contains="link is not recognised")
