"""/start, language choice, /help, /cancel, and what the bot says to unexpected input."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.methods import SendMessage

from bot.services import Services
from db import people
from tests.kit.client import ChatClient


async def test_first_start_greets_in_russian_and_offers_languages(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    client = make_client(1001, "ru")
    greeting, offer = await client.send("/start")
    assert "Здравствуйте" in greeting.body
    assert greeting.buttons() == ["Мероприятия", "Мои регистрации", "Помощь"]  # the main menu
    # Telegram said `ru`: Russian at once, the other language offered, not a gate.
    assert offer.buttons() == ["Русский 🇷🇺", "English 🇬🇧"]
    person = await people.get(services.db, 1001)
    assert person is not None
    assert person.language == "ru"
    assert person.full_name is None  # nothing personal before consent


async def test_english_user_is_greeted_in_english_and_choice_is_saved(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    client = make_client(1002, "en")
    replies = await client.send("/start")
    assert "Welcome!" in replies[0].body
    await client.click("English")
    assert client.messages[1].body == "Language: English"  # the offer was edited in place
    assert "Welcome!" in client.messages[0].body
    assert len(client.messages) == 2  # the same language again: no second greeting
    person = await people.get(services.db, 1002)
    assert person is not None
    assert person.language == "en"


async def test_unsupported_telegram_language_falls_back_to_default(
    make_client: Callable[..., ChatClient],
) -> None:
    client = make_client(1003, "de")
    replies = await client.send("/start")
    assert "Здравствуйте" in replies[0].body


async def test_saved_language_wins_over_telegram_language(
    make_client: Callable[..., ChatClient],
) -> None:
    client = make_client(1004, "ru")
    await client.send("/start")
    await client.click("English")
    replies = await client.send("/help")
    assert "What I can do" in replies[0].body
    await client.send("/language")
    await client.click("Русский")
    assert client.last.body.startswith("Здравствуйте")


async def test_garbage_deep_link_gets_a_friendly_message(member: ChatClient) -> None:
    for payload in ("<script>alert(1)</script>", "ev_<script>", "x" * 300, "ev_", "zz_1"):
        replies = await member.send(f"/start {payload}")
        assert len(replies) == 1
        assert "ссылка не распознана" in replies[0].body


async def test_first_start_keeps_the_link_until_the_language_is_chosen(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    # Telegram did not say a language we speak: then the choice comes first.
    client = make_client(1005, "de")
    await client.send("/start zz_unknown")
    # An unrelated message in between does not lose the pending link: it re-asks the language.
    replies = await client.send("hello")
    assert "выберите язык кнопками" in replies[0].body
    replies = await client.click("English")
    assert any("link is not recognised" in r.body for r in replies)


async def test_help_lists_member_commands_and_hides_organizer_ones(member: ChatClient) -> None:
    replies = await member.send("/help")
    assert "/language" in replies[0].body
    assert "/cancel" in replies[0].body
    assert "организатор" not in replies[0].body.lower()


async def test_cancel_outside_a_dialog_says_there_is_nothing(member: ChatClient) -> None:
    replies = await member.send("/cancel")
    assert replies[0].body == "Отменять нечего."


async def test_cancel_leaves_the_onboarding_dialog(make_client: Callable[..., ChatClient]) -> None:
    client = make_client(1006, "de")  # a language we don't speak: the choice is asked
    await client.send("/start")
    replies = await client.send("/cancel")
    assert "Отменено" in replies[0].body
    assert replies[0].buttons() == ["Мероприятия", "Мои регистрации", "Помощь"]
    replies = await client.send("привет")
    assert "Я не понял сообщение" in replies[0].body


async def test_unknown_command_is_named_and_escaped(member: ChatClient) -> None:
    replies = await member.send("/<b>oops</b>")
    assert "&lt;b&gt;oops&lt;/b&gt;" in replies[0].body
    assert "/help" in replies[0].body


async def test_stray_text_and_stickers_get_a_hint(member: ChatClient) -> None:
    replies = await member.send("когда следующий круглый стол?")
    assert "/help" in replies[0].body
    replies = await member.send_sticker()
    assert "/help" in replies[0].body


async def test_group_chat_points_to_private_chat(member: ChatClient) -> None:
    replies = await member.send_in_group("/start")
    assert len(replies) == 1
    assert "личном чате" in replies[0].body
    assert "@ngo_events_test_bot" in replies[0].body
    assert await member.send_in_group("просто разговор") == []


async def test_stale_or_forged_button_is_answered_not_left_spinning(member: ChatClient) -> None:
    await member.press("v0:old:button")
    answer = member.last_answer
    assert answer.show_alert is True
    assert "устарела" in (answer.text or "")
    await member.press("lang1:xx")  # right prefix, unsupported value
    assert "устарела" in (member.last_answer.text or "")


async def test_every_button_press_is_answered_exactly_once(member: ChatClient) -> None:
    before = len(member.answers())
    [prompt] = await member.send("/language")
    data = prompt.callback_data("English")
    await member.press(data, prompt)
    # A double tap: the second press arrives for the message already edited by the first.
    replies = await member.press(data, prompt)
    assert len(member.answers()) == before + 2
    assert all("пошло не так" not in r.body for r in replies)


async def test_error_is_logged_and_reported_without_internals(
    member: ChatClient, services: Services
) -> None:
    await services.db.close()  # every handler that reads the database now fails
    replies = await member.send("/help")
    assert len(replies) == 1
    assert "что-то пошло не так" in replies[0].body
    assert "database" not in replies[0].body.lower()
    assert all(isinstance(r, SendMessage) for r in member.session.calls(SendMessage))
