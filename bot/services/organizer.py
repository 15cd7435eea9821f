"""Organizer actions on events: lists with counts, create, edit, publish, close, move, cancel."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.services import event_editor as editor
from bot.services.delivery import DeliveryService, Priority, SeatFileContent
from bot.services.event_editor import EventDraft
from bot.services.notices import EventNotice, Notices
from bot.services.problems import InvalidInput, Problem
from bot.services.refusals import Refusal
from bot.services.registration import RegistrationService
from bot.services.reminders import ReminderService
from db import Database, Queries, Transaction
from db import events as events_repo
from db import organizer as organizer_repo
from db import registrations as registrations_repo
from db.events import Event, EventStatus
from db.organizer import EventCounts
from db.registrations import RegistrationStatus

if TYPE_CHECKING:
    from bot.services.roles import Access

log = logging.getLogger(__name__)

PAGE_SIZE = 6
# /manage keeps showing an event for a month after it ends: attendees, exports, statistics.
LIST_RECENT_DAYS = 30
# Fields whose change a registered person must hear about.
TIME_FIELDS = frozenset({"starts_at", "ends_at", "timezone"})
PLACE_FIELDS = frozenset({"venue", "address", "city"})


@dataclass(frozen=True, slots=True)
class ManagedEvent:
    event: Event
    counts: EventCounts


@dataclass(frozen=True, slots=True)
class EventsPage:
    items: list[ManagedEvent]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class Applied:
    """An edit saved: the event now, and how many people were told about it."""

    event: Event
    changed: frozenset[str]
    notified: int


Notice = EventNotice


@dataclass(eq=False)
class OrganizerService:
    db: Database
    clock: Clock
    delivery: DeliveryService
    notices: Notices
    registrations: RegistrationService
    reminders: ReminderService

    def _now(self) -> float:
        return self.clock.timestamp()

    async def events_page(self, access: Access, page: int = 0) -> EventsPage:
        db = self.db
        since = self._now() - LIST_RECENT_DAYS * 86400
        total = await organizer_repo.count_managed(db, access.owner_filter, since)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        events = await organizer_repo.managed_events(
            db, access.owner_filter, since, limit=PAGE_SIZE, offset=page * PAGE_SIZE
        )
        counts = await organizer_repo.counts_for(db, (event.id for event in events))
        items = [ManagedEvent(event, counts[event.id]) for event in events]
        return EventsPage(items, page, pages, total)

    async def managed(self, access: Access, event_id: int) -> ManagedEvent | None:
        event = await events_repo.get(self.db, event_id)
        if event is None or not access.may_manage(event):
            return None
        return ManagedEvent(event, await organizer_repo.counts(self.db, event.id))

    # -- creating -----------------------------------------------------------------------------

    async def create(self, draft: EventDraft, access: Access, *, publish: bool) -> Event | Refusal:
        now = self._now()
        if publish and editor.problems_before_publishing(draft, now) is not None:
            return Refusal.past
        status = EventStatus.published if publish else EventStatus.draft
        event = await events_repo.create(
            self.db, editor.new_event(draft, access.user_id), now, status=status
        )
        if publish:
            await self._replan(event.id)
        return event

    # -- status changes -------------------------------------------------------------------------

    async def publish(self, access: Access, event_id: int) -> Event | Refusal:
        now = self._now()
        async with self.db.write() as tx:
            event = await self._managed_in(tx, access, event_id)
            if isinstance(event, Refusal):
                return event
            if event.status != EventStatus.draft:
                return Refusal.already if event.status == EventStatus.published else Refusal.past
            if event.starts_at <= now or (
                event.registration_deadline is not None and event.registration_deadline <= now
            ):
                return Refusal.past
            published = await events_repo.set_status(tx, event.id, EventStatus.published, now)
        assert published is not None
        await self._replan(event_id)
        return published

    async def delete_draft(self, access: Access, event_id: int) -> Event | Refusal:
        """A draft nobody has seen is deleted, not cancelled: there is no one to tell."""
        async with self.db.write() as tx:
            event = await self._managed_in(tx, access, event_id)
            if isinstance(event, Refusal):
                return event
            if event.status != EventStatus.draft:
                return Refusal.not_draft
            await events_repo.delete_draft(tx, event.id)
        return event

    async def set_registration_closed(
        self, access: Access, event_id: int, closed: bool
    ) -> Event | Refusal:
        now = self._now()
        async with self.db.write() as tx:
            event = await self._managed_in(tx, access, event_id)
            if isinstance(event, Refusal):
                return event
            if event.status != EventStatus.published:
                return Refusal.not_published
            if event.registration_closed == closed:
                return Refusal.already
            updated = await events_repo.update(tx, event.id, now, registration_closed=closed)
        assert updated is not None
        return updated

    async def cancel(
        self, access: Access, event_id: int, reason: str, notice: Notice
    ) -> Applied | Refusal:
        """Cancel with a reason: registration closes, everyone with a seat or waiting is told."""
        now = self._now()
        async with self.db.write() as tx:
            event = await self._managed_in(tx, access, event_id)
            if isinstance(event, Refusal):
                return event
            if event.status == EventStatus.finished or event.ends_at <= now:
                return Refusal.event_finished
            cancelled = await events_repo.cancel(tx, event.id, reason, now)
            assert cancelled is not None
            notified = 0
            if event.status == EventStatus.published:
                notified = await self._notify_in(
                    tx, cancelled, f"cancel:{event.id}", notice, before=event
                )
        self.delivery.wake()
        await self._drop_plan(event_id)
        return Applied(cancelled, frozenset({"status"}), notified)

    # -- editing --------------------------------------------------------------------------------

    async def apply(
        self, access: Access, draft: EventDraft, notice: Notice
    ) -> Applied | Refusal | InvalidInput:
        """Save an edited draft of an existing event; people are told of a new time or place.

        A published event moved in time is a reschedule: confirmed and waitlisted people get a
        notice through the delivery engine and the reminders are planned again.
        """
        event_id = draft.event_id
        assert event_id is not None
        now = self._now()

        async def save(tx: Transaction) -> Applied | Refusal | InvalidInput:
            event = await self._managed_in(tx, access, event_id)
            if isinstance(event, Refusal):
                return event
            changes = editor.changes(draft, event)
            if not changes:
                return Applied(event, frozenset(), 0)
            capacity = changes.get("capacity", event.capacity)
            if "capacity" in changes and capacity is not None:
                seats = await registrations_repo.seats(tx, event)
                if capacity < seats.confirmed:
                    return InvalidInput(Problem.capacity_below_confirmed, confirmed=seats.confirmed)
            updated = await events_repo.update(tx, event.id, now, **changes)
            assert updated is not None
            promoted = await registrations_repo.promote(tx, updated, now)
            if promoted:
                await self.registrations.notify_promoted_in(tx, promoted)
            changed = frozenset(changes)
            notified = 0
            if updated.status == EventStatus.published and changed & (TIME_FIELDS | PLACE_FIELDS):
                source = f"changed:{event.id}:{int(now)}"
                notified = await self._notify_in(tx, updated, source, notice, before=event)
            return Applied(updated, changed, notified)

        # One hop for the whole transaction: a hundred promotions or notices queue in it, and
        # every dialog in the bot waits for the writer meanwhile. Tickets are drawn later, by
        # the sender, so nothing in it needs the event loop.
        outcome = await self.db.write_at_once(save)
        if not isinstance(outcome, Applied) or not outcome.changed:
            return outcome
        self.delivery.wake()  # promotions or notices may be queued; harmless when not
        if outcome.changed & TIME_FIELDS and outcome.event.status == EventStatus.published:
            await self._replan(outcome.event.id)
        return outcome

    async def draft_of(self, access: Access, event_id: int) -> EventDraft | None:
        managed = await self.managed(access, event_id)
        return None if managed is None else editor.from_event(managed.event)

    async def duplicate_draft(self, access: Access, event_id: int) -> EventDraft | None:
        """A copy to save as a new event (a recurring round table): the date is asked anew."""
        draft = await self.draft_of(access, event_id)
        if draft is None:
            return None
        return draft.model_copy(update={"event_id": None})

    # -- helpers --------------------------------------------------------------------------------

    async def _managed_in(self, db: Queries, access: Access, event_id: int) -> Event | Refusal:
        event = await events_repo.get(db, event_id)
        if event is None or not access.may_manage(event):
            return Refusal.event_not_found
        if event.status == EventStatus.cancelled:
            return Refusal.event_cancelled
        return event

    async def _notify_in(
        self, tx: Transaction, event: Event, source: str, notice: Notice, *, before: Event
    ) -> int:
        """Queue `notice` for confirmed and waitlisted people, rendered in each one's language;
        a colleague's registration is told to the member who made it (`_notify_colleagues_in`)."""
        by_language: dict[str, list[int]] = defaultdict(list)
        for person_id, language in await organizer_repo.recipients(tx, event.id):
            by_language[language or self.notices.default_language].append(person_id)
        queued = 0
        now = self._now()
        for language, recipients in sorted(by_language.items()):
            queued += await self.delivery.enqueue_in(
                tx,
                source,
                recipients,
                self.notices.event_changed(language, event, notice),
                priority=Priority.PERSONAL,
            )
            # Right after the words, the file that brings the phone's calendar up to date
            # (queued later in the same priority, so it arrives second).
            await self.delivery.enqueue_in(
                tx,
                f"calendar:{source}",
                recipients,
                self.notices.changed_calendar(language, event, now),
                priority=Priority.PERSONAL,
            )
        if event.status == EventStatus.published:
            # A ticket shows the moment and the place: the old one would now mislead at the
            # door. Queued as "the ticket of this seat", drawn when sent, with the new details.
            for registration_id, person_id in await organizer_repo.own_seats(tx, event.id):
                await self.delivery.enqueue_in(
                    tx,
                    f"ticket:{source}:{registration_id}",
                    [person_id],
                    SeatFileContent(registration_id, "ticket"),
                    priority=Priority.PERSONAL,
                )
        return queued + await self._notify_colleagues_in(tx, before, event, source)

    async def _notify_colleagues_in(
        self, tx: Transaction, before: Event, event: Event, source: str
    ) -> int:
        """One notice per colleague to the member who registered them, worded about the
        colleague; a confirmed seat's new ticket follows (no `.ics`: the member's calendar is
        not the colleague's)."""
        now = self._now()
        queued = 0
        for registration, language in await organizer_repo.colleague_holders(tx, event.id):
            member = registration.registered_by
            assert member is not None
            language = language or self.notices.default_language
            own = f"{source}:colleague:{registration.id}"
            queued += await self.delivery.enqueue_in(
                tx,
                own,
                [member],
                self.notices.colleague_event_changed(language, before, event, registration, now),
                priority=Priority.PERSONAL,
            )
            if event.status == EventStatus.cancelled:
                continue
            if registration.status == RegistrationStatus.confirmed:
                await self.delivery.enqueue_in(
                    tx,
                    f"{own}:ticket",
                    [member],
                    SeatFileContent(registration.id, "ticket"),
                    priority=Priority.PERSONAL,
                )
        return queued

    async def _replan(self, event_id: int) -> None:
        """Tell the reminders engine that an event's time or status changed."""
        try:
            await self.reminders.plan_event(event_id)
        except Exception:
            # The event change is committed; a failed plan must not hide that from the organizer.
            log.exception("reminders.plan_event(%s) failed", event_id)

    async def _drop_plan(self, event_id: int) -> None:
        try:
            await self.reminders.drop_event(event_id)
        except Exception:
            log.exception("reminders.drop_event(%s) failed", event_id)
