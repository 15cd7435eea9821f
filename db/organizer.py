"""Organizer queries: the events one manages, attendee lists with profiles, counts, statistics."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from contextlib import aclosing
from dataclasses import dataclass
from sqlite3 import Row
from typing import Any

from db.database import Database, Queries
from db.events import Event, _event
from db.registrations import Registration, RegistrationStatus, _registration


@dataclass(frozen=True, slots=True)
class EventCounts:
    """How many registrations of an event are in each state, and how many people came."""

    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    checked_in: int = 0

    @property
    def total(self) -> int:
        """Everyone who ever registered, including those who cancelled."""
        return self.confirmed + self.waitlisted + self.cancelled

    @property
    def show_rate(self) -> float | None:
        """Share of confirmed people who came; None while nobody is confirmed."""
        return None if self.confirmed == 0 else self.checked_in / self.confirmed


@dataclass(frozen=True, slots=True)
class Attendee:
    """A registration with the profile of its person (empty after /forget)."""

    registration: Registration
    person_id: int | None
    full_name: str | None
    organization: str | None
    position: str | None
    phone: str | None
    email: str | None
    language: str | None
    registered_by_name: str | None = None  # a colleague's row: the member who registered them


_COUNTS_SQL = (
    "SELECT event_id,"
    " COALESCE(SUM(status = 'confirmed'), 0) AS confirmed,"
    " COALESCE(SUM(status = 'waitlisted'), 0) AS waitlisted,"
    " COALESCE(SUM(status = 'cancelled'), 0) AS cancelled,"
    " COALESCE(SUM(status = 'confirmed' AND checked_in_at IS NOT NULL), 0) AS checked_in"
    " FROM registrations"
)


def _counts(row: Row | None) -> EventCounts:
    if row is None:
        return EventCounts()
    return EventCounts(
        confirmed=int(row["confirmed"]),
        waitlisted=int(row["waitlisted"]),
        cancelled=int(row["cancelled"]),
        checked_in=int(row["checked_in"]),
    )


async def counts(db: Queries, event_id: int) -> EventCounts:
    """In a write transaction, the live check-in number right after a check-in."""
    row = await db.fetch_one(_COUNTS_SQL + " WHERE event_id = ? GROUP BY event_id", (event_id,))
    return _counts(row)


async def counts_for(db: Queries, event_ids: Iterable[int]) -> dict[int, EventCounts]:
    wanted = sorted(set(event_ids))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    rows = await db.fetch_all(
        _COUNTS_SQL + f" WHERE event_id IN ({marks}) GROUP BY event_id",
        wanted,
    )
    found = {int(row["event_id"]): _counts(row) for row in rows}
    return {event_id: found.get(event_id, EventCounts()) for event_id in wanted}


def _managed_where(owner_id: int | None) -> str:
    # Over long ago = out of the way; drafts stay until published or forgotten.
    where = "(ends_at > ? OR status = 'draft')"
    return where + (" AND owner_id = ?" if owner_id is not None else "")


def _managed_params(owner_id: int | None, since: float) -> tuple[Any, ...]:
    return (since,) if owner_id is None else (since, owner_id)


async def managed_events(
    db: Queries, owner_id: int | None, since: float, *, limit: int = 8, offset: int = 0
) -> list[Event]:
    """Events an organizer owns (all events for `owner_id` None, i.e. an admin), soonest first,
    leaving out those over before `since`."""
    rows = await db.fetch_all(
        f"SELECT * FROM events WHERE {_managed_where(owner_id)}"  # noqa: S608
        " ORDER BY starts_at, id LIMIT ? OFFSET ?",
        (*_managed_params(owner_id, since), limit, offset),
    )
    return [_event(row) for row in rows]


async def count_managed(db: Queries, owner_id: int | None, since: float) -> int:
    value = await db.fetch_value(
        f"SELECT COUNT(*) FROM events WHERE {_managed_where(owner_id)}",  # noqa: S608
        _managed_params(owner_id, since),
    )
    return int(value or 0)


async def reported_events(db: Queries, owner_id: int | None, limit: int = 200) -> list[Event]:
    """Events worth statistics (published, finished or cancelled), latest first."""
    where = "status != 'draft'" + (" AND owner_id = ?" if owner_id is not None else "")
    params: tuple[Any, ...] = () if owner_id is None else (owner_id,)
    rows = await db.fetch_all(
        f"SELECT * FROM events WHERE {where} ORDER BY starts_at DESC, id DESC LIMIT ?",  # noqa: S608
        (*params, limit),
    )
    return [_event(row) for row in rows]


# A colleague's row (no person of their own) shows the name and phone the member typed and
# the member's organization: a colleague works there too.
_ATTENDEE_SQL = (
    "SELECT r.*, COALESCE(r.guest_name, p.full_name) AS p_full_name,"
    " COALESCE(p.organization, m.organization) AS p_organization,"
    " p.position AS p_position, COALESCE(r.guest_phone, p.phone) AS p_phone,"
    " p.email AS p_email, p.language AS p_language, m.full_name AS m_full_name"
    " FROM registrations r LEFT JOIN people p ON p.id = r.person_id"
    " LEFT JOIN people m ON m.id = r.registered_by"
)


def _attendee(row: Row) -> Attendee:
    return Attendee(
        registration=_registration(row),
        person_id=row["person_id"],
        full_name=row["p_full_name"],
        organization=row["p_organization"],
        position=row["p_position"],
        phone=row["p_phone"],
        email=row["p_email"],
        language=row["p_language"],
        registered_by_name=row["m_full_name"],
    )


# Confirmed first, then the waitlist in its order, then cancellations; each by sign-up time.
_ATTENDEE_ORDER = (
    " ORDER BY CASE r.status WHEN 'confirmed' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END,"
    " COALESCE(r.waitlist_seq, 0), r.created_at, r.id"
)


async def attendees(
    db: Queries, event_id: int, statuses: Iterable[RegistrationStatus] | None = None
) -> list[Attendee]:
    """Every registration of an event with its person's profile."""
    where = " WHERE r.event_id = ?"
    params: list[Any] = [event_id]
    if statuses is not None:
        wanted = [str(status) for status in statuses]
        where += " AND r.status IN (" + ", ".join("?" for _ in wanted) + ")"
        params += wanted
    rows = await db.fetch_all(_ATTENDEE_SQL + where + _ATTENDEE_ORDER, params)
    return [_attendee(row) for row in rows]


