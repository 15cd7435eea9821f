"""A confirmed seat's ticket and calendar file, drawn when sent: from the seat as it stands."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.clock import Clock
from bot.delivery.content import DocumentContent, SeatFileContent
from bot.services.notices import Notices
from db import Database, Queries, people
from db import events as events_repo
from db import registrations as registrations_repo
from db.events import Event, EventStatus
from db.registrations import Registration, RegistrationStatus


@dataclass(frozen=True, slots=True)
class _Holder:
    """What a ticket is drawn from: the seat, its event, its reader's language and the name."""

    registration: Registration
    event: Event
    language: str
    name: str


async def _ticket_words(
    db: Queries, registration: Registration, recipient: int, default_language: str
) -> tuple[str, str]:
    """The language a ticket is drawn in (its recipient's) and the name it carries (the
    colleague's, or the holder's own)."""
    language = await people.language_of(db, recipient) or default_language
    if registration.guest_name is not None:
        return language, registration.guest_name
    holder = await people.get(db, recipient)
    return language, (holder.full_name or "") if holder is not None else ""


@dataclass(eq=False)
class SeatFiles:
    """Draws the files the outbox holds as "the ticket (or `.ics`) of registration X".

    Drawn at send time, a ticket never holds the single writer (a draw is ~15 ms of CPU), a
    promotion of a hundred people queues in milliseconds, and a ticket re-sent after a
    reschedule shows the new date.
    """

    db: Database
    clock: Clock
    notices: Notices

    async def draw(self, file: SeatFileContent) -> DocumentContent | None:
        """The file of a seat that is still confirmed, in its holder's language, with the
        event as it is now; None when there is no such seat any more (cancelled, erased, the
        event cancelled)."""
        registration_id = file.registration_id

        async def read(tx: Queries) -> _Holder | None:
            registration = await registrations_repo.get(tx, registration_id)
            if registration is None or registration.status != RegistrationStatus.confirmed:
                return None
            recipient = registration.holder_id
            event = await events_repo.get(tx, registration.event_id)
            if recipient is None or event is None or event.status == EventStatus.cancelled:
                return None
            default = self.notices.default_language
            language, name = await _ticket_words(tx, registration, recipient, default)
            return _Holder(registration, event, language, name)

        holder = await self.db.read_at_once(read)
        if holder is None:
            return None
        now = self.clock.timestamp()
        if file.part == "calendar":
            return self.notices.calendar(holder.language, holder.event, holder.registration, now)
        # Off the event loop: drawing is CPU, and a rush of confirmations must not wait on it.
        return await asyncio.to_thread(
            self.notices.ticket,
            holder.language,
            holder.event,
            holder.registration,
            now,
            holder.name,
        )
