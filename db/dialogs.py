"""Dialog state rows behind the bot's FSM storage: a state name and JSON data per key."""

from __future__ import annotations

import json
from typing import Any

from db.database import Database


async def get_state(db: Database, key: str) -> str | None:
    value = await db.fetch_value("SELECT state FROM fsm_records WHERE key = ?", (key,))
    return None if value is None else str(value)


async def get_data(db: Database, key: str) -> dict[str, Any]:
    value = await db.fetch_value("SELECT data FROM fsm_records WHERE key = ?", (key,))
    if value is None:
        return {}
    data: dict[str, Any] = json.loads(value)
    return data


async def set_state(db: Database, key: str, state: str | None, now: float) -> None:
    async with db.write() as tx:
        await tx.execute(
            "INSERT INTO fsm_records (key, state, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET state = excluded.state,"
            " updated_at = excluded.updated_at",
            (key, state, now),
        )
        await _drop_if_empty(tx, key)


async def set_data(db: Database, key: str, data: dict[str, Any], now: float) -> None:
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    async with db.write() as tx:
        await tx.execute(
            "INSERT INTO fsm_records (key, data, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET data = excluded.data,"
            " updated_at = excluded.updated_at",
            (key, encoded, now),
        )
        await _drop_if_empty(tx, key)


async def forget_user(db: Database, user_id: int) -> None:
    """Drop every dialog of a person (their answers may hold personal data)."""
    async with db.write() as tx:
        await tx.execute("DELETE FROM fsm_records WHERE key LIKE ?", (f"%:{user_id}:%",))


async def _drop_if_empty(tx: Any, key: str) -> None:
    # An idle chat leaves no row behind, so the table holds only dialogs in progress.
    await tx.execute(
        "DELETE FROM fsm_records WHERE key = ? AND state IS NULL AND data = '{}'", (key,)
    )
