"""Dialog state rows behind the bot's FSM storage: a state name and JSON data per key."""

from __future__ import annotations

import json
from typing import Any

from db.database import Queries

NO_DATA = "{}"


def encode(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


async def get(db: Queries, key: str) -> tuple[str | None, str]:
    """State and encoded data of one dialog in one query: (None, "{}") when there is none."""
    row = await db.fetch_one("SELECT state, data FROM fsm_records WHERE key = ?", (key,))
    if row is None:
        return None, NO_DATA
    return (None if row["state"] is None else str(row["state"])), str(row["data"])


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
    encoded = encode(data)
    await db.execute(
        "INSERT INTO fsm_records (key, data, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET data = excluded.data,"
        " updated_at = excluded.updated_at",
        (key, encoded, now),
    )


async def save(db: Queries, key: str, state: str | None, data: str, now: float) -> None:
    """State and encoded data together, one statement: an idle dialog leaves no row."""
    if state is None and data == NO_DATA:
        await db.execute("DELETE FROM fsm_records WHERE key = ?", (key,))
        return
    await db.execute(
        "INSERT INTO fsm_records (key, state, data, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET state = excluded.state, data = excluded.data,"
        " updated_at = excluded.updated_at",
        (key, state, data, now),
    )


async def forget_user(db: Queries, user_id: int) -> None:
    """Drop every dialog of a person (their answers may hold personal data)."""
    await db.execute("DELETE FROM fsm_records WHERE key LIKE ?", (f"%:{user_id}:%",))


async def expire(db: Queries, before: float) -> int:
    """Retention: dialogs untouched since `before` are dropped; returns how many."""
    return await db.execute("DELETE FROM fsm_records WHERE updated_at < ?", (before,))
