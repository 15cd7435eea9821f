"""Consent log (152-FZ): grants and withdrawals with the text version and time, append-only."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from sqlite3 import Row

from db.database import Queries
from db.rows import from_row


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
    return from_row(
        Consent,
        row,
        kind=ConsentKind(row["kind"]),
        granted=bool(row["granted"]),
    )


async def record(
    db: Queries,
    person_id: int | None,
    kind: ConsentKind,
    version: str,
    granted: bool,
    now: float,
) -> None:
    await db.execute(
        "INSERT INTO consents (person_id, kind, version, granted, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (person_id, str(kind), version, int(granted), now),
    )


async def latest(db: Queries, person_id: int, kind: ConsentKind) -> Consent | None:
    """The person's last word on this kind of consent, or None when never asked."""
    row = await db.fetch_one(
        "SELECT * FROM consents WHERE person_id = ? AND kind = ?"
        " ORDER BY created_at DESC, id DESC LIMIT 1",
        (person_id, str(kind)),
    )
    return None if row is None else _consent(row)


async def for_person(db: Queries, person_id: int) -> list[Consent]:
    rows = await db.fetch_all(
        "SELECT * FROM consents WHERE person_id = ? ORDER BY created_at, id", (person_id,)
    )
    return [_consent(row) for row in rows]


async def detach_person(db: Queries, person_id: int) -> int:
    """Keep the log's rows but drop who they were about (see `bot.services.privacy`)."""
    return await db.execute(
        "UPDATE consents SET person_id = NULL WHERE person_id = ?", (person_id,)
    )