async def attendee_chunks(
    db: Database, event_id: int, size: int = 1000
) -> AsyncGenerator[list[Attendee], None]:
    """Every registration of an event with its profile, in export order, `size` at a time."""
    sql = _ATTENDEE_SQL + " WHERE r.event_id = ?" + _ATTENDEE_ORDER
    async with aclosing(db.stream(sql, (event_id,), size)) as chunks:
        async for rows in chunks:
            yield [_attendee(row) for row in rows]


async def attendee(db: Queries, registration_id: int) -> Attendee | None:
    row = await db.fetch_one(_ATTENDEE_SQL + " WHERE r.id = ?", (registration_id,))
    return None if row is None else _attendee(row)


async def attendee_by_token(db: Queries, token: str) -> Attendee | None:
    row = await db.fetch_one(_ATTENDEE_SQL + " WHERE r.ticket_token = ?", (token,))
    return None if row is None else _attendee(row)


async def by_short_code(
    db: Queries, code: str, owner_id: int | None, since: float
) -> list[Registration]:
    """Registrations with this ticket code among the events one manages that are not long over."""
    where = "r.short_code = ? AND e.ends_at > ?"
    params: list[Any] = [code, since]
    if owner_id is not None:
        where += " AND e.owner_id = ?"
        params.append(owner_id)
    rows = await db.fetch_all(
        "SELECT r.* FROM registrations r JOIN events e ON e.id = r.event_id"  # noqa: S608
        f" WHERE {where} ORDER BY e.starts_at, r.id",
        params,
    )
    return [_registration(row) for row in rows]


async def recipients(db: Queries, event_id: int) -> list[tuple[int, str | None]]:
    """People holding a seat or waiting for one, with their language: who hears of a change."""
    rows = await db.fetch_all(
        "SELECT r.person_id, p.language FROM registrations r JOIN people p ON p.id = r.person_id"
        " WHERE r.event_id = ? AND r.status IN ('confirmed', 'waitlisted') ORDER BY r.id",
        (event_id,),
    )
    return [(int(row[0]), row[1]) for row in rows]


async def own_seats(db: Queries, event_id: int) -> list[tuple[int, int]]:
    """(registration id, person id) of each confirmed seat people hold for themselves."""
    rows = await db.fetch_all(
        "SELECT id, person_id FROM registrations"
        " WHERE event_id = ? AND status = 'confirmed' AND person_id IS NOT NULL ORDER BY id",
        (event_id,),
    )
    return [(int(row[0]), int(row[1])) for row in rows]


async def colleague_holders(db: Queries, event_id: int) -> list[tuple[Registration, str | None]]:
    """Live registrations of colleagues (no person of their own) with the language of the
    member who holds them: a change reaches the colleague through that member."""
    rows = await db.fetch_all(
        "SELECT r.*, m.language AS m_language FROM registrations r"
        " JOIN people m ON m.id = r.registered_by"
        " WHERE r.event_id = ? AND r.person_id IS NULL AND r.guest_name IS NOT NULL"
        " AND r.status IN ('confirmed', 'waitlisted') AND m.erased_at IS NULL ORDER BY r.id",
        (event_id,),
    )
    return [(_registration(row), row["m_language"]) for row in rows]


@dataclass(frozen=True, slots=True)
class RegistrationTimes:
    created_at: float
    cancelled_at: float | None
    status: RegistrationStatus


async def registration_times(db: Queries, event_id: int) -> list[RegistrationTimes]:
    rows = await db.fetch_all(
        "SELECT created_at, cancelled_at, status FROM registrations WHERE event_id = ?"
        " ORDER BY created_at, id",
        (event_id,),
    )
    return [
        RegistrationTimes(row["created_at"], row["cancelled_at"], RegistrationStatus(row["status"]))
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    """One confirmed seat for the grant report: the event, the person's organization, arrival."""

    event_id: int
    organization: str | None
    checked_in: bool


async def attendance_rows(db: Queries, event_ids: Iterable[int]) -> list[AttendanceRow]:
    wanted = sorted(set(event_ids))
    if not wanted:
        return []
    marks = ", ".join("?" for _ in wanted)
    rows = await db.fetch_all(
        "SELECT r.event_id, COALESCE(p.organization, m.organization), r.checked_in_at"  # noqa: S608
        " FROM registrations r LEFT JOIN people p ON p.id = r.person_id"
        " LEFT JOIN people m ON m.id = r.registered_by"
        f" WHERE r.status = 'confirmed' AND r.event_id IN ({marks})"
        " ORDER BY r.event_id, r.id",
        wanted,
    )
    return [AttendanceRow(int(row[0]), row[1], row[2] is not None) for row in rows]
