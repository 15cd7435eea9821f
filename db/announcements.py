"""Announcements: drafts, audiences as SQL, scheduling, and the states of a broadcast."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from sqlite3 import Row
from typing import Any

from db.database import Queries
from db.rows import from_row


class AudienceKind(StrEnum):
    subscribers = "subscribers"  # everyone subscribed, whatever their city
    city = "city"  # subscribers of one region (or one town in it), and of all regions
    event = "event"  # the people of one event, in one segment


class Segment(StrEnum):
    """Which people of an event: a registration status, or whether they came."""

    confirmed = "confirmed"
    waitlisted = "waitlisted"
    checked_in = "checked_in"
    not_checked_in = "not_checked_in"  # confirmed, and not (yet) checked in at the door


class State(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    sending = "sending"
    done = "done"
    cancelled = "cancelled"
    skipped = "skipped"  # missed while the bot was down, and past its "not after" time


@dataclass(frozen=True, slots=True)
class Audience:
    kind: AudienceKind
    city: str | None = None  # a region's code
    event_id: int | None = None
    segment: Segment | None = None
    town: str | None = None  # one town of the region (a settlement id, or a name as typed)

    @property
    def subscribers_only(self) -> bool:
        """Sent because people opted in: an unsubscribe button, and unsubscribing stops it."""
        return self.kind in (AudienceKind.subscribers, AudienceKind.city)


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    author_id: int
    from_chat_id: int
    message_id: int
    link_event_id: int | None
    audience: Audience | None
    shown_count: int | None
    total: int
    state: State
    timezone: str
    send_at: float | None
    not_after: float | None
    started_at: float | None
    stopped_at: float | None
    finished_at: float | None
    status_chat_id: int | None
    status_message_id: int | None
    created_at: float

    @property
    def source(self) -> str:
        return source_of(self.id)


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    language: str | None


def source_of(announcement_id: int) -> str:
    """The delivery source of an announcement's copies."""
    return f"announcement:{announcement_id}"


def _audience(row: Row) -> Audience | None:
    if row["audience"] is None:
        return None
    segment = row["audience_segment"]
    return Audience(
        kind=AudienceKind(row["audience"]),
        city=row["audience_city"],
        event_id=row["audience_event_id"],
        segment=None if segment is None else Segment(segment),
        town=row["audience_town"],
    )


def _announcement(row: Row) -> Announcement:
    return from_row(
        Announcement,
        row,
        audience=_audience(row),
        state=State(row["state"]),
    )


# -- drafts and reading ----------------------------------------------------------------------


async def create(
    db: Queries,
    *,
    author_id: int,
    from_chat_id: int,
    message_id: int,
    timezone: str,
    now: float,
    link_event_id: int | None = None,
) -> Announcement:
    async with db.write() as tx:
        announcement_id = await tx.insert(
            "INSERT INTO announcements (author_id, from_chat_id, message_id, link_event_id,"
            " timezone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (author_id, from_chat_id, message_id, link_event_id, timezone, now, now),
        )
        created = await get(tx, announcement_id)
    assert created is not None
    return created


async def get(db: Queries, announcement_id: int) -> Announcement | None:
    row = await db.fetch_one("SELECT * FROM announcements WHERE id = ?", (announcement_id,))
    return None if row is None else _announcement(row)


async def in_state(
    db: Queries, state: State, *, author_id: int | None = None
) -> list[Announcement]:
    """Announcements in one state, oldest send time first; only one author's when given."""
    sql = "SELECT * FROM announcements WHERE state = ?"
    params: list[Any] = [str(state)]
    if author_id is not None:
        sql += " AND author_id = ?"
        params.append(author_id)
    rows = await db.fetch_all(sql + " ORDER BY send_at, id", params)
    return [_announcement(row) for row in rows]


async def due(db: Queries, now: float) -> list[Announcement]:
    """Scheduled announcements whose send time has come."""
    rows = await db.fetch_all(
        "SELECT * FROM announcements WHERE state = 'scheduled' AND send_at <= ? ORDER BY send_at",
        (now,),
    )
    return [_announcement(row) for row in rows]


# -- changes (each guarded by the state it expects, so a double press changes nothing) --------


async def set_audience(
    db: Queries, announcement_id: int, audience: Audience, shown_count: int, now: float
) -> bool:
    changed = await db.execute(
        "UPDATE announcements SET audience = ?, audience_city = ?, audience_town = ?,"
        " audience_event_id = ?, audience_segment = ?, shown_count = ?, updated_at = ?"
        " WHERE id = ? AND state = 'draft'",
        (
            str(audience.kind),
            audience.city,
            audience.town,
            audience.event_id,
            None if audience.segment is None else str(audience.segment),
            shown_count,
            now,
            announcement_id,
        ),
    )
    return changed > 0


