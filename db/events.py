"""Events: create, update, read, list upcoming ones, and change their status."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from sqlite3 import Row
from typing import Any

from db.database import Queries
from db.rows import from_row


class EventKind(StrEnum):
    round_table = "round_table"
    seminar = "seminar"
    meeting = "meeting"
    strategic_session = "strategic_session"
    conference = "conference"
    other = "other"


class EventFormat(StrEnum):
    """How people take part: at the venue, over a link, or either."""

    in_person = "in_person"
    online = "online"
    hybrid = "hybrid"


class EventStatus(StrEnum):
    draft = "draft"
    published = "published"
    finished = "finished"
    cancelled = "cancelled"


@dataclass(frozen=True, slots=True)
class Question:
    """A custom question of an event: free text, or a choice among `options`."""

    key: str
    text: str
    options: tuple[str, ...] = ()
    required: bool = True

    @property
    def is_choice(self) -> bool:
        return bool(self.options)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Question:
        return cls(
            key=str(data["key"]),
            text=str(data["text"]),
            options=tuple(str(option) for option in data.get("options") or ()),
            required=bool(data.get("required", True)),
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["options"] = list(self.options)
        return data


@dataclass(frozen=True, slots=True)
class NewEvent:
    """What an organizer (or a fixture) provides; the rest is filled in by the database."""

    title: str
    kind: EventKind
    city: str
    timezone: str
    starts_at: float
    ends_at: float
    description: str = ""
    organizer_name: str = ""
    venue: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    capacity: int | None = None
    registration_deadline: float | None = None
    questions: tuple[Question, ...] = ()
    reminder_offsets: tuple[int, ...] | None = None
    owner_id: int | None = None
    slug: str | None = None
    region_code: str | None = None  # a federal subject's code; `city` is the name shown
    settlement_id: str | None = None  # a town of the reference list; None: `city` as typed
    format: EventFormat = EventFormat.in_person
    join_url: str = ""  # only for confirmed registrants: never on the card
    companions_allowed: bool = False  # a member may bring one companion, on a seat of their own
    colleagues_allowed: bool = False  # a member may register a colleague who is not on Telegram
    organizer_contact: str = ""  # phone, e-mail or address: the operator's contact in the consent


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    slug: str | None
    title: str
    kind: EventKind
    description: str
    organizer_name: str
    owner_id: int | None
    venue: str
    address: str
    latitude: float | None
    longitude: float | None
    city: str
    timezone: str
    starts_at: float
    ends_at: float
    capacity: int | None
    registration_deadline: float | None
    questions: tuple[Question, ...]
    reminder_offsets: tuple[int, ...] | None
    status: EventStatus
    registration_closed: bool
    cancel_reason: str | None
    created_at: float
    updated_at: float
    region_code: str | None = None
    settlement_id: str | None = None
    format: EventFormat = EventFormat.in_person
    join_url: str = ""  # only for confirmed registrants: never on the card

    @property
    def is_online(self) -> bool:
        """People join over a link (online only, or as one of the two ways of a hybrid)."""
        return self.format in (EventFormat.online, EventFormat.hybrid)

    @property
    def has_venue(self) -> bool:
        return self.format != EventFormat.online

    companions_allowed: bool = False
    colleagues_allowed: bool = False
    organizer_contact: str = ""

    @property
    def registration_closes_at(self) -> float:
        """Registration is open until the deadline, or until the start when there is none."""
        if self.registration_deadline is None:
            return self.starts_at
        return min(self.registration_deadline, self.starts_at)

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


# Columns an update may touch; status has its own function because it has rules.
UPDATABLE = frozenset(f.name for f in fields(NewEvent) if f.name != "slug") | {
    "registration_closed",
    "cancel_reason",
}


def _event(row: Row) -> Event:
    questions = tuple(Question.from_json(item) for item in json.loads(row["questions"] or "[]"))
    offsets = row["reminder_offsets"]
    return from_row(
        Event,
        row,
        kind=EventKind(row["kind"]),
        questions=questions,
        reminder_offsets=None if offsets is None else tuple(json.loads(offsets)),
        status=EventStatus(row["status"]),
        registration_closed=bool(row["registration_closed"]),
        format=EventFormat(row["format"]),
        companions_allowed=bool(row["companions_allowed"]),
        colleagues_allowed=bool(row["colleagues_allowed"]),
        organizer_contact=row["organizer_contact"],
    )


def _column_value(name: str, value: Any) -> Any:
    if name == "questions":
        return json.dumps([q.to_json() for q in value], ensure_ascii=False)
    if name == "reminder_offsets":
        return None if value is None else json.dumps(list(value))
    if name == "kind":
        return str(EventKind(value))
    if name == "format":
        return str(EventFormat(value))
    if name in ("registration_closed", "companions_allowed", "colleagues_allowed"):
        return int(bool(value))
    return value


async def create(
    db: Queries, new: NewEvent, now: float, status: EventStatus = EventStatus.draft
) -> Event:
    names = [f.name for f in fields(NewEvent)]
    values = [_column_value(name, getattr(new, name)) for name in names]
    columns = ", ".join([*names, "status", "created_at", "updated_at"])
    marks = ", ".join("?" for _ in range(len(names) + 3))
    async with db.write() as tx:
        event_id = await tx.insert(
            f"INSERT INTO events ({columns}) VALUES ({marks})",  # noqa: S608 — names are our own
            (*values, str(status), now, now),
        )
        event = await get(tx, event_id)
    assert event is not None
    return event


async def update(db: Queries, event_id: int, now: float, **changes: Any) -> Event | None:
    """Change some fields of an event; None when it does not exist."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    async with db.write() as tx:
        if changes:
            assignments = ", ".join(f"{name} = ?" for name in changes)
            await tx.execute(
                f"UPDATE events SET {assignments}, updated_at = ? WHERE id = ?",  # noqa: S608
                (*(_column_value(k, v) for k, v in changes.items()), now, event_id),
            )
        return await get(tx, event_id)


