"""Check-in at the door: look a ticket up by its QR token or short code, mark arrival, count."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.delivery.content import Priority
from bot.services.delivery import DeliveryService
from bot.services.notices import Notices
from db import Database, Transaction, people
from db import events as events_repo
from db import organizer as organizer_repo
from db import registrations as registrations_repo
from db.events import Event, EventStatus
from db.organizer import Attendee, EventCounts
from db.registrations import (
    SHORT_CODE_ALPHABET,
    SHORT_CODE_LENGTH,
    Registration,
    RegistrationStatus,
)

if TYPE_CHECKING:
    from bot.services.roles import Access

TOKEN = re.compile(r"^[0-9a-f]{32}$")
# Codes typed at /checkin: a day after an event ends nobody is checked in any more.
CHECKIN_WINDOW_AFTER_END = 24 * 3600


class TicketOutcome(StrEnum):
    ready = "ready"  # may be checked in: the card shows the button
    checked_in = "checked_in"  # marked just now
    already = "already"  # was marked before (the time is in the registration)
    cancelled = "cancelled"  # the registration was cancelled
    waitlisted = "waitlisted"  # no confirmed seat
    event_cancelled = "event_cancelled"
    not_found = "not_found"  # forged or unknown, or an event this person does not manage
    not_allowed = "not_allowed"  # a member scanning someone's ticket
    own_ticket = "own_ticket"  # a member scanning their own ticket
    another_event = "another_event"  # door mode: a valid ticket, but for another event
    not_today = "not_today"  # door mode: the event is not on today's local date
    undone = "undone"  # a check-in just taken back


@dataclass(frozen=True, slots=True)
class Ticket:
    """What a ticket scan shows: the outcome, and for organizers the person and event."""

    outcome: TicketOutcome
    attendee: Attendee | None = None
    event: Event | None = None
    counts: EventCounts | None = None
    # The event is on another day than today where it takes place (the card asks to confirm).
    not_today: bool = False


def normalize_code(text: str) -> str | None:
    """A short code as typed at the door: case and spaces do not matter."""
    code = re.sub(r"[\s-]", "", text).upper()
    if len(code) != SHORT_CODE_LENGTH or any(ch not in SHORT_CODE_ALPHABET for ch in code):
        return None
    return code


def event_days(event: Event) -> tuple[date, date]:
    """The first and last local dates of an event, in its own zone."""
    zone = ZoneInfo(event.timezone)
    first = datetime.fromtimestamp(event.starts_at, zone).date()
    last = datetime.fromtimestamp(max(event.starts_at, event.ends_at - 1), zone).date()
    return first, last


def is_on_day(event: Event, now: float) -> bool:
    """Whether `now`, on the venue's clock, falls on a day of the event."""
    first, last = event_days(event)
    return first <= datetime.fromtimestamp(now, ZoneInfo(event.timezone)).date() <= last


def _state_of(attendee: Attendee, event: Event) -> TicketOutcome:
    registration = attendee.registration
    if registration.status == RegistrationStatus.cancelled:
        return TicketOutcome.cancelled
    if event.status == EventStatus.cancelled:
        return TicketOutcome.event_cancelled
    if registration.status == RegistrationStatus.waitlisted:
        return TicketOutcome.waitlisted
    if registration.checked_in_at is not None:
        return TicketOutcome.already
    return TicketOutcome.ready


