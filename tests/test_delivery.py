"""The delivery engine in-process: queueing, contents, pacing, every Telegram error path."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import (
    CopyMessage,
    SendDocument,
    SendLocation,
    SendMessage,
    SendPhoto,
    SendVenue,
    TelegramMethod,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.clock import ManualClock
from bot.delivery.limiter import RateLimiter
from bot.delivery.sender import Sender, SenderConfig
from bot.services import Services
from bot.services.delivery import (
    CopyContent,
    DeliveryService,
    DocumentContent,
    LocationContent,
    Priority,
    TextContent,
)
from db import Database, outbox, people
from tests.kit.mocked_bot import MockedBot

# A tiny PNG, so photo uploads look like images.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def rows(db: Database, source: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM deliveries" + (" WHERE source = ?" if source else "") + " ORDER BY id"
    return [dict(row) for row in await db.fetch_all(sql, (source,) if source else ())]


async def states(db: Database, source: str) -> dict[int, str]:
    return {row["recipient_id"]: row["state"] for row in await rows(db, source)}


def sent_to(bot: MockedBot, method: type[TelegramMethod[Any]] = SendMessage) -> list[int]:
    return [int(call.chat_id) for call in bot.session.calls(method)]


def fail_with(bot: MockedBot, error: Callable[[TelegramMethod[Any]], BaseException]) -> None:
    """The next Bot API call raises `error` instead of reaching the mocked session."""
    session = bot.session
    original = session.make_request
    armed = [True]

    async def make_request(
        bot_: Any, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        # A send already past the request middlewares may still arrive here: only one fails.
        if not armed[0]:
            return await original(bot_, method, timeout)
        armed[0] = False
        session.make_request = original  # type: ignore[method-assign]
        session.requests.append(method)
        raise error(method)

    session.make_request = make_request  # type: ignore[method-assign]


# -- queueing ---------------------------------------------------------------------------------


async def test_enqueue_queues_each_recipient_once_and_the_sender_delivers(
    services: Services, bot: MockedBot
) -> None:
    delivery = services.delivery
    queued = await delivery.enqueue("announcement:1", [11, 12, 13, 12], TextContent("<b>Hi</b>"))
    assert queued == 3
    assert await delivery.enqueue("announcement:1", [13, 14], TextContent("<b>Hi</b>")) == 1
    assert await services.db.fetch_value("SELECT count(*) FROM outbox_messages") == 2

    await delivery.drain(bot)

    assert sorted(sent_to(bot)) == [11, 12, 13, 14]
    assert {call.text for call in bot.session.calls(SendMessage)} == {"<b>Hi</b>"}
    progress = await delivery.progress("announcement:1")
    assert (progress.total, progress.sent, progress.finished) == (4, 4, True)
    assert progress.first_sent_at == progress.last_sent_at == services.clock.timestamp()
    for row in await rows(services.db):
        assert row["state"] == "sent"
        assert row["telegram_message_id"] is not None
        assert row["attempts"] == 1


async def test_enqueue_of_nothing_new_leaves_no_content_row(services: Services) -> None:
    delivery = services.delivery
    await delivery.enqueue("promotion:7", [5], TextContent("x"))
    assert await delivery.enqueue("promotion:7", [5], TextContent("x")) == 0
    assert await delivery.enqueue("promotion:8", [], TextContent("x")) == 0
    assert await services.db.fetch_value("SELECT count(*) FROM outbox_messages") == 1


async def test_enqueue_refuses_what_telegram_would_refuse(services: Services) -> None:
    with pytest.raises(ValueError, match="needs text"):
        await services.delivery.enqueue("x", [1], TextContent("  "))
    with pytest.raises(TypeError, match="chat id"):
        await services.delivery.enqueue("x", ["1"], TextContent("hi"))  # type: ignore[list-item]
    assert await rows(services.db) == []


async def test_enqueue_in_commits_and_rolls_back_with_the_callers_transaction(
    services: Services, bot: MockedBot
) -> None:
    delivery = services.delivery
    with pytest.raises(RuntimeError):
        async with services.db.write() as tx:
            await delivery.enqueue_in(tx, "promotion:1", [21], TextContent("Место нашлось"))
            raise RuntimeError("the promotion failed")
    assert await rows(services.db) == []
    async with services.db.write() as tx:
        assert await delivery.enqueue_in(
            tx, "promotion:1", [21], TextContent("Место нашлось"), priority=Priority.PERSONAL
        )
    delivery.wake()
    await delivery.drain(bot)
    assert sent_to(bot) == [21]


async def test_personal_notices_go_before_bulk_and_future_rows_wait(
    services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    delivery = services.delivery
    later = clock.timestamp() + 3600
    await delivery.enqueue("announcement:1", [31, 32, 33], TextContent("bulk"))
    await delivery.enqueue("reminder:1:2h", [34], TextContent("soon"), due_at=later)
    await delivery.enqueue(
        "reminder:2:24h", [35], TextContent("tomorrow"), priority=Priority.REMINDER
    )
    await delivery.enqueue(
        "promotion:1", [36], TextContent("you are in"), priority=Priority.PERSONAL
    )

    await delivery.drain(bot)
    assert sent_to(bot) == [36, 35, 31, 32, 33]
    assert (await delivery.progress("reminder:1:2h")).pending == 1

    clock.set(later)
    await delivery.drain(bot)
    assert sent_to(bot)[-1] == 34


async def test_cancel_stops_what_is_still_queued(services: Services, bot: MockedBot) -> None:
    delivery = services.delivery
    await delivery.enqueue("announcement:9", [41, 42, 43], TextContent("Отменяется"))
    assert await delivery.cancel("announcement:9") == 3
    assert await delivery.cancel("announcement:9") == 0
    await delivery.drain(bot)
    assert sent_to(bot) == []
    progress = await delivery.progress("announcement:9")
    assert (progress.cancelled, progress.total, progress.finished) == (3, 3, True)


async def test_progress_of_an_unknown_source_is_empty(services: Services) -> None:
    progress = await services.delivery.progress("announcement:404")
    assert (progress.total, progress.done, progress.finished) == (0, 0, True)
    assert progress.first_sent_at is None


# -- contents ---------------------------------------------------------------------------------


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Открыть", callback_data="ev1:7:0:0")]]
    )


async def test_text_keeps_its_inline_keyboard(services: Services, bot: MockedBot) -> None:
    await services.delivery.enqueue("notice:1", [51], TextContent("Изменение", keyboard()))
    await services.delivery.drain(bot)
    [message] = bot.session.messages[51]
    assert message.buttons() == ["Открыть"]
    assert message.callback_data("Открыть") == "ev1:7:0:0"


async def test_a_document_is_uploaded_once_then_sent_by_file_id(
    services: Services, bot: MockedBot
) -> None:
    content = DocumentContent(b"BEGIN:VCALENDAR", "event.ics", caption="<i>Календарь</i>")
    await services.delivery.enqueue("ics:1", [61, 62, 63], content, priority=Priority.PERSONAL)
    await services.delivery.drain(bot)
    calls = bot.session.calls(SendDocument)
    assert [int(call.chat_id) for call in calls] == [61, 62, 63]
    assert isinstance(calls[0].document, BufferedInputFile)
    assert calls[0].document.data == b"BEGIN:VCALENDAR"
    assert calls[0].document.filename == "event.ics"
    file_id = await services.db.fetch_value("SELECT file_id FROM outbox_messages")
    assert file_id.startswith("doc-61-")
    assert [call.document for call in calls[1:]] == [file_id, file_id]
    assert {call.caption for call in calls} == {"<i>Календарь</i>"}


async def test_photo_copy_location_and_venue(
    services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    delivery = services.delivery
    await delivery.enqueue("ticket:1", [71], DocumentContent(PNG, "ticket.png", as_photo=True))
    await delivery.enqueue("announcement:2", [71, 72], CopyContent(-100500, 77, keyboard()))
    await delivery.enqueue("map:1", [71], LocationContent(55.75, 37.61))
    await delivery.enqueue(
        "venue:1", [71], LocationContent(57.15, 65.53, "Точка кипения", "ул. Республики, 9")
    )
    for _ in range(4):  # one message a second to chat 71
        await delivery.drain(bot)
        clock.advance(1)

    [photo] = bot.session.calls(SendPhoto)
    assert isinstance(photo.photo, BufferedInputFile)
    copies = bot.session.calls(CopyMessage)
    assert sorted((c.chat_id, c.from_chat_id, c.message_id) for c in copies) == [
        (71, -100500, 77),
        (72, -100500, 77),
    ]
    assert {c.reply_markup for c in copies} == {keyboard()}
    [pin] = bot.session.calls(SendLocation)
    assert (pin.latitude, pin.longitude) == (55.75, 37.61)
    [venue] = bot.session.calls(SendVenue)
    assert (venue.title, venue.address) == ("Точка кипения", "ул. Республики, 9")
    assert all(row["state"] == "sent" for row in await rows(services.db))


# -- Telegram errors --------------------------------------------------------------------------


async def test_429_pauses_the_whole_sender_and_does_not_count_as_a_failure(
    services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    delivery = services.delivery
    recipients = list(range(1001, 1031))
    await delivery.enqueue("announcement:1", recipients, TextContent("hello"))
    bot.session.fail("SendMessage", "429", chat_id=1001)

    await delivery.drain(bot)
    # The first batch of 20 was already on its way; nothing was tried after the refusal.
    assert sent_to(bot) == recipients[:20]
    by_recipient = {row["recipient_id"]: row for row in await rows(services.db)}
    refused = by_recipient[1001]
    assert (refused["state"], refused["attempts"]) == ("pending", 0)
    assert "retry after 3" in refused["last_error"]
    assert {by_recipient[r]["state"] for r in recipients[1:20]} == {"sent"}
    assert {(by_recipient[r]["state"], by_recipient[r]["attempts"]) for r in recipients[20:]} == {
        ("pending", 0)
    }
    assert delivery.sender is not None
    assert delivery.sender.stats.flood_waits == 1

    clock.advance(2.9)
    await delivery.drain(bot)  # still paused: nothing goes
    assert len(sent_to(bot)) == 20

    clock.advance(0.1)
    await delivery.drain(bot)
    assert sent_to(bot)[20:] == [1001, *recipients[20:]]
    assert set((await states(services.db, "announcement:1")).values()) == {"sent"}


async def test_a_429_slows_the_sender_below_the_ceiling_and_loses_no_row(
    services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    delivery = services.delivery
    limiter = RateLimiter(30)
    delivery.sender = Sender(services.db, bot, clock, limiter, delivery.config)
    recipients = list(range(2001, 2006))
    await delivery.enqueue("announcement:2", recipients, TextContent("hello"))
    bot.session.fail("SendMessage", "429", chat_id=2003)

    await delivery.drain(bot)
    assert limiter.current < 30
    assert delivery.sender.stats.flood_waits == 1
    clock.advance(3)
    await delivery.drain(bot)
    assert sorted(sent_to(bot)) == sorted([*recipients, 2003])  # the refused one, then again
    assert set((await states(services.db, "announcement:2")).values()) == {"sent"}
    # Long after, with nothing refused, the sender is back at the ceiling.
    clock.advance(600)
    limiter.reserve(clock.timestamp())
    assert limiter.current == 30


async def test_403_marks_the_person_unreachable_with_everything_queued_for_them(
    services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    delivery = services.delivery
    await people.ensure(services.db, 91, clock.timestamp())
    await delivery.enqueue("announcement:1", [91, 92], TextContent("one"))
    await delivery.enqueue(
        "reminder:5:24h", [91], TextContent("two"), due_at=clock.timestamp() + 60
    )
    bot.session.blocked.add(91)

    await delivery.drain(bot)
    assert sent_to(bot) == [91, 92]
    [blocked, ok] = await rows(services.db, "announcement:1")
    assert (blocked["state"], blocked["last_error"]) == (
        "unreachable",
        "Forbidden: bot was blocked by the user",
    )
    assert ok["state"] == "sent"
    assert (await states(services.db, "reminder:5:24h")) == {91: "unreachable"}
    person = await people.get(services.db, 91)
    assert person is not None
    assert person.unreachable_at == clock.timestamp()

    # Later messages are not even tried, and the report still counts the person.
    assert await delivery.enqueue("announcement:2", [91, 92], TextContent("three")) == 1
    clock.advance(120)
    await delivery.drain(bot)
    assert sent_to(bot) == [91, 92, 92]
    progress = await delivery.progress("announcement:2")
    assert (progress.sent, progress.unreachable) == (1, 1)
    [record] = await delivery.undelivered("announcement:2")
    assert (record.recipient_id, record.state) == (91, "unreachable")


async def test_a_blocked_person_is_not_tried_again_within_the_same_batch(
    services: Services, bot: MockedBot
) -> None:
    delivery = services.delivery
    for source in ("a", "b", "c"):
        await delivery.enqueue(source, [95], TextContent(source))
    bot.session.blocked.add(95)
    await delivery.drain(bot)
    assert sent_to(bot) == [95]
    assert (
        await services.db.fetch_value("SELECT count(*) FROM deliveries WHERE state = 'unreachable'")
        == 3
    )


async def test_400_fails_the_row_with_telegrams_reason(services: Services, bot: MockedBot) -> None:
    await services.delivery.enqueue("announcement:1", [101, 102], TextContent("hi"))
    bot.session.fail("SendMessage", "400", chat_id=101)
    await services.delivery.drain(bot)
    [failed, sent] = await rows(services.db)
    assert (failed["state"], failed["last_error"]) == ("failed", "Bad Request: chat not found")
    assert failed["attempts"] == 1
    assert sent["state"] == "sent"
    [record] = await services.delivery.undelivered("announcement:1")
    assert record.error == "Bad Request: chat not found"


async def test_5xx_is_retried_with_exponential_backoff_then_succeeds(
    services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    await services.delivery.enqueue("promotion:3", [111], TextContent("hi"))
    bot.session.fail("SendMessage", "500", times=2)
    start = clock.timestamp()

    await services.delivery.drain(bot)
    [row] = await rows(services.db)
    assert (row["state"], row["attempts"], row["last_error"]) == (
        "pending",
        1,
        "Internal Server Error",
    )
    assert row["due_at"] == start + 2

    clock.advance(2)
    await services.delivery.drain(bot)
    [row] = await rows(services.db)
    assert (row["attempts"], row["due_at"]) == (2, start + 2 + 4)

    clock.advance(3.9)
    await services.delivery.drain(bot)  # not due yet
    assert len(bot.session.calls(SendMessage)) == 2
    clock.advance(0.1)
    await services.delivery.drain(bot)
    [row] = await rows(services.db)
    assert (row["state"], row["attempts"], row["last_error"]) == ("sent", 3, None)


async def test_transient_errors_fail_after_the_attempt_limit(
    services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    await services.delivery.enqueue("promotion:4", [121], TextContent("hi"))
    bot.session.fail("SendMessage", "500", times=10)
    for _ in range(10):
        await services.delivery.drain(bot)
        clock.advance(600)
    [row] = await rows(services.db)
    assert row["state"] == "failed"
    assert row["last_error"] == "gave up after 5 attempts: Internal Server Error"
    assert len(bot.session.calls(SendMessage)) == 5


@pytest.mark.parametrize(
    "error",
    [
        lambda method: TelegramNetworkError(method, "Request timeout error"),
        lambda method: TimeoutError(),
        lambda method: ConnectionResetError("reset by peer"),
    ],
    ids=["network", "timeout", "connection"],
)
async def test_network_errors_and_timeouts_are_retried(
    services: Services,
    bot: MockedBot,
    clock: ManualClock,
    error: Callable[[TelegramMethod[Any]], BaseException],
) -> None:
    await services.delivery.enqueue("promotion:5", [131], TextContent("hi"))
    fail_with(bot, error)
    await services.delivery.drain(bot)
    [row] = await rows(services.db)
    assert row["state"] == "pending"
    assert row["last_error"]
    clock.advance(2)
    await services.delivery.drain(bot)
    [row] = await rows(services.db)
    assert row["state"] == "sent"
    assert sent_to(bot) == [131, 131]


async def test_an_unexpected_error_fails_one_row_and_the_sender_goes_on(
    services: Services, bot: MockedBot
) -> None:
    await services.delivery.enqueue("announcement:1", [141, 142], TextContent("hi"))
    fail_with(bot, lambda method: ValueError("a bug"))
    await services.delivery.drain(bot)
    assert await states(services.db, "announcement:1") == {141: "failed", 142: "sent"}
    [record] = await services.delivery.undelivered("announcement:1")
    assert record.error == "ValueError: a bug"


# -- pacing -----------------------------------------------------------------------------------


async def test_one_message_per_second_to_one_chat(
    services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    delivery = services.delivery
    await delivery.enqueue("a", [151], TextContent("first"), priority=Priority.PERSONAL)
    await delivery.enqueue("b", [151, 152], TextContent("second"))
    await delivery.drain(bot)
    assert sent_to(bot) == [151, 152]
    [waiting] = [row for row in await rows(services.db, "b") if row["recipient_id"] == 151]
    assert (waiting["state"], waiting["attempts"], waiting["due_at"]) == (
        "pending",
        0,
        clock.timestamp() + 1,
    )
    clock.advance(1)
    await delivery.drain(bot)
    assert sent_to(bot) == [151, 152, 151]


async def test_twenty_messages_a_minute_to_a_group(
    services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    group = -100777
    for index in range(22):
        await services.delivery.enqueue(f"digest:{index}", [group], TextContent(f"#{index}"))
    await services.delivery.drain(bot)
    assert len(sent_to(bot)) == 20
    clock.advance(59)
    await services.delivery.drain(bot)
    assert len(sent_to(bot)) == 20
    clock.advance(1)
    await services.delivery.drain(bot)
    assert len(sent_to(bot)) == 22


# -- crash safety and the background task -----------------------------------------------------


async def test_rows_left_sending_by_a_crash_are_requeued_or_failed_at_start(
    services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    delivery = services.delivery
    await delivery.enqueue("announcement:1", [161, 162, 163], TextContent("hi"))
    async with services.db.write() as tx:
        await outbox.claim(tx, clock.timestamp(), 2)  # a process that died mid-send
        await tx.execute("UPDATE deliveries SET attempts = 5 WHERE recipient_id = 162")

    sender = delivery.sender_for(bot)
    await sender.recover()
    by_recipient = {row["recipient_id"]: row for row in await rows(services.db)}
    assert by_recipient[161]["state"] == "pending"
    assert "interrupted" in by_recipient[161]["last_error"]
    assert by_recipient[162]["state"] == "failed"
    assert by_recipient[163]["state"] == "pending"
    await delivery.drain(bot)
    assert sorted(sent_to(bot)) == [161, 163]


async def wait_for(condition: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Wait for a condition of the database (not for a duration)."""
    async with asyncio.timeout(timeout):
        while True:
            if await condition():
                return
            await asyncio.sleep(0.01)


