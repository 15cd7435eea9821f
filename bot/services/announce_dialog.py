"""The /announce dialog as steps: the dialog's state in, what to show and the next state out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from bot.clock import Clock
from bot.services import moments
from bot.services.announcements import AnnouncementService, Changed
from bot.services.audience import CityOption, TownOption
from bot.services.delivery import DeliveryService
from bot.services.problems import InvalidInput
from bot.services.refusals import Refusal
from bot.services.roles import Access
from bot.states import AnnounceDraft
from db.announcements import Announcement, Audience, AudienceKind, Segment
from db.events import Event
from db.outbox import Progress


class Stage(StrEnum):
    """Where the dialog waits; one FSM state each (`bot.states.Announce`), `done` ends it."""

    composing = "composing"
    choosing = "choosing"  # audience menus and the preview: buttons only
    send_time = "send_time"
    not_after = "not_after"
    confirming = "confirming"  # a scheduled time is shown for confirmation
    done = "done"


# -- what a step shows ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Refused:
    reason: Refusal


@dataclass(frozen=True, slots=True)
class Cancelled:
    pass


@dataclass(frozen=True, slots=True)
class AudienceMenu:
    announcement_id: int
    subscribers: int


@dataclass(frozen=True, slots=True)
class CityMenu:
    announcement_id: int
    options: list[CityOption]


@dataclass(frozen=True, slots=True)
class TownMenu:
    """The towns of a region with events in several: the whole region first, then each."""

    announcement_id: int
    region: str
    region_count: int  # the whole region's subscribers and all regions'
    options: list[TownOption]


@dataclass(frozen=True, slots=True)
class EventMenu:
    announcement_id: int
    events: list[Event]


@dataclass(frozen=True, slots=True)
class SegmentMenu:
    announcement_id: int
    event: Event
    counts: dict[Segment, int]
    now: float


@dataclass(frozen=True, slots=True)
class Chosen:
    """The audience is set: its description, then the preview copy and the choice."""

    announcement: Announcement
    count: int
    description: str


@dataclass(frozen=True, slots=True)
class Preview:
    announcement: Announcement
    description: str
    count: int
    changed: bool = False  # the audience moved since it was shown


@dataclass(frozen=True, slots=True)
class Sending:
    announcement_id: int
    progress: Progress


@dataclass(frozen=True, slots=True)
class AskSendTime:
    announcement_id: int
    timezone: str
    place: str | None
    now: float
    passed: bool = False  # the time chosen before has passed meanwhile


@dataclass(frozen=True, slots=True)
class AskNotAfter:
    announcement_id: int
    send_at: str


@dataclass(frozen=True, slots=True)
class Confirmation:
    announcement_id: int
    send_at: str
    not_after: str | None
    description: str
    count: int
    changed: int | None = None  # the new size, when the audience moved since it was shown


@dataclass(frozen=True, slots=True)
class Scheduled:
    moment: str
    total: int


@dataclass(frozen=True, slots=True)
class NotAfterTooEarly:
    send_at: str


@dataclass(frozen=True, slots=True)
class UseButtons:
    """Typing where only the buttons answer."""


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A typed time that cannot be accepted; the same step asks again."""

    error: InvalidInput


Shown = (
    Refused
    | Cancelled
    | AudienceMenu
    | CityMenu
    | TownMenu
    | EventMenu
    | SegmentMenu
    | Chosen
    | Preview
    | Sending
    | AskSendTime
    | AskNotAfter
    | Confirmation
    | Scheduled
    | NotAfterTooEarly
    | UseButtons
    | Unreadable
)


@dataclass(frozen=True, slots=True)
class Step:
    """What to show, and where the dialog goes: `stage` None stays, `draft` None keeps it."""

    shown: Shown
    stage: Stage | None = None
    draft: AnnounceDraft | None = None


@dataclass(frozen=True, slots=True)
class Open:
    """A press checked already: the actor may continue this draft in this dialog."""

    actor: Access
    announcement: Announcement
    stage: Stage
    draft: AnnounceDraft

    @property
    def id(self) -> int:
        return self.announcement.id


# -- the pure rules for typed times -----------------------------------------------------------


def with_send_time(draft: AnnounceDraft, send_at: float) -> AnnounceDraft:
    """A new send time keeps «not after» only while it is still later."""
    not_after = (
        draft.not_after if draft.not_after is not None and draft.not_after > send_at else None
    )
    return draft.model_copy(update={"send_at": send_at, "not_after": not_after})


