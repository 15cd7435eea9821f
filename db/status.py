"""Figures for the admins' /status: how much is waiting in the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from db.database import Database


@dataclass(frozen=True, slots=True)
class QueueDepth:
    pending: int
    sending: int


async def queue_depth(db: Database) -> QueueDepth:
    rows = await db.fetch_all(
        "SELECT state, count(*) FROM deliveries WHERE state IN ('pending', 'sending') "
        "GROUP BY state"
    )
    counts = {str(row[0]): int(row[1]) for row in rows}
    return QueueDepth(pending=counts.get("pending", 0), sending=counts.get("sending", 0))
