"""Planned reminders per event and the once-per-registration ledger of reminders queued."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from sqlite3 import Row

from db.database import Queries
from db.rows import from_row

FOLLOWUP = "followup"


class PlanState(StrEnum):
    pending = "pending"
    fired = "fired"
    skipped = "skipped"
    dropped = "dropped"


class Answer(StrEnum):
    coming = "coming"
    not_coming = "not_coming"


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    id: int
    event_id: int
    kind: str
    basis: float
    due_at: float
    state: PlanState
    reason: str | None
    recipients: int
    fired_at: float | None
    created_at: float
    updated_at: float

    @property
    def is_followup(self) -> bool:
        return self.kind == FOLLOWUP

    @property
    def hours_before(self) -> int | None:
        """The offset of a reminder before the start; None for the follow-up."""
        return None if self.is_followup else int(self.kind.removesuffix("h"))


@dataclass(frozen=True, slots=True)
class Wanted:
    """A reminder the event's current plan asks for."""

    kind: str
    basis: float
    due_at: float


@dataclass(frozen=True, slots=True)
class Recipient:
    registration_id: int
    person_id: int  # who is told: the registrant, or for a colleague the member who holds it
    language: str | None
    colleague: str | None = None  # a colleague's registration: their name

    @property
    def source(self) -> str:
        """The part of the outbox source that tells this reminder from its neighbours: ""
        for a person's own seat; a colleague's, one per registration (a member may hold
        their own seat and several colleagues' at one event)."""
        return "" if self.colleague is None else f":colleague:{self.registration_id}"


def before_kind(hours: int) -> str:
    return f"{hours}h"


def _planned(row: Row) -> PlannedReminder:
    return from_row(PlannedReminder, row, state=PlanState(row["state"]))


async def for_event(db: Queries, event_id: int) -> list[PlannedReminder]:
    rows = await db.fetch_all(
        "SELECT * FROM planned_reminders WHERE event_id = ? ORDER BY due_at, id", (event_id,)
    )
    return [_planned(row) for row in rows]


async def get(db: Queries, planned_id: int) -> PlannedReminder | None:
    row = await db.fetch_one("SELECT * FROM planned_reminders WHERE id = ?", (planned_id,))
    return None if row is None else _planned(row)


async def insert(db: Queries, event_id: int, wanted: Wanted, now: float) -> None:
    """Plan a reminder; a row already there for this kind and basis is left alone."""
    await db.execute(
        "INSERT INTO planned_reminders (event_id, kind, basis, due_at, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, kind, basis) DO NOTHING",
        (event_id, wanted.kind, wanted.basis, wanted.due_at, now, now),
    )


async def set_due(db: Queries, planned_id: int, due_at: float, now: float) -> None:
    await db.execute(
        "UPDATE planned_reminders SET due_at = ?, updated_at = ? WHERE id = ?",
        (due_at, now, planned_id),
    )


async def revive(db: Queries, planned_id: int, due_at: float, now: float) -> None:
    """A dropped reminder is wanted again (the event moved back to this date)."""
    await db.execute(
        "UPDATE planned_reminders SET state = 'pending', due_at = ?, reason = NULL,"
        " updated_at = ? WHERE id = ? AND state = 'dropped'",
        (due_at, now, planned_id),
    )


async def finish(
    db: Queries,
    planned_id: int,
    state: PlanState,
    now: float,
    *,
    reason: str | None = None,
    recipients: int = 0,
    expect: Iterable[PlanState] = (PlanState.pending,),
) -> bool:
    """Move a planned reminder out of one of the `expect` states; False if it was not in one.

    The check is in the UPDATE itself, so of two sweeps racing for a row exactly one wins.
    """
    states = [str(s) for s in expect]
    marks = ", ".join("?" for _ in states)
    fired_at = now if state == PlanState.fired else None
    changed = await db.execute(
        "UPDATE planned_reminders SET state = ?, reason = ?, recipients = ?,"  # noqa: S608
        " fired_at = COALESCE(?, fired_at), updated_at = ?"
        f" WHERE id = ? AND state IN ({marks})",
        (str(state), reason, recipients, fired_at, now, planned_id, *states),
    )
    return changed > 0


async def next_due(db: Queries, now: float) -> PlannedReminder | None:
    """The most overdue pending reminder, if any is due at `now`."""
    rows = await db.fetch_all(
        "SELECT * FROM planned_reminders WHERE state = 'pending' AND due_at <= ?"
        " ORDER BY due_at, id LIMIT 1",
        (now,),
    )
    return _planned(rows[0]) if rows else None


async def later_due(db: Queries, planned: PlannedReminder, now: float) -> bool:
    """Whether a later reminder before the same start is also due: this one is superseded."""
    rows = await db.fetch_all(
        "SELECT 1 FROM planned_reminders WHERE event_id = ? AND basis = ? AND kind != ?"
        " AND state = 'pending' AND due_at <= ? AND due_at > ? LIMIT 1",
        (planned.event_id, planned.basis, FOLLOWUP, now, planned.due_at),
    )
    return bool(rows)


