"""Validation of what people type, and the dialog's step machine, without Telegram."""

from __future__ import annotations

import pytest

from bot.services import registration_dialog as dialog
from bot.services import validation
from bot.services.problems import InvalidInput, Problem
from bot.states import RegistrationDraft
from db.events import Event, EventKind, EventStatus, Question

EVENT = Event(
    id=1,
    slug=None,
    title="Круглый стол",
    kind=EventKind.round_table,
    description="",
    organizer_name="",
    owner_id=None,
    venue="",
    address="",
    latitude=None,
    longitude=None,
    city="Тюмень",
    timezone="Asia/Yekaterinburg",
    starts_at=0,
    ends_at=0,
    capacity=None,
    registration_deadline=None,
    questions=(
        Question(key="topic", text="Тема?", options=("Образование", "Очень " + "длинно " * 20)),
        Question(key="note", text="Комментарий", required=False),
    ),
    reminder_offsets=None,
    status=EventStatus.published,
    registration_closed=False,
    cancel_reason=None,
    created_at=0,
    updated_at=0,
)


def problem_of(call: object, *args: object, **kwargs: object) -> Problem:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Иванова Анна Сергеевна", "Иванова Анна Сергеевна"),
        ("  Анна-Мария   О'Нил ", "Анна-Мария О'Нил"),
        ("Jean-Luc Picard", "Jean-Luc Picard"),
    ],
)
def test_good_names_are_normalized(text: str, expected: str) -> None:
    assert validation.full_name(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<b>Иван</b> Петров", Problem.name_symbols),
        ("<script>alert(1)</script> Петров", Problem.name_symbols),
        ("Анна 🌸 Петрова", Problem.name_symbols),
        ("Анна Петрова 2", Problem.name_symbols),
        ("Анна", Problem.name_one_word),
        ("Я" * 1000, Problem.too_long),
        ("   ", Problem.empty),
        ("Анна\u200bПетрова Иванова", Problem.control),
    ],
)
def test_bad_names_say_why(text: str, problem: Problem) -> None:
    assert problem_of(validation.full_name, text) == problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8 912 345-67-89", "+79123456789"),
        ("+7 (912) 345 67 89", "+79123456789"),
        ("9123456789", "+79123456789"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phones_are_normalized_to_e164(text: str, expected: str) -> None:
    assert validation.phone(text) == expected
    assert validation.phone_display(expected).startswith("+")


@pytest.mark.parametrize("text", ["abc", "123", "+7 912", "8 800 000 00 0000 000"])
def test_bad_phones(text: str) -> None:
    assert problem_of(validation.phone, text) == Problem.phone


def test_emails() -> None:
    assert validation.email("Anna@Example.ORG") == "Anna@example.org"
    assert validation.email("аня@пример.рф") == "аня@пример.рф"
    for bad in ("a@", "@b.ru", "a@b", "anna at example.org"):
        assert problem_of(validation.email, bad) == Problem.email


def test_steps_go_through_profile_then_questions_then_summary() -> None:
    draft = RegistrationDraft(event_id=1)
    seen = []
    answers = {
        "full_name": "Иванова Анна",
        "organization": None,
        "position": None,
        "phone": "+79123456789",
        "email": None,
        "q0": "образование",
        "q1": None,
    }
    while draft.step != dialog.SUMMARY:
        seen.append(draft.step)
        value = answers[draft.step]
        draft = dialog.answer(draft, EVENT, value, skip=value is None)
        draft = draft.model_copy(update={"step": dialog.next_step(draft, EVENT)})
    assert seen == ["full_name", "organization", "position", "phone", "email", "q0", "q1"]
    assert draft.answers == {"topic": "Образование"}  # the option as written by organizers
    profile = dialog.profile(draft)
    assert profile is not None
    assert profile.phone == "+79123456789"
    assert dialog.missing_answers(draft, EVENT) is None


def test_without_a_phone_the_email_cannot_be_skipped() -> None:
    draft = RegistrationDraft(event_id=1, step="phone", full_name="Анна Петрова")
    draft = dialog.answer(draft, EVENT, None, skip=True)
    assert dialog.next_step(draft, EVENT) == "email"
    draft = draft.model_copy(update={"step": "email"})
    assert problem_of(dialog.answer, draft, EVENT, None, skip=True) == Problem.required
    assert dialog.profile(draft) is None


def test_editing_one_answer_returns_to_the_summary() -> None:
    draft = RegistrationDraft(event_id=1, step="position", editing=True, full_name="А Б")
    draft = dialog.answer(draft, EVENT, "Директор")
    assert dialog.next_step(draft, EVENT) == dialog.SUMMARY


def test_choice_questions_accept_only_the_options_or_their_button_labels() -> None:
    draft = RegistrationDraft(event_id=1, step="q0")
    assert problem_of(dialog.answer, draft, EVENT, "Спорт") == Problem.choice
    assert problem_of(dialog.answer, draft, EVENT, None, skip=True) == Problem.required
    from bot.views.text import button_text

    long_option = EVENT.questions[0].options[1]
    chosen = dialog.answer(draft, EVENT, button_text(long_option))
    assert chosen.answers["topic"] == long_option


def test_contact_must_be_ones_own() -> None:
    draft = RegistrationDraft(event_id=1, step="phone")
    assert problem_of(dialog.contact_answer, draft, "79123456789", False) == (
        Problem.foreign_contact
    )
    assert dialog.contact_answer(draft, "79123456789", True).phone == "+79123456789"
    assert problem_of(dialog.contact_answer, draft.model_copy(update={"step": "email"}), "7", True)


def test_missing_answers_finds_a_required_question_added_later() -> None:
    draft = RegistrationDraft(event_id=1, full_name="Анна Петрова", email="a@example.org")
    assert dialog.missing_answers(draft, EVENT) == "q0"
    assert dialog.missing_answers(RegistrationDraft(event_id=1), EVENT) == "full_name"
    assert not dialog.is_valid_step(EVENT, "q7")
    assert dialog.after_saved_profile(EVENT) == "q0"
