"""The registration dialog as a pure step machine: what to ask next, is an answer valid."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.labels import button_text
from bot.services import validation
from bot.services.problems import InvalidInput, Problem
from bot.services.validation import ANSWER_LIMIT
from bot.states import PROFILE_STEPS, RegistrationDraft
from db import people
from db.database import Database
from db.events import Event, Question
from db.people import Profile

SUMMARY = "summary"


def steps(event: Event) -> list[str]:
    return [*PROFILE_STEPS, *(f"q{index}" for index in range(len(event.questions)))]


def question_of(event: Event, step: str) -> Question | None:
    if not step.startswith("q") or not step[1:].isdigit():
        return None
    index = int(step[1:])
    return event.questions[index] if index < len(event.questions) else None


def is_valid_step(event: Event, step: str) -> bool:
    return step in steps(event)


def can_skip(draft: RegistrationDraft, event: Event, step: str) -> bool:
    if step in ("organization", "position", "phone"):
        return True
    if step == "email":
        return draft.phone is not None  # one way to reach the person is needed
    question = question_of(event, step)
    return question is not None and not question.required


def after_saved_profile(event: Event) -> str:
    """Where the dialog goes when the saved profile is reused: the custom questions, if any."""
    return "q0" if event.questions else SUMMARY


def next_step(draft: RegistrationDraft, event: Event) -> str:
    """The step after `draft.step` has been answered."""
    if draft.step == "phone" and draft.phone is None and draft.email is None:
        return "email"  # no phone given: the e-mail becomes the way to reach them
    if draft.editing:
        return SUMMARY
    order = steps(event)
    index = order.index(draft.step) if draft.step in order else len(order) - 1
    return order[index + 1] if index + 1 < len(order) else SUMMARY


def answer(
    draft: RegistrationDraft, event: Event, text: str | None, *, skip: bool = False
) -> RegistrationDraft:
    """The draft with the current step answered (or skipped); raises InvalidInput."""
    step = draft.step
    if skip:
        if not can_skip(draft, event, step):
            raise InvalidInput(Problem.required)
        value: str | None = None
    elif text is None:
        raise InvalidInput(Problem.not_text)
    elif step == "full_name":
        value = validation.full_name(text)
    elif step in ("organization", "position"):
        value = validation.free_text(text)
    elif step == "phone":
        value = validation.phone(text)
    elif step == "email":
        value = validation.email(text)
    else:
        value = _question_answer(event, step, text)
    if step in PROFILE_STEPS:
        return draft.model_copy(update={step: value})
    answers = dict(draft.answers)
    question = question_of(event, step)
    assert question is not None
    if value is None:
        answers.pop(question.key, None)
    else:
        answers[question.key] = value
    return draft.model_copy(update={"answers": answers})


def _question_answer(event: Event, step: str, text: str) -> str:
    question = question_of(event, step)
    if question is None:
        raise InvalidInput(Problem.required)
    value = validation.free_text(text, ANSWER_LIMIT)
    if question.is_choice:
        # A long option is shortened on its button; the shortened label counts as the option.
        wanted = value.casefold()
        chosen = next(
            (
                option
                for option in question.options
                if wanted in (option.casefold(), button_text(option).casefold())
            ),
            None,
        )
        if chosen is None:
            raise InvalidInput(Problem.choice)
        return chosen
    return value


def contact_answer(draft: RegistrationDraft, phone_number: str, own: bool) -> RegistrationDraft:
    """The phone from a shared contact: only the person's own, validated like a typed one."""
    if draft.step != "phone":
        raise InvalidInput(Problem.not_text)
    if not own:
        raise InvalidInput(Problem.foreign_contact)
    number = phone_number if phone_number.startswith("+") else "+" + phone_number
    return draft.model_copy(update={"phone": validation.phone(number)})


def profile(draft: RegistrationDraft) -> Profile | None:
    """The profile to save, or None when the draft lacks a name or a way to reach the person."""
    if not draft.full_name or not (draft.phone or draft.email):
        return None
    return Profile(
        full_name=draft.full_name,
        organization=draft.organization,
        position=draft.position,
        phone=draft.phone,
        email=draft.email,
    )


