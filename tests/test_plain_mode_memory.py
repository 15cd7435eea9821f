"""Who is in plain mode is kept in memory: loaded at start-up, changed by the toggle, and
asked of on every request the bot sends without a database read."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.app import create_services
from bot.clock import ManualClock
from bot.services import Services
from bot.settings import Settings
from db import plain_mode
from db.events import Question
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.member_kit import ORGANIZATION, make_event, register_new
from tests.test_accessibility import person


async def test_the_toggle_changes_the_set_and_the_database_together(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    anna = await person(make_client, 4701, "plain")
    assert services.plain_mode.is_on(4701)
    assert await plain_mode.is_on(services.db, 4701)
    [screen] = await anna.send("/language")
    await anna.send("3")  # «Простой режим: выключить», chosen by its number
    assert "Простой режим выключен" in screen.body
    assert not services.plain_mode.is_on(4701)
    assert not await plain_mode.is_on(services.db, 4701)


async def test_erasure_leaves_the_set_as_the_database_keeps_the_preference(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    anna = await person(make_client, 4702, "plain")
    await anna.send("/forget")
    await anna.click("Да, удалить")
    # Plain mode is a preference like the language: /forget keeps it in both places.
    assert await plain_mode.is_on(services.db, 4702)
    assert services.plain_mode.is_on(4702)
    [answer] = await anna.send("/help")
    assert answer.buttons()[0].startswith("1. ")


async def test_a_restart_loads_who_is_in_plain_mode(
    services: Services,
    settings: Settings,
    clock: ManualClock,
    make_client: Callable[..., ChatClient],
) -> None:
    await person(make_client, 4703, "plain")
    await person(make_client, 4704, "default")
    await services.db.close()
    restarted = await create_services(settings, clock=clock)
    try:
        assert restarted.plain_mode.is_on(4703)
        assert not restarted.plain_mode.is_on(4704)
    finally:
        await restarted.db.close()


async def test_sent_messages_ask_memory_not_the_database(
    services: Services,
    make_client: Callable[..., ChatClient],
    bot: MockedBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    anna = await person(make_client, 4705, "plain")

    async def no_reads(*_: object) -> bool:
        raise AssertionError("plain mode was read from the database")

    monkeypatch.setattr(plain_mode, "is_on", no_reads)
    [answer] = await anna.send("/help")
    assert answer.buttons()[0].startswith("1. ")  # numbered: plain mode still applied
    assert "Простой режим" in answer.body


async def test_a_member_filling_in_the_form_leaves_no_keyboard_to_remember(
    services: Services,
    make_client: Callable[..., ChatClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # «Пропустить ⏭» is shown as the view wrote it: nothing relabelled, nothing to map back,
    # so the form costs no keyboard write per question and no read per typed answer.
    async def no_reads(*_: object) -> None:
        raise AssertionError("a keyboard was read from the database")

    monkeypatch.setattr(plain_mode, "shown_keyboard", no_reads)
    event = await make_event(services)
    anna = await person(make_client, 4706, "default")
    await register_new(anna, event)
    assert "Вы зарегистрированы" in anna.last.body
    assert not services.plain_mode.has_keyboard(4706)
    assert await services.db.fetch_value("SELECT COUNT(*) FROM plain_keyboards") == 0


async def test_skip_typed_in_words_skips(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services)
    anna = await person(make_client, 4707, "default")
    await register_new(anna, event, confirm=False)
    await anna.click("Изменить")
    await anna.click("Организация")
    # Typed by hand or dictated, without the emoji: the same as the button.
    [summary, *_] = await anna.send("пропустить")
    assert "проверьте данные" in summary.body
    assert ORGANIZATION not in summary.body
    assert "пропустить" not in summary.body.casefold()  # not saved as the organization


async def test_an_option_starting_with_an_emoji_is_taken_back_as_written(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    question = Question(key="topic", text="Тема?", options=("🎓 Образование", "🏥 Здоровье"))
    event = await make_event(services, questions=(question,))
    anna = await person(make_client, 4708, "default")
    await register_new(anna, event, confirm=False)
    await anna.click("Изменить")
    [prompt] = await anna.click("Тема?")
    # Shown words first, so the chat's keyboard is remembered to map the tap back.
    assert "Здоровье 🏥" in prompt.buttons()
    assert services.plain_mode.has_keyboard(4708)
    [summary, *_] = await anna.send("Здоровье 🏥")
    assert "🏥 Здоровье" in summary.body
