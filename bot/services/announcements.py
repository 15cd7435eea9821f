"""Announcements: drafts, the frozen audience in the outbox, schedules, progress and reports.

Life of an announcement (`db.announcements.State`):
- draft: the organizer's message is known; the audience is chosen and counted, a preview shown.
- confirmed: the audience is counted again; when its size differs from the number the
  organizer saw, nothing is queued and the new number is shown instead. Otherwise it is
  frozen: one outbox row per recipient under `announcement:<id>`, queued in chunks of people
  by id, each chunk a short transaction (the draft is "freezing" meanwhile, and a restart
  carries on). "Send now" makes the rows due at once (state sending); "Schedule" parks them
  (state scheduled) until the start.
- start of a scheduled one: an in-memory date job, a periodic sweep and the start-up sweep
  all call `sweep()`, which starts each due announcement once (guarded by its state). Missed
  while the bot was down: sent late (noted in the report), or skipped when past "not after".
- sending: a background watcher edits the organizer's status message every few seconds and,
  when every row is final, writes the report to the outbox in the same transaction that marks
  the announcement done, so a crash can neither lose nor repeat it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler

from bot import deeplinks
from bot.clock import Clock
from bot.delivery.content import Content, CopyContent, Priority, TextContent
from bot.i18n import SUPPORTED_LOCALES
from bot.identity import BotIdentity
from bot.services import geography
from bot.services.audience import AudienceService
from bot.services.delivery import DeliveryService
from bot.services.notices import AnnouncementNotices, FinishedAnnouncement
from bot.services.refusals import Refusal
from bot.services.registration import ANNOUNCEMENTS_VERSION
from bot.services.roles import Access
from db import Database, Transaction, consents, outbox, people
from db import announcements as repo
from db import events as events_repo
from db.announcements import Announcement, Audience, AudienceKind, State
from db.consents import ConsentKind
from db.outbox import Progress

log = logging.getLogger(__name__)

# A start this much after the send time means the bot was not running then: the report says so.
LATE_AFTER = 120.0
# The status message is edited no more often than this (Telegram frowns on rapid edits).
PROGRESS_INTERVAL = 3.0
SWEEP_INTERVAL = 60.0
SWEEP_JOB_ID = "announcements:sweep"
UNSUBSCRIBED_REASON = "unsubscribed before the message was sent"
ERASED_REASON = "erased their data before the message was sent"


def job_id(announcement_id: int) -> str:
    return f"announcement:{announcement_id}"


@dataclass(frozen=True, slots=True)
class Queued:
    announcement: Announcement
    total: int


@dataclass(frozen=True, slots=True)
class Changed:
    """The audience is not the size the organizer saw; nothing was queued."""

    count: int


@dataclass(eq=False)
class AnnouncementService:
    db: Database
    clock: Clock
    scheduler: BaseScheduler
    delivery: DeliveryService
    audience: AudienceService
    notices: AnnouncementNotices
    identity: BotIdentity
    _: KW_ONLY
    default_locale: str
    default_timezone: str
    # People per freeze transaction (see db.announcements.freeze_chunk).
    freeze_chunk: int = repo.FREEZE_CHUNK
    _bot: Bot | None = field(default=None, init=False)
    _watcher: asyncio.Task[None] | None = field(default=None, init=False)
    # What the status message shows now, and when it was edited, per announcement.
    _shown: dict[int, tuple[int, int]] = field(default_factory=dict, init=False)
    _edited_at: dict[int, float] = field(default_factory=dict, init=False)

    def _now(self) -> float:
        return self.clock.timestamp()

    # -- drafts -----------------------------------------------------------------------------

    async def create_draft(
        self, actor: Access, chat_id: int, message_id: int, *, link_event_id: int | None = None
    ) -> Announcement | Refusal:
        if not actor.is_organizer and not actor.is_admin:
            return Refusal.forbidden
        return await repo.create(
            self.db,
            author_id=actor.user_id,
            from_chat_id=chat_id,
            message_id=message_id,
            timezone=self.default_timezone,
            now=self._now(),
            link_event_id=link_event_id,
        )

    async def owned(self, actor: Access, announcement_id: int) -> Announcement | Refusal:
        """The announcement when the actor is its author (or an admin)."""
        if not actor.is_organizer and not actor.is_admin:
            return Refusal.forbidden
        announcement = await repo.get(self.db, announcement_id)
        if announcement is None:
            return Refusal.announcement_not_found
        if announcement.author_id != actor.user_id and not actor.is_admin:
            return Refusal.not_your_announcement
        return announcement

    async def draft(self, actor: Access, announcement_id: int) -> Announcement | Refusal:
        found = await self.owned(actor, announcement_id)
        if isinstance(found, Announcement) and found.state != State.draft:
            return Refusal.over
        return found

    async def choose_audience(
        self, actor: Access, announcement_id: int, audience: Audience
    ) -> tuple[Announcement, int] | Refusal:
        """Set the audience of a draft and count it: the number the organizer is shown."""
        found = await self.draft(actor, announcement_id)
        if not isinstance(found, Announcement):
            return found
        if not await self.audience.allowed(actor, audience):
            return Refusal.forbidden
        count = await self.audience.count(audience)
        if not await repo.set_audience(self.db, announcement_id, audience, count, self._now()):
            return Refusal.over
        updated = await repo.get(self.db, announcement_id)
        assert updated is not None
        return updated, count

    async def recount(
        self, actor: Access, announcement_id: int
    ) -> tuple[Announcement, int] | Refusal:
        """Count the chosen audience again before showing the number (e.g. on a schedule)."""
        found = await self.draft(actor, announcement_id)
        if not isinstance(found, Announcement):
            return found
        if found.audience is None:
            return Refusal.no_audience
        return await self.choose_audience(actor, announcement_id, found.audience)

    async def discard(self, actor: Access, announcement_id: int) -> bool:
        found = await self.draft(actor, announcement_id)
        if not isinstance(found, Announcement):
            return False
        async with self.db.write() as tx:
            return await repo.set_state(
                tx, announcement_id, State.cancelled, State.draft, self._now()
            )

    # -- confirming -------------------------------------------------------------------------

    async def send_now(self, actor: Access, announcement_id: int) -> Queued | Changed | Refusal:
        return await self._confirm(actor, announcement_id, None, None)

    async def schedule(
        self, actor: Access, announcement_id: int, send_at: float, not_after: float | None
    ) -> Queued | Changed | Refusal:
        if send_at <= self._now() or (not_after is not None and not_after <= send_at):
            return Refusal.over
        return await self._confirm(actor, announcement_id, send_at, not_after)

    async def _confirm(
        self,
        actor: Access,
        announcement_id: int,
        send_at: float | None,
        not_after: float | None,
    ) -> Queued | Changed | Refusal:
        found = await self.draft(actor, announcement_id)
        if not isinstance(found, Announcement):
            return found
        audience = found.audience
        if audience is None:
            return Refusal.no_audience
        if not await self.audience.allowed(actor, audience):
            return Refusal.forbidden
        timezone = await self.audience.timezone_for(audience)
        now = self._now()
        markups = self._recipient_markups(found)
        delivery = self.delivery
        async with self.db.write() as tx:
            current = await repo.get(tx, announcement_id)
            if current is None or current.state != State.draft:
                return Refusal.over
            if await repo.freeze_of(tx, announcement_id) is not None:
                return Refusal.over  # a second press while the first one freezes it
            count = await repo.audience_size(tx, audience)
            if count != current.shown_count:
                await repo.set_shown_count(tx, announcement_id, count, now)
                return Changed(count)
            if not count:
                return Refusal.empty
            messages = {
                language: await delivery.store_in(
                    tx, CopyContent(found.from_chat_id, found.message_id, markups[language])
                )
                for language in sorted(markups)
            }
            await repo.begin_freeze(
                tx,
                announcement_id,
                messages=messages,
                default_language=self._language_of(None),
                target=State.sending if send_at is None else State.scheduled,
                due_at=now if send_at is None else repo.PARKED_UNTIL,
                send_at=now if send_at is None else send_at,
                not_after=not_after,
                timezone=timezone,
                now=now,
            )
        frozen = await self._freeze(announcement_id)
        if frozen is None:
            return Refusal.over
        confirmed = await repo.get(self.db, announcement_id)
        assert confirmed is not None
        return Queued(confirmed, frozen.queued)

    async def _between_chunks(self) -> None:
        # The writer is free here: dialogs waiting for it go first (asyncio.Lock is fair).
        await asyncio.sleep(0)

    async def _freeze(self, announcement_id: int) -> repo.Freeze | None:
        """Queue a freezing announcement's audience chunk by chunk, each chunk its own short
        transaction, then make it sending or scheduled. Resumes where a crash left it."""
        more = True
        while more:
            async with self.db.write() as tx:
                more = await repo.freeze_chunk(
                    tx,
                    announcement_id,
                    priority=int(Priority.BULK),
                    now=self._now(),
                    size=self.freeze_chunk,
                )
            if more:
                await self._between_chunks()
        async with self.db.write() as tx:
            frozen = await repo.end_freeze(tx, announcement_id, self._now())
        if frozen is None:
            return None
        if frozen.target == State.sending:
            self.delivery.wake()
        else:
            self._plan(announcement_id, frozen.send_at)
        return frozen

    def _language_of(self, language: str | None) -> str:
        if language in SUPPORTED_LOCALES:
            return language
        return self.default_locale

    def _register_url(self, announcement: Announcement) -> str | None:
        if announcement.link_event_id is None or not self.identity.username:
            return None
        return deeplinks.link(self.identity.username, "ev", announcement.link_event_id)

    def recipient_markup(
        self, announcement: Announcement, language: str
    ) -> InlineKeyboardMarkup | None:
        """The buttons under a copy, in `language`: the preview shows the organizer's own."""
        audience = announcement.audience
        return self.notices.recipient_markup(
            language,
            unsubscribe=audience is not None and audience.subscribers_only,
            register_url=self._register_url(announcement),
        )

    def _recipient_markups(
        self, announcement: Announcement
    ) -> dict[str, InlineKeyboardMarkup | None]:
        return {
            language: self.recipient_markup(announcement, language)
            for language in SUPPORTED_LOCALES
        }

    # -- scheduled ones ---------------------------------------------------------------------

    async def scheduled_for(self, actor: Access) -> list[Announcement]:
        """Scheduled announcements the actor may cancel: their own, or all for an admin."""
        if not actor.is_organizer and not actor.is_admin:
            return []
        author = None if actor.is_admin else actor.user_id
        return await repo.in_state(self.db, State.scheduled, author_id=author)

    async def cancel_scheduled(self, actor: Access, announcement_id: int) -> Announcement | Refusal:
        found = await self.owned(actor, announcement_id)
        if not isinstance(found, Announcement):
            return found
        now = self._now()
        async with self.db.write() as tx:
            if not await repo.set_state(tx, announcement_id, State.cancelled, State.scheduled, now):
                current = await repo.get(tx, announcement_id)
                if current is not None and current.state == State.sending:
                    return Refusal.sending_started
                return Refusal.over
            await outbox.cancel(tx, found.source, now)
        self._unplan(announcement_id)
        return found

    async def stop(self, actor: Access, announcement_id: int) -> int | Refusal:
        """Stop a sending announcement: the copies not handed to Telegram yet are cancelled."""
        found = await self.owned(actor, announcement_id)
        if not isinstance(found, Announcement):
            return found
        if found.state != State.sending:
            return Refusal.sending_finished
        async with self.db.write() as tx:
            if not await repo.mark_stopped(tx, announcement_id, self._now()):
                return Refusal.sending_finished
        return await self.delivery.cancel(found.source)

    # -- the clockwork: start-up, date jobs, the sweep and the progress watcher ---------------

    async def start(self, bot: Bot, *, watch: bool = True) -> None:
        """Start-up hook: rebuild the date jobs, start what came due while the bot was down
        (or skip it), and resume watching the announcements that were sending."""
        self._bot = bot
        scheduler = self.scheduler
        scheduler.add_job(
            self._on_due,
            "interval",
            seconds=SWEEP_INTERVAL,
            id=SWEEP_JOB_ID,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        for announcement_id in await repo.freezing(self.db):
            log.info("announcements: %d resumes freezing its audience", announcement_id)
            await self._freeze(announcement_id)
        for announcement in await repo.in_state(self.db, State.scheduled):
            assert announcement.send_at is not None
            self._plan(announcement.id, announcement.send_at)
        started = await self.sweep(bot)
        if started:
            log.info("announcements: %d started at start-up", started)
        if watch and self._watcher is None:
            self._watcher = asyncio.create_task(self._watch(bot), name="announcements-watcher")

    async def shutdown(self) -> None:
        """Shutdown hook, before the database closes."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        scheduler = self.scheduler
        with contextlib.suppress(JobLookupError):
            scheduler.remove_job(SWEEP_JOB_ID)
        for job in scheduler.get_jobs():
            if job.id.startswith("announcement:"):
                with contextlib.suppress(JobLookupError):
                    scheduler.remove_job(job.id)

    def _plan(self, announcement_id: int, send_at: float) -> None:
        """An in-memory date job at the send time; the sweep is the safety net."""
        self.scheduler.add_job(
            self._on_due,
            "date",
            run_date=datetime.fromtimestamp(send_at, UTC),
            id=job_id(announcement_id),
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    def _unplan(self, announcement_id: int) -> None:
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(job_id(announcement_id))

    async def _on_due(self) -> None:
        if self._bot is None:
            return
        try:
            await self.sweep(self._bot)
        except Exception:
            log.exception("announcements: the sweep failed; the next one retries")

    async def sweep(self, bot: Bot) -> int:
        """Start every scheduled announcement whose time has come; returns how many started."""
        started = 0
        for announcement in await repo.due(self.db, self._now()):
            if await self._begin(bot, announcement):
                started += 1
        return started

    async def _begin(self, bot: Bot, announcement: Announcement) -> bool:
        now = self._now()
        assert announcement.send_at is not None
        past_limit = announcement.not_after is not None and now > announcement.not_after
        language = await self._author_language(announcement)
        delivery = self.delivery
        if past_limit:
            notice = await self._skipped_notice(announcement, language)
            async with self.db.write() as tx:
                if not await repo.set_state(
                    tx, announcement.id, State.skipped, State.scheduled, now
                ):
                    return False
                await outbox.cancel(tx, announcement.source, now)
                await self._tell_author_in(tx, announcement, "announcement-skipped", notice)
            delivery.wake()
            log.info("announcements: %d skipped, past its 'not after' time", announcement.id)
            return False
        async with self.db.write() as tx:
            if not await repo.start(tx, announcement.id, now):
                return False
            audience = announcement.audience
            if audience is not None and audience.subscribers_only:
                await repo.withdraw_unsubscribed(tx, announcement.id, UNSUBSCRIBED_REASON, now)
            else:
                await repo.withdraw_erased(tx, announcement.id, ERASED_REASON, now)
            await repo.release(tx, announcement.id, now)
        delivery.wake()
        started = await repo.get(self.db, announcement.id)
        assert started is not None
        await self._post_status(bot, started, language)
        return True

    async def _post_status(self, bot: Bot, announcement: Announcement, language: str) -> None:
        """A scheduled announcement started: a fresh status message the watcher edits."""
        progress = await self.delivery.progress(announcement.source)
        screen = self.notices.status(language, announcement.id, progress)
        try:
            sent = await bot.send_message(
                announcement.author_id, screen.text, reply_markup=screen.reply_markup
            )
        except TelegramAPIError as error:
            log.info("announcements: no status message for %d: %s", announcement.id, error)
            return
        await self.attach_status(announcement.id, sent.chat.id, sent.message_id, progress)

    async def attach_status(
        self, announcement_id: int, chat_id: int, message_id: int, progress: Progress
    ) -> None:
        """Remember the message that shows the progress (edited in place until the end)."""
        await repo.set_status_message(self.db, announcement_id, chat_id, message_id, self._now())
        self._shown[announcement_id] = _shown_key(progress)
        self._edited_at[announcement_id] = self._now()

    async def _watch(self, bot: Bot) -> None:
        while True:
            try:
                await self.tick(bot)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("announcements: the progress watcher failed; retrying")
            await asyncio.sleep(PROGRESS_INTERVAL)

    async def tick(self, bot: Bot) -> None:
        """Refresh every sending announcement: edit its status, or finish it with a report."""
        for announcement in await repo.in_state(self.db, State.sending):
            await self.refresh(bot, announcement)

    async def refresh(self, bot: Bot, announcement: Announcement) -> None:
        progress = await self.delivery.progress(announcement.source)
        if progress.finished:
            await self._finish(bot, announcement, progress)
            return
        key = _shown_key(progress)
        now = self._now()
        if self._shown.get(announcement.id) == key:
            return
        if now - self._edited_at.get(announcement.id, float("-inf")) < PROGRESS_INTERVAL:
            return
        language = await self._author_language(announcement)
        screen = self.notices.status(language, announcement.id, progress)
        await self._edit_status(bot, announcement, screen)
        self._shown[announcement.id] = key
        self._edited_at[announcement.id] = now

    async def _finish(self, bot: Bot, announcement: Announcement, progress: Progress) -> None:
        delivery = self.delivery
        undelivered = await delivery.undelivered(announcement.source, limit=max(1, progress.total))
        language = await self._author_language(announcement)
        ended = await repo.last_delivery_at(self.db, announcement.id) or self._now()
        began = announcement.started_at or announcement.send_at or ended
        finished = FinishedAnnouncement(
            announcement,
            progress,
            event=await self._audience_event(announcement),
            place=await self.audience.place_for(announcement.audience),
            now=self._now(),
            took=max(0.0, ended - began),
            late=announcement.send_at is not None and began - announcement.send_at > LATE_AFTER,
            undelivered=undelivered,
        )
        content = self.notices.report(language, finished)
        final = self.notices.status_final(language, progress, announcement.stopped_at is not None)
        async with self.db.write() as tx:
            if not await repo.set_state(
                tx, announcement.id, State.done, State.sending, self._now()
            ):
                return
            await self._tell_author_in(tx, announcement, "announcement-report", content)
        delivery.wake()
        await self._edit_status(bot, announcement, final)
        self._shown.pop(announcement.id, None)
        self._edited_at.pop(announcement.id, None)

    async def _tell_author_in(
        self, tx: Transaction, announcement: Announcement, kind: str, content: Content
    ) -> None:
        await self.delivery.enqueue_in(
            tx,
            f"{kind}:{announcement.id}",
            [announcement.author_id],
            content,
            priority=Priority.PERSONAL,
        )

    async def _edit_status(self, bot: Bot, announcement: Announcement, screen: TextContent) -> None:
        if announcement.status_chat_id is None or announcement.status_message_id is None:
            return
        try:
            await bot.edit_message_text(
                text=screen.text,
                chat_id=announcement.status_chat_id,
                message_id=announcement.status_message_id,
                reply_markup=screen.reply_markup,
            )
        except TelegramBadRequest as error:
            if "not modified" not in error.message:
                log.info("announcements: status of %d not edited: %s", announcement.id, error)
        except TelegramAPIError as error:
            # A flood wait or a network hiccup: the next tick edits again.
            log.info("announcements: status of %d not edited: %s", announcement.id, error)

    # -- words shared by the handlers and the reports ----------------------------------------

    async def _author_language(self, announcement: Announcement) -> str:
        person = await people.get(self.db, announcement.author_id)
        return self._language_of(person.language if person is not None else None)

    async def _audience_event(self, announcement: Announcement) -> events_repo.Event | None:
        audience = announcement.audience
        if audience is None or audience.kind != AudienceKind.event or audience.event_id is None:
            return None
        return await events_repo.get(self.db, audience.event_id)

    async def describe(self, announcement: Announcement) -> str:
        """The audience in words, in the current language (HTML-escaped)."""
        audience = announcement.audience
        if audience is None:
            return "—"
        return self.notices.describe(audience, await self._audience_event(announcement))

    async def moment(self, announcement: Announcement, timestamp: float) -> str:
        """A moment in the announcement's zone, labelled: «17 апреля, 14:00 (Тюмень, UTC+5)»."""
        place = await self.audience.place_for(announcement.audience)
        return self.notices.moment(timestamp, announcement.timezone, self._now(), place)

    async def _skipped_notice(self, announcement: Announcement, language: str) -> TextContent:
        return self.notices.skipped(
            language,
            announcement,
            event=await self._audience_event(announcement),
            place=await self.audience.place_for(announcement.audience),
            now=self._now(),
        )

    # -- subscriptions ----------------------------------------------------------------------

    async def unsubscribe(self, person_id: int) -> bool:
        """Opt out (logged like consent); copies still queued for the person are withdrawn."""
        person = await people.get(self.db, person_id)
        if person is None or not person.subscribed:
            return False
        now = self._now()
        async with self.db.write() as tx:
            await people.set_subscription(tx, person_id, False, None, now)
            await consents.record(
                tx, person_id, ConsentKind.announcements, ANNOUNCEMENTS_VERSION, False, now
            )
            await repo.withdraw_for_person(tx, person_id, UNSUBSCRIBED_REASON, now)
        return True

    # -- the publish hook -------------------------------------------------------------------

    async def publish_offer(self, event: events_repo.Event) -> TextContent | None:
        """The offer to announce a just-published event to its region's subscribers (in the
        current language), or word that nobody there is subscribed yet; None for an event no
        longer worth announcing."""
        if event.status != events_repo.EventStatus.published or event.starts_at <= self._now():
            return None
        count = await self.audience.count(region_audience(event))
        return self.notices.publish_offer(event, count)

    async def offer_for_published_event(
        self, bot: Bot, chat_id: int, event: events_repo.Event
    ) -> bool:
        """Call after publishing: sends the one-tap offer to the organizer, when it makes sense."""
        screen = await self.publish_offer(event)
        if screen is None:
            return False
        await bot.send_message(chat_id, screen.text, reply_markup=screen.reply_markup)
        return True


def region_audience(event: events_repo.Event) -> Audience:
    """Subscribers of the event's region (and of all regions), and of its town: a member
    subscribed to Тюменская область hears of an event in Ишим, one subscribed to Тюмень not."""
    return Audience(
        AudienceKind.city, city=event.region_code or event.city, town=geography.town_key(event)
    )


def _shown_key(progress: Progress) -> tuple[int, int]:
    return progress.sent, progress.unreachable + progress.failed