def missing_answers(draft: RegistrationDraft, event: Event) -> str | None:
    """The first step still unanswered (a required question added meanwhile), or None."""
    if profile(draft) is None:
        return "full_name" if not draft.full_name else "phone"
    for index, question in enumerate(event.questions):
        if question.required and question.key not in draft.answers:
            return f"q{index}"
    return None


def with_profile(draft: RegistrationDraft, saved: Profile) -> RegistrationDraft:
    return draft.model_copy(
        update={
            "full_name": saved.full_name,
            "organization": saved.organization,
            "position": saved.position,
            "phone": saved.phone,
            "email": saved.email,
        }
    )


# -- the driver: what the dialog asks next ----------------------------------------------------


class Stage(StrEnum):
    """Where the dialog waits; one FSM state each (`bot.states.Registration`)."""

    consent = "consent"
    subscription = "subscription"
    saved_profile = "saved_profile"
    answering = "answering"
    summary = "summary"


@dataclass(frozen=True, slots=True)
class Standing:
    """What the person settled before: consent, the announcements question, a saved profile."""

    has_consent: bool
    asked_about_announcements: bool
    saved: Profile | None


@dataclass(frozen=True, slots=True)
class Ask:
    """The next screen of the dialog: its stage and the draft kept for it."""

    stage: Stage
    draft: RegistrationDraft
    first_question: bool = False  # the first question carries the registration's heading
    saved: Profile | None = None  # offered for reuse at `Stage.saved_profile`


@dataclass(frozen=True, slots=True)
class Reply:
    """One message of the person: typed text, «Skip», or a shared contact (phone, own or not)."""

    text: str | None = None
    skip: bool = False
    contact: tuple[str, bool] | None = None


async def saved_profile(db: Database, person_id: int) -> Profile | None:
    person = await people.get(db, person_id)
    return people.profile_of(person) if person is not None else None


def opening(draft: RegistrationDraft, settled: Standing) -> Ask:
    """Before the questions: consent, then announcements, then the saved details, if any."""
    if not settled.has_consent:
        return Ask(Stage.consent, draft)
    if not settled.asked_about_announcements:
        return Ask(Stage.subscription, draft)
    if settled.saved is not None:
        return Ask(Stage.saved_profile, draft, saved=settled.saved)
    return Ask(Stage.answering, draft.model_copy(update={"step": "full_name"}), first_question=True)


def ask(draft: RegistrationDraft) -> Ask:
    """The draft's current step, or the summary once everything is answered."""
    if draft.step == SUMMARY:
        return Ask(Stage.summary, draft.model_copy(update={"editing": False}))
    return Ask(Stage.answering, draft)


def go_to(draft: RegistrationDraft, step: str, *, editing: bool = False) -> Ask:
    update: dict[str, object] = {"step": step}
    if editing:
        update["editing"] = True
    return ask(draft.model_copy(update=update))


def after_saved_choice(
    draft: RegistrationDraft, event: Event, saved: Profile | None, use_saved: bool
) -> Ask:
    """The saved details come along either way: as the answers, or as one-tap suggestions."""
    if saved is not None:
        draft = with_profile(draft, saved)
    step = after_saved_profile(event) if use_saved and saved is not None else "full_name"
    return go_to(draft, step)


def reply(draft: RegistrationDraft, event: Event, given: Reply) -> Ask:
    """The current step answered and the next one chosen; raises InvalidInput with the reason."""
    if given.contact is not None:
        phone_number, own = given.contact
        answered = contact_answer(draft, phone_number, own=own)
    else:
        answered = answer(draft, event, given.text, skip=given.skip)
    return go_to(answered, next_step(answered, event))


def before_confirming(draft: RegistrationDraft, event: Event) -> Ask | None:
    """The step still to answer before a registration can be saved (None: ready)."""
    missing = missing_answers(draft, event)
    if missing is None and profile(draft) is not None:
        return None
    return go_to(draft, missing or "full_name")
