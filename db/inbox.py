"""The inbound update inbox: record a batch, list what is unfinished, mark done or failed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from db.database import Queries

# Failed rows keep their payload for an operator to look at, but not for long.
FAILED_KEPT_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Received:
    """One update as Telegram sent it, before it is handled."""

    update_id: int
    person_id: int | None
    payload: str


@dataclass(frozen=True, slots=True)
class Unfinished:
    """A recorded update that was not handled to the end; `attempts` counts start-ups."""

    update_id: int
    person_id: int | None
    payload: str
    attempts: int


async def record(
    db: Queries, batch: Sequence[Received], now: float, acknowledged_below: int | None = None
) -> list[Received]:
    """Store a batch in one transaction; returns the updates that were not stored already.

    `acknowledged_below` is the offset Telegram has been given: handled rows under it can
    never come again, so they are dropped here, in the same transaction.
    """
    async with db.write() as conn:
        if acknowledged_below is not None:
            await conn.execute(
                "DELETE FROM inbox WHERE (state = 'done' AND update_id < ?)"
                " OR (state = 'failed' AND finished_at < ?)",
                (acknowledged_below, now - FAILED_KEPT_SECONDS),
            )
        if not batch:
            return []
        known = await _known(conn, [item.update_id for item in batch])
        fresh = [item for item in batch if item.update_id not in known]
        # A batch may repeat an id itself only if Telegram misbehaves; keep the first.
        unique = list({item.update_id: item for item in reversed(fresh)}.values())[::-1]
        await conn.executemany(
            "INSERT INTO inbox (update_id, person_id, payload, received_at) VALUES (?, ?, ?, ?)",
            [(item.update_id, item.person_id, item.payload, now) for item in unique],
        )
        return unique


async def _known(db: Queries, ids: list[int]) -> set[int]:
    marks = ",".join("?" * len(ids))
    rows = await db.fetch_all(
        f"SELECT update_id FROM inbox WHERE update_id IN ({marks})",  # noqa: S608 - only marks
        ids,
    )
    return {int(row[0]) for row in rows}


async def unfinished(db: Queries) -> list[Unfinished]:
    """Every recorded update not yet handled, in arrival order."""
    rows = await db.fetch_all(
        "SELECT update_id, person_id, payload, attempts FROM inbox"
        " WHERE state = 'pending' ORDER BY update_id"
    )
    return [
        Unfinished(row["update_id"], row["person_id"], row["payload"], row["attempts"])
        for row in rows
    ]


async def count_attempt(db: Queries, update_id: int) -> None:
    """Durably count one more try before handling a recovered update (crash-loop guard)."""
    await db.execute("UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ?", (update_id,))


async def finish(db: Queries, update_ids: Sequence[int], now: float) -> None:
    """Mark handled updates done and drop their payload (it may hold personal data)."""
    if not update_ids:
        return
    marks = ",".join("?" * len(update_ids))
    await db.execute(
        "UPDATE inbox SET state = 'done', payload = NULL, finished_at = ?"  # noqa: S608
        f" WHERE state = 'pending' AND update_id IN ({marks})",
        (now, *update_ids),
    )


async def fail(db: Queries, update_id: int, error: str, now: float) -> None:
    await db.execute(
        "UPDATE inbox SET state = 'failed', error = ?, finished_at = ?"
        " WHERE update_id = ? AND state = 'pending'",
        (error, now, update_id),
    )


async def erase_person(db: Queries, person_id: int) -> None:
    """Inside an erasure's transaction: no recorded update of this person stays."""
    await db.execute("DELETE FROM inbox WHERE person_id = ?", (person_id,))


async def states(db: Queries) -> dict[str, int]:
    rows = await db.fetch_all("SELECT state, count(*) AS n FROM inbox GROUP BY state")
    return {row["state"]: row["n"] for row in rows}


async def expire(db: Queries, before: float) -> int:
    """Retention: finished rows (handled or failed) older than `before` go; returns how many."""
    return await db.execute(
        "DELETE FROM inbox WHERE state IN ('done', 'failed') AND finished_at < ?", (before,)
    )
