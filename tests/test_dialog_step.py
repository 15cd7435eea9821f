"""One update's dialog state read once and written once; filters run on the event loop."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiogram import Dispatcher, F, Router
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Message

from bot.clock import ManualClock
from bot.filters import run_filters_inline
from bot.fsm_storage import DialogStepIsolation, SQLiteStorage
from bot.states import Onboarding
from db import Database
from tests.kit import updates
from tests.kit.mocked_bot import MockedBot

KEY = StorageKey(bot_id=42, chat_id=100, user_id=100)
OTHER = StorageKey(bot_id=42, chat_id=200, user_id=200)


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "bot.sqlite3")
    await database.connect()
    yield database  # type: ignore[misc]
    await database.close()


async def stored(db: Database) -> dict[str, tuple[str | None, str]]:
    rows = await db.fetch_all("SELECT key, state, data FROM fsm_records")
    return {row[0]: (row[1], row[2]) for row in rows}


async def test_a_step_writes_state_and_data_once_when_it_ends(db: Database) -> None:
    storage = SQLiteStorage(db, ManualClock(0))
    async with storage.step(KEY):
        assert await storage.get_state(KEY) is None
        await storage.set_state(KEY, Onboarding.choosing_language)
        await storage.update_data(KEY, {"payload": "ev_1"})
        await storage.update_data(KEY, {"name": "Анна"})
        assert await storage.get_data(KEY) == {"payload": "ev_1", "name": "Анна"}
        assert await stored(db) == {}  # nothing written mid-step
        await storage.set_state(OTHER, Onboarding.choosing_language)  # not the step's key
        assert len(await stored(db)) == 1
    rows = await stored(db)
    assert len(rows) == 2
    state, data = rows[storage._key(KEY)]
    assert state == Onboarding.choosing_language.state
    assert data == '{"payload":"ev_1","name":"Анна"}'


async def test_a_step_reads_a_fresh_copy_each_time(db: Database) -> None:
    storage = SQLiteStorage(db, ManualClock(0))
    await storage.set_data(KEY, {"answers": {"q": "a"}})
    async with storage.step(KEY):
        first = await storage.get_data(KEY)
        first["answers"]["q"] = "changed without set_data"
        assert await storage.get_data(KEY) == {"answers": {"q": "a"}}


async def test_a_failing_step_still_writes_what_it_set_and_clearing_leaves_no_row(
    db: Database,
) -> None:
    storage = SQLiteStorage(db, ManualClock(0))
    with pytest.raises(RuntimeError, match="handler failed"):
        async with storage.step(KEY):
            await storage.set_state(KEY, Onboarding.choosing_language)
            raise RuntimeError("handler failed")
    assert await storage.get_state(KEY) == Onboarding.choosing_language.state
    async with storage.step(KEY):
        await storage.set_state(KEY, None)
        await storage.set_data(KEY, {})
    assert await stored(db) == {}


async def test_the_isolation_lock_opens_a_step(db: Database) -> None:
    storage = SQLiteStorage(db, ManualClock(0))
    isolation = DialogStepIsolation(storage)
    async with isolation.lock(KEY):
        await storage.set_state(KEY, Onboarding.choosing_language)
        assert await stored(db) == {}
    assert await storage.get_state(KEY) == Onboarding.choosing_language.state
    await isolation.close()


async def test_every_filter_of_the_bot_runs_inline(dp: Dispatcher) -> None:
    # create_dispatcher already switched them: nothing is left for asyncio.to_thread.
    left = [
        target
        for router in dp.chain_tail
        for observer in router.observers.values()
        for target in (
            *(observer._handler.filters or ()),
            *observer.handlers,
            *(f for handler in observer.handlers for f in handler.filters or ()),
        )
        if not target.awaitable
    ]
    assert left == []


async def test_an_inline_magic_filter_still_decides() -> None:
    router = Router()
    seen: list[str] = []

    @router.message(F.text == "да")
    async def on_yes(message: Message) -> None:
        seen.append(message.text or "")

    dp = Dispatcher()
    dp.include_router(router)
    assert run_filters_inline(dp) == 1
    bot = MockedBot()
    user = updates.user(7, "Анна", "ru")
    for text in ("нет", "да"):
        await dp.feed_update(bot, updates.message(user, 1, text=text))
    assert seen == ["да"]
