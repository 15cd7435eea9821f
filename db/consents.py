"""Consent log (152-FZ): grants and withdrawals with the text version and time, append-only."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from sqlite3 import Row

import aiosqlite

from db.database import Database


class ConsentKind(StrEnum):
    personal_data = "personal_data"
    announcements = "announcements"


@dataclass(frozen=True, slots=True)
class Consent:
    id: int
    person_id: int | None
    kind: ConsentKind
    version: str
    granted: bool
    created_at: float


def _consent(row: Row) -> Consent:
    return Consent(
        id=row["id"],
        person_id=row["person_id"],
        kind=ConsentKind(row["kind"]),
        version=row["version"],
        granted=bool(row["granted"]),
        created_at=row["created_at"],
    )


async def record_in(
    tx: aiosqlite.Connection,
    person_id: int | None,
    kind: ConsentKind,
    version: str,
    granted: bool,
    now: float,
) -> None:
    await tx.execute(
        "INSERT INTO consents (person_id, kind, version, granted, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (person_id, str(kind), version, int(granted), now),
    )


async def record(
    db: Database, person_id: int, kind: ConsentKind, version: str, granted: bool, now: float
) -> None:
    async with db.write() as tx:
        await record_in(tx, person_id, kind, version, granted, now)


_LATEST_SQL = (
    "SELECT * FROM consents WHERE person_id = ? AND kind = ? ORDER BY created_at DESC, id DESC"
    " LIMIT 1"
)


async def latest(db: Database, person_id: int, kind: ConsentKind) -> Consent | None:
    """The person's last word on this kind of consent, or None when never asked."""
    row = await db.fetch_one(_LATEST_SQL, (person_id, str(kind)))
    return None if row is None else _consent(row)


async def latest_in(tx: aiosqlite.Connection, person_id: int, kind: ConsentKind) -> Consent | None:
    async with tx.execute(_LATEST_SQL, (person_id, str(kind))) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _consent(row)


async def for_person(db: Database, person_id: int) -> list[Consent]:
    rows = await db.fetch_all(
        "SELECT * FROM consents WHERE person_id = ? ORDER BY created_at, id", (person_id,)
    )
    return [_consent(row) for row in rows]


async def detach_person_in(tx: aiosqlite.Connection, person_id: int) -> int:
    """Keep the log's rows but drop who they were about (see `bot.services.privacy`)."""
    cursor = await tx.execute(
        "UPDATE consents SET person_id = NULL WHERE person_id = ?", (person_id,)
    )
    return cursor.rowcount
