"""The inbox: updates recorded before handling, redone after a crash, in order and bounded."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.types import Update

from bot.app import create_inbox
from bot.flood import InteractiveRetryMiddleware
from bot.inbox import Inbox
from bot.services import Services
from bot.settings import Settings
from db import events, registrations
from tests.kit import updates
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.member_kit import make_event, prepared_person


def start_update(user_id: int, text: str = "/start") -> Update:
    return updates.message(updates.user(user_id), 100, text=text)


def click_update(client: ChatClient, label: str) -> Update:
    """The callback update pressing `label` on the latest message that has it."""
    target = client._with_button(label)
    return updates.callback(client.user, target.callback_data(label), client._as_message(target))


async def rows(services: Services) -> list[dict[str, Any]]:
    found = await services.db.fetch_all("SELECT * FROM inbox ORDER BY update_id")
    return [dict(row) for row in found]


@pytest.fixture
def box(services: Services, dp: Dispatcher, bot: MockedBot) -> Inbox:
    return create_inbox(services, dp, bot)


async def test_an_update_is_recorded_before_it_is_handled_then_done(
    box: Inbox, services: Services, bot: MockedBot
) -> None:
    update = start_update(3001)
    assert await box.accept([update]) == 1
    [row] = await rows(services)
    assert (row["update_id"], row["person_id"], row["state"]) == (update.update_id, 3001, "pending")
    assert '"/start"' in row["payload"]
    assert bot.session.messages.get(3001) is None  # nothing handled yet: no worker runs

    box.start()
    await box.join()
    await box.stop()
    [row] = await rows(services)
    assert (row["state"], row["payload"]) == ("done", None)  # the raw update is not kept
    assert "Выберите язык" in bot.session.messages[3001][-1].body


async def test_a_duplicate_update_id_is_ignored(
    box: Inbox, services: Services, bot: MockedBot
) -> None:
    update = start_update(3002)
    assert await box.accept([update]) == 1
    assert await box.accept([update]) == 0  # Telegram sent it again: not recorded twice
    box.start()
    await box.join()
    assert await box.accept([update]) == 0  # nor after it was handled
    await box.stop()
    assert len(bot.session.messages[3002]) == 2  # the greeting and the language offer, once
    assert box.handled == 1


async def test_handled_rows_are_dropped_once_telegram_is_told(
    box: Inbox, services: Services
) -> None:
    first, second = start_update(3003), start_update(3004)
    await box.accept([first])
    box.start()
    await box.join()
    await box.accept([second], acknowledged_below=second.update_id)
    await box.join()
    await box.stop()
    assert [row["update_id"] for row in await rows(services)] == [second.update_id]


async def test_unfinished_updates_are_handled_at_start_up(
    services: Services, dp: Dispatcher, bot: MockedBot
) -> None:
    crashed = create_inbox(services, dp, bot)
    await crashed.accept([start_update(3005), start_update(3006)])
    # The process dies here: recorded, acknowledged to Telegram, never handled.
    restarted = create_inbox(services, dp, bot)
    assert await restarted.recover() == 2
    assert {row["state"] for row in await rows(services)} == {"done"}
    assert "Выберите язык" in bot.session.messages[3005][-1].body
    assert "Выберите язык" in bot.session.messages[3006][-1].body
    assert await restarted.recover() == 0


async def test_an_update_that_keeps_crashing_the_process_is_given_up(
    services: Services, dp: Dispatcher, bot: MockedBot, caplog: pytest.LogCaptureFixture
) -> None:
    poison = start_update(3007)
    await create_inbox(services, dp, bot).accept([poison])
    # Each start-up counts its try before handling: three crashes in a row leave it at 3.
    await services.db.execute("UPDATE inbox SET attempts = 3")
    with caplog.at_level(logging.ERROR, logger="bot.inbox"):
        assert await create_inbox(services, dp, bot).recover() == 0
    [row] = await rows(services)
    assert row["state"] == "failed"
    assert "stopped 3 times" in row["error"]
    assert bot.session.messages.get(3007) is None
    assert "given up" in caplog.text


async def test_a_recovered_try_is_counted_before_handling(
    services: Services, dp: Dispatcher, bot: MockedBot
) -> None:
    await create_inbox(services, dp, bot).accept([start_update(3008)])
    counted: list[int] = []

    async def spy(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        counted.extend(row["attempts"] for row in await rows(services))
        return await handler(event, data)

    dp.update.outer_middleware(spy)
    await create_inbox(services, dp, bot).recover()
    assert counted == [1]


async def test_one_persons_updates_run_in_order_and_in_flight_is_bounded(
    services: Services, dp: Dispatcher, bot: MockedBot
) -> None:
    box = Inbox(services.db, dp, bot, services.clock, max_in_flight=4)
    running = 0
    most = 0
    seen: list[tuple[int, str]] = []

    async def probe(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        nonlocal running, most
        running += 1
        most = max(most, running)
        message = event.message
        seen.append((message.from_user.id, message.text))
        await asyncio.sleep(0)  # let every worker run into the others
        try:
            return await handler(event, data)
        finally:
            running -= 1

    dp.update.outer_middleware(probe)
    batch = [start_update(4000 + n % 10, f"/help {n}") for n in range(60)]
    await box.accept(batch)
    box.start()
    await box.join()
    await box.stop()
    assert most <= 4
    assert len(seen) == 60
    for person in range(4000, 4010):
        mine = [text for who, text in seen if who == person]
        assert mine == [f"/help {n}" for n in range(60) if 4000 + n % 10 == person]


async def test_stop_finishes_in_flight_and_keeps_the_rest_for_next_time(
    services: Services, dp: Dispatcher, bot: MockedBot
) -> None:
    box = Inbox(services.db, dp, bot, services.clock, max_in_flight=1)
    gate = asyncio.Event()
    entered = asyncio.Event()

    async def slow(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        entered.set()
        await gate.wait()
        return await handler(event, data)

    dp.update.outer_middleware(slow)
    await box.accept([start_update(3010), start_update(3011)])
    box.start()
    await entered.wait()
    stopping = asyncio.create_task(box.stop())
    await asyncio.sleep(0)
    gate.set()
    await stopping
    assert [row["state"] for row in await rows(services)] == ["done", "pending"]


async def test_an_interactive_reply_refused_with_429_waits_and_goes_out(
    box: Inbox, bot: MockedBot, caplog: pytest.LogCaptureFixture
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    bot.session.middleware(InteractiveRetryMiddleware(sleep=sleep))
    bot.session.fail("SendMessage", "429", chat_id=3012)
    await box.accept([start_update(3012)])
    box.start()
    with caplog.at_level(logging.WARNING):
        await box.join()
    await box.stop()
    assert waits == [3]
    assert "Выберите язык" in bot.session.messages[3012][-1].body
    assert caplog.text.count("retry after") + caplog.text.count("asked to wait") == 1
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_redone_confirm_takes_one_seat_and_answers_already_registered(
    services: Services, dp: Dispatcher, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, capacity=1)
    await prepared_person(services, 3013)
    await prepared_person(services, 3014)
    anna = make_client(3013)
    await anna.send(f"/start ev_{event.id}")
    await anna.click("Зарегистрироваться")
    await anna.click("Да, использовать")
    confirm = click_update(anna, "Подтвердить")

    crashed = create_inbox(services, dp, bot)
    await crashed.accept([confirm])
    await dp.feed_update(bot, confirm)  # handled; the process dies before marking it done
    sent_before = len(anna.messages)
    answers_before = len(anna.answers())
    assert await create_inbox(services, dp, bot).recover() == 1
    [redo_answer] = anna.answers()[answers_before:]
    assert redo_answer.text == "Вы уже зарегистрированы на это мероприятие."

    mine = await registrations.live(services.db, event.id, 3013)
    assert mine is not None
    assert mine.status == "confirmed"
    fresh = await events.get(services.db, event.id)
    assert fresh is not None
    seats = await registrations.seats(services.db, fresh)
    assert seats.confirmed == 1
    count = await services.db.fetch_value(
        "SELECT count(*) FROM registrations WHERE person_id = 3013"
    )
    assert count == 1
    # No second confirmation, ticket or .ics: only the answer, in words.
    assert [m.body for m in anna.messages[sent_before:]] == [
        "Вы уже зарегистрированы на это мероприятие."
    ]
    # The seat stays one: the next person joins the waitlist.
    boris = make_client(3014)
    await boris.send(f"/start ev_{event.id}")
    assert any("Встать в лист ожидания" in label for label in boris.last.buttons())


async def test_a_redone_cancel_promotes_only_one_person(
    services: Services, dp: Dispatcher, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, capacity=1)
    people = [make_client(3020 + n) for n in range(3)]
    for n, client in enumerate(people):
        await prepared_person(services, client.user.id)
        await client.send(f"/start ev_{event.id}")
        await client.click("Встать в лист ожидания" if n else "Зарегистрироваться")
        await client.click("Да, использовать")
        await client.click("Подтвердить")
    holder, second, third = people
    [listing] = await holder.send("/my")
    await holder.click("1.", listing)
    await holder.click("Отменить регистрацию", listing)
    yes = click_update(holder, "Да, отменить")

    await create_inbox(services, dp, bot).accept([yes])
    await dp.feed_update(bot, yes)  # handled; the process dies before marking it done
    assert await create_inbox(services, dp, bot).recover() == 1

    assert await registrations.live(services.db, event.id, holder.user.id) is None
    promoted = await registrations.live(services.db, event.id, second.user.id)
    assert promoted is not None
    assert promoted.status == "confirmed"
    waiting = await registrations.live(services.db, event.id, third.user.id)
    assert waiting is not None
    assert waiting.status == "waitlisted"  # the redo freed no second seat
    assert await registrations.position(services.db, waiting) == 1


def test_the_real_bot_retries_interactive_replies(settings: Settings) -> None:
    from bot.app import create_bot

    real = create_bot(settings)
    assert any(isinstance(m, InteractiveRetryMiddleware) for m in real.session.middleware)
