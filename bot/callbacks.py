"""Callback data factories: a versioned prefix and ids only; handlers re-check everything."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from db.announcements import Segment

# Every number in callback data fits an SQLite integer (signed 64 bits): a forged button with a
# bigger one fails to parse like any malformed data (the filter does not match, the person is
# told the button is outdated) instead of raising OverflowError at the first query.
# Ids are never negative; 0 is the "none" some buttons use.
Id = Annotated[int, Field(ge=0, le=2**63 - 1)]
# Pages, ratings, city keys (-1 is "no city" for subscriptions): SQLite's whole range.
Number = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


class LanguageChoice(CallbackData, prefix="lang1"):
    code: str


class CatalogNav(CallbackData, prefix="cat1"):
    """A page of the catalog; `city` is `city_key()` of the filter, 0 for all regions: of a
    region's code, or of a town in it (`Town.key`), which names its region too."""

    page: Number
    city: Number = 0


class CityMenu(CallbackData, prefix="cty1"):
    """Open the list of cities to filter the catalog by."""

    page: Number = 0


class TownMenu(CallbackData, prefix="twn1"):
    """Open the towns of one region (`city_key()` of it) to filter the catalog by."""

    city: Number


class EventCard(CallbackData, prefix="ev1"):
    """Open an event card; page and city (the filter, as in `CatalogNav`) say where Back
    returns to."""

    event_id: Id
    page: Number = 0
    city: Number = 0


class EventActionKind(StrEnum):
    register = "reg"
    register_companion = "regc"  # the member and one companion, two seats
    register_colleague = "regk"  # a colleague who is not on Telegram, by name and phone
    calendar = "ics"
    map = "map"


class EventAction(CallbackData, prefix="ea1"):
    action: EventActionKind
    event_id: Id


class ColleagueStep(StrEnum):
    agree = "agree"  # consent given from the colleague dialog
    disagree = "disagree"
    confirm = "ok"
    cancel = "no"


class ColleagueAction(CallbackData, prefix="cl1"):
    """A step of registering a colleague; the dialog state says which event."""

    step: ColleagueStep
    event_id: Id


class ConsentAnswer(CallbackData, prefix="cs1"):
    agree: bool


class SubscribeChoice(CallbackData, prefix="sb1"):
    """Announcements: -1 no, -2 keep as is, 0 all cities, otherwise `city_key()` of one city."""

    NONE: ClassVar[int] = -1
    KEEP: ClassVar[int] = -2

    city: Number


class SubscribeTown(CallbackData, prefix="sbt1"):
    """After a region (`city_key()` of it): 0 for all its towns, else `city_key()` of one."""

    city: Number
    town: Number = 0


class DialogStep(StrEnum):
    use_saved = "saved"
    new_details = "new"
    confirm = "ok"
    edit = "edit"
    back = "back"
    cancel = "no"


class DialogAction(CallbackData, prefix="rd1"):
    action: DialogStep
    event_id: Id


class EditField(CallbackData, prefix="rf1"):
    """Change one answer from the summary: a profile field name or "q<index>"."""

    field: str
    event_id: Id


class MyActionKind(StrEnum):
    list = "list"
    open = "open"
    card = "card"
    ticket = "ticket"
    cancel = "cancel"
    cancel_confirmed = "cancel!"


class MyAction(CallbackData, prefix="my1"):
    action: MyActionKind
    registration_id: Id = 0


class ForgetAnswer(CallbackData, prefix="fg1"):
    confirm: bool


class ReminderActionKind(StrEnum):
    coming = "yes"
    not_coming = "no"  # asks first: a seat given away cannot be taken back
    not_coming_sure = "nosure"
    keep = "keep"
    ticket = "ticket"


class ReminderAction(CallbackData, prefix="rm1"):
    """A button on a reminder; `planned_id` names the reminder, the person comes from Telegram."""

    action: ReminderActionKind
    planned_id: Id


class FollowupActionKind(StrEnum):
    rate = "rate"
    comment = "comment"
    skip = "skip"


class FollowupAction(CallbackData, prefix="fu1"):
    """The follow-up survey: a 1–5 rating, then an optional comment."""

    action: FollowupActionKind
    event_id: Id
    rating: Number = 0


# -- the organizer area (guarded on its parent router; every handler re-checks the event) ----