@dataclass(eq=False)
class CheckinService:
    db: Database
    clock: Clock
    delivery: DeliveryService
    notices: Notices

    async def _ticket(self, attendee: Attendee | None, access: Access) -> Ticket:
        if attendee is None:
            return Ticket(TicketOutcome.not_found)
        event = await events_repo.get(self.db, attendee.registration.event_id)
        if event is None:
            return Ticket(TicketOutcome.not_found)
        if not access.may_manage(event):
            if attendee.person_id == access.user_id:
                return Ticket(TicketOutcome.own_ticket, event=event)
            # Neither the person nor the event: a ticket is someone's personal data.
            return Ticket(
                TicketOutcome.not_allowed if not access.is_organizer else TicketOutcome.not_found
            )
        counts = await organizer_repo.counts(self.db, event.id)
        not_today = not is_on_day(event, self.clock.timestamp())
        return Ticket(_state_of(attendee, event), attendee, event, counts, not_today)

    async def by_token(self, token: str, access: Access) -> Ticket:
        """A scanned QR code; unknown and malformed tokens are one answer."""
        attendee = None
        if TOKEN.match(token):
            attendee = await organizer_repo.attendee_by_token(self.db, token)
        return await self._ticket(attendee, access)

    async def by_registration(self, registration_id: int, access: Access) -> Ticket:
        attendee = await organizer_repo.attendee(self.db, registration_id)
        ticket = await self._ticket(attendee, access)
        if ticket.outcome in (TicketOutcome.own_ticket, TicketOutcome.not_allowed):
            return Ticket(TicketOutcome.not_found)
        return ticket

    async def by_code(self, code: str, access: Access) -> list[Ticket]:
        """Tickets with this short code among the events this person manages that are on."""
        since = self.clock.timestamp() - CHECKIN_WINDOW_AFTER_END
        found = await organizer_repo.by_short_code(self.db, code, access.owner_filter, since)
        tickets = [await self.by_registration(r.id, access) for r in found]
        return [ticket for ticket in tickets if ticket.outcome != TicketOutcome.not_found]

    async def check_in(self, registration_id: int, access: Access) -> Ticket:
        """Mark arrival after re-checking everything inside one transaction; the guest gets
        their own welcome through the outbox, committed with the mark."""
        ticket = await self.by_registration(registration_id, access)
        if ticket.outcome != TicketOutcome.ready:
            return ticket
        attendee = ticket.attendee
        assert attendee is not None
        now = self.clock.timestamp()
        async with self.db.write() as tx:
            # Inside the transaction: a cancellation a second ago must win over the button.
            registration = await registrations_repo.get(tx, registration_id)
            event = await events_repo.get(tx, attendee.registration.event_id)
            assert registration is not None
            assert event is not None
            fresh = replace(attendee, registration=registration)
            state = _state_of(fresh, event)
            if state == TicketOutcome.ready:
                marked = await registrations_repo.check_in(tx, registration_id, now)
                assert marked is not None
                fresh = replace(fresh, registration=marked)
                state = TicketOutcome.checked_in
                await self._welcome_in(tx, marked, event)
            counts = await organizer_repo.counts(tx, event.id)
        self.delivery.wake()
        return Ticket(state, fresh, event, counts, ticket.not_today)

    async def _welcome_in(self, tx: Transaction, registration: Registration, event: Event) -> None:
        if registration.person_id is None:
            return
        language = (
            await people.language_of(tx, registration.person_id) or self.notices.default_language
        )
        # One welcome per registration: an undo and a second scan do not send another.
        await self.delivery.enqueue_in(
            tx,
            f"welcome:{registration.id}",
            [registration.person_id],
            self.notices.welcome(language, event),
            priority=Priority.PERSONAL,
        )

    # -- door mode: one event, each ticket checked in at once --------------------------------

    async def door_events(self, access: Access) -> list[Event]:
        """The events this person manages that take place today (on the venue's clock)."""
        now = self.clock.timestamp()
        events = await organizer_repo.managed_events(
            self.db, access.owner_filter, now - CHECKIN_WINDOW_AFTER_END, limit=50
        )
        return [
            event
            for event in events
            if event.status == EventStatus.published and is_on_day(event, now)
        ]

    async def counts(self, event_id: int) -> EventCounts:
        return await organizer_repo.counts(self.db, event_id)

    async def door_event(self, event_id: int, access: Access) -> Event | None:
        event = await events_repo.get(self.db, event_id)
        return event if event is not None and access.may_manage(event) else None

    async def at_door(self, event_id: int, text: str, access: Access) -> Ticket | None:
        """A scanned link, a token or a typed code at the door of `event_id`: checked in at once,
        or refused with the reason. None when `text` is neither a link nor a code."""
        event = await self.door_event(event_id, access)
        if event is None:
            return Ticket(TicketOutcome.not_found)
        token = ticket_token_in(text)
        if token is not None:
            found = await self.by_token(token, access)
        else:
            code = normalize_code(text)
            if code is None:
                return None
            found = await self._by_code_at(code, event, access)
        if found.outcome in (TicketOutcome.own_ticket, TicketOutcome.not_allowed):
            return Ticket(TicketOutcome.not_found)
        if found.event is None or found.attendee is None:
            return found
        if found.event.id != event.id:
            return replace(found, outcome=TicketOutcome.another_event)
        if found.outcome == TicketOutcome.ready and found.not_today:
            return replace(found, outcome=TicketOutcome.not_today)
        if found.outcome != TicketOutcome.ready:
            return found
        return await self.check_in(found.attendee.registration.id, access)

    async def _by_code_at(self, code: str, event: Event, access: Access) -> Ticket:
        since = self.clock.timestamp() - CHECKIN_WINDOW_AFTER_END
        found = await organizer_repo.by_short_code(self.db, code, access.owner_filter, since)
        if not found:
            return Ticket(TicketOutcome.not_found)
        here = [r for r in found if r.event_id == event.id]
        return await self.by_registration((here or found)[0].id, access)

    async def undo(self, registration_id: int, access: Access) -> Ticket:
        """Take back a check-in (a wrong guest scanned); the count goes down again."""
        ticket = await self.by_registration(registration_id, access)
        if ticket.outcome != TicketOutcome.already or ticket.event is None:
            return ticket
        await registrations_repo.clear_check_in(self.db, registration_id, self.clock.timestamp())
        fresh = await self.by_registration(registration_id, access)
        return replace(fresh, outcome=TicketOutcome.undone)


def ticket_token_in(text: str) -> str | None:
    """The ticket token of a scanned `…?start=ci_<token>` link, or of a bare `ci_<token>`."""
    match = re.search(r"(?:^|start=|\s)ci_([0-9a-f]{32})\b", text.strip())
    return match.group(1) if match else None
