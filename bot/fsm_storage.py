"""aiogram FSM storage on the bot's SQLite database, so dialogs survive restarts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)

from bot.clock import Clock
from db import Database, dialogs


class SQLiteStorage(BaseStorage):
    """State and data per (bot, chat, user, destiny), one row each, in `fsm_records`."""

    def __init__(self, db: Database, clock: Clock, key_builder: KeyBuilder | None = None) -> None:
        self.db = db
        self.clock = clock
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = state.state if isinstance(state, State) else state
        await dialogs.set_state(self.db, self._key(key), name, self.clock.timestamp())

    async def get_state(self, key: StorageKey) -> str | None:
        return await dialogs.get_state(self.db, self._key(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await dialogs.set_data(self.db, self._key(key), dict(data), self.clock.timestamp())

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await dialogs.get_data(self.db, self._key(key))

    async def close(self) -> None:
        # The database belongs to the application, which closes it after the dispatcher stops.
        return None
