"""db/database.py's unit of work: one repository function inside and outside a transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from db import Database, Transaction, events, people, registrations
from db.events import EventKind, EventStatus, NewEvent
from db.registrations import Registered, RegistrationStatus

T = 1_800_000_000.0  # "now" in these tests; the event is a day later


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "bot.sqlite3")
    await database.connect()
    yield database
    await database.close()


async def one_seat_event(db: Database) -> int:
    new = NewEvent(
        title="Круглый стол",
        kind=EventKind.round_table,
        city="Тюмень",
        timezone="Asia/Yekaterinburg",
        starts_at=T + 86_400,
        ends_at=T + 90_000,
        capacity=1,
    )
    event = await events.create(db, new, T, status=EventStatus.published)
    return event.id


async def test_one_function_reads_on_the_database_and_in_a_transaction(db: Database) -> None:
    async with db.write() as tx:
        await people.add(tx, 7, T)
        # The transaction sees its own write; the reader does not until the commit.
        inside = await people.get(tx, 7)
        outside_before_commit = await people.get(db, 7)
    assert inside is not None
    assert inside.id == 7
    assert outside_before_commit is None
    after = await people.get(db, 7)
    assert after is not None
    assert after.id == 7


async def test_a_committed_registration_is_read_outside(db: Database) -> None:
    event_id = await one_seat_event(db)
    async with db.write() as tx:
        await people.add(tx, 7, T)
        outcome = await registrations.register(tx, event_id, 7, {"topic": "гранты"}, T)
    assert isinstance(outcome, Registered)
    stored = await registrations.get(db, outcome.registration.id)
    assert stored is not None
    assert stored.status == RegistrationStatus.confirmed
    assert stored.answers == {"topic": "гранты"}
    assert await registrations.live(db, event_id, 7) == stored


async def test_an_error_rolls_back_every_statement_of_the_unit(db: Database) -> None:
    event_id = await one_seat_event(db)
    with pytest.raises(ValueError, match="the organizer's notice failed"):
        async with db.write() as tx:
            await people.add(tx, 7, T)
            # register() opens no transaction of its own here: it joins the caller's.
            outcome = await registrations.register(tx, event_id, 7, {}, T)
            assert isinstance(outcome, Registered)
            raise ValueError("the organizer's notice failed")
    assert await people.get(db, 7) is None
    assert await registrations.live(db, event_id, 7) is None
    seats = await registrations.seats(db, await events.get(db, event_id))  # type: ignore[arg-type]
    assert (seats.confirmed, seats.waitlisted) == (0, 0)


async def test_a_function_given_the_database_commits_its_own_transaction(db: Database) -> None:
    event_id = await one_seat_event(db)
    await people.add(db, 7, T)
    await people.add(db, 8, T)
    first = await registrations.register(db, event_id, 7, {}, T)
    second = await registrations.register(db, event_id, 8, {}, T)
    assert isinstance(first, Registered)
    assert isinstance(second, Registered)
    assert first.registration.status == RegistrationStatus.confirmed
    assert second.position == 1
    assert await registrations.position(db, second.registration) == 1


async def test_single_statements_outside_a_transaction(db: Database) -> None:
    new_id = await db.insert(
        "INSERT INTO people (id, created_at, updated_at) VALUES (?, ?, ?)", (42, T, T)
    )
    assert new_id == 42
    changed = await db.execute("UPDATE people SET language = 'en' WHERE id IN (42, 43)")
    assert changed == 1
    assert await db.fetch_value("SELECT language FROM people WHERE id = 42") == "en"


async def test_executemany_stores_all_rows_or_none(db: Database) -> None:
    sql = "INSERT INTO people (id, created_at, updated_at) VALUES (?, ?, ?)"
    assert await db.executemany(sql, [(1, T, T), (2, T, T)]) == 2
    duplicate_second_row = [(3, T, T), (1, T, T)]
    with pytest.raises(sqlite3.IntegrityError):
        await db.executemany(sql, duplicate_second_row)
    assert [row[0] for row in await db.fetch_all("SELECT id FROM people ORDER BY id")] == [1, 2]


async def test_the_database_passed_inside_its_own_transaction_is_refused(db: Database) -> None:
    # Writing through `db` while holding `db.write()` would wait for the lock forever.
    with pytest.raises(RuntimeError, match="pass the transaction"):
        async with db.write() as tx:
            await people.add(tx, 7, T)
            await people.set_language(db, 7, "en", T)
    assert await people.get(db, 7) is None


async def test_a_transaction_cannot_be_used_after_it_ends(db: Database) -> None:
    async with db.write() as tx:
        await people.add(tx, 7, T)
    kept: Transaction = tx
    with pytest.raises(RuntimeError, match="transaction is over"):
        await people.get(kept, 7)


async def test_each_statement_in_a_transaction_is_one_call_on_the_database_thread(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = db._writer
    assert writer is not None
    calls: list[str] = []
    original = writer._execute

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await original(fn, *args, **kwargs)

    monkeypatch.setattr(writer, "_execute", counted)
    async with db.write() as tx:
        await tx.insert("INSERT INTO people (id, created_at, updated_at) VALUES (7, 0, 0)")
        await tx.execute("UPDATE people SET language = 'ru' WHERE id = 7")
        await tx.fetch_one("SELECT * FROM people WHERE id = 7")
        await tx.fetch_value("SELECT count(*) FROM people")
    # BEGIN, four statements, COMMIT: no separate hops to fetch rows or close cursors.
    assert len(calls) == 6, calls


async def test_a_transaction_at_once_commits_as_one_call_on_the_database_thread(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = db._writer
    assert writer is not None
    calls = 0
    original = writer._execute

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return await original(fn, *args, **kwargs)

    monkeypatch.setattr(writer, "_execute", counted)
    event_id = await one_seat_event(db)
    calls = 0

    async def seat(tx: Transaction) -> Registered:
        await people.add(tx, 7, T)
        outcome = await registrations.register(tx, event_id, 7, {}, T)
        assert isinstance(outcome, Registered)
        return outcome

    outcome = await db.write_at_once(seat)
    # BEGIN, the repository's dozen statements and COMMIT: all in one hop.
    assert calls == 1
    assert outcome.registration.status == RegistrationStatus.confirmed
    stored = await registrations.get(db, outcome.registration.id)
    assert stored is not None
    assert stored.person_id == 7


async def test_a_transaction_at_once_rolls_back_every_statement_on_error(db: Database) -> None:
    async def half_done(tx: Transaction) -> None:
        await people.add(tx, 7, T)
        raise ValueError("the second half failed")

    with pytest.raises(ValueError, match="second half"):
        await db.write_at_once(half_done)
    assert await people.get(db, 7) is None
    # The writer is free again, for either kind of transaction.
    async with db.write() as tx:
        await people.add(tx, 8, T)
    assert await people.get(db, 8) is not None


async def test_a_body_that_waits_for_the_event_loop_is_refused_and_rolled_back(
    db: Database,
) -> None:
    import asyncio

    async def yields_inside(tx: Transaction) -> None:
        await people.add(tx, 7, T)
        await asyncio.sleep(0)  # bad input: hands control to the loop mid-transaction

    with pytest.raises(RuntimeError, match="may await only its transaction's calls"):
        await db.write_at_once(yields_inside)
    assert await people.get(db, 7) is None

    async def sleeps_inside(tx: Transaction) -> None:
        await people.add(tx, 7, T)
        await asyncio.sleep(0.01)  # bad input: needs the running loop, which is elsewhere

    with pytest.raises(RuntimeError, match="event loop"):
        await db.write_at_once(sleeps_inside)
    assert await people.get(db, 7) is None

    async def uses_the_database(tx: Transaction) -> None:
        await people.add(db, 8, T)  # bad input: the Database, not the transaction

    with pytest.raises(RuntimeError):
        await db.write_at_once(uses_the_database)
    assert await people.get(db, 8) is None


async def test_reads_at_once_see_one_snapshot_and_may_not_write(db: Database) -> None:
    await people.add(db, 7, T)

    async def two_reads(tx: Transaction) -> tuple[int, int]:
        before = await tx.fetch_value("SELECT COUNT(*) FROM people")
        after = await tx.fetch_value("SELECT COUNT(*) FROM people")
        return int(before), int(after)

    assert await db.read_at_once(two_reads) == (1, 1)

    async def writes(tx: Transaction) -> None:
        await people.add(tx, 8, T)  # bad input: a write in a read

    with pytest.raises(RuntimeError, match="read_at_once is for reads"):
        await db.read_at_once(writes)
    assert await people.get(db, 8) is None