async def set_status(
    db: Queries, event_id: int, status: EventStatus, now: float, reason: str | None = None
) -> Event | None:
    async with db.write() as tx:
        await tx.execute(
            "UPDATE events SET status = ?, cancel_reason = COALESCE(?, cancel_reason),"
            " updated_at = ? WHERE id = ?",
            (str(status), reason, now, event_id),
        )
        return await get(tx, event_id)


async def cancel(db: Queries, event_id: int, reason: str, now: float) -> Event | None:
    """Cancel with a reason; registration closes with it."""
    async with db.write() as tx:
        await tx.execute(
            "UPDATE events SET status = 'cancelled', registration_closed = 1,"
            " cancel_reason = ?, updated_at = ? WHERE id = ?",
            (reason, now, event_id),
        )
        return await get(tx, event_id)


async def delete_draft(db: Queries, event_id: int) -> bool:
    """Delete an event that was never published; False when it is not (or no longer) a draft."""
    async with db.write() as tx:
        deleted = await tx.execute(
            "DELETE FROM events WHERE id = ? AND status = 'draft'", (event_id,)
        )
    return deleted > 0


async def get(db: Queries, event_id: int) -> Event | None:
    """Inside a transaction, a check sees what the transaction sees."""
    row = await db.fetch_one("SELECT * FROM events WHERE id = ?", (event_id,))
    return None if row is None else _event(row)


async def get_by_slug(db: Queries, slug: str) -> Event | None:
    row = await db.fetch_one("SELECT * FROM events WHERE slug = ?", (slug,))
    return None if row is None else _event(row)


# The town of an event as subscriptions and the catalog filter name it: the settlement of the
# reference list, or the town's name as typed when the list lacks it.
TOWN_SQL = "COALESCE(settlement_id, city)"


