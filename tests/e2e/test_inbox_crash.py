"""SIGKILL during a registration rush, restart: every Confirm handled, seats exact, and every
committed seat's ticket and calendar file delivered (duplicates within the sender's window)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from db import Database
from emulator import FakeTelegram
from tests.e2e.harness import BotProcess
from tests.member_kit import make_event, prepared_person

PEOPLE = 220
SEATS = 100
FIRST_ID = 700_000
# README "Crash policy": a SIGKILL may repeat at most the sender's in-flight window.
DUPLICATE_BOUND = 40


async def prepare(db_path: Path) -> int:
    """An event and people who chose Russian, consented and saved a profile."""
    db = Database(db_path)
    await db.connect()
    try:
        shim: Any = SimpleNamespace(db=db)
        start = time.time() + 10 * 86400
        event = await make_event(shim, capacity=SEATS, starts_at=start, ends_at=start + 3 * 3600)
        for n in range(PEOPLE):
            await prepared_person(shim, FIRST_ID + n)
        return event.id
    finally:
        await db.close()


def query(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path, timeout=10) as conn:
        return conn.execute(sql).fetchall()


def shown(tg: FakeTelegram, user: Any, label: str, timeout: float = 60) -> Any:
    """The latest message that shows a button `label` (a new message or an edit)."""
    deadline = time.monotonic() + timeout
    while True:
        for message in reversed(tg.messages(user)):
            if any(label in (b.get("text") or "") for b in message.inline_buttons()):
                return message
        if time.monotonic() > deadline:
            raise AssertionError(f"{user.id} never saw {label!r}")
        time.sleep(0.02)


def press_when_shown(tg: FakeTelegram, user: Any, label: str) -> None:
    tg.press_button(user, shown(tg, user, label), text=label)


@pytest.mark.e2e
def test_sigkill_during_a_registration_rush_loses_no_confirm(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    db_path = tmp_path / "bot.sqlite3"
    event_id = asyncio.run(prepare(db_path))
    users = [tg.user(id=FIRST_ID + n, language_code="ru") for n in range(PEOPLE)]
    process = BotProcess(tg, db_path, env={"SEND_RATE": "0"})
    process.start()
    try:
        for user in users:
            tg.send_text(user, f"/start ev_{event_id}")
        for label in ("Зарегистрироваться", "Да, использовать"):
            for user in users:
                press_when_shown(tg, user, label)
        for user in users:
            shown(tg, user, "Подтвердить")
        # Answers and tickets take a while to reach Telegram, so many Confirms are in flight
        # at the kill, and so are tickets the sender has claimed.
        tg.faults.add("editMessageText", "slow", delay=0.1, times=None)
        tg.faults.add("sendPhoto", "slow", delay=0.1, times=None)
        for user in users:
            press_when_shown(tg, user, "Подтвердить")
        tg.wait_until(
            lambda: query(db_path, "SELECT count(*) FROM registrations")[0][0] >= 50, timeout=60
        )
        process.kill()
        committed_at_kill = query(db_path, "SELECT count(*) FROM registrations")[0][0]
        assert committed_at_kill < PEOPLE, "the rush was over before the kill"
        tg.faults.clear()

        process.start()
        tg.wait_until(
            lambda: query(db_path, "SELECT count(*) FROM registrations")[0][0] == PEOPLE,
            timeout=120,
        )
        tg.wait_until(
            lambda: query(db_path, "SELECT count(*) FROM inbox WHERE state = 'pending'")[0][0] == 0,
            timeout=60,
        )
        unsent = "SELECT count(*) FROM deliveries WHERE state IN ('pending', 'sending')"
        tg.wait_until(lambda: query(db_path, unsent)[0][0] == 0, timeout=120)
        assert process.stop() == 0, process.log()
    finally:
        process.kill()
        tg.faults.clear()

    by_status = dict(query(db_path, "SELECT status, count(*) FROM registrations GROUP BY status"))
    assert by_status == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}
    assert query(db_path, "SELECT count(DISTINCT person_id) FROM registrations")[0][0] == PEOPLE
    seqs = query(
        db_path, "SELECT count(DISTINCT waitlist_seq) FROM registrations WHERE status='waitlisted'"
    )
    assert seqs[0][0] == PEOPLE - SEATS
    # No dialog is stuck at the summary: every Confirm ended its dialog.
    assert query(db_path, "SELECT count(*) FROM fsm_records WHERE state IS NOT NULL") == [(0,)]
    assert dict(query(db_path, "SELECT state, count(*) FROM inbox GROUP BY state")).keys() <= {
        "done"
    }
    assert "redid" in process.log()

    # Every committed seat's ticket and .ics went out; the waitlist got none.
    confirmed = {
        row[0]: row[1]
        for row in query(
            db_path, "SELECT person_id, id FROM registrations WHERE status = 'confirmed'"
        )
    }
    outbox = query(db_path, "SELECT source, state FROM deliveries WHERE source LIKE 'confirm:%'")
    assert sorted(outbox) == sorted(
        (f"confirm:{registration}:{part}", "sent")
        for registration in confirmed.values()
        for part in ("ticket", "calendar")
    )
    extra = 0
    for user in users:
        kinds = [m.method.lower() for m in tg.messages(user)]
        photos, files = kinds.count("sendphoto"), kinds.count("senddocument")
        if user.id in confirmed:
            assert photos >= 1, f"{user.id} got no ticket"
            assert files >= 1, f"{user.id} got no calendar file"
            extra += photos - 1 + files - 1
        else:
            assert (photos, files) == (0, 0)
    assert extra <= DUPLICATE_BOUND
