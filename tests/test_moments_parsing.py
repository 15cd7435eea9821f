"""Dates, zones and typed moments alone: the accepted forms, and wrong ones with the reason."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services import moments
from bot.services.problems import InvalidInput, Problem
from tests.conftest import NOW

NOW_TS = NOW.timestamp()  # 15:00 in Omsk, 12:00 in Moscow, 22 November 2026
MOSCOW = ZoneInfo("Europe/Moscow")


def refusal(text: str, zone: str = "Europe/Moscow") -> Problem:
    with pytest.raises(InvalidInput) as caught:
        moments.parse_future(text, zone, NOW_TS)
    return caught.value.problem


@pytest.mark.parametrize(
    "text",
    ["17.04.2027 14:00", "2027-04-17 14:00", "17.04 14:00", "17/04/27 14.00", "17.04 at 14:00"],
)
def test_every_numeric_form_reads_the_same_moment(text: str) -> None:
    assert moments.parse_future(text, "Europe/Moscow", NOW_TS) == datetime(
        2027, 4, 17, 14, 0, tzinfo=MOSCOW
    )


def test_the_same_words_are_another_instant_in_another_zone() -> None:
    moscow = moments.parse_future("01.12 10:00", "Europe/Moscow", NOW_TS)
    kemerovo = moments.parse_future("01.12 10:00", "Asia/Novokuznetsk", NOW_TS)
    assert moscow.timestamp() - kemerovo.timestamp() == 4 * 3600


@pytest.mark.parametrize(
    ("bad_input", "problem"),
    [
        ("в пятницу 10:00", Problem.date_format),  # words are for a later parser
        ("17.04", Problem.date_format),  # no time
        ("29.02.2027 10:00", Problem.date_invalid),  # 2027 is not a leap year
        ("22.11 11:59", Problem.past),  # a minute ago in Moscow
        ("01.01.2031 10:00", Problem.too_far),
    ],
)
def test_wrong_moments_are_refused_with_the_reason(bad_input: str, problem: Problem) -> None:
    assert refusal(bad_input) == problem


def test_a_date_long_gone_this_year_means_next_year() -> None:
    assert moments.parse_future("10.03 09:00", "Europe/Moscow", NOW_TS).year == 2027


def test_local_times_round_trip_through_the_dialog_format() -> None:
    moment = datetime(2027, 4, 17, 14, 30, tzinfo=ZoneInfo("Asia/Omsk"))
    kept = moments.local_text(moment)
    assert kept == "2027-04-17T14:30"
    assert moments.from_local(kept, "Asia/Omsk") == moment
    assert moments.to_local(moment.timestamp(), "Asia/Omsk") == kept


def test_zones_by_city_name_offset_and_iana_name() -> None:
    assert moments.city_zone("Омск") == ("Омск", "Asia/Omsk")
    assert moments.city_zone("город Курск") == ("Курск", "Europe/Moscow")
    assert moments.parse_zone("+5", NOW) == "Asia/Yekaterinburg"
    assert moments.parse_zone("Asia/Novokuznetsk", NOW) == "Asia/Novokuznetsk"
    assert moments.known_zone("UTC")
    assert not moments.known_zone("Omsk")
    assert moments.utc_offset_hours("Asia/Omsk", NOW) == 6
    with pytest.raises(InvalidInput) as caught:
        moments.parse_zone("UTC+25", NOW)
    assert caught.value.problem == Problem.zone_unknown


def test_the_end_of_an_event_past_midnight_needs_its_date() -> None:
    start = datetime(2027, 4, 17, 22, 0, tzinfo=MOSCOW)
    with pytest.raises(InvalidInput) as caught:
        moments.parse_end("01:00", start, "Europe/Moscow")
    assert caught.value.problem == Problem.end_before_start
    assert caught.value.details["start"] == start
    assert moments.parse_end("18.04 01:00", start, "Europe/Moscow") == datetime(
        2027, 4, 18, 1, 0, tzinfo=MOSCOW
    )