def send_time_passed(draft: AnnounceDraft, now: float) -> bool:
    """The organizer waited past the time they chose: a new one is needed."""
    return draft.send_at is not None and draft.send_at <= now


# -- the steps --------------------------------------------------------------------------------


class AnnounceDialog:
    """The steps of /announce over the announcement service; no Telegram types here."""

    def __init__(
        self, announcements: AnnouncementService, delivery: DeliveryService, clock: Clock
    ) -> None:
        self.announcements = announcements
        self.audience = announcements.audience
        self.delivery = delivery
        self.clock = clock

    async def open(
        self, actor: Access, stage: Stage | None, draft: AnnounceDraft, announcement_id: int
    ) -> Open | Refused:
        """The draft a press belongs to; an old dialog's button, or forged data, is refused."""
        if stage is None or draft.announcement_id != announcement_id:
            return Refused(Refusal.over)
        found = await self.announcements.draft(actor, announcement_id)
        if isinstance(found, Refusal):
            return Refused(found)
        return Open(actor, found, stage, draft)

    async def cancel(self, opened: Open) -> Step:
        await self.announcements.discard(opened.actor, opened.id)
        return Step(Cancelled(), Stage.done)

    async def audience_menu(self, opened: Open) -> Step:
        subscribers = await self.audience.count(Audience(AudienceKind.subscribers))
        draft = opened.draft.model_copy(update={"send_at": None, "not_after": None})
        return Step(AudienceMenu(opened.id, subscribers), Stage.choosing, draft)

    async def cities(self, opened: Open) -> Step:
        return Step(CityMenu(opened.id, await self.audience.cities()))

    async def events(self, opened: Open) -> Step:
        return Step(EventMenu(opened.id, await self.audience.events_for(opened.actor)))

    async def event(self, opened: Open, event_id: int) -> Step:
        event = await self.audience.event_for(opened.actor, event_id)
        if event is None:
            return Step(Refused(Refusal.forbidden))
        counts = await self.audience.segment_counts(event.id)
        return Step(SegmentMenu(opened.id, event, counts, self.clock.timestamp()))

    async def everyone(self, opened: Open) -> Step:
        return await self.choose(opened, Audience(AudienceKind.subscribers))

    async def city(self, opened: Open, key: int) -> Step:
        """A region; where it has events in more than one town, which of them comes next."""
        city = await self.audience.city_by_key(key)
        if city is None:
            return Step(Refused(Refusal.city_gone))
        region = Audience(AudienceKind.city, city=city)
        towns = await self.audience.towns(city)
        if len(towns) < 2:
            return await self.choose(opened, region)
        count = await self.audience.count(region)
        return Step(TownMenu(opened.id, city, count, towns))

    async def town(self, opened: Open, key: int, town_key: int) -> Step:
        """The whole region (`town_key` 0) or one of its towns, both re-read from the database:
        a forged key, or a town whose events are gone, is refused."""
        city = await self.audience.city_by_key(key)
        if city is None:
            return Step(Refused(Refusal.city_gone))
        town = None
        if town_key:
            towns = await self.audience.towns(city)
            town = next((option.town.key for option in towns if option.key == town_key), None)
            if town is None:
                return Step(Refused(Refusal.city_gone))
        return await self.choose(opened, Audience(AudienceKind.city, city=city, town=town))

    async def segment(self, opened: Open, event_id: int, segment: Segment | None) -> Step:
        if segment is None:
            return Step(Refused(Refusal.over))
        audience = Audience(AudienceKind.event, event_id=event_id, segment=segment)
        return await self.choose(opened, audience)

    async def choose(self, opened: Open, audience: Audience) -> Step:
        chosen = await self.announcements.choose_audience(opened.actor, opened.id, audience)
        if isinstance(chosen, Refusal):
            return Step(Refused(chosen))
        announcement, count = chosen
        description = await self.announcements.describe(announcement)
        return Step(Chosen(announcement, count, description))

    async def send(self, opened: Open) -> Step:
        outcome = await self.announcements.send_now(opened.actor, opened.id)
        if isinstance(outcome, Refusal):
            return Step(Refused(outcome))
        if isinstance(outcome, Changed):
            return await self._changed(opened, outcome)
        progress = await self.delivery.progress(outcome.announcement.source)
        return Step(Sending(opened.id, progress), Stage.done)

    async def schedule(self, opened: Open) -> Step:
        return Step(await self._ask_send_time(opened.announcement), Stage.send_time)

    async def ask_not_after(self, opened: Open) -> Step:
        if opened.draft.send_at is None:
            return Step(Refused(Refusal.over))
        send_at = await self.announcements.moment(opened.announcement, opened.draft.send_at)
        return Step(AskNotAfter(opened.id, send_at), Stage.not_after)

    async def drop_not_after(self, opened: Open) -> Step:
        draft = opened.draft.model_copy(update={"not_after": None})
        shown = await self._confirmation(opened.announcement, draft)
        return Step(shown, Stage.confirming, draft)

    async def back(self, opened: Open) -> Step:
        """From typing a time: to the confirmation when a time is set, else to the preview."""
        if opened.draft.send_at is not None:
            shown = await self._confirmation(opened.announcement, opened.draft)
            return Step(shown, Stage.confirming)
        recounted = await self.announcements.recount(opened.actor, opened.id)
        if isinstance(recounted, Refusal):
            return Step(Refused(recounted), Stage.choosing)
        announcement, count = recounted
        description = await self.announcements.describe(announcement)
        return Step(Preview(announcement, description, count), Stage.choosing)

    async def confirm(self, opened: Open) -> Step:
        draft = opened.draft
        if draft.send_at is None:
            return Step(Refused(Refusal.over))
        if send_time_passed(draft, self.clock.timestamp()):
            shown = await self._ask_send_time(opened.announcement, passed=True)
            return Step(shown, Stage.send_time, draft.model_copy(update={"send_at": None}))
        outcome = await self.announcements.schedule(
            opened.actor, opened.id, draft.send_at, draft.not_after
        )
        if isinstance(outcome, Refusal):
            return Step(Refused(outcome))
        if isinstance(outcome, Changed):
            return await self._changed(opened, outcome)
        moment = await self.announcements.moment(outcome.announcement, draft.send_at)
        return Step(Scheduled(moment, outcome.total), Stage.done)

    # -- typed times --------------------------------------------------------------------------

    async def typed(self, actor: Access, stage: Stage, draft: AnnounceDraft, text: str) -> Step:
        """A send time or a «not after» time typed in the audience's zone."""
        found = await self.announcements.draft(actor, draft.announcement_id)
        if isinstance(found, Refusal):
            return Step(Refused(found), Stage.done)
        if stage == Stage.not_after and draft.send_at is None:
            return Step(UseButtons())
        zone = await self.audience.timezone_for(found.audience)
        try:
            moment = moments.read_future(text, zone, self.clock.timestamp()).start.timestamp()
        except InvalidInput as error:
            return Step(Unreadable(error))
        if stage == Stage.send_time:
            draft = with_send_time(draft, moment)
        elif draft.send_at is not None and moment <= draft.send_at:
            shown = replace(found, timezone=zone)
            return Step(NotAfterTooEarly(await self.announcements.moment(shown, draft.send_at)))
        else:
            draft = draft.model_copy(update={"not_after": moment})
        recounted = await self.announcements.recount(actor, draft.announcement_id)
        if isinstance(recounted, Refusal):
            return Step(Refused(recounted), Stage.done)
        announcement, _count = recounted
        return Step(await self._confirmation(announcement, draft), Stage.confirming, draft)

    # -- shared screens -----------------------------------------------------------------------

    async def _ask_send_time(
        self, announcement: Announcement, *, passed: bool = False
    ) -> AskSendTime:
        zone = await self.audience.timezone_for(announcement.audience)
        place = await self.audience.place_for(announcement.audience)
        return AskSendTime(announcement.id, zone, place, self.clock.timestamp(), passed)

    async def _confirmation(
        self, announcement: Announcement, draft: AnnounceDraft, changed: int | None = None
    ) -> Confirmation:
        assert draft.send_at is not None
        # The moment is shown in the zone the organizer typed it in.
        zone = await self.audience.timezone_for(announcement.audience)
        shown = replace(announcement, timezone=zone)
        send_at = await self.announcements.moment(shown, draft.send_at)
        not_after = (
            None
            if draft.not_after is None
            else await self.announcements.moment(shown, draft.not_after)
        )
        description = await self.announcements.describe(announcement)
        count = announcement.shown_count or 0
        return Confirmation(announcement.id, send_at, not_after, description, count, changed)

    async def _changed(self, opened: Open, changed: Changed) -> Step:
        """The audience moved since it was shown: show the new number, ask again."""
        found = await self.announcements.owned(opened.actor, opened.id)
        if isinstance(found, Refusal):
            return Step(Refused(found))
        if opened.draft.send_at is not None and opened.stage == Stage.confirming:
            return Step(await self._confirmation(found, opened.draft, changed.count))
        description = await self.announcements.describe(found)
        return Step(Preview(found, description, changed.count, changed=True))