class ManageActionKind(StrEnum):
    list = "list"
    open = "open"
    edit_menu = "edit"
    publish = "pub"
    close = "close"
    reopen = "reopen"
    reschedule = "move"
    cancel = "cancel"
    delete = "del"  # a draft: asks first
    delete_confirmed = "delok"
    duplicate = "dup"
    link = "link"
    attendees = "people"
    export_csv = "csv"
    export_xlsx = "xlsx"
    pass_list = "pass"  # noqa: S105 — a button, not a password
    stats = "stats"
    chart = "chart"


class ManageAction(CallbackData, prefix="om1"):
    """An action on one event from /manage; `page` is a page of the list or of attendees."""

    action: ManageActionKind
    event_id: Id = 0
    page: Number = 0


class EditEventField(CallbackData, prefix="oe1"):
    """Change one field: of a saved event (`event_id`), or of the new event's draft (0)."""

    field: str
    event_id: Id = 0


class DraftActionKind(StrEnum):
    save = "save"
    publish = "pub"
    edit = "edit"
    preview = "view"
    cancel = "no"


class DraftAction(CallbackData, prefix="od1"):
    """The preview of a new event: save as a draft, publish, edit a field, leave."""

    action: DraftActionKind


class CancelEventAnswer(CallbackData, prefix="oc1"):
    confirm: bool
    event_id: Id


class CheckInAction(CallbackData, prefix="ci1"):
    """Mark one registration as arrived; `show` only opens its ticket (an ambiguous code)."""

    registration_id: Id
    show: bool = False


class DoorActionKind(StrEnum):
    open = "open"  # start door mode for `event_id`
    undo = "undo"  # take back the check-in of `registration_id`
    close = "close"  # leave door mode


class DoorAction(CallbackData, prefix="cd1"):
    """Door mode: every ticket scanned or typed is checked in at once."""

    action: DoorActionKind
    event_id: int = 0
    registration_id: int = 0


class RoleActionKind(StrEnum):
    grant = "grant"
    revoke = "revoke"
    list = "list"


class RoleAction(CallbackData, prefix="ro1"):
    action: RoleActionKind
    person_id: Id = 0


class StatsAction(CallbackData, prefix="os1"):
    """/stats: the overview (event 0), one event's numbers, or the attendance report."""

    event_id: Id = 0
    report: bool = False


# Prefixes of the buttons above: a member pressing one (forged or stale) gets a clear refusal.
ORGANIZER_PREFIXES = ("om1", "oe1", "od1", "oc1", "ci1", "os1", "an1", "ac1", "ap1", "cd1")
ADMIN_PREFIXES = ("ro1",)


# -- announcements (organizer area; every handler re-checks the author and the audience) -----


class AnnounceStepKind(StrEnum):
    everyone = "all"
    cities = "cities"
    city = "city"
    events = "events"
    event = "event"
    segment = "seg"
    audience = "aud"  # back to the choice of audience
    send = "send"
    schedule = "sched"
    not_after = "na"
    no_not_after = "nona"
    confirm = "ok"  # confirm the scheduled time
    back = "back"  # from typing a time back to the previous screen
    cancel = "no"


class AnnounceStep(CallbackData, prefix="an1"):
    """A step of the /announce dialog; `value` is `city_key()` of a city or an event id."""

    action: AnnounceStepKind
    announcement_id: Id
    value: Id = 0
    segment: Segment | None = None


class AnnounceTown(CallbackData, prefix="an1t"):
    """/announce after a region (`city_key()` of it): 0 for the whole region, else
    `city_key()` of one of its towns."""

    announcement_id: Id
    region: Id
    town: Id = 0


class AnnouncementControlKind(StrEnum):
    stop = "stop"  # a sending one: cancel the copies not sent yet
    drop = "drop"  # a scheduled one: cancel it before it starts
    ask_drop = "ask"  # «Cancel the announcement?» first: the tap cannot be undone
    keep = "keep"  # «No, keep it»: back to the list


class AnnouncementControl(CallbackData, prefix="ac1"):
    action: AnnouncementControlKind
    announcement_id: Id


class AnnounceEvent(CallbackData, prefix="ap1"):
    """The publish hook: announce a just-published event to the subscribers of its city."""

    event_id: Id


class Unsubscribe(CallbackData, prefix="un1"):
    """The button on every announcement copy sent to subscribers."""


class Resubscribe(CallbackData, prefix="rs1"):
    """After unsubscribing from a copy: open the subscription choice again."""


class PlainModeToggle(CallbackData, prefix="pm1"):
    """Turn plain mode on or off (offered in /help and on /language's screen)."""

    on: bool
