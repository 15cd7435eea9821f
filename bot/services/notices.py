"""The words services queue for people who are not looking: an interface the views implement."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from aiogram.types import InlineKeyboardMarkup

from bot.delivery.content import Content, DocumentContent, LocationContent, TextContent
from db.announcements import Announcement, Audience
from db.events import Event
from db.outbox import Progress, Undelivered
from db.registrations import Registration


class Rendered(Protocol):
    """A rendered message: what a view hands back (`bot.views.Screen` is one)."""

    @property
    def text(self) -> str: ...

    @property
    def inline(self) -> InlineKeyboardMarkup | None: ...


# A handler's choice of words for an event change (moved, cancelled), in the current language.
EventNotice = Callable[[Event], Rendered]


class Notices(Protocol):
    """Words for a member's outbox; each method renders in `language` (a person's own)."""

    @property
    def default_language(self) -> str: ...

    def promotion(
        self, language: str, event: Event, registration: Registration, now: float
    ) -> TextContent:
        """A seat freed up on the waitlist and it is theirs."""

    def event_changed(self, language: str, event: Event, notice: EventNotice) -> TextContent:
        """The organizer moved, relocated or cancelled an event the person is registered for."""

    def colleague_event_changed(
        self, language: str, before: Event, after: Event, registration: Registration, now: float
    ) -> TextContent:
        """To the member who registered a colleague: the event `before` was moved, relocated
        or (`after` cancelled) called off; the words name the colleague."""

    def changed_calendar(self, language: str, event: Event, now: float) -> DocumentContent:
        """The `.ics` that follows a change notice: the event as it is now (same UID, higher
        SEQUENCE), or, for a cancelled event, the file that takes it off the calendar."""

    def reminder(
        self, language: str, event: Event, planned_id: int, now: float, *, soon: bool
    ) -> TextContent:
        """A reminder ahead of the start (`soon`: the last one, with a map pin after it)."""

    def colleague_reminder(
        self, language: str, event: Event, registration: Registration, now: float, *, soon: bool
    ) -> TextContent:
        """A reminder of a colleague's seat, to the member who registered them: its buttons act
        on that registration (the colleague's ticket, cancelling after a confirmation)."""

    def followup(self, language: str, event: Event) -> TextContent:
        """The survey after the event."""

    def welcome(self, language: str, event: Event) -> TextContent:
        """The guest's own welcome when the organizer checks them in at the door."""

    def ticket(
        self, language: str, event: Event, registration: Registration, now: float, name: str
    ) -> DocumentContent:
        """The ticket of a confirmed seat, made out to `name`. Draws an image: call it in a
        thread."""

    def calendar(
        self, language: str, event: Event, registration: Registration, now: float
    ) -> DocumentContent:
        """The event's `.ics` for a confirmed seat (with the ticket code)."""

    def cancelled_calendar(self, language: str, event: Event, now: float) -> DocumentContent:
        """The person cancelled: the file that takes the event off their calendar."""

    def pin(self, event: Event) -> LocationContent:
        """The venue on the map (the event has coordinates)."""


@dataclass(frozen=True, slots=True)
class FinishedAnnouncement:
    """What the author's report says about a finished announcement."""

    announcement: Announcement
    progress: Progress
    event: Event | None  # the audience's event, when it is the people of one
    place: str | None  # a city to label times with
    now: float
    took: float
    late: bool  # started well after its time: the bot was not running then
    undelivered: list[Undelivered]


class AnnouncementNotices(Protocol):
    """Words around an announcement: the buttons under each copy and the author's reports."""

    def recipient_markup(
        self, language: str, *, unsubscribe: bool, register_url: str | None
    ) -> InlineKeyboardMarkup | None: ...

    def describe(self, audience: Audience, event: Event | None) -> str:
        """The audience in words, in the current language."""

    def moment(self, timestamp: float, timezone: str, now: float, place: str | None) -> str:
        """A labelled moment in a zone, in the current language."""

    def status(self, language: str, announcement_id: int, progress: Progress) -> TextContent:
        """The author's status message while it is sending."""

    def status_final(self, language: str, progress: Progress, stopped: bool) -> TextContent: ...

    def report(self, language: str, finished: FinishedAnnouncement) -> Content:
        """The final report, with the undelivered rows as a file when there are any."""

    def skipped(
        self,
        language: str,
        announcement: Announcement,
        *,
        event: Event | None,
        place: str | None,
        now: float,
    ) -> TextContent:
        """A scheduled one was not sent: the bot was down past its "not after" time."""

    def publish_offer(self, event: Event, count: int) -> TextContent:
        """The offer to announce a just-published event, in the current language; a count of 0
        says nobody in the event's region is subscribed yet."""
