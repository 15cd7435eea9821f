"""Dialog states; their data lives in the SQLite FSM storage and survives restarts."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from pydantic import BaseModel, Field


class Onboarding(StatesGroup):
    choosing_language = State()


# The name stored with each dialog since before the rename: dialogs in progress survive it.
_REGISTRATION_FORM = "Registration"


class RegistrationForm(StatesGroup):
    """Signing up for an event (not `db.registrations.Registration`, the record it makes);
    the answers so far are a `RegistrationDraft` in the data."""

    consent = State(group_name=_REGISTRATION_FORM)
    subscription = State(group_name=_REGISTRATION_FORM)
    saved_profile = State(group_name=_REGISTRATION_FORM)
    answering = State(group_name=_REGISTRATION_FORM)
    summary = State(group_name=_REGISTRATION_FORM)


PROFILE_STEPS = ("full_name", "organization", "position", "phone", "email")


class RegistrationDraft(BaseModel):
    """The registration dialog's data, kept in the FSM storage so it survives a restart."""

    event_id: int
    step: str = PROFILE_STEPS[0]  # a profile field, or "q<index>" of a custom question
    editing: bool = False  # one answer is being changed from the summary: go back there next
    full_name: str | None = None
    organization: str | None = None
    position: str | None = None
    phone: str | None = None
    email: str | None = None
    answers: dict[str, str] = Field(default_factory=dict)
    companions: int = 0  # 1: «Register with a companion» was chosen on the card


class ColleagueForm(StatesGroup):
    """Registering a colleague who is not on Telegram; the data holds a `ColleagueDraft`."""

    consent = State()
    name = State()
    phone = State()
    summary = State()


class ColleagueDraft(BaseModel):
    event_id: int
    name: str | None = None
    phone: str | None = None  # E.164


class Followup(StatesGroup):
    """The optional comment after a follow-up rating; the data holds a `FollowupDraft`."""

    comment = State()


class FollowupDraft(BaseModel):
    event_id: int


class EventEditor(StatesGroup):
    """Creating or editing an event; the draft is an `event_editor.EventDraft` in the data."""

    answering = State()
    preview = State()


class EventCancellation(StatesGroup):
    """Cancelling an event: the reason is asked, then confirmed."""

    reason = State()
    confirm = State()


class DoorMode(StatesGroup):
    """Door mode: every code or scanned ticket is checked in at once; data: `door_event_id`."""

    open = State()


class OrganizerRoles(StatesGroup):
    """/organizers: waiting for a forwarded message, a contact or an id."""

    person = State()


class Announce(StatesGroup):
    """/announce: the message, the audience, the preview, a send time; data: `AnnounceDraft`."""

    composing = State()
    choosing = State()  # audience menus and the preview: buttons only
    send_time = State()
    not_after = State()
    confirming = State()  # a scheduled time is shown for confirmation


class AnnounceDraft(BaseModel):
    """The dialog's data: which draft row, and the times typed so far (UTC seconds)."""

    announcement_id: int = 0
    send_at: float | None = None
    not_after: float | None = None
    album: str | None = None  # a refused album: its other parts are not refused again
