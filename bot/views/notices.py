"""The services' outbox words (`bot.services.notices`), rendered in each recipient's language."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.delivery.content import Content, DocumentContent, LocationContent, TextContent
from bot.identity import BotIdentity
from bot.services.calendar import cancellation_ics, event_ics, ics_filename
from bot.services.notices import EventNotice, FinishedAnnouncement, Rendered
from bot.views import announcements, checkin, colleagues, files, registration, reminders
from bot.views.registration import promotion_notice
from bot.views.text import moment_in
from db.announcements import Announcement, Audience
from db.events import Event, EventStatus
from db.outbox import Progress
from db.registrations import Registration

T = TypeVar("T")


def _text(screen: Rendered) -> TextContent:
    return TextContent(text=screen.text, reply_markup=screen.inline)


class ViewNotices:
    """Implements `Notices` and `AnnouncementNotices` with the views and the catalogs."""

    def __init__(self, i18n: I18n, identity: BotIdentity | None = None) -> None:
        self.i18n = i18n
        # Links in tickets and calendar files name the bot, known once start-up asked Telegram.
        self.identity = identity or BotIdentity()

    @property
    def default_language(self) -> str:
        return self.i18n.default_locale

    @contextmanager
    def _speaking(self, language: str) -> Iterator[None]:
        with self.i18n.context(), self.i18n.use_locale(language):
            yield

    def _in(self, language: str, render: Callable[[], T]) -> T:
        with self._speaking(language):
            return render()

    # -- members ----------------------------------------------------------------------------

    def promotion(
        self, language: str, event: Event, registration: Registration, now: float
    ) -> TextContent:
        return _text(self._in(language, lambda: promotion_notice(event, registration, now)))

    def event_changed(self, language: str, event: Event, notice: EventNotice) -> TextContent:
        return _text(self._in(language, lambda: notice(event)))

    def colleague_event_changed(
        self, language: str, before: Event, after: Event, registration: Registration, now: float
    ) -> TextContent:
        return _text(
            self._in(language, lambda: colleagues.change_notice(before, after, registration, now))
        )

    def changed_calendar(self, language: str, event: Event, now: float) -> DocumentContent:
        username = self.identity.username
        with self._speaking(language):
            if event.status == EventStatus.cancelled:
                data = cancellation_ics(event, bot_username=username, now=now)
                caption = registration.calendar_cancel_caption()
            else:
                data = event_ics(
                    event,
                    bot_username=username,
                    now=now,
                    alarm_text=registration.alarm_text(event),
                )
                caption = registration.calendar_update_caption()
        return DocumentContent(data=data, filename=ics_filename(event), caption=caption)

    def reminder(
        self, language: str, event: Event, planned_id: int, now: float, *, soon: bool
    ) -> TextContent:
        view = reminders.soon if soon else reminders.ahead
        return _text(self._in(language, lambda: view(event, planned_id, now)))

    def colleague_reminder(
        self, language: str, event: Event, registration: Registration, now: float, *, soon: bool
    ) -> TextContent:
        view = reminders.colleague_soon if soon else reminders.colleague_ahead
        return _text(self._in(language, lambda: view(event, registration, now)))

    def followup(self, language: str, event: Event) -> TextContent:
        return _text(self._in(language, lambda: reminders.followup(event)))

    def welcome(self, language: str, event: Event) -> TextContent:
        return TextContent(text=self._in(language, lambda: checkin.guest_welcome(event)))

    def ticket(
        self, language: str, event: Event, registration: Registration, now: float, name: str
    ) -> DocumentContent:
        username = self.identity.username
        return self._in(language, lambda: files.ticket(event, registration, username, now, name))

    def calendar(
        self, language: str, event: Event, registration: Registration, now: float
    ) -> DocumentContent:
        username = self.identity.username
        return self._in(language, lambda: files.calendar(event, registration, username, now))

    def cancelled_calendar(self, language: str, event: Event, now: float) -> DocumentContent:
        username = self.identity.username
        return self._in(language, lambda: files.cancelled_calendar(event, username, now))

    def pin(self, event: Event) -> LocationContent:
        assert event.latitude is not None
        assert event.longitude is not None
        return LocationContent(
            latitude=event.latitude,
            longitude=event.longitude,
            title=reminders.pin_title(event),
            address=reminders.pin_address(event),
        )

    # -- announcements ----------------------------------------------------------------------

    def recipient_markup(
        self, language: str, *, unsubscribe: bool, register_url: str | None
    ) -> InlineKeyboardMarkup | None:
        return self._in(
            language,
            lambda: announcements.recipient_markup(
                unsubscribe=unsubscribe, register_url=register_url
            ),
        )

    def describe(self, audience: Audience, event: Event | None) -> str:
        return announcements.describe(audience, event)

    def moment(self, timestamp: float, timezone: str, now: float, place: str | None) -> str:
        return moment_in(timestamp, timezone, now, place)

    def status(self, language: str, announcement_id: int, progress: Progress) -> TextContent:
        return _text(self._in(language, lambda: announcements.status(announcement_id, progress)))

    def status_final(self, language: str, progress: Progress, stopped: bool) -> TextContent:
        return TextContent(
            self._in(language, lambda: announcements.status_final(progress, stopped))
        )

    def report(self, language: str, finished: FinishedAnnouncement) -> Content:
        announcement, event, place = finished.announcement, finished.event, finished.place
        with self._speaking(language):
            audience = announcement.audience
            description = "—" if audience is None else announcements.describe(audience, event)
            late_since = None
            if finished.late and announcement.send_at is not None:
                late_since = moment_in(
                    announcement.send_at, announcement.timezone, finished.now, place
                )
            text = announcements.report(
                announcement,
                finished.progress,
                description,
                took=finished.took,
                late_since=late_since,
                with_file=bool(finished.undelivered),
            )
            if not finished.undelivered:
                return TextContent(text)
            return DocumentContent(
                data=announcements.failures_csv(finished.undelivered),
                filename=f"announcement-{announcement.id}-undelivered.csv",
                caption=text,
            )

    def skipped(
        self,
        language: str,
        announcement: Announcement,
        *,
        event: Event | None,
        place: str | None,
        now: float,
    ) -> TextContent:
        assert announcement.send_at is not None
        assert announcement.not_after is not None
        zone = announcement.timezone
        with self._speaking(language):
            audience = announcement.audience
            return TextContent(
                announcements.skipped_notice(
                    moment_in(announcement.send_at, zone, now, place),
                    moment_in(announcement.not_after, zone, now, place),
                    "—" if audience is None else announcements.describe(audience, event),
                )
            )

    def publish_offer(self, event: Event, count: int) -> TextContent:
        if count == 0:
            screen = announcements.no_subscribers(event)
        else:
            screen = announcements.publish_offer(event, count)
        return TextContent(screen.text, reply_markup=screen.inline)
