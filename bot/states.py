"""Dialog states; their data lives in the SQLite FSM storage and survives restarts."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from pydantic import BaseModel, Field


class Onboarding(StatesGroup):
    choosing_language = State()


class Registration(StatesGroup):
    """Signing up for an event; the answers so far are a `RegistrationDraft` in the data."""

    consent = State()
    subscription = State()
    saved_profile = State()
    answering = State()
    summary = State()


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
