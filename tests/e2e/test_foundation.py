"""The real process over HTTP: greetings per language, help, and a dialog that survives SIGKILL."""

from __future__ import annotations

import signal

import pytest

from emulator import FakeTelegram
from tests.e2e.harness import BotProcess


@pytest.mark.parametrize(
    ("name", "language", "greeting", "offer", "choice", "chosen", "help_waits_for", "help_shows"),
    [
        # Telegram said `ru`: Russian already; the other language is offered, not required.
        (
            "Анна",
            "ru",
            "Здравствуйте",
            "Выберите язык",
            "Русский",
            "Язык: русский",
            "Что я умею",
            "/language",
        ),
        (
            "John",
            "en",
            "Welcome!",
            "choose your language",
            "English",
            "Language: English",
            "/cancel",
            "What I can do",
        ),
    ],
    ids=["russian", "english"],
)
def test_a_user_is_greeted_in_their_language(
    tg: FakeTelegram,
    bot_process: BotProcess,
    name: str,
    language: str,
    greeting: str,
    offer: str,
    choice: str,
    chosen: str,
    help_waits_for: str,
    help_shows: str,
) -> None:
    person = tg.user(first_name=name, language_code=language)
    tg.send_text(person, "/start")
    tg.wait_for_message(person, contains=greeting)
    offered = tg.wait_for_message(person, contains=offer)
    tg.press_button(person, offered, text=choice)
    tg.wait_for_edit(person, offered, contains=chosen)
    tg.send_text(person, "/help")
    assert help_shows in tg.wait_for_message(person, contains=help_waits_for).plain


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