async def set_shown_count(db: Queries, announcement_id: int, shown_count: int, now: float) -> None:
    await db.execute(
        "UPDATE announcements SET shown_count = ?, updated_at = ? WHERE id = ?",
        (shown_count, now, announcement_id),
    )


async def confirm(
    db: Queries,
    announcement_id: int,
    *,
    state: State,
    total: int,
    send_at: float,
    not_after: float | None,
    timezone: str,
    now: float,
) -> bool:
    """A draft becomes `sending` (started now) or `scheduled`, with its frozen size."""
    started_at = now if state == State.sending else None
    changed = await db.execute(
        "UPDATE announcements SET state = ?, total = ?, send_at = ?, not_after = ?,"
        " timezone = ?, started_at = ?, updated_at = ? WHERE id = ? AND state = 'draft'",
        (str(state), total, send_at, not_after, timezone, started_at, now, announcement_id),
    )
    return changed > 0


# Copies of a scheduled announcement wait in the outbox due at this moment (the year 9999), so
# the sender never takes them on its own: they are released when the announcement starts, after
# the checks of that moment (its "not after" time, who unsubscribed since).
PARKED_UNTIL = 253_402_300_799.0


async def release(db: Queries, announcement_id: int, now: float) -> int:
    """Make the parked copies of a starting announcement due now."""
    return await db.execute(
        "UPDATE deliveries SET due_at = ?, updated_at = ? WHERE source = ? AND state = 'pending'",
        (now, now, source_of(announcement_id)),
    )


async def start(db: Queries, announcement_id: int, now: float) -> bool:
    """A scheduled announcement whose time has come starts sending."""
    changed = await db.execute(
        "UPDATE announcements SET state = 'sending', started_at = ?, updated_at = ?"
        " WHERE id = ? AND state = 'scheduled'",
        (now, now, announcement_id),
    )
    return changed > 0


async def set_state(
    db: Queries, announcement_id: int, new: State, expected: State, now: float
) -> bool:
    """Move from `expected` to `new` (cancel a draft or a scheduled one, skip a missed one)."""
    finished = now if new in (State.cancelled, State.skipped, State.done) else None
    changed = await db.execute(
        "UPDATE announcements SET state = ?, finished_at = coalesce(?, finished_at),"
        " updated_at = ? WHERE id = ? AND state = ?",
        (str(new), finished, now, announcement_id, str(expected)),
    )
    return changed > 0


async def mark_stopped(db: Queries, announcement_id: int, now: float) -> bool:
    changed = await db.execute(
        "UPDATE announcements SET stopped_at = coalesce(stopped_at, ?), updated_at = ?"
        " WHERE id = ? AND state = 'sending'",
        (now, now, announcement_id),
    )
    return changed > 0


async def set_status_message(
    db: Queries, announcement_id: int, chat_id: int, message_id: int, now: float
) -> None:
    await db.execute(
        "UPDATE announcements SET status_chat_id = ?, status_message_id = ?, updated_at = ?"
        " WHERE id = ?",
        (chat_id, message_id, now, announcement_id),
    )


async def last_delivery_at(db: Queries, announcement_id: int) -> float | None:
    """When the last copy reached a final state: the end of the sending, for the report."""
    value = await db.fetch_value(
        "SELECT max(updated_at) FROM deliveries WHERE source = ?", (source_of(announcement_id),)
    )
    return None if value is None else float(value)


# -- audiences --------------------------------------------------------------------------------

# Never anyone who erased their data or blocked the bot.
_REACHABLE = "p.erased_at IS NULL AND p.unreachable_at IS NULL"

_SEGMENTS: dict[Segment, str] = {
    Segment.confirmed: "r.status = 'confirmed'",
    Segment.waitlisted: "r.status = 'waitlisted'",
    Segment.checked_in: "r.status = 'confirmed' AND r.checked_in_at IS NOT NULL",
    Segment.not_checked_in: "r.status = 'confirmed' AND r.checked_in_at IS NULL",
}


def _audience_sql(audience: Audience) -> tuple[str, tuple[Any, ...]]:
    if audience.kind == AudienceKind.subscribers:
        return (
            f"SELECT p.id, p.language FROM people p WHERE p.subscribed = 1 AND {_REACHABLE}",  # noqa: S608
            (),
        )
    if audience.kind == AudienceKind.city:
        if audience.city is None:
            raise ValueError("a city audience needs a city")
        # A subscriber without a region asked for every region, this one included; one of the
        # whole region for all its towns; one of a town for that town only. An audience without
        # a town (an event placed in the region as a whole) is not any one town's.
        return (
            f"SELECT p.id, p.language FROM people p WHERE p.subscribed = 1 AND {_REACHABLE}"  # noqa: S608
            " AND (p.subscription_city IS NULL OR (p.subscription_city = ?"
            " AND (p.subscription_town IS NULL OR p.subscription_town = ?)))",
            (audience.city, audience.town),
        )
    if audience.event_id is None or audience.segment is None:
        raise ValueError("an event audience needs an event and a segment")
    return (
        "SELECT DISTINCT p.id, p.language FROM registrations r JOIN people p"  # noqa: S608
        f" ON p.id = r.person_id WHERE r.event_id = ? AND {_SEGMENTS[audience.segment]}"
        f" AND {_REACHABLE}",
        (audience.event_id,),
    )


