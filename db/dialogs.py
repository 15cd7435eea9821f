"""Dialog state rows behind the bot's FSM storage: a state name and JSON data per key."""

from __future__ import annotations

import json
from typing import Any

from db.database import Queries


async def get_state(db: Queries, key: str) -> str | None:
    value = await db.fetch_value("SELECT state FROM fsm_records WHERE key = ?", (key,))
    return None if value is None else str(value)


async def get_data(db: Queries, key: str) -> dict[str, Any]:
    value = await db.fetch_value("SELECT data FROM fsm_records WHERE key = ?", (key,))
    if value is None:
        return {}
    data: dict[str, Any] = json.loads(value)
    return data


# Each write is one statement (one round trip on the writer); the fsm_records_idle triggers
# delete a row once both its state and data are empty, so the table holds only dialogs
# in progress.


async def set_state(db: Queries, key: str, state: str | None, now: float) -> None:
    await db.execute(
        "INSERT INTO fsm_records (key, state, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET state = excluded.state,"
        " updated_at = excluded.updated_at",
        (key, state, now),
    )


async def set_data(db: Queries, key: str, data: dict[str, Any], now: float) -> None:
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    await db.execute(
        "INSERT INTO fsm_records (key, data, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET data = excluded.data,"
        " updated_at = excluded.updated_at",
        (key, encoded, now),
    )


async def forget_user(db: Queries, user_id: int) -> None:
    """Drop every dialog of a person (their answers may hold personal data)."""
    await db.execute("DELETE FROM fsm_records WHERE key LIKE ?", (f"%:{user_id}:%",))


async def expire(db: Queries, before: float) -> int:
    """Retention: dialogs untouched since `before` are dropped; returns how many."""
    return await db.execute("DELETE FROM fsm_records WHERE updated_at < ?", (before,))
