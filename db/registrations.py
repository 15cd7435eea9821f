"""Registrations: race-free seats, the waitlist and its promotion, tickets, per-person lists."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from enum import StrEnum
from sqlite3 import Row

from db import events as events_repo
from db.database import Queries
from db.events import Event, EventStatus
from db.rows import from_row

# No 0/O, 1/I: the short code is read aloud or typed at the door.
SHORT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SHORT_CODE_LENGTH = 6


class RegistrationStatus(StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


class RegistrationRefusal(StrEnum):
    """Why a registration (or its cancellation) was not made."""

    not_found = "not_found"  # no such event, or not published (a draft is invisible)
    cancelled = "cancelled"  # the event was cancelled
    started = "started"  # the event has started or is over
    closed = "closed"  # past the deadline, or the organizer closed registration
    not_yours = "not_yours"  # a registration that is not the person's, or is no longer live
    no_companion = "no_companion"  # companions not allowed, or fewer seats in all than needed
    no_colleague = "no_colleague"  # the event does not let members register colleagues
    colleague_taken = "colleague_taken"  # someone else already registered this phone


@dataclass(frozen=True, slots=True)
class Registration:
    id: int
    event_id: int
    person_id: int | None
    status: RegistrationStatus
    waitlist_seq: int | None
    answers: dict[str, str]
    ticket_token: str
    short_code: str
    checked_in_at: float | None
    created_at: float
    updated_at: float
    cancelled_at: float | None
    companions: int = 0  # people coming with the member, each on a seat of their own
    registered_by: int | None = None  # a colleague's registration: the member who made it
    guest_name: str | None = None  # a colleague's name and phone as the member typed them
    guest_phone: str | None = None

    @property
    def is_live(self) -> bool:
        return self.status != RegistrationStatus.cancelled

    @property
    def is_colleague(self) -> bool:
        return self.guest_name is not None

    @property
    def holder_id(self) -> int | None:
        """Who gets this ticket and may cancel it: the person, or the member who registered
        the colleague."""
        return self.person_id if self.person_id is not None else self.registered_by

    @property
    def seats_needed(self) -> int:
        return 1 + self.companions


@dataclass(frozen=True, slots=True)
class Seats:
    capacity: int | None
    confirmed: int
    waitlisted: int

    @property
    def left(self) -> int | None:
        """Free seats; None when the event has no limit."""
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)


@dataclass(frozen=True, slots=True)
class Registered:
    """The person's registration after `register`: new, or the one they already had."""

    registration: Registration
    created: bool
    position: int | None  # place on the waitlist, 1-based; None when confirmed


@dataclass(frozen=True, slots=True)
class Cancelled:
    registration: Registration
    promoted: list[Registration]


@dataclass(frozen=True, slots=True)
class PersonRegistration:
    registration: Registration
    event: Event
    position: int | None


def _registration(row: Row) -> Registration:
    return from_row(
        Registration,
        row,
        status=RegistrationStatus(row["status"]),
        answers=json.loads(row["answers"] or "{}"),
    )


async def seats(db: Queries, event: Event) -> Seats:
    """Seats taken and waited for, counting each companion as a person."""
    row = await db.fetch_one(
        "SELECT COALESCE(SUM(CASE WHEN status = 'confirmed' THEN 1 + companions END), 0),"
        " COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 + companions END), 0)"
        " FROM registrations WHERE event_id = ?",
        (event.id,),
    )
    assert row is not None
    return Seats(capacity=event.capacity, confirmed=int(row[0]), waitlisted=int(row[1]))


async def position(db: Queries, registration: Registration) -> int | None:
    """Place on the waitlist (1 = next to get a seat); None unless waitlisted."""
    if registration.status != RegistrationStatus.waitlisted:
        return None
    value = await db.fetch_value(
        "SELECT COUNT(*) FROM registrations"
        " WHERE event_id = ? AND status = 'waitlisted' AND waitlist_seq <= ?",
        (registration.event_id, registration.waitlist_seq),
    )
    return int(value)


async def get(db: Queries, registration_id: int) -> Registration | None:
    row = await db.fetch_one("SELECT * FROM registrations WHERE id = ?", (registration_id,))
    return None if row is None else _registration(row)