async def recipients(db: Queries, audience: Audience) -> list[Recipient]:
    """Who the audience is now; in the confirming transaction, what is queued is what was
    counted."""
    sql, params = _audience_sql(audience)
    rows = await db.fetch_all(f"{sql} ORDER BY p.id", params)
    return [Recipient(row[0], row[1]) for row in rows]


async def audience_size(db: Queries, audience: Audience) -> int:
    """How many people the audience is now, counted without reading them."""
    sql, params = _audience_sql(audience)
    return int(await db.fetch_value(f"SELECT COUNT(*) FROM ({sql})", params))  # noqa: S608


async def segment_counts(db: Queries, event_id: int) -> dict[Segment, int]:
    counts: dict[Segment, int] = {}
    for segment in Segment:
        audience = Audience(AudienceKind.event, event_id=event_id, segment=segment)
        counts[segment] = len(await recipients(db, audience))
    return counts


async def subscriber_cities(db: Queries) -> list[str]:
    """Regions (codes) subscribers chose, for the whole region or one of its towns."""
    rows = await db.fetch_all(
        "SELECT DISTINCT subscription_city FROM people WHERE subscribed = 1"
        " AND subscription_city IS NOT NULL AND erased_at IS NULL ORDER BY subscription_city"
    )
    return [str(row[0]) for row in rows]


async def withdraw_unsubscribed(db: Queries, announcement_id: int, reason: str, now: float) -> int:
    """Before a scheduled announcement starts: drop the queued copies of people who have
    unsubscribed or erased their data since it was confirmed."""
    return await db.execute(
        "UPDATE deliveries SET state = 'cancelled', last_error = ?, updated_at = ?"
        " WHERE source = ? AND state = 'pending' AND recipient_id IN"
        " (SELECT id FROM people WHERE subscribed = 0 OR erased_at IS NOT NULL)",
        (reason, now, source_of(announcement_id)),
    )


async def withdraw_erased(db: Queries, announcement_id: int, reason: str, now: float) -> int:
    """Before an event audience's scheduled copies start: drop those of erased people."""
    return await db.execute(
        "UPDATE deliveries SET state = 'cancelled', last_error = ?, updated_at = ?"
        " WHERE source = ? AND state = 'pending' AND recipient_id IN"
        " (SELECT id FROM people WHERE erased_at IS NOT NULL)",
        (reason, now, source_of(announcement_id)),
    )


async def withdraw_for_person(db: Queries, person_id: int, reason: str, now: float) -> int:
    """A person unsubscribed: their queued copies of subscriber announcements are not sent."""
    return await db.execute(
        "UPDATE deliveries SET state = 'cancelled', last_error = ?, updated_at = ?"
        " WHERE recipient_id = ? AND state = 'pending' AND source IN"
        " (SELECT 'announcement:' || id FROM announcements"
        "  WHERE audience IN ('subscribers', 'city') AND (state IN ('scheduled', 'sending')"
        "  OR id IN (SELECT announcement_id FROM announcement_freezes)))",
        (reason, now, person_id),
    )


# -- freezing an audience in chunks -----------------------------------------------------------

# People per chunk: each chunk is one short transaction on the single writer (a few ms at this
# size), so dialogs waiting for the writer are not held up by a large broadcast.
FREEZE_CHUNK = 2000
_BEFORE_EVERYONE = -(2**63)


@dataclass(frozen=True, slots=True)
class Freeze:
    """An audience being frozen: where it stands, and what the announcement becomes after."""

    announcement_id: int
    after_id: int
    queued: int
    messages: dict[str, int]
    default_language: str
    target: State
    due_at: float
    send_at: float
    not_after: float | None
    timezone: str


def _freeze(row: Row) -> Freeze:
    return from_row(
        Freeze,
        row,
        messages={str(k): int(v) for k, v in json.loads(row["messages"]).items()},
        target=State(row["target"]),
    )