async def test_the_background_sender_delivers_woken_and_polled_rows_and_stops_cleanly(
    services: Services, bot: MockedBot
) -> None:
    delivery = DeliveryService(
        services.db, services.clock, send_rate=0, config=SenderConfig(poll_interval=0.05)
    )
    await delivery.start(bot)
    try:
        await delivery.enqueue("announcement:1", list(range(1000, 1100)), TextContent("hi"))

        async def finished() -> bool:
            return (await delivery.progress("announcement:1")).sent == 100

        await wait_for(finished)

        # Another process writing to the same file: no wake-up, the sender polls.
        other = Database(services.db.path)
        await other.connect()
        async with other.write() as tx:
            await outbox.enqueue(
                tx,
                source="from-elsewhere",
                recipients=[2001],
                kind="text",
                payload='{"text": "hi"}',
                priority=0,
                due_at=0,
                now=0,
            )
        await other.close()

        async def polled() -> bool:
            return (await delivery.progress("from-elsewhere")).sent == 1

        await wait_for(polled)
    finally:
        await delivery.stop()
    assert delivery.sender is not None
    assert not delivery.sender.running
    assert (
        await services.db.fetch_value("SELECT count(*) FROM deliveries WHERE state = 'sending'")
        == 0
    )


async def test_stop_returns_unsent_claimed_rows_to_the_queue(
    services: Services, bot: MockedBot
) -> None:
    gate = asyncio.Event()
    original = bot.session.make_request

    async def slow(bot_: Any, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        await gate.wait()
        return await original(bot_, method, timeout)

    bot.session.make_request = slow  # type: ignore[method-assign]
    delivery = DeliveryService(
        services.db,
        services.clock,
        send_rate=0,
        config=SenderConfig(poll_interval=0.05, batch_size=5, window=5),
    )
    await delivery.enqueue("announcement:1", list(range(3000, 3020)), TextContent("hi"))
    await delivery.start(bot)

    async def five_in_flight() -> bool:
        return (await delivery.progress("announcement:1")).sending == 5

    await wait_for(five_in_flight)
    stopping = asyncio.create_task(delivery.stop())
    gate.set()
    await stopping
    progress = await delivery.progress("announcement:1")
    assert (progress.sent, progress.sending, progress.pending) == (5, 0, 15)


async def test_a_kicked_group_is_not_tried_again_for_rows_already_claimed(
    services: Services, bot: MockedBot
) -> None:
    group = -100888
    for source in ("digest:1", "digest:2", "digest:3"):
        await services.delivery.enqueue(source, [group], TextContent(source))
    bot.session.blocked.add(group)
    await services.delivery.drain(bot)
    # All three were claimed in one batch (a group takes 20 a minute); one 403 settles them.
    assert sent_to(bot) == [group]
    assert (
        await services.db.fetch_value("SELECT count(*) FROM deliveries WHERE state = 'unreachable'")
        == 3
    )


async def test_a_cancel_while_sending_turns_a_retry_into_cancelled(
    services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    delivery = services.delivery
    await delivery.enqueue("announcement:5", [171], TextContent("hi"))
    original = bot.session.make_request

    async def cancel_then_fail(
        bot_: Any, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        bot.session.make_request = original  # type: ignore[method-assign]
        await delivery.cancel("announcement:5")  # the organizer pressed Stop meanwhile
        raise TelegramNetworkError(method, "Request timeout error")

    bot.session.make_request = cancel_then_fail  # type: ignore[method-assign]
    await delivery.drain(bot)
    clock.advance(600)
    await delivery.drain(bot)
    [row] = await rows(services.db)
    assert (row["state"], row["last_error"]) == ("cancelled", "Request timeout error")
    assert len(bot.session.calls(SendMessage)) == 0


async def test_a_database_error_while_starting_a_send_requeues_the_row(
    services: Services, bot: MockedBot, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await services.delivery.enqueue("notice:3", [181], TextContent("hi"))
    real = outbox.message
    failures = iter([sqlite3.OperationalError("database is locked")])

    async def flaky(db: Database, message_id: int) -> outbox.OutboxMessage | None:
        error = next(failures, None)
        if error is not None:
            raise error
        return await real(db, message_id)

    monkeypatch.setattr(outbox, "message", flaky)
    await services.delivery.drain(bot)
    [row] = await rows(services.db)
    assert (row["state"], row["attempts"]) == ("pending", 0)
    clock.advance(1)
    await services.delivery.drain(bot)
    [row] = await rows(services.db)
    assert row["state"] == "sent"


async def test_an_outage_pauses_the_sender_instead_of_spending_every_rows_attempts(
    services: Services, bot: MockedBot, clock: ManualClock
) -> None:
    # One batch in flight at a time: with a wider window a second batch may be on its way
    # before the first errors come back, and how many that is depends on timing.
    services.delivery.config = dataclasses.replace(services.delivery.config, window=20)
    recipients = list(range(2001, 2031))
    await services.delivery.enqueue("announcement:8", recipients, TextContent("hi"))
    bot.session.fail("*", "500", times=40)  # Telegram is down for the first 40 calls

    await services.delivery.drain(bot)
    # One batch was on its way; after its errors the sender paused instead of going on.
    assert len(sent_to(bot)) == 20
    untried = [row for row in await rows(services.db) if row["recipient_id"] in recipients[20:]]
    assert {(row["state"], row["attempts"]) for row in untried} == {("pending", 0)}

    for _ in range(5):
        clock.advance(60)
        await services.delivery.drain(bot)
    progress = await services.delivery.progress("announcement:8")
    assert (progress.sent, progress.failed) == (30, 0)
    assert max(row["attempts"] for row in await rows(services.db)) <= 3