async def get_by_token(db: Queries, token: str) -> Registration | None:
    row = await db.fetch_one("SELECT * FROM registrations WHERE ticket_token = ?", (token,))
    return None if row is None else _registration(row)


async def live(db: Queries, event_id: int, person_id: int) -> Registration | None:
    """The person's confirmed or waitlisted registration for the event, if any."""
    row = await db.fetch_one(
        "SELECT * FROM registrations"
        " WHERE event_id = ? AND person_id = ? AND status != 'cancelled'",
        (event_id, person_id),
    )
    return None if row is None else _registration(row)


def refusal_for(event: Event | None, now: float) -> RegistrationRefusal | None:
    """Whether a new registration is possible right now, and why not."""
    if event is None or event.status == EventStatus.draft:
        return RegistrationRefusal.not_found
    if event.status == EventStatus.cancelled:
        return RegistrationRefusal.cancelled
    if event.status == EventStatus.finished or now >= event.starts_at:
        return RegistrationRefusal.started
    if event.registration_closed or now >= event.registration_closes_at:
        return RegistrationRefusal.closed
    return None


async def _new_short_code(db: Queries, event_id: int) -> str:
    while True:
        code = new_short_code()
        taken = await db.fetch_value(
            "SELECT 1 FROM registrations WHERE event_id = ? AND short_code = ?",
            (event_id, code),
        )
        if taken is None:
            return code


def new_short_code() -> str:
    """A candidate code; `register` checks it is free in the event."""
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def new_ticket_token() -> str:
    # Hex only: the token travels in a deep link whose value may not contain "_".
    return secrets.token_hex(16)


async def register(
    db: Queries,
    event_id: int,
    person_id: int,
    answers: dict[str, str],
    now: float,
    companions: int = 0,
) -> Registered | RegistrationRefusal:
    """Check and take a seat (or a waitlist place) in one write transaction.

    With a companion, two seats are taken together or the pair waits together; an event
    whose capacity is below what the pair needs refuses at once (they could never get in).

    The short code is drawn until it is free in the event (the ticket, drawn later, shows it).

    `BEGIN IMMEDIATE` on the single writer (the caller's transaction, or one opened here), so
    the count of confirmed seats cannot change between the check and the insert: with N seats
    exactly N people are confirmed, however many press Confirm at once.
    """
    async with db.write() as tx:
        event = await events_repo.get(tx, event_id)
        if event is None or event.status == EventStatus.draft:
            return RegistrationRefusal.not_found
        existing = await live(tx, event_id, person_id)
        if existing is not None:
            return Registered(existing, created=False, position=await position(tx, existing))
        refusal = refusal_for(event, now)
        if refusal is not None:
            return refusal
        needed = 1 + companions
        if companions and (
            not event.companions_allowed or (event.capacity is not None and event.capacity < needed)
        ):
            return RegistrationRefusal.no_companion
        status, seq = await _place(tx, event, needed, now)
        new_id = await tx.insert(
            "INSERT INTO registrations (event_id, person_id, status, waitlist_seq, answers,"
            " ticket_token, short_code, created_at, updated_at, companions)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event_id,
                person_id,
                str(status),
                seq,
                json.dumps(answers, ensure_ascii=False),
                new_ticket_token(),
                await _new_short_code(tx, event_id),
                now,
                now,
                companions,
            ),
        )
        return await _registered(tx, new_id)


