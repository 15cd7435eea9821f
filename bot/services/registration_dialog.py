"""The registration dialog as a pure step machine: which question next, is an answer valid."""

from __future__ import annotations

from bot.labels import button_text
from bot.services import validation
from bot.services.validation import ANSWER_LIMIT, InvalidAnswer, Problem
from bot.states import PROFILE_STEPS, RegistrationDraft
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
    """The draft with the current step answered (or skipped); raises InvalidAnswer."""
    step = draft.step
    if skip:
        if not can_skip(draft, event, step):
            raise InvalidAnswer(Problem.required)
        value: str | None = None
    elif text is None:
        raise InvalidAnswer(Problem.not_text)
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
        raise InvalidAnswer(Problem.required)
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
            raise InvalidAnswer(Problem.choice)
        return chosen
    return value


def contact_answer(draft: RegistrationDraft, phone_number: str, own: bool) -> RegistrationDraft:
    """The phone from a shared contact: only the person's own, validated like a typed one."""
    if draft.step != "phone":
        raise InvalidAnswer(Problem.not_text)
    if not own:
        raise InvalidAnswer(Problem.foreign_contact)
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
