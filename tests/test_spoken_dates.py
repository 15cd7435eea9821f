"""Dates as people type them, read in the event's zone relative to a given now."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.spoken_dates import DateProblem, Reason, Spoken, read_end, read_moment

TYUMEN = "Asia/Yekaterinburg"
TZ = ZoneInfo(TYUMEN)
# Friday, 27 November 2026, 10:00 in Tyumen.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("typed", "start"),
    [
        ("17 декабря 14:00", at(2026, 12, 17, 14, 0)),
        ("17 дек в 14", at(2026, 12, 17, 14, 0)),
        ("17 дек. в 14:30", at(2026, 12, 17, 14, 30)),
        ("17 декабря в 14 ч", at(2026, 12, 17, 14, 0)),
        ("завтра в 14:00", at(2026, 11, 28, 14, 0)),
        ("завтра в 14", at(2026, 11, 28, 14, 0)),
        ("послезавтра 9:30", at(2026, 11, 29, 9, 30)),
        ("в пятницу 10:00", at(2026, 12, 4, 10, 0)),
        ("в понедельник в 18", at(2026, 11, 30, 18, 0)),
        ("17 апреля 2027 14:00", at(2027, 4, 17, 14, 0)),
        ("10 марта 11:00", at(2027, 3, 10, 11, 0)),
        ("December 17 2pm", at(2026, 12, 17, 14, 0)),
        ("Dec 17 at 14:00", at(2026, 12, 17, 14, 0)),
        ("tomorrow at 14:00", at(2026, 11, 28, 14, 0)),
        ("tomorrow at 9", at(2026, 11, 28, 9, 0)),
        ("17.12 14:00", at(2026, 12, 17, 14, 0)),
        ("17.12.2027 14:00", at(2027, 12, 17, 14, 0)),
        ("17.12.27, 14.00", at(2027, 12, 17, 14, 0)),
        ("2027-04-17 14:00", at(2027, 4, 17, 14, 0)),
        ("01.03 09:00", at(2027, 3, 1, 9, 0)),
        ("29.02 12:00", at(2028, 2, 29, 12, 0)),
    ],
)
def test_every_listed_form_reads_as_an_aware_moment_in_the_event_zone(
    typed: str, start: datetime
) -> None:
    reading = read_moment(typed, TYUMEN, NOW)
    assert reading == Spoken(start)
    assert isinstance(reading, Spoken)
    assert reading.start.tzinfo is not None
    assert reading.start.utcoffset() == start.utcoffset()


def test_the_same_words_mean_another_instant_in_another_zone() -> None:
    omsk = read_moment("17 декабря 14:00", "Asia/Omsk", NOW)
    tyumen = read_moment("17 декабря 14:00", TYUMEN, NOW)
    assert isinstance(omsk, Spoken)
    assert isinstance(tyumen, Spoken)
    assert (tyumen.start - omsk.start).total_seconds() == 3600


def test_now_in_utc_is_read_in_the_event_zone() -> None:
    # 23:30 UTC on the 27th is already the 28th in Tyumen: «завтра» is the 29th there.
    late = datetime(2026, 11, 27, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert read_moment("завтра в 14:00", TYUMEN, late) == Spoken(at(2026, 11, 29, 14, 0))


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        ("17 декабря 14:00–17:00", at(2026, 12, 17, 14, 0), at(2026, 12, 17, 17, 0)),
        ("17.12 14:00-16:30", at(2026, 12, 17, 14, 0), at(2026, 12, 17, 16, 30)),
        ("завтра с 10 до 12:30", at(2026, 11, 28, 10, 0), at(2026, 11, 28, 12, 30)),
        ("December 17 from 14:00 to 17:00", at(2026, 12, 17, 14, 0), at(2026, 12, 17, 17, 0)),
        ("2027-04-17 14:00 — 17:00", at(2027, 4, 17, 14, 0), at(2027, 4, 17, 17, 0)),
    ],
)
def test_a_range_gives_start_and_end(typed: str, start: datetime, end: datetime) -> None:
    assert read_moment(typed, TYUMEN, NOW) == Spoken(start, end)


def test_a_time_range_alone_falls_on_the_given_day() -> None:
    reading = read_moment("14:00–17:00", TYUMEN, NOW, day=date(2026, 12, 17))
    assert reading == Spoken(at(2026, 12, 17, 14, 0), at(2026, 12, 17, 17, 0))


@pytest.mark.parametrize(
    ("typed", "month", "days"),
    [
        ("30 февраля 14:00", 2, 29),
        ("31 апреля в 10", 4, 30),
        ("February 30 2pm", 2, 29),
        ("30.02 14:00", 2, 29),
        ("31.11.2027 10:00", 11, 30),
        ("30.02", 2, 29),
    ],
)
def test_a_day_the_month_does_not_have_is_refused_saying_how_many_days_it_has(
    typed: str, month: int, days: int
) -> None:
    assert read_moment(typed, TYUMEN, NOW) == DateProblem(
        Reason.no_such_date, month=month, days_in_month=days
    )


@pytest.mark.parametrize("typed", ["17 декабря", "завтра", "December 17", "17.12", "в пятницу"])
def test_a_day_without_a_time_asks_for_the_time(typed: str) -> None:
    assert read_moment(typed, TYUMEN, NOW) == DateProblem(Reason.no_time)


@pytest.mark.parametrize("typed", ["14:00", "в 14", "14:00–17:00"])
def test_a_time_without_a_day_asks_for_the_day(typed: str) -> None:
    assert read_moment(typed, TYUMEN, NOW) == DateProblem(Reason.no_date)


@pytest.mark.parametrize(
    ("typed", "moment"),
    [
        ("сегодня в 9:00", at(2026, 11, 27, 9, 0)),
        ("17.04.2026 14:00", at(2026, 4, 17, 14, 0)),
        ("1 марта 2026 12:00", at(2026, 3, 1, 12, 0)),
    ],
)
def test_a_moment_already_gone_is_refused_as_past(typed: str, moment: datetime) -> None:
    assert read_moment(typed, TYUMEN, NOW) == DateProblem(Reason.past, moment=moment)


@pytest.mark.parametrize(
    "typed", ["", "   ", "мусор", "когда-нибудь потом", "25:00 завтра", "17.13 14:00", "🎉"]
)
def test_unreadable_text_is_refused_as_unreadable(typed: str) -> None:
    assert read_moment(typed, TYUMEN, NOW) == DateProblem(Reason.unreadable)


def test_a_range_ending_before_it_starts_is_refused() -> None:
    reading = read_moment("17 декабря 17:00–14:00", TYUMEN, NOW)
    assert reading == DateProblem(Reason.end_before_start, moment=at(2026, 12, 17, 17, 0))


def test_a_year_too_far_ahead_is_refused() -> None:
    reading = read_moment("17.12.2035 14:00", TYUMEN, NOW)
    assert reading == DateProblem(Reason.too_far, moment=at(2035, 12, 17, 14, 0))


def test_the_end_is_a_time_on_the_start_day_or_a_full_moment() -> None:
    start = at(2026, 12, 17, 14, 0)
    assert read_end("17:00", start) == at(2026, 12, 17, 17, 0)
    assert read_end("до 16:30", start) == at(2026, 12, 17, 16, 30)
    assert read_end("18 декабря 12:00", start) == at(2026, 12, 18, 12, 0)
    assert read_end("12:00", start) == DateProblem(Reason.end_before_start, moment=start)
    assert read_end("чепуха", start) == DateProblem(Reason.unreadable)