async def register_colleague(
    db: Queries,
    event_id: int,
    member_id: int,
    name: str,
    phone: str,
    now: float,
) -> Registered | RegistrationRefusal:
    """A seat (or a waitlist place) for a colleague who is not on Telegram, registered by a
    member: one write transaction, exact under a race like `register`.

    The colleague is known by the phone (normalized by the caller): the same phone registered
    again by the same member is the registration they already have (a redone Confirm adds
    nobody); by another member, it is refused.
    """
    async with db.write() as tx:
        event = await events_repo.get(tx, event_id)
        if event is None or event.status == EventStatus.draft:
            return RegistrationRefusal.not_found
        row = await tx.fetch_one(
            "SELECT * FROM registrations"
            " WHERE event_id = ? AND guest_phone = ? AND status != 'cancelled'",
            (event_id, phone),
        )
        if row is not None:
            existing = _registration(row)
            if existing.registered_by != member_id:
                return RegistrationRefusal.colleague_taken
            return Registered(existing, created=False, position=await position(tx, existing))
        refusal = refusal_for(event, now)
        if refusal is not None:
            return refusal
        if not event.colleagues_allowed:
            return RegistrationRefusal.no_colleague
        status, seq = await _place(tx, event, 1, now)
        new_id = await tx.insert(
            "INSERT INTO registrations (event_id, person_id, status, waitlist_seq, answers,"
            " ticket_token, short_code, created_at, updated_at, registered_by, guest_name,"
            " guest_phone) VALUES (?, NULL, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?)",
            (
                event_id,
                str(status),
                seq,
                new_ticket_token(),
                await _new_short_code(tx, event_id),
                now,
                now,
                member_id,
                name,
                phone,
            ),
        )
        return await _registered(tx, new_id)


async def _place(
    tx: Queries, event: Event, needed: int, now: float
) -> tuple[RegistrationStatus, int | None]:
    """Where a new registration needing `needed` seats goes: a seat, or the next waitlist place.

    Free seats go to the waitlist first, so a newcomer never overtakes people waiting.
    """
    await promote(tx, event, now)
    current = await seats(tx, event)
    if current.waitlisted == 0 and (current.left is None or current.left >= needed):
        return RegistrationStatus.confirmed, None
    last = await tx.fetch_value(
        "SELECT MAX(waitlist_seq) FROM registrations WHERE event_id = ?", (event.id,)
    )
    return RegistrationStatus.waitlisted, int(last or 0) + 1


async def _registered(tx: Queries, registration_id: int) -> Registered:
    created = await get(tx, registration_id)
    assert created is not None
    return Registered(created, created=True, position=await position(tx, created))


async def future_colleague_ids(db: Queries, member_id: int, now: float) -> list[int]:
    """Live registrations of colleagues a member entered, for events not started yet."""
    rows = await db.fetch_all(
        "SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id"
        " WHERE r.registered_by = ? AND r.status != 'cancelled' AND e.starts_at > ?"
        " ORDER BY r.id",
        (member_id, now),
    )
    return [int(row[0]) for row in rows]


async def erase_colleagues(db: Queries, member_id: int) -> int:
    """/forget of a member: the colleagues they entered lose their name and phone too."""
    return await db.execute(
        "UPDATE registrations SET registered_by = NULL, guest_name = NULL, guest_phone = NULL,"
        " answers = '{}' WHERE registered_by = ?",
        (member_id,),
    )


async def waitlist_head(db: Queries, event_id: int, limit: int | None) -> list[Registration]:
    """The first `limit` people waiting (all with None), in the order seats reach them."""
    rows = await db.fetch_all(
        "SELECT * FROM registrations WHERE event_id = ? AND status = 'waitlisted'"
        " ORDER BY waitlist_seq LIMIT ?",
        (event_id, -1 if limit is None else limit),
    )
    return [_registration(row) for row in rows]


async def promote(db: Queries, event: Event, now: float) -> list[Registration]:
    """Give free seats to the waitlist in order; returns the people who got one."""
    if event.status != EventStatus.published or now >= event.starts_at:
        return []
    promoted: list[Registration] = []
    async with db.write() as tx:
        while True:
            current = await seats(tx, event)
            if current.waitlisted == 0 or (current.left is not None and current.left <= 0):
                return promoted
            row = await tx.fetch_one(
                "SELECT id, companions FROM registrations"
                " WHERE event_id = ? AND status = 'waitlisted'"
                " ORDER BY waitlist_seq LIMIT 1",
                (event.id,),
            )
            assert row is not None
            if current.left is not None and current.left < 1 + row["companions"]:
                # A pair waits for two seats together; nobody behind them overtakes.
                return promoted
            # waitlist_seq stays: it records that this seat came from the waitlist.
            await tx.execute(
                "UPDATE registrations SET status = 'confirmed', updated_at = ? WHERE id = ?",
                (now, row["id"]),
            )
            again = await get(tx, row["id"])
            assert again is not None
            promoted.append(again)