async def begin_freeze(
    db: Queries,
    announcement_id: int,
    *,
    messages: dict[str, int],
    default_language: str,
    target: State,
    due_at: float,
    send_at: float,
    not_after: float | None,
    timezone: str,
    now: float,
) -> None:
    """Mark a draft as freezing: its outbox messages exist, no recipient is queued yet."""
    await db.execute(
        "INSERT INTO announcement_freezes (announcement_id, after_id, messages, default_language,"
        " target, due_at, send_at, not_after, timezone, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            announcement_id,
            _BEFORE_EVERYONE,
            json.dumps(messages),
            default_language,
            str(target),
            due_at,
            send_at,
            not_after,
            timezone,
            now,
        ),
    )


async def freeze_of(db: Queries, announcement_id: int) -> Freeze | None:
    row = await db.fetch_one(
        "SELECT * FROM announcement_freezes WHERE announcement_id = ?", (announcement_id,)
    )
    return None if row is None else _freeze(row)


async def freezing(db: Queries) -> list[int]:
    """Announcements whose freeze a crash interrupted, oldest first."""
    rows = await db.fetch_all("SELECT announcement_id FROM announcement_freezes ORDER BY rowid")
    return [int(row[0]) for row in rows]


async def freeze_chunk(
    db: Queries, announcement_id: int, *, priority: int, now: float, size: int = FREEZE_CHUNK
) -> bool:
    """Queue the audience among the next `size` people by id; False when nobody is left.

    Call it in a transaction of its own, one per chunk: the rows and the new position commit
    together, and a repeated chunk queues nobody twice (one row per source and recipient).
    The audience is read as it is at this chunk: someone who unsubscribed or erased their data
    before their chunk is not queued, and after it their row is withdrawn as for any sending.
    """
    found = await freeze_of(db, announcement_id)
    announcement = await get(db, announcement_id)
    if found is None or announcement is None or announcement.audience is None:
        return False
    upper = await db.fetch_value(
        "SELECT id FROM people WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?",
        (found.after_id, size - 1),
    )
    audience_sql, audience_params = _audience_sql(announcement.audience)
    bounds = " AND p.id > ?" + ("" if upper is None else " AND p.id <= ?")
    languages = [lang for lang in found.messages if lang != found.default_language]
    pick = "".join(" WHEN ? THEN ?" for _ in languages)
    message = f"CASE a.language{pick} ELSE ? END" if languages else "?"
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    sql = (
        "INSERT INTO deliveries (message_id, source, recipient_id, priority, state, due_at,"  # noqa: S608
        f" created_at, updated_at) SELECT {message}, ?, a.id, ?, 'pending', ?, ?, ?"
        f" FROM ({audience_sql}{bounds}) AS a WHERE true"
        " ON CONFLICT (source, recipient_id) DO NOTHING"
    )
    params: list[Any] = []
    for lang in languages:
        params += [lang, found.messages[lang]]
    params += [found.messages[found.default_language], source_of(announcement_id)]
    params += [priority, found.due_at, now, now, *audience_params, found.after_id]
    if upper is not None:
        params.append(upper)
    queued = await db.execute(sql, params)
    await db.execute(
        "UPDATE announcement_freezes SET after_id = ?, queued = queued + ?"
        " WHERE announcement_id = ?",
        (2**63 - 1 if upper is None else upper, queued, announcement_id),
    )
    return upper is not None


async def end_freeze(db: Queries, announcement_id: int, now: float) -> Freeze | None:
    """The audience is frozen: the draft becomes sending or scheduled with its size."""
    found = await freeze_of(db, announcement_id)
    if found is None:
        return None
    await db.execute(
        "DELETE FROM announcement_freezes WHERE announcement_id = ?", (announcement_id,)
    )
    await confirm(
        db,
        announcement_id,
        state=found.target,
        total=found.queued,
        send_at=found.send_at,
        not_after=found.not_after,
        timezone=found.timezone,
        now=now,
    )
    return found


# -- what an organizer may pick -------------------------------------------------------------


async def event_ids_for(
    db: Queries, now: float, *, owner_id: int | None, limit: int = 10
) -> list[int]:
    """Events whose people can be addressed: upcoming ones first (soonest first), then past
    ones (latest first); drafts have no people. One owner's only, unless `owner_id` is None."""
    sql = "SELECT id FROM events WHERE status != 'draft'"
    params: list[Any] = []
    if owner_id is not None:
        sql += " AND owner_id = ?"
        params.append(owner_id)
    sql += (
        " ORDER BY ends_at <= ?, CASE WHEN ends_at > ? THEN starts_at ELSE -starts_at END, id"
        " LIMIT ?"
    )
    rows = await db.fetch_all(sql, [*params, now, now, limit])
    return [int(row[0]) for row in rows]


async def city_timezone(db: Queries, city: str) -> str | None:
    """The zone of a region (its code), as its latest event has it; None without events."""
    value = await db.fetch_value(
        "SELECT timezone FROM events WHERE region_code = ? ORDER BY starts_at DESC LIMIT 1", (city,)
    )
    return None if value is None else str(value)