async def earliest_pending(db: Queries) -> float | None:
    value = await db.fetch_value(
        "SELECT MIN(due_at) FROM planned_reminders WHERE state = 'pending'"
    )
    return None if value is None else float(value)


async def earliest_fired_after(db: Queries, now: float) -> float | None:
    """The next due time of reminders already queued ahead of it."""
    value = await db.fetch_value(
        "SELECT MIN(due_at) FROM planned_reminders WHERE state = 'fired' AND due_at > ?", (now,)
    )
    return None if value is None else float(value)


async def events_to_plan(db: Queries, since: float) -> list[int]:
    """Events whose plan may still matter: live and not long over, or with pending rows."""
    rows = await db.fetch_all(
        "SELECT id FROM events WHERE status IN ('published', 'finished') AND ends_at > ?"
        " UNION SELECT event_id FROM planned_reminders WHERE state = 'pending' ORDER BY 1",
        (since,),
    )
    return [int(row[0]) for row in rows]


async def eligible(
    db: Queries, planned: PlannedReminder, *, checked_in_only: bool
) -> list[Recipient]:
    """Confirmed registrants (not erased) who have not had this reminder yet.

    A colleague's seat (no person of its own) is reminded to the member who registered them;
    the follow-up (`checked_in_only`) asks people to rate what they saw, so colleagues are
    left out of it.
    """
    if checked_in_only:
        holder = "r.person_id"
        extra = " AND r.checked_in_at IS NOT NULL"
    else:
        holder = "COALESCE(r.person_id, r.registered_by)"
        extra = ""
    rows = await db.fetch_all(
        f"SELECT r.id, p.id, p.language, r.guest_name FROM registrations r"  # noqa: S608
        f" JOIN people p ON p.id = {holder}"
        " WHERE r.event_id = ? AND r.status = 'confirmed' AND p.erased_at IS NULL"
        f"{extra} AND NOT EXISTS (SELECT 1 FROM reminders m"
        " WHERE m.registration_id = r.id AND m.kind = ? AND m.basis = ?)"
        " ORDER BY r.id",
        (planned.event_id, planned.kind, planned.basis),
    )
    return [Recipient(row[0], row[1], row[2], row[3]) for row in rows]


async def colleague_sources(db: Queries, planned_id: int) -> list[str]:
    """The outbox sources of the colleagues' copies of a planned reminder (to withdraw them)."""
    rows = await db.fetch_all(
        "SELECT m.registration_id FROM reminders m JOIN registrations r"
        " ON r.id = m.registration_id WHERE m.planned_id = ? AND r.person_id IS NULL"
        " ORDER BY m.registration_id",
        (planned_id,),
    )
    return [f"reminder:{planned_id}:colleague:{row[0]}" for row in rows]


async def withdraw_colleague(db: Queries, registration_id: int, now: float) -> int:
    """A colleague's registration cancelled: its reminders still queued for the member are
    withdrawn (the trigger on registrations covers a person's own seat, keyed on person_id)."""
    return await db.execute(
        "UPDATE deliveries SET state = 'cancelled', last_error = 'registration cancelled',"
        " updated_at = ? WHERE state = 'pending' AND source IN ("
        " SELECT 'reminder:' || planned_id || ':colleague:' || registration_id"
        " FROM reminders WHERE registration_id = ?)",
        (now, registration_id),
    )


async def record(
    db: Queries,
    planned: PlannedReminder,
    registration_ids: Sequence[int],
    now: float,
) -> int:
    """Write the ledger rows: one per registration, kind and basis, whatever races."""
    # One statement over a JSON array: thousands of rows without a round trip each.
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT.
    return await db.execute(
        "INSERT INTO reminders (planned_id, event_id, registration_id, kind, basis, created_at)"
        " SELECT ?, ?, r.value, ?, ?, ? FROM json_each(?) AS r WHERE true"
        " ON CONFLICT (registration_id, kind, basis) DO NOTHING",
        (
            planned.id,
            planned.event_id,
            planned.kind,
            planned.basis,
            now,
            json.dumps(list(registration_ids)),
        ),
    )


async def answer(
    db: Queries, planned_id: int, registration_id: int, answer: Answer, now: float
) -> bool:
    changed = await db.execute(
        "UPDATE reminders SET answer = ?, answered_at = ? WHERE planned_id = ?"
        " AND registration_id = ?",
        (str(answer), now, planned_id, registration_id),
    )
    return changed > 0


async def answer_of(db: Queries, planned_id: int, registration_id: int) -> Answer | None:
    value = await db.fetch_value(
        "SELECT answer FROM reminders WHERE planned_id = ? AND registration_id = ?",
        (planned_id, registration_id),
    )
    return None if value is None else Answer(value)


async def answers(db: Queries, event_id: int, basis: float) -> dict[Answer, int]:
    """How many people answered «coming» / «can't come» to the reminders of this date."""
    rows = await db.fetch_all(
        "SELECT answer, COUNT(DISTINCT registration_id) FROM reminders"
        " WHERE event_id = ? AND basis = ? AND answer IS NOT NULL GROUP BY answer",
        (event_id, basis),
    )
    return {Answer(row[0]): int(row[1]) for row in rows}