async def cancel(
    db: Queries, registration_id: int, person_id: int, now: float
) -> Cancelled | RegistrationRefusal:
    """Cancel the person's own live registration and promote the waitlist, in one transaction."""
    async with db.write() as tx:
        registration = await get(tx, registration_id)
        if registration is None or registration.holder_id != person_id or not registration.is_live:
            return RegistrationRefusal.not_yours
        event = await events_repo.get(tx, registration.event_id)
        assert event is not None  # registrations are deleted with their event
        if now >= event.starts_at and event.status != EventStatus.cancelled:
            return RegistrationRefusal.started
        await tx.execute(
            "UPDATE registrations SET status = 'cancelled', cancelled_at = ?, updated_at = ?"
            " WHERE id = ?",
            (now, now, registration_id),
        )
        cancelled = await get(tx, registration_id)
        assert cancelled is not None
        return Cancelled(cancelled, await promote(tx, event, now))


async def future_ids(db: Queries, person_id: int, now: float) -> list[int]:
    """Live registrations of a person for events that have not started yet."""
    rows = await db.fetch_all(
        "SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id"
        " WHERE r.person_id = ? AND r.status != 'cancelled' AND e.starts_at > ?"
        " ORDER BY r.id",
        (person_id, now),
    )
    return [int(row[0]) for row in rows]


async def detach_person(db: Queries, person_id: int) -> int:
    """Make a person's registrations anonymous: counts stay, who and their answers go."""
    return await db.execute(
        "UPDATE registrations SET person_id = NULL, answers = '{}' WHERE person_id = ?",
        (person_id,),
    )


async def _with_events(db: Queries, rows: list[Row]) -> list[PersonRegistration]:
    registrations = [_registration(row) for row in rows]
    by_id = await events_repo.list_by_ids(db, (r.event_id for r in registrations))
    return [
        PersonRegistration(r, by_id[r.event_id], await position(db, r))
        for r in registrations
        if r.event_id in by_id
    ]


async def upcoming_for_person(db: Queries, person_id: int, now: float) -> list[PersonRegistration]:
    """Live registrations for events not over yet, soonest first."""
    rows = await db.fetch_all(
        "SELECT r.* FROM registrations r JOIN events e ON e.id = r.event_id"
        " WHERE (r.person_id = ? OR r.registered_by = ?) AND r.status != 'cancelled'"
        " AND e.ends_at > ? ORDER BY e.starts_at, r.guest_name IS NOT NULL, r.id",
        (person_id, person_id, now),
    )
    return await _with_events(db, rows)


async def all_for_person(db: Queries, person_id: int) -> list[PersonRegistration]:
    """Every registration ever made by the person, newest first (for /mydata)."""
    rows = await db.fetch_all(
        "SELECT * FROM registrations WHERE person_id = ? ORDER BY created_at DESC, id DESC",
        (person_id,),
    )
    return await _with_events(db, rows)


async def colleagues_entered(db: Queries, member_id: int) -> list[PersonRegistration]:
    """Every colleague the member registered, newest first (for /mydata): name, phone, event."""
    rows = await db.fetch_all(
        "SELECT * FROM registrations WHERE registered_by = ? AND guest_name IS NOT NULL"
        " ORDER BY created_at DESC, id DESC",
        (member_id,),
    )
    return await _with_events(db, rows)


async def check_in(db: Queries, registration_id: int, now: float) -> Registration | None:
    """Mark a confirmed registration as arrived, once; returns it as stored after the update.

    The first check-in time is kept: a second scan of the same ticket changes nothing.
    """
    async with db.write() as tx:
        await tx.execute(
            "UPDATE registrations SET checked_in_at = ?, updated_at = ?"
            " WHERE id = ? AND status = 'confirmed' AND checked_in_at IS NULL",
            (now, now, registration_id),
        )
        return await get(tx, registration_id)


async def clear_check_in(db: Queries, registration_id: int, now: float) -> Registration | None:
    """Undo a check-in (a mistaken scan at the door); returns the registration as stored."""
    async with db.write() as tx:
        await tx.execute(
            "UPDATE registrations SET checked_in_at = NULL, updated_at = ?"
            " WHERE id = ? AND checked_in_at IS NOT NULL",
            (now, registration_id),
        )
        return await get(tx, registration_id)
