"""The real bot process is SIGKILLed mid-broadcast and restarted: nothing lost, few duplicates."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.delivery.sender import SenderConfig
from bot.services.delivery import DeliveryService, TextContent
from db import Database
from emulator import FakeTelegram
from tests.e2e.harness import BotProcess

RECIPIENTS = 500
TEXT = "Годовое собрание НКО: повестка и регистрация"


async def enqueue_from_another_process(db_path: Path, recipients: list[int]) -> int:
    """The test process writes the outbox rows; the bot only sees them in the shared file."""
    db = Database(db_path)
    await db.connect()
    try:
        delivery = DeliveryService(db, SystemClock(), send_rate=0)
        return await delivery.enqueue("announcement:1", recipients, TextContent(TEXT))
    finally:
        await db.close()


def states(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT state, count(*) FROM deliveries GROUP BY state").fetchall()
    return dict(rows)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.e2e
def test_sigkill_mid_send_then_restart_loses_nothing(tg: FakeTelegram, tmp_path: Path) -> None:
    users = [tg.user(language_code="ru") for _ in range(RECIPIENTS)]
    db_path = tmp_path / "bot.sqlite3"
    # Telegram takes a while to answer, so a full window of sends is in flight when the
    # process dies; the limiter is off so the test does not wait for 25 messages a second.
    tg.faults.add("sendMessage", "slow", delay=0.2, times=None)
    process = BotProcess(tg, db_path, env={"SEND_RATE": "0"})
    process.start()
    try:
        queued = asyncio.run(enqueue_from_another_process(db_path, [u.id for u in users]))
        assert queued == RECIPIENTS

        def sent_so_far() -> int:
            return sum(1 for call in tg.calls_to("sendMessage") if call.params["text"] == TEXT)

        tg.wait_until(lambda: sent_so_far() >= 100, timeout=30)
        process.kill()
        at_kill = states(db_path)
        assert at_kill.get("sent", 0) < RECIPIENTS, "the broadcast finished before the kill"

        process.start()
        wait_for(
            lambda: states(db_path).keys() <= {"sent", "unreachable", "failed", "cancelled"},
            timeout=60,
            what="every delivery to be final",
        )
        assert process.stop() == 0, process.log()
    finally:
        process.kill()
        tg.faults.clear()

    assert states(db_path) == {"sent": RECIPIENTS}
    received = [sum(1 for m in tg.messages(user) if m.text == TEXT) for user in users]
    assert min(received) == 1  # nobody lost
    duplicates = sum(received) - RECIPIENTS
    # Only rows in flight at the kill can repeat: at most one in-flight window.
    assert 0 <= duplicates <= SenderConfig().window, duplicates
    assert max(received) <= 2
    assert "interrupted deliveries requeued" in process.log()
