"""Follow-up survey answers after an event: a 1–5 rating and an optional comment."""

from __future__ import annotations

from dataclasses import dataclass, field

from db.database import Queries

COMMENT_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class FollowupAnswer:
    event_id: int
    registration_id: int
    rating: int
    comment: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class Summary:
    """What the participants said about an event, for the organizers' /stats."""

    count: int = 0
    average: float | None = None
    ratings: dict[int, int] = field(default_factory=dict)  # rating -> how many
    comments: list[str] = field(default_factory=list)  # newest first


async def rate(
    db: Queries, event_id: int, registration_id: int, rating: int, now: float
) -> FollowupAnswer:
    """Save the rating; rating again replaces it and keeps the comment."""
    if not 1 <= rating <= 5:
        raise ValueError("a rating is 1 to 5")
    async with db.write() as tx:
        await tx.execute(
            "INSERT INTO followup_answers (event_id, registration_id, rating, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (registration_id) DO UPDATE"
            " SET rating = excluded.rating, updated_at = excluded.updated_at",
            (event_id, registration_id, rating, now, now),
        )
        found = await get(tx, registration_id)
    assert found is not None
    return found


async def set_comment(db: Queries, registration_id: int, comment: str, now: float) -> bool:
    """Attach a comment to a rating already given; False when there is no rating."""
    changed = await db.execute(
        "UPDATE followup_answers SET comment = ?, updated_at = ? WHERE registration_id = ?",
        (comment[:COMMENT_LIMIT], now, registration_id),
    )
    return changed > 0


async def get(db: Queries, registration_id: int) -> FollowupAnswer | None:
    row = await db.fetch_one(
        "SELECT event_id, registration_id, rating, comment, created_at, updated_at"
        " FROM followup_answers WHERE registration_id = ?",
        (registration_id,),
    )
    return None if row is None else FollowupAnswer(*row)


async def summary(db: Queries, event_id: int, comments_limit: int = 50) -> Summary:
    rows = await db.fetch_all(
        "SELECT rating, COUNT(*) FROM followup_answers WHERE event_id = ? GROUP BY rating",
        (event_id,),
    )
    ratings = {int(row[0]): int(row[1]) for row in rows}
    count = sum(ratings.values())
    if count == 0:
        return Summary()
    average = sum(rating * n for rating, n in ratings.items()) / count
    comment_rows = await db.fetch_all(
        "SELECT comment FROM followup_answers WHERE event_id = ? AND comment IS NOT NULL"
        " ORDER BY updated_at DESC, id DESC LIMIT ?",
        (event_id, comments_limit),
    )
    return Summary(
        count=count,
        average=average,
        ratings=dict(sorted(ratings.items())),
        comments=[row[0] for row in comment_rows],
    )


async def attended_registration(db: Queries, event_id: int, person_id: int) -> int | None:
    """The person's checked-in registration for the event: who may answer its survey."""
    value = await db.fetch_value(
        "SELECT id FROM registrations WHERE event_id = ? AND person_id = ?"
        " AND checked_in_at IS NOT NULL ORDER BY id DESC LIMIT 1",
        (event_id, person_id),
    )
    return None if value is None else int(value)