def _upcoming_where(region: str | None, town: str | None = None) -> str:
    # Upcoming = published and not over yet: an event in progress is still worth showing.
    where = "status = 'published' AND ends_at > ?"
    where += " AND region_code = ?" if region is not None else ""
    return where + (f" AND {TOWN_SQL} = ?" if region is not None and town is not None else "")


def _upcoming_params(now: float, region: str | None, town: str | None = None) -> tuple[Any, ...]:
    if region is None:
        return (now,)
    return (now, region) if town is None else (now, region, town)


async def list_upcoming(
    db: Queries,
    now: float,
    *,
    region: str | None = None,
    town: str | None = None,
    limit: int = 5,
    offset: int = 0,
) -> list[Event]:
    """Upcoming events, all or of one region (its code), or of one town in it."""
    rows = await db.fetch_all(
        f"SELECT * FROM events WHERE {_upcoming_where(region, town)}"  # noqa: S608
        " ORDER BY starts_at, id LIMIT ? OFFSET ?",
        (*_upcoming_params(now, region, town), limit, offset),
    )
    return [_event(row) for row in rows]


async def count_upcoming(
    db: Queries, now: float, *, region: str | None = None, town: str | None = None
) -> int:
    value = await db.fetch_value(
        f"SELECT COUNT(*) FROM events WHERE {_upcoming_where(region, town)}",  # noqa: S608
        _upcoming_params(now, region, town),
    )
    return int(value or 0)


async def list_by_ids(db: Queries, ids: Iterable[int]) -> dict[int, Event]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    rows = await db.fetch_all(
        f"SELECT * FROM events WHERE id IN ({marks})",  # noqa: S608
        wanted,
    )
    return {row["id"]: _event(row) for row in rows}


async def unplaced(db: Queries) -> list[tuple[int, str]]:
    """(id, city) of events not yet matched to the place list (rows older than regions)."""
    rows = await db.fetch_all("SELECT id, city FROM events WHERE region_code IS NULL ORDER BY id")
    return [(row["id"], row["city"]) for row in rows]


async def set_place(
    db: Queries, event_id: int, region_code: str, settlement_id: str | None, city: str
) -> None:
    await db.execute(
        "UPDATE events SET region_code = ?, settlement_id = ?, city = ? WHERE id = ?",
        (region_code, settlement_id, city, event_id),
    )


async def upcoming_regions(db: Queries, now: float) -> list[tuple[str, int]]:
    """Regions with upcoming events and how many each (codes; the views name them)."""
    rows = await db.fetch_all(
        f"SELECT region_code, COUNT(*) AS n FROM events WHERE {_upcoming_where(None)}"  # noqa: S608
        " AND region_code IS NOT NULL GROUP BY region_code",
        (now,),
    )
    return [(row["region_code"], row["n"]) for row in rows]


async def upcoming_towns(db: Queries, now: float) -> list[tuple[str, str, str, int]]:
    """(region code, town, city shown, count) of upcoming events, by region and town."""
    rows = await db.fetch_all(
        f"SELECT region_code, {TOWN_SQL} AS town, MIN(city) AS city, COUNT(*) AS n"  # noqa: S608
        f" FROM events WHERE {_upcoming_where(None)} AND region_code IS NOT NULL"
        " GROUP BY region_code, town ORDER BY region_code, town",
        (now,),
    )
    return [(row["region_code"], row["town"], row["city"], row["n"]) for row in rows]


async def region_towns(db: Queries, region_code: str) -> list[tuple[str, str]]:
    """(town, city shown) of every town of the region that has or had a published event."""
    rows = await db.fetch_all(
        f"SELECT {TOWN_SQL} AS town, MIN(city) AS city FROM events"  # noqa: S608
        " WHERE region_code = ? AND status != 'draft' GROUP BY town ORDER BY town",
        (region_code,),
    )
    return [(row["town"], row["city"]) for row in rows]
