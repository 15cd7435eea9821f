"""Reminders and follow-ups: plan them per event, fire each once, and keep the scheduler on time.

How it fits together:
- `planned_reminders` rows (one per event, kind and basis) carry the due time in UTC. They are
  (re)computed by `plan_event` whenever an event changes, and by the periodic sweep for every
  live event, so a forgotten hook costs at most one sweep interval.
- The scheduler holds one in-memory `date` job for the earliest pending row, plus the sweep
  (an `interval` job) as a safety net; both are rebuilt from the database at start-up.
- Firing a row claims it (pending → fired) in one BEGIN IMMEDIATE transaction that also
  writes one `reminders` ledger row per confirmed registration (unique per registration, kind
  and basis) and queues the messages in the delivery outbox, due at the reminder's due time.
  It fires `PREPARE_AHEAD` seconds early, so even a burst of thousands is in the outbox when
  the moment comes and the sender starts on time. Whoever is confirmed then gets it; who
  cancels later has it withdrawn from the queue (a trigger on registrations), who was erased
  or blocked the bot is not queued or not sent.
- A colleague's seat (no person of its own) is reminded to the member who registered them, one
  message per colleague under a source of its own (`reminder:<id>:colleague:<registration>`);
  the follow-up is for people who came themselves, so colleagues get none.
- A row overdue at start-up (the bot was down) is sent if the event has not started yet,
  otherwise marked skipped; of several overdue reminders of one event only the latest goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler

from bot.clock import Clock
from bot.delivery.content import Content, Priority
from bot.services.delivery import DeliveryService
from bot.services.notices import Notices
from bot.services.registration import RegistrationService
from db import Database, Transaction
from db import events as events_repo
from db import registrations as registrations_repo
from db import reminders as repo
from db.events import Event, EventStatus
from db.registrations import Cancelled, Registration, RegistrationRefusal, RegistrationStatus
from db.reminders import FOLLOWUP, Answer, PlannedReminder, PlanState, Wanted

log = logging.getLogger(__name__)

NEXT_JOB_ID = "reminders:next"
SWEEP_JOB_ID = "reminders:sweep"
SWEEP_INTERVAL = 60.0
# Reminders this far ahead or more ask «will you come?»; closer ones carry the ticket and pin.
AHEAD_HOURS = 12
# A follow-up missed by more than this (the bot was down) is skipped: too late to ask.
FOLLOWUP_GRACE = 24 * 3600.0
# A date job may wake a hair before the wall clock reaches the due time.
DUE_TOLERANCE = 0.05
# Reminders are queued this long before they are due (the outbox holds them until then).
PREPARE_AHEAD = 20.0
WAKE_JOB_ID = "reminders:wake"

LIVE_STATUSES = (EventStatus.published, EventStatus.finished)


def due_before(starts_at: float, timezone: str, hours: int) -> float:
    """When a reminder `hours` before the start is due, in UTC seconds.

    Whole days are counted on the venue's wall clock ("24 hours before" a 10:00 start is
    10:00 the day before, also across a DST change); the remaining hours are elapsed time.
    A wall time that does not exist (a spring-forward gap) maps forward past the gap.
    """
    days, rest = divmod(hours, 24)
    start = datetime.fromtimestamp(starts_at, ZoneInfo(timezone))
    # Aware datetime arithmetic in one zone is wall-clock arithmetic; .timestamp() then
    # applies the offset in force at that wall time.
    return (start - timedelta(days=days)).timestamp() - rest * 3600.0


def outbox_sources(planned: PlannedReminder) -> list[str]:
    """The delivery sources a planned reminder queues messages under."""
    if planned.is_followup:
        return [f"followup:{planned.id}"]
    return [f"reminder:{planned.id}", f"reminder:{planned.id}:pin"]


@dataclass(frozen=True, slots=True)
class ReminderTarget:
    """A reminder button pressed by a person who holds a confirmed seat at its event."""

    planned: PlannedReminder
    event: Event
    registration: Registration


@dataclass(eq=False)
class ReminderService:
    """Plans, fires and schedules reminders; the organizer console calls `plan_event` and
    `drop_event` after changing an event."""

    db: Database
    clock: Clock
    scheduler: BaseScheduler
    delivery: DeliveryService
    notices: Notices
    registrations: RegistrationService
    _: KW_ONLY
    default_offsets: tuple[int, ...]  # for events that set none of their own
    followup_after_hours: float
    next_wakeup: float | None = field(default=None, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _stopped: bool = field(default=False, init=False)

    def _now(self) -> float:
        return self.clock.timestamp()

    # -- the plan ---------------------------------------------------------------------------

    def offsets(self, event: Event) -> tuple[int, ...]:
        if event.reminder_offsets is not None:
            return event.reminder_offsets
        return self.default_offsets

    def wanted(self, event: Event) -> list[Wanted]:
        """The reminders the event's current plan asks for, with their due times."""
        start, zone = event.starts_at, event.timezone
        wanted = [
            Wanted(repo.before_kind(hours), start, due_before(start, zone, hours))
            for hours in sorted(set(self.offsets(event)), reverse=True)
            if hours > 0
        ]
        after = self.followup_after_hours * 3600.0
        wanted.append(Wanted(FOLLOWUP, event.ends_at, event.ends_at + after))
        return wanted

    async def plan_event(self, event_id: int) -> list[PlannedReminder]:
        """Recompute an event's reminders after any change: unsent ones that no longer fit
        are dropped (and their queued messages withdrawn), new ones are planned."""
        now = self._now()
        async with self.db.write() as tx:
            recalled = await self._plan_in(tx, event_id, now, keep=True)
        await self._after_change(recalled)
        return await repo.for_event(self.db, event_id)

    async def drop_event(self, event_id: int) -> int:
        """The event is cancelled: nothing of its plan fires, queued messages are withdrawn.
        Returns how many queued deliveries were withdrawn."""
        now = self._now()
        async with self.db.write() as tx:
            recalled = await self._plan_in(tx, event_id, now, keep=False)
        return await self._after_change(recalled)

    async def planned(self, event_id: int) -> list[PlannedReminder]:
        return await repo.for_event(self.db, event_id)

    async def _plan_in(
        self, tx: Transaction, event_id: int, now: float, *, keep: bool
    ) -> list[str]:
        event = await events_repo.get(tx, event_id)
        live = keep and event is not None and event.status in LIVE_STATUSES
        wanted = {(w.kind, w.basis): w for w in self.wanted(event)} if live and event else {}
        reason = "plan changed" if live else "event cancelled or unpublished"
        recalled: list[str] = []
        for row in await repo.for_event(tx, event_id):
            want = wanted.pop((row.kind, row.basis), None)
            if want is None:
                if row.state == PlanState.pending:
                    await repo.finish(tx, row.id, PlanState.dropped, now, reason=reason)
                elif row.state == PlanState.fired:
                    # Messages of the old plan still in the queue must not go out any more.
                    await repo.finish(
                        tx,
                        row.id,
                        PlanState.dropped,
                        now,
                        reason=reason,
                        recipients=row.recipients,
                        expect=(PlanState.fired,),
                    )
                    recalled += outbox_sources(row) + await repo.colleague_sources(tx, row.id)
            elif row.state == PlanState.pending and row.due_at != want.due_at:
                await repo.set_due(tx, row.id, want.due_at, now)
            elif row.state == PlanState.dropped and want.due_at > now:
                await repo.revive(tx, row.id, want.due_at, now)
        for want in wanted.values():
            # A time already past when the event got its current form (published, moved
            # closer) was never missed: people have just heard from us anyway. One that passed
            # later was missed (the bot was down): it is planned and handled by the rule.
            if event is not None and want.due_at > min(now, event.updated_at):
                await repo.insert(tx, event_id, want, now)
        return recalled

    async def _after_change(self, recalled: list[str]) -> int:
        withdrawn = 0
        for source in recalled:
            withdrawn += await self.delivery.cancel(source)
        await self.reschedule()
        return withdrawn

    async def plan_all(self) -> None:
        """Plan every event that may still need a reminder (the sweep's safety net)."""
        now = self._now()
        since = now - self.followup_after_hours * 3600.0
        ids = await repo.events_to_plan(self.db, since)
        recalled: list[str] = []
        async with self.db.write() as tx:
            for event_id in ids:
                recalled += await self._plan_in(tx, event_id, now, keep=True)
        for source in recalled:
            await self.delivery.cancel(source)

    # -- firing -----------------------------------------------------------------------------

    async def sweep(self) -> int:
        """Plan everything, then fire whatever is due; returns the reminders fired."""
        await self.plan_all()
        return await self.run_due()

    async def run_due(self) -> int:
        """Fire every due reminder once, then aim the date job at the next one."""
        fired = 0
        async with self._lock:
            while not self._stopped:
                outcome = await self._fire_next()
                if outcome is None:
                    break
                if outcome:
                    fired += 1
                    # Sending starts while the next event's reminders are being queued.
                    self.delivery.wake()
            if not self._stopped:
                await self.reschedule()
        return fired

    async def _fire_next(self) -> bool | None:
        """Handle the most overdue row: True fired, False skipped or dropped, None nothing due."""
        now = self._now()
        async with self.db.write() as tx:
            planned = await repo.next_due(tx, now + PREPARE_AHEAD)
            if planned is None:
                return None
            event = await events_repo.get(tx, planned.event_id)
            verdict = await self._verdict(tx, planned, event, now)
            if verdict is not None or event is None:
                state, reason = verdict or (PlanState.dropped, "event deleted")
                await repo.finish(tx, planned.id, state, now, reason=reason)
                log.info(
                    "reminder %d of event %d %s: %s", planned.id, planned.event_id, state, reason
                )
                return False
            queued = await self._queue_in(tx, planned, event, now)
            await repo.finish(tx, planned.id, PlanState.fired, now, recipients=queued)
        log.info(
            "reminder %d (%s) of event %d queued for %d people",
            planned.id,
            planned.kind,
            planned.event_id,
            queued,
        )
        return True

    async def _verdict(
        self,
        tx: Transaction,
        planned: PlannedReminder,
        event: Event | None,
        now: float,
    ) -> tuple[PlanState, str] | None:
        """Why a due reminder must not be sent (state and reason), or None to send it."""
        if event is None or event.status not in LIVE_STATUSES:
            return PlanState.dropped, "event cancelled or unpublished"
        if planned.is_followup:
            if planned.basis != event.ends_at:
                return PlanState.dropped, "event rescheduled"
            if now > planned.due_at + FOLLOWUP_GRACE:
                return PlanState.skipped, "missed while the bot was down"
            return None
        if planned.basis != event.starts_at:
            return PlanState.dropped, "event rescheduled"
        if now >= event.starts_at:
            return PlanState.skipped, "missed while the bot was down; the event has started"
        if await repo.later_due(tx, planned, now + DUE_TOLERANCE):
            return PlanState.skipped, "missed while the bot was down; a later reminder goes"
        return None

    async def _queue_in(
        self, tx: Transaction, planned: PlannedReminder, event: Event, now: float
    ) -> int:
        recipients = await repo.eligible(tx, planned, checked_in_only=planned.is_followup)
        if not recipients:
            return 0
        await repo.record(tx, planned, [r.registration_id for r in recipients], now)
        default = self.notices.default_language
        by_language: dict[str, list[int]] = defaultdict(list)
        colleagues = [r for r in recipients if r.colleague is not None]
        own = [r for r in recipients if r.colleague is None]
        for recipient in own:
            by_language[recipient.language or default].append(recipient.person_id)
        delivery = self.delivery
        source = outbox_sources(planned)[0]
        due = max(planned.due_at, now)
        # Rendered as of the due time: «today» / «tomorrow» are counted from when it is read.
        for language, people in sorted(by_language.items()):
            content = self._render(planned, event, language, due)
            await delivery.enqueue_in(
                tx, source, people, content, priority=Priority.REMINDER, due_at=due
            )
        for recipient in colleagues:
            # One per colleague, worded about them, to the member who holds the seat.
            registration = await registrations_repo.get(tx, recipient.registration_id)
            assert registration is not None
            content = self.notices.colleague_reminder(
                recipient.language or default, event, registration, due, soon=self._is_soon(planned)
            )
            await delivery.enqueue_in(
                tx,
                source + recipient.source,
                [recipient.person_id],
                content,
                priority=Priority.REMINDER,
                due_at=due,
            )
        if (
            own
            and self._is_soon(planned)
            and event.latitude is not None
            and event.longitude is not None
        ):
            pin = self.notices.pin(event)
            everyone = [r.person_id for r in own]
            await delivery.enqueue_in(
                tx, f"{source}:pin", everyone, pin, priority=Priority.REMINDER, due_at=due
            )
        return len(recipients)

    @staticmethod
    def _is_soon(planned: PlannedReminder) -> bool:
        hours = planned.hours_before
        return hours is not None and hours < AHEAD_HOURS

    def _render(self, planned: PlannedReminder, event: Event, language: str, now: float) -> Content:
        if planned.is_followup:
            return self.notices.followup(language, event)
        return self.notices.reminder(language, event, planned.id, now, soon=self._is_soon(planned))

    # -- the scheduler ----------------------------------------------------------------------

    async def start(self) -> None:
        """Start-up hook, after the scheduler and the sender: rebuild jobs from the database,
        and send (or skip) what came due while the bot was down."""
        self._stopped = False
        scheduler = self.scheduler
        if scheduler.running:
            scheduler.add_job(
                self._on_sweep,
                "interval",
                seconds=SWEEP_INTERVAL,
                id=SWEEP_JOB_ID,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
            )
        fired = await self.sweep()
        log.info(
            "reminders: %d fired at start-up; next due %s",
            fired,
            "none" if self.next_wakeup is None else datetime.fromtimestamp(self.next_wakeup, UTC),
        )

    async def stop(self) -> None:
        """Shutdown hook, before the database closes: let a firing in progress finish."""
        self._stopped = True
        scheduler = self.scheduler
        if scheduler.running:
            for job_id in (NEXT_JOB_ID, WAKE_JOB_ID, SWEEP_JOB_ID):
                with contextlib.suppress(JobLookupError):
                    scheduler.remove_job(job_id)
        async with self._lock:
            pass

    async def reschedule(self) -> None:
        """Aim the one-off date jobs: firing the earliest pending reminder (a little ahead of
        its due time), and waking the sender when queued reminders come due."""
        db = self.db
        due = await repo.earliest_pending(db)
        self.next_wakeup = due
        scheduler = self.scheduler
        if self._stopped or not scheduler.running:
            return
        self._aim(NEXT_JOB_ID, None if due is None else due - PREPARE_AHEAD, self._on_due)
        queued = await repo.earliest_fired_after(db, self._now())
        self._aim(WAKE_JOB_ID, queued, self._on_queued_due)

    def _aim(self, job_id: str, at: float | None, func: Callable[[], Awaitable[None]]) -> None:
        scheduler = self.scheduler
        if at is None:
            with contextlib.suppress(JobLookupError):
                scheduler.remove_job(job_id)
            return
        scheduler.add_job(
            func,
            "date",
            run_date=datetime.fromtimestamp(at, UTC),
            id=job_id,
            replace_existing=True,
            # However late the loop wakes (a busy process), the job still runs.
            misfire_grace_time=None,
            coalesce=True,
        )

    async def _on_queued_due(self) -> None:
        # The sender would find the rows on its next poll; this saves that half second.
        self.delivery.wake()
        try:
            await self.reschedule()
        except Exception:
            log.exception("reminders: rescheduling failed")

    async def _on_due(self) -> None:
        try:
            await self.run_due()
        except Exception:
            # The sweep tries again within a minute.
            log.exception("reminders: firing due reminders failed")

    async def _on_sweep(self) -> None:
        try:
            await self.sweep()
        except Exception:
            log.exception("reminders: the sweep failed")

    # -- buttons on reminders ---------------------------------------------------------------

    async def target(self, person_id: int, planned_id: int) -> ReminderTarget | None:
        """The reminder and the person's confirmed seat at its event; None when the button is
        not theirs to press (forged id, cancelled or waitlisted registration)."""
        db = self.db
        planned = await repo.get(db, planned_id)
        if planned is None or planned.is_followup:
            return None
        event = await events_repo.get(db, planned.event_id)
        registration = await registrations_repo.live(db, planned.event_id, person_id)
        if (
            event is None
            or registration is None
            or registration.status != RegistrationStatus.confirmed
        ):
            return None
        return ReminderTarget(planned, event, registration)

    async def acknowledge(self, target: ReminderTarget) -> None:
        """«I'll come»: remembered for the organizers."""
        async with self.db.write() as tx:
            await repo.answer(
                tx, target.planned.id, target.registration.id, Answer.coming, self._now()
            )

    async def decline(
        self, person_id: int, target: ReminderTarget
    ) -> Cancelled | RegistrationRefusal:
        """«Can't come»: the same cancellation as /my, so the waitlist moves up at once and
        the promoted person is told."""
        outcome = await self.registrations.cancel(person_id, target.registration.id)
        if isinstance(outcome, Cancelled):
            async with self.db.write() as tx:
                await repo.answer(
                    tx, target.planned.id, target.registration.id, Answer.not_coming, self._now()
                )
        return outcome

    async def answers(self, event: Event) -> dict[Answer, int]:
        """How many said «I'll come» / «Can't come» to the reminders of the current date."""
        return await repo.answers(self.db, event.id, event.starts_at)
