"""The SQLite layer: pragmas, migrations, the single-writer transaction, dialog state."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite
import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.clock import ManualClock
from bot.fsm_storage import SQLiteStorage
from bot.states import Onboarding
from db import Database, people
from db.database import migrate, migration_files


async def test_connect_sets_wal_foreign_keys_and_schema_version(tmp_path: Path) -> None:
    db = Database(tmp_path / "nested" / "bot.sqlite3")
    await db.connect()
    try:
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
        assert await db.fetch_value("PRAGMA busy_timeout") >= 5000
        assert await db.fetch_value("PRAGMA user_version") == len(migration_files())
        tables = {r[0] for r in await db.fetch_all("SELECT name FROM sqlite_master")}
        assert {"people", "consents", "events", "registrations", "deliveries"} <= tables
    finally:
        await db.close()


async def test_migrations_are_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    for _ in range(2):
        db = Database(path)
        await db.connect()
        await people.ensure(db, 7, now=1.0)
        await db.close()
    db = Database(path)
    await db.connect()
    assert await db.fetch_value("SELECT count(*) FROM people") == 1
    await db.close()


async def test_failed_migration_rolls_back_and_keeps_the_version(tmp_path: Path) -> None:
    async with aiosqlite.connect(tmp_path / "x.sqlite3", isolation_level=None) as conn:
        files = [
            (1, "0001_a.sql", "CREATE TABLE a (x);"),
            (2, "0002_b.sql", "CREATE TABLE b (x); BROKEN;"),
        ]
        with pytest.raises(sqlite3.OperationalError):
            await migrate(conn, files)
        async with conn.execute("PRAGMA user_version") as cursor:
            assert (await cursor.fetchone())[0] == 1
        async with conn.execute("SELECT name FROM sqlite_master WHERE name = 'b'") as cursor:
            assert await cursor.fetchone() is None


async def test_database_newer_than_code_is_refused(tmp_path: Path) -> None:
    async with aiosqlite.connect(tmp_path / "x.sqlite3", isolation_level=None) as conn:
        await conn.execute("PRAGMA user_version = 99")
        with pytest.raises(RuntimeError, match="newer than this code"):
            await migrate(conn)


async def test_write_rolls_back_on_error(services_db: Database) -> None:
    with pytest.raises(ValueError, match="boom"):
        async with services_db.write() as tx:
            await tx.execute("INSERT INTO people (id, created_at, updated_at) VALUES (5, 0, 0)")
            raise ValueError("boom")
    assert await people.get(services_db, 5) is None


async def test_concurrent_check_then_write_never_interleaves(services_db: Database) -> None:
    await people.ensure(services_db, 1, now=0)

    async def bump() -> None:
        # Read-modify-write inside one transaction: lost updates would show as a lower count.
        async with services_db.write() as tx:
            value = await tx.fetch_value("SELECT updated_at FROM people WHERE id = 1")
            await asyncio.sleep(0)
            await tx.execute("UPDATE people SET updated_at = ? WHERE id = 1", (value + 1,))

    await asyncio.gather(*(bump() for _ in range(100)))
    assert await services_db.fetch_value("SELECT updated_at FROM people WHERE id = 1") == 100


async def test_dialog_state_and_data_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    key = StorageKey(bot_id=42, chat_id=100, user_id=100)
    clock = ManualClock(0)
    db = Database(path)
    await db.connect()
    storage = SQLiteStorage(db, clock)
    await storage.set_state(key, Onboarding.choosing_language)
    await storage.set_data(key, {"payload": "ev_1", "name": "Анна «НКО» <b>"})
    await db.close()

    db = Database(path)
    await db.connect()
    storage = SQLiteStorage(db, clock)
    assert await storage.get_state(key) == Onboarding.choosing_language.state
    assert await storage.get_data(key) == {"payload": "ev_1", "name": "Анна «НКО» <b>"}
    assert await storage.update_data(key, {"x": 1}) == {
        "payload": "ev_1",
        "name": "Анна «НКО» <b>",
        "x": 1,
    }
    await storage.set_state(key, None)
    await storage.set_data(key, {})
    # An idle chat leaves no row behind.
    assert await db.fetch_value("SELECT count(*) FROM fsm_records") == 0
    await db.close()


async def test_unconnected_database_says_so(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    with pytest.raises(RuntimeError, match="not connected"):
        await db.fetch_all("SELECT 1")
