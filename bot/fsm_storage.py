"""aiogram FSM storage on the bot's SQLite database, so dialogs survive restarts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseEventIsolation,
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from aiogram.fsm.storage.memory import SimpleEventIsolation

from bot.clock import Clock
from db import Database, dialogs


@dataclass(slots=True)
class _Step:
    """One update's view of its own dialog row: read at most once, written at most once."""

    key: str
    loaded: bool = False
    state: str | None = None
    data: str = dialogs.NO_DATA  # kept encoded: each get_data decodes a fresh copy, as a read would
    dirty: bool = False


_step: ContextVar[_Step | None] = ContextVar("dialog_step", default=None)


class SQLiteStorage(BaseStorage):
    """State and data per (bot, chat, user, destiny), one row each, in `fsm_records`.

    Inside `step(key)` — the whole handling of one update, see `DialogStepIsolation` — that
    key's state and data are read in one query the first time they are asked for, and what
    the handlers set is written once, as one statement, when the step ends. Outside a step
    (and for any other key) every call goes to the database as it is made.
    """

    def __init__(self, db: Database, clock: Clock, key_builder: KeyBuilder | None = None) -> None:
        self.db = db
        self.clock = clock
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    @asynccontextmanager
    async def step(self, key: StorageKey) -> AsyncIterator[None]:
        """Cache this key's dialog row for the duration; write it back once if it changed.

        The caller must keep other updates of the same key out meanwhile (the event
        isolation lock does). The write happens even when the handler fails, as the
        immediate writes it replaces would have.
        """
        step = _Step(self._key(key))
        token = _step.set(step)
        try:
            yield
        finally:
            _step.reset(token)
            if step.dirty:
                await dialogs.save(self.db, step.key, step.state, step.data, self.clock.timestamp())

    async def _current(self, key: str) -> _Step | None:
        step = _step.get()
        if step is None or step.key != key:
            return None
        if not step.loaded:
            step.state, step.data = await dialogs.get(self.db, key)
            step.loaded = True
        return step

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = state.state if isinstance(state, State) else state
        built = self._key(key)
        if step := await self._current(built):
            step.state, step.dirty = name, True
            return
        await dialogs.set_state(self.db, built, name, self.clock.timestamp())

    async def get_state(self, key: StorageKey) -> str | None:
        built = self._key(key)
        if step := await self._current(built):
            return step.state
        return await dialogs.get_state(self.db, built)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        built = self._key(key)
        if step := await self._current(built):
            step.data, step.dirty = dialogs.encode(dict(data)), True
            return
        await dialogs.set_data(self.db, built, dict(data), self.clock.timestamp())

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        built = self._key(key)
        if step := await self._current(built):
            decoded: dict[str, Any] = json.loads(step.data)
            return decoded
        return await dialogs.get_data(self.db, built)

    async def close(self) -> None:
        # The database belongs to the application, which closes it after the dispatcher stops.
        return None


class DialogStepIsolation(BaseEventIsolation):
    """One update at a time per person (as `SimpleEventIsolation`), and while it is handled
    their dialog state is read once and written once (`SQLiteStorage.step`)."""

    def __init__(self, storage: SQLiteStorage) -> None:
        self.storage = storage
        self._locks = SimpleEventIsolation()

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        async with self._locks.lock(key), self.storage.step(key):
            yield

    async def close(self) -> None:
        await self._locks.close()
