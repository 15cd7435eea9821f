"""The delivery engine over real HTTP against the fake Bot API: faults, flood control, contents."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode

from bot.clock import SystemClock
from bot.delivery.sender import SenderConfig
from bot.services.delivery import (
    CopyContent,
    DeliveryService,
    DocumentContent,
    LocationContent,
    Progress,
    TextContent,
)
from db import Database
from emulator import FakeTelegram, FakeUser

# Short waits so a fault costs milliseconds, not the production seconds.
FAST = SenderConfig(
    poll_interval=0.05, send_timeout=1, backoff_base=0.05, backoff_cap=0.2, max_attempts=4
)


@pytest.fixture(scope="module")
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake
        assert fake.server_errors == []


@dataclass
class Engine:
    db: Database
    bot: Bot
    delivery: DeliveryService

    async def finished(self, source: str, timeout: float = 30.0) -> Progress:
        """Wait until every row of `source` is final (a condition, not a duration)."""
        async with asyncio.timeout(timeout):
            while True:
                progress = await self.delivery.progress(source)
                if progress.total and progress.finished:
                    return progress
                await asyncio.sleep(0.02)

    async def rows(self, source: str) -> dict[int, dict[str, object]]:
        found = await self.db.fetch_all("SELECT * FROM deliveries WHERE source = ?", (source,))
        return {row["recipient_id"]: dict(row) for row in found}


async def make_engine(tg: FakeTelegram, path: Path, rate: float) -> Engine:
    db = Database(path)
    await db.connect()
    bot = tg.bot(default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    delivery = DeliveryService(db, SystemClock(), send_rate=rate, config=FAST)
    await delivery.start(bot)
    return Engine(db, bot, delivery)


@pytest.fixture
async def engine(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[Engine]:
    made = await make_engine(tg, tmp_path / "bot.sqlite3", rate=0)
    yield made
    await made.delivery.stop()
    await made.bot.session.close()
    await made.db.close()
    tg.faults.clear()
    tg.rate_limit(None, None)


def texts_in(tg: FakeTelegram, user: FakeUser, text: str) -> int:
    return sum(1 for message in tg.messages(user) if message.text == text)


async def test_every_recipient_is_accounted_for_through_429_403_500_400_and_slow_answers(
    tg: FakeTelegram, engine: Engine
) -> None:
    users = [tg.user() for _ in range(60)]
    blocked, bad, broken, flaky, slow = users[:3], users[3], users[4], users[5], users[6]
    for user in blocked:
        tg.block(user)
    tg.faults.add("sendMessage", "400", chat_id=bad.id, description="Bad Request: chat not found")
    tg.faults.add("sendMessage", "500", chat_id=broken.id, times=None)
    tg.faults.add("sendMessage", "500", chat_id=flaky.id, times=2)
    tg.faults.add("sendMessage", "slow", chat_id=slow.id, delay=1.5)
    tg.faults.add("sendMessage", "429", retry_after=1, times=2)
    text = "Круглый стол переносится на <b>25 ноября</b>"

    await engine.delivery.enqueue("notice:1", [u.id for u in users], TextContent(text))
    progress = await engine.finished("notice:1")

    assert (progress.total, progress.sent, progress.unreachable, progress.failed) == (60, 55, 3, 2)
    rows = await engine.rows("notice:1")
    assert {rows[u.id]["state"] for u in blocked} == {"unreachable"}
    assert rows[bad.id]["last_error"] == "Bad Request: chat not found"
    assert rows[broken.id]["last_error"] == "gave up after 4 attempts: Internal Server Error"
    assert (rows[flaky.id]["state"], rows[flaky.id]["attempts"]) == ("sent", 3)
    for user in users:
        row = rows[user.id]
        if row["state"] != "sent":
            assert texts_in(tg, user, text) == 0
            continue
        message = tg.message(user, int(row["telegram_message_id"]))  # type: ignore[call-overload]
        assert message.text == text
        # The slow answer timed out after Telegram had sent it: the one allowed duplicate.
        assert texts_in(tg, user, text) == (2 if user is slow else 1)
    assert engine.delivery.sender is not None
    assert engine.delivery.sender.stats.flood_waits >= 1


async def test_telegram_flood_control_is_honoured_without_losing_anyone(
    tg: FakeTelegram, engine: Engine
) -> None:
    # Our limiter is off here, so Telegram's own (30/s) refuses part of the burst with 429.
    tg.rate_limit(global_per_second=30)
    users = [tg.user() for _ in range(90)]
    refused_before = tg.flood_429_count

    await engine.delivery.enqueue("announcement:7", [u.id for u in users], TextContent("Анонс"))
    progress = await engine.finished("announcement:7")

    assert (progress.sent, progress.failed) == (90, 0)
    assert tg.flood_429_count > refused_before
    assert all(texts_in(tg, user, "Анонс") == 1 for user in users)
    rows = await engine.rows("announcement:7")
    assert {row["attempts"] for row in rows.values()} == {1}  # a 429 is not an attempt


async def test_dropped_connections_are_retried(tg: FakeTelegram, engine: Engine) -> None:
    users = [tg.user() for _ in range(5)]
    tg.faults.add("sendMessage", "drop", times=3)
    await engine.delivery.enqueue("notice:2", [u.id for u in users], TextContent("hi"))
    progress = await engine.finished("notice:2")
    assert progress.sent == 5


async def test_every_content_kind_over_http(tg: FakeTelegram, engine: Engine) -> None:
    anna, boris, group = tg.user("Анна"), tg.user("Борис"), tg.group(title="НКО")
    original = tg.send_text(anna, "Объявление: <i>стратегическая сессия</i>")
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    delivery = engine.delivery
    await delivery.enqueue("doc:1", [anna.id, boris.id, group.id], DocumentContent(ics, "e.ics"))
    await delivery.enqueue(
        "copy:1", [boris.id, group.id], CopyContent(anna.id, original.message_id)
    )
    await delivery.enqueue("pin:1", [anna.id], LocationContent(51.73, 36.19))
    await delivery.enqueue("venue:1", [boris.id], LocationContent(57.15, 65.53, "Точка кипения"))
    for source in ("doc:1", "copy:1", "pin:1", "venue:1"):
        progress = await engine.finished(source)
        assert progress.sent == progress.total, source

    uploads = Counter(
        str(call.params["document"]).startswith("attach://") for call in tg.calls_to("sendDocument")
    )
    documents = [m for user in (anna, boris, group) for m in tg.messages(user) if m.file]
    assert len(documents) == 3
    assert all(tg.file_bytes(m.file.file_id) == ics for m in documents if m.file)
    assert uploads == {True: 1, False: 2}  # uploaded once, then Telegram's file id
    copies = [m for m in tg.messages(group) if m.method == "copyMessage"]
    assert len(copies) == 1
    assert [m.location for m in tg.messages(anna) if m.location]
    assert [m for m in tg.messages(boris) if m.method == "sendVenue"]
