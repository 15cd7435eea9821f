"""The real process over HTTP: a reminder due seconds after start-up, «Can't come», SIGKILL."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db import Database, people
from db import events as events_repo
from db import registrations as registrations_repo
from db.events import EventKind, EventStatus, NewEvent
from db.registrations import Registered
from emulator import FakeTelegram, FakeUser
from tests.e2e.conftest import E2E_TOKEN
from tests.e2e.harness import BotProcess

HOUR = 3600.0
# The first reminder is due this long after the test seeds it: enough for the process to
# start and plan it, short enough to keep the suite fast.
LEAD = 8.0


@dataclass
class World:
    process: BotProcess
    db_path: Path
    anna: FakeUser
    boris: FakeUser


def new_event(title: str, city: str, zone: str, starts_at: float, **more: object) -> NewEvent:
    return NewEvent(
        title=title,
        kind=EventKind.round_table,
        city=city,
        timezone=zone,
        starts_at=starts_at,
        ends_at=starts_at + 3 * HOUR,
        venue="«Точка кипения»",
        address="ул. Карла Либкнехта, 33",
        reminder_offsets=(24,),
        **more,  # type: ignore[arg-type]
    )


async def _seat(db: Database, event_id: int, person: FakeUser, now: float) -> Registered:
    await people.ensure(db, person.id, now)
    await people.set_language(db, person.id, "ru", now)
    outcome = await registrations_repo.register(db, event_id, person.id, {}, now)
    assert isinstance(outcome, Registered)
    return outcome


def seed(db_path: Path, work: object) -> None:
    """Write straight into the bot's SQLite file (the process is down or only reading)."""

    async def run() -> None:
        db = Database(db_path)
        await db.connect()
        try:
            await work(db)  # type: ignore[operator]
        finally:
            await db.close()

    asyncio.run(run())


def query(db_path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as conn:
        return list(conn.execute(sql, params))


def wait_until(check: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def world(tg: FakeTelegram, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Seed an Omsk round table starting in 24 h + a few seconds, then start the real bot."""
    workdir = tmp_path_factory.mktemp("reminders")
    db_path = workdir / "bot.sqlite3"
    anna = tg.user(first_name="Анна", language_code="ru")
    boris = tg.user(first_name="Борис", language_code="ru")

    async def work(db: Database) -> None:
        now = time.time()
        event = await events_repo.create(
            db,
            new_event(
                "Годовое собрание Альянса",
                "Омск",
                "Asia/Omsk",
                now + 24 * HOUR + LEAD,
                capacity=1,
                latitude=54.9833,
                longitude=73.3667,
            ),
            now,
            status=EventStatus.published,
        )
        await _seat(db, event.id, anna, now)
        await _seat(db, event.id, boris, now)  # waitlisted: the only seat is Anna's

    seed(db_path, work)
    process = BotProcess(tg, db_path)
    process.start()
    yield World(process, db_path, anna, boris)
    assert process.stop() == 0, process.log()
    assert process.log().rstrip().endswith("stopped cleanly"), process.log()
    assert E2E_TOKEN not in process.log()


def test_the_real_process_sends_a_reminder_due_after_start_up_and_cant_come_promotes(
    tg: FakeTelegram, world: World
) -> None:
    reminder = tg.wait_for_message(world.anna, contains="Годовое собрание", timeout=LEAD + 20)
    assert reminder.plain is not None
    assert reminder.plain.startswith("🔔 Завтра: круглый стол «Годовое собрание Альянса»")
    assert "по местному времени (МСК+3)" in reminder.plain
    assert "ул. Карла Либкнехта, 33" in reminder.plain
    assert [b["text"] for b in reminder.inline_buttons()] == ["Приду ✅", "Не смогу ✖️"]
    assert tg.messages(world.boris) == []  # the waitlist gets no reminder

    tg.press_button(world.anna, reminder, text="Не смогу")
    # Asked first; the seat moves only after «Да, отменить регистрацию».
    asked = tg.wait_for_edit(world.anna, reminder, contains="Отменить регистрацию?")
    query_id = tg.press_button(world.anna, asked, text="Да, отменить регистрацию")
    assert tg.wait_for_answer(query_id).text == "Регистрация отменена."
    tg.wait_for_edit(world.anna, reminder, contains="Ваша регистрация отменена")
    tg.wait_for_message(world.boris, contains="освободилось место")
    rows = query(
        world.db_path,
        "SELECT p.id, r.status FROM registrations r JOIN people p ON p.id = r.person_id",
    )
    assert dict(rows) == {world.anna.id: "cancelled", world.boris.id: "confirmed"}  # type: ignore[arg-type]


def test_after_sigkill_missed_reminders_follow_the_rule_and_nothing_repeats(
    tg: FakeTelegram, world: World
) -> None:
    clara = tg.user(first_name="Клара", language_code="ru")
    dmitry = tg.user(first_name="Дмитрий", language_code="ru")
    world.process.kill()
    ids: dict[str, int] = {}

    async def work(db: Database) -> None:
        # Two events published two days ago. While the bot was down, the reminder of one still
        # ahead came due (send it), and so did that of one that has already begun (skip it).
        now = time.time()
        published = now - 48 * HOUR
        ahead = await events_repo.create(
            db,
            new_event("Круглый стол в Курске", "Курск", "Europe/Moscow", now + 3 * HOUR),
            published,
            status=EventStatus.published,
        )
        begun = await events_repo.create(
            db,
            new_event("Семинар в Кемерове", "Кемерово", "Asia/Novokuznetsk", now + HOUR),
            published,
            status=EventStatus.published,
        )
        await _seat(db, ahead.id, clara, now)
        await _seat(db, begun.id, dmitry, now)
        async with db.write() as tx:
            # It began ten minutes ago (a direct write keeps its publication time).
            await tx.execute("UPDATE events SET starts_at = ? WHERE id = ?", (now - 600, begun.id))
        ids["ahead"], ids["begun"] = ahead.id, begun.id

    seed(world.db_path, work)
    world.process.start()

    message = tg.wait_for_message(clara, contains="Круглый стол в Курске")
    assert message.plain is not None
    assert "по московскому времени" in message.plain

    def settled() -> bool:
        states = dict(
            query(
                world.db_path,
                "SELECT event_id, state FROM planned_reminders WHERE kind = '24h'"
                " AND event_id IN (?, ?)",
                (ids["ahead"], ids["begun"]),
            )
        )
        pending = query(world.db_path, "SELECT COUNT(*) FROM deliveries WHERE state != 'sent'")
        return states == {ids["ahead"]: "fired", ids["begun"]: "skipped"} and pending == [(0,)]

    wait_until(settled)
    assert tg.messages(dmitry) == []
    # Every reminder went out exactly once, across the kill and the restart.
    reminders = [
        m
        for user in (world.anna, world.boris, clara)
        for m in tg.messages(user)
        if (m.plain or "").startswith("🔔")
    ]
    assert sorted(m.chat_id for m in reminders) == sorted([world.anna.id, clara.id])
