"""The event editor without Telegram: date parsing, every validation rule, the step machine."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services import event_editor as editor
from bot.services import moments, validation
from bot.services.event_editor import Choice, EventDraft, Reply
from bot.services.problems import InvalidInput, Problem
from db.events import EventFormat, EventKind
from tests.conftest import NOW

OMSK = ZoneInfo("Asia/Omsk")
NOW_TS = NOW.timestamp()  # 2026-11-22 09:00 UTC = 15:00 in Omsk


def problem_of(call: object, *args: object) -> Problem:
    with pytest.raises(InvalidInput) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17.04.2027 14:00", datetime(2027, 4, 17, 14, 0, tzinfo=OMSK)),
        ("2027-04-17 14:00", datetime(2027, 4, 17, 14, 0, tzinfo=OMSK)),
        ("17.04 14:00", datetime(2027, 4, 17, 14, 0, tzinfo=OMSK)),  # April 2026 is long gone
        ("17.04.27, 14.00", datetime(2027, 4, 17, 14, 0, tzinfo=OMSK)),
        ("1.12 в 9:30", datetime(2026, 12, 1, 9, 30, tzinfo=OMSK)),
        ("22.11 16:00", datetime(2026, 11, 22, 16, 0, tzinfo=OMSK)),  # later today
    ],
)
def test_start_formats(text: str, expected: datetime) -> None:
    assert moments.parse_future(text, "Asia/Omsk", NOW_TS) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("завтра в два", Problem.date_format),
        ("17.04", Problem.date_format),
        ("14:00", Problem.date_format),
        ("31.02.2027 10:00", Problem.date_invalid),
        ("17.13.2027 10:00", Problem.date_invalid),
        ("17.04.2027 25:00", Problem.date_invalid),
        ("17.04.2026 14:00", Problem.past),  # an explicit year in the past
        ("22.11 14:00", Problem.past),  # an hour ago in Omsk: a typo, not next year
        ("20.11 10:00", Problem.past),  # two days ago: not rolled into next year either
        ("17.04.2031 14:00", Problem.too_far),
    ],
)
def test_start_refusals(text: str, problem: Problem) -> None:
    assert problem_of(moments.parse_future, text, "Asia/Omsk", NOW_TS) == problem


def test_past_refusal_names_the_moment() -> None:
    with pytest.raises(InvalidInput) as caught:
        moments.parse_future("17.04.2026 14:00", "Asia/Omsk", NOW_TS)
    assert caught.value.details["moment"] == datetime(2026, 4, 17, 14, 0, tzinfo=OMSK)


def test_end_is_a_time_on_the_day_or_a_full_moment() -> None:
    start = datetime(2027, 4, 17, 14, 0, tzinfo=OMSK)
    assert moments.parse_end("17:00", start, "Asia/Omsk") == start.replace(hour=17)
    assert moments.parse_end("до 17.30", start, "Asia/Omsk") == start.replace(hour=17, minute=30)
    assert moments.parse_end("18.04 12:00", start, "Asia/Omsk") == datetime(
        2027, 4, 18, 12, 0, tzinfo=OMSK
    )
    assert problem_of(moments.parse_end, "13:00", start, "Asia/Omsk") == Problem.end_before_start
    assert problem_of(moments.parse_end, "14:00", start, "Asia/Omsk") == Problem.end_before_start
    assert problem_of(moments.parse_end, "в пять", start, "Asia/Omsk") == Problem.time_format
    assert problem_of(moments.parse_end, "24:30", start, "Asia/Omsk") == Problem.time_format
    assert (
        problem_of(moments.parse_end, "20.05.2027 10:00", start, "Asia/Omsk")
        == Problem.too_long_event
    )


def test_capacity_reminders_options_and_zones() -> None:
    assert editor.parse_capacity("1 000") == 1000
    assert problem_of(editor.parse_capacity, "пятьдесят") == Problem.capacity_format
    assert problem_of(editor.parse_capacity, "0") == Problem.capacity_range
    assert problem_of(editor.parse_capacity, "1000000") == Problem.capacity_range
    assert editor.parse_reminders("2, 48 24ч") == [48, 24, 2]
    assert problem_of(editor.parse_reminders, "за день") == Problem.reminders_format
    assert problem_of(editor.parse_reminders, "0") == Problem.reminders_range
    assert problem_of(editor.parse_reminders, "1 2 3 4 5 6") == Problem.reminders_range
    assert editor.parse_options("Образование\n- Здравоохранение\n\nобразование") == [
        "Образование",
        "Здравоохранение",
    ]
    assert problem_of(editor.parse_options, "Один вариант") == Problem.options_count
    assert problem_of(editor.parse_options, "А\n" + "Б" * 61) == Problem.option_too_long
    at = NOW
    assert moments.parse_zone("UTC+6 · Asia/Omsk", at) == "Asia/Omsk"
    assert moments.parse_zone("asia/omsk", at) == "Asia/Omsk"
    assert moments.parse_zone("UTC+7", at) == "Asia/Novosibirsk"
    assert moments.parse_zone("МСК+2", at) == "Asia/Yekaterinburg"
    assert problem_of(moments.parse_zone, "Mars/Olympus", at) == Problem.zone_unknown
    assert problem_of(moments.parse_zone, "где-то в Сибири", at) == Problem.zone_unknown
    assert moments.city_zone("г. Кемерово") == ("Кемерово", "Asia/Novokuznetsk")
    assert moments.city_zone("тюмень") == ("Тюмень", "Asia/Yekaterinburg")
    assert moments.city_zone("Ишим") is None


def test_text_rules() -> None:
    assert validation.clean_line("  Круглый   стол ", 50) == "Круглый стол"
    assert problem_of(validation.clean_line, "   ", 50) == Problem.empty
    assert problem_of(validation.clean_line, "x" * 51, 50) == Problem.too_long
    assert problem_of(validation.clean_line, "abc\u200bdef", 50) == Problem.control
    assert problem_of(validation.clean_line, None, 50) == Problem.not_text
    assert validation.clean_text("Первый  абзац\n\n\n\nВторой", 100) == "Первый абзац\n\nВторой"


def walk(draft: EventDraft, *replies: Reply) -> EventDraft:
    """Answer steps one after another, as the handler does."""
    for reply in replies:
        answered = editor.accept(draft, reply, NOW_TS)
        draft = answered.model_copy(update={"step": editor.step_after(draft, answered, reply)})
    return draft


def text(value: str) -> Reply:
    return Reply(text=value)


CONFIRM = Reply(choice=Choice.confirm)


def test_a_whole_dialog_in_omsk_gives_utc_times_and_the_preview_card_event() -> None:
    draft = walk(
        EventDraft(),
        text("Муниципальная поддержка НКО"),
        Reply(kind=EventKind.round_table),
        text("Обсудим меры поддержки."),
        Reply(choice=Choice.skip),
        text("Омск"),
        Reply(event_format=EventFormat.in_person),
        text("Дом НКО"),
        text("ул. Ленина 1"),
        Reply(location=(54.98, 73.37)),
        text("11.09.2027 11:00"),
        CONFIRM,
        text("14:00"),
        CONFIRM,
        Reply(choice=Choice.no_limit),
        text("10.09.2027 18:00"),
        CONFIRM,
        text("Вы выступаете?"),
        Reply(choice=Choice.options),
        text("Да\nНет"),
        Reply(choice=Choice.add_question),
        text("Ваше предложение"),
        Reply(choice=Choice.free_text),
        Reply(choice=Choice.done),
        text("48, 2"),
    )
    assert draft.step == editor.PREVIEW
    assert draft.timezone == "Asia/Omsk"
    fields = editor.event_fields(draft)
    # 11:00 in Omsk (UTC+6) is 05:00 UTC.
    assert fields["starts_at"] == datetime(2027, 9, 11, 5, 0, tzinfo=ZoneInfo("UTC")).timestamp()
    assert fields["ends_at"] - fields["starts_at"] == 3 * 3600
    assert fields["capacity"] is None
    assert fields["reminder_offsets"] == (48, 2)
    questions = fields["questions"]
    assert [q.key for q in questions] == ["q1", "q2"]
    assert questions[0].options == ("Да", "Нет")
    assert questions[0].required
    assert not questions[1].options
    assert not questions[1].required
    event = editor.preview_event(draft, NOW_TS)
    assert event.latitude == 54.98
    assert event.registration_closes_at == fields["registration_deadline"]


def test_a_region_of_several_zones_asks_which_and_back_skips_it_for_a_town() -> None:
    draft = EventDraft(step="city")
    draft = walk(draft, text("Якутия"))
    assert draft.step == "timezone"
    assert (draft.city, draft.region_code, draft.settlement_id) == (
        "Республика Саха (Якутия)",
        "14",
        None,
    )
    assert draft.timezone is None
    draft = walk(draft, text("Srednekolymsk · Moscow +8"))  # the English button
    assert draft.step == "format"
    assert draft.timezone == "Asia/Srednekolymsk"
    assert editor.previous_step(draft, "format") == "timezone"
    for typed in ("Ишим", "Ishim", "г. Ишим", "в Ишиме"):
        town = walk(EventDraft(step="city"), text(typed))
        assert (town.city, town.region_code, town.settlement_id) == ("Ишим", "72", "72-ishim")
        assert town.step == "format"
        assert town.timezone == "Asia/Yekaterinburg"
        assert editor.previous_step(town, "format") == "city"
    # A town the list lacks, named with its region: the region's zone, the name as typed.
    other = walk(EventDraft(step="city"), text("Голышманово, Тюменская обл."))
    assert (other.city, other.region_code, other.settlement_id) == ("Голышманово", "72", None)
    assert other.timezone == "Asia/Yekaterinburg"
    with pytest.raises(InvalidInput) as caught:
        walk(EventDraft(step="city"), text("Атлантида"))
    assert caught.value.problem == Problem.place_unknown
    assert editor.previous_step(EventDraft(), "title") is None


def test_deadline_after_the_start_is_refused() -> None:
    draft = EventDraft(
        step="deadline",
        timezone="Asia/Omsk",
        starts_local="2027-04-17T14:00",
        ends_local="2027-04-17T17:00",
    )
    with pytest.raises(InvalidInput) as caught:
        editor.accept(draft, text("17.04.2027 15:00"), NOW_TS)
    assert caught.value.problem == Problem.deadline_after_start
    # A time alone falls on the start's day; it is echoed back, then stored.
    read = walk(draft, text("до 12:00"))
    assert (read.step, read.pending_local, read.deadline_local) == (
        "deadline",
        "2027-04-17T12:00",
        None,
    )
    stored = walk(read, CONFIRM)
    assert (stored.step, stored.deadline_local, stored.pending_local) == (
        "questions",
        "2027-04-17T12:00",
        None,
    )
    until_start = editor.accept(draft, Reply(choice=Choice.same_as_start), NOW_TS)
    assert until_start.deadline_local is None


def test_keep_needs_a_value_and_questions_have_limits() -> None:
    with pytest.raises(InvalidInput) as caught:
        editor.accept(EventDraft(step="venue"), Reply(choice=Choice.keep), NOW_TS)
    assert caught.value.problem == Problem.nothing_to_keep
    kept = editor.accept(EventDraft(step="venue", venue="Дом НКО"), Reply(choice=Choice.keep), 0)
    assert kept.venue == "Дом НКО"
    with pytest.raises(InvalidInput) as caught:
        editor.accept(EventDraft(step="questions"), Reply(choice=Choice.remove_question), 0)
    assert caught.value.problem == Problem.nothing_to_remove
    full = EventDraft(
        step="questions",
        questions=[editor.QuestionDraft(key=f"q{n}", text=f"Вопрос {n}") for n in range(10)],
    )
    with pytest.raises(InvalidInput) as caught:
        editor.accept(full, text("Ещё вопрос"), 0)
    assert caught.value.problem == Problem.too_many_questions
    with pytest.raises(InvalidInput) as caught:
        editor.accept(EventDraft(step="kind"), text("Вечеринка"), 0)
    assert caught.value.problem == Problem.kind_unknown
    with pytest.raises(InvalidInput) as caught:
        editor.accept(EventDraft(step="location"), text("ул. Ленина"), 0)
    assert caught.value.problem == Problem.location_expected


def test_moving_the_start_keeps_the_length_and_the_deadline_distance() -> None:
    draft = EventDraft(
        step="start",
        editing=True,
        timezone="Asia/Omsk",
        starts_local="2027-04-17T14:00",
        ends_local="2027-04-17T17:00",
        deadline_local="2027-04-16T18:00",
    )
    moved = walk(draft, text("24.04.2027 10:00"), CONFIRM)
    assert moved.step == "end"  # a new start asks for its end, prefilled
    assert moved.ends_local == "2027-04-24T13:00"
    assert moved.deadline_local == "2027-04-23T14:00"
    assert walk(moved, Reply(choice=Choice.keep)).step == editor.PREVIEW


def test_a_start_with_its_end_is_read_back_then_both_are_stored() -> None:
    draft = EventDraft(step="start", city="Омск", region_code="55", timezone="Asia/Omsk")
    read = walk(draft, text("17 апреля 2027 14:00–17:00"))
    assert read.step == "start"
    assert (read.pending_local, read.pending_end_local) == ("2027-04-17T14:00", "2027-04-17T17:00")
    assert read.starts_local is None  # nothing stored before «Да, верно»
    again = walk(read, Reply(choice=Choice.retype))
    assert (again.step, again.pending_local, again.starts_local) == ("start", None, None)
    stored = walk(read, CONFIRM)
    assert stored.step == "capacity"  # the end came with the start
    assert (stored.starts_local, stored.ends_local) == ("2027-04-17T14:00", "2027-04-17T17:00")
    with pytest.raises(InvalidInput) as caught:
        walk(draft, text("30 февраля 14:00"))
    assert caught.value.problem == Problem.no_such_date
    assert caught.value.details == {"month": 2, "days": 28}  # the next February, 2027


def test_choice_options_one_a_message_until_done() -> None:
    from bot.services.event_editor import QuestionDraft

    draft = EventDraft(
        step="question_options", pending_question=QuestionDraft(key="q1", text="Тема?")
    )
    with pytest.raises(InvalidInput) as caught:
        walk(draft, Reply(choice=Choice.done))
    assert caught.value.problem == Problem.options_count
    draft = walk(draft, text("Образование"), text("образование"), text("Демография"))
    assert draft.step == "question_options"
    assert draft.pending_question is not None
    assert draft.pending_question.options == ["Образование", "Демография"]
    done = walk(draft, Reply(choice=Choice.done))
    assert done.step == "questions"
    assert done.questions[0].options == ["Образование", "Демография"]
