"""The registration dialog's driver alone: what it asks next, for each thing the person settled."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.services import registration_dialog as dialog
from bot.services.problems import InvalidInput, Problem
from bot.services.registration_dialog import Ask, Reply, Stage, Standing
from bot.states import RegistrationDraft
from db.events import Question
from db.people import Profile
from tests.test_registration_input import EVENT

SAVED = Profile(
    full_name="Иванова Анна Сергеевна",
    organization="АНО «Дом НКО»",
    position=None,
    phone="+79123456789",
    email=None,
)
NEW = RegistrationDraft(event_id=EVENT.id)


@pytest.mark.parametrize(
    ("settled", "stage"),
    [
        (Standing(has_consent=False, asked_about_announcements=False, saved=None), Stage.consent),
        (
            Standing(has_consent=True, asked_about_announcements=False, saved=None),
            Stage.subscription,
        ),
        (
            Standing(has_consent=True, asked_about_announcements=True, saved=SAVED),
            Stage.saved_profile,
        ),
        (Standing(has_consent=True, asked_about_announcements=True, saved=None), Stage.answering),
    ],
)
def test_consent_then_announcements_then_saved_details_then_questions(
    settled: Standing, stage: Stage
) -> None:
    asked = dialog.opening(NEW, settled)
    assert asked.stage == stage
    assert asked.draft.event_id == EVENT.id
    assert asked.saved == settled.saved if stage == Stage.saved_profile else asked.saved is None


def test_the_first_question_is_the_name_with_the_heading() -> None:
    settled = Standing(has_consent=True, asked_about_announcements=True, saved=None)
    asked = dialog.opening(NEW.model_copy(update={"step": "email"}), settled)
    assert asked == Ask(Stage.answering, NEW, first_question=True)


def test_reusing_saved_details_goes_to_the_organizers_questions() -> None:
    asked = dialog.after_saved_choice(NEW, EVENT, SAVED, use_saved=True)
    assert (asked.stage, asked.draft.step) == (Stage.answering, "q0")
    assert asked.draft.full_name == SAVED.full_name
    without_questions = replace(EVENT, questions=())
    summary = dialog.after_saved_choice(NEW, without_questions, SAVED, use_saved=True)
    assert summary.stage == Stage.summary


def test_new_details_start_from_the_name_with_saved_values_as_suggestions() -> None:
    asked = dialog.after_saved_choice(NEW, EVENT, SAVED, use_saved=False)
    assert (asked.stage, asked.draft.step) == (Stage.answering, "full_name")
    assert asked.draft.phone == SAVED.phone


def test_an_answer_moves_on_and_a_wrong_one_names_the_problem() -> None:
    asked = dialog.reply(NEW, EVENT, Reply(text="Иванова Анна"))
    assert (asked.stage, asked.draft.step, asked.draft.full_name) == (
        Stage.answering,
        "organization",
        "Иванова Анна",
    )
    with pytest.raises(InvalidInput) as caught:
        dialog.reply(NEW, EVENT, Reply(text="Анна"))
    assert caught.value.problem == Problem.name_one_word
    with pytest.raises(InvalidInput) as skipped:
        dialog.reply(NEW, EVENT, Reply(skip=True))
    assert skipped.value.problem == Problem.required


def test_a_shared_contact_must_be_the_persons_own() -> None:
    at_phone = NEW.model_copy(update={"step": "phone", "full_name": "Иванова Анна"})
    asked = dialog.reply(at_phone, EVENT, Reply(contact=("79123456789", True)))
    assert (asked.draft.phone, asked.draft.step) == ("+79123456789", "email")
    with pytest.raises(InvalidInput) as caught:
        dialog.reply(at_phone, EVENT, Reply(contact=("79123456789", False)))
    assert caught.value.problem == Problem.foreign_contact


def test_the_last_answer_leads_to_the_summary_and_editing_ends_there() -> None:
    at_note = NEW.model_copy(update={"step": "q1", "editing": True})
    asked = dialog.reply(at_note, EVENT, Reply(text="Буду с коллегой"))
    assert asked.stage == Stage.summary
    assert asked.draft.editing is False
    assert asked.draft.answers == {"note": "Буду с коллегой"}
    edit = dialog.go_to(asked.draft, "phone", editing=True)
    assert (edit.stage, edit.draft.step, edit.draft.editing) == (Stage.answering, "phone", True)


def test_a_question_added_meanwhile_is_asked_before_confirming() -> None:
    complete = dialog.with_profile(NEW, SAVED).model_copy(
        update={"answers": {"topic": "Образование"}}
    )
    assert dialog.before_confirming(complete, EVENT) is None
    added = Question(key="diet", text="Питание?", options=("Обычное", "Вегетарианское"))
    grown = replace(EVENT, questions=(*EVENT.questions, added))
    asked = dialog.before_confirming(complete, grown)
    assert asked is not None
    assert (asked.stage, asked.draft.step) == (Stage.answering, "q2")
    nameless = dialog.before_confirming(NEW, EVENT)
    assert nameless is not None
    assert nameless.draft.step == "full_name"
