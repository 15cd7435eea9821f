"""Check-in at the door: look a ticket up by its QR token or short code, mark arrival, count."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

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
from db.registrations import SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH, RegistrationStatus

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


@dataclass(frozen=True, slots=True)
class Ticket:
    """What a ticket scan shows: the outcome, and for organizers the person and event."""

    outcome: TicketOutcome
    attendee: Attendee | None = None
    event: Event | None = None
    counts: EventCounts | None = None


def normalize_code(text: str) -> str | None:
    """A short code as typed at the door: case and spaces do not matter."""
    code = re.sub(r"[\s-]", "", text).upper()
    if len(code) != SHORT_CODE_LENGTH or any(ch not in SHORT_CODE_ALPHABET for ch in code):
        return None
    return code


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
        return Ticket(_state_of(attendee, event), attendee, event, counts)

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
        """Mark arrival after re-checking everything inside one transaction."""
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
                await self._queue_receipt_in(tx, marked.id, marked.person_id, event)
            counts = await organizer_repo.counts(tx, event.id)
        if state == TicketOutcome.checked_in:
            self.delivery.wake()
        return Ticket(state, fresh, event, counts)

    async def _queue_receipt_in(
        self, tx: Transaction, registration_id: int, person_id: int | None, event: Event
    ) -> None:
        """The guest's own «welcome», in the check-in's transaction; once per registration."""
        if person_id is None:
            return
        language = await people.language_of(tx, person_id) or self.notices.default_language
        await self.delivery.enqueue_in(
            tx,
            f"checkin:{registration_id}",
            [person_id],
            self.notices.checked_in(language, event),
            priority=Priority.PERSONAL,
        )
