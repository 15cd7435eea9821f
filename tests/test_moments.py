"""Moments as people say them: weekday, date, time and the zone with the Moscow offset."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n

from bot.i18n import create_i18n
from bot.views.moments import moment_text

TYUMEN = ZoneInfo("Asia/Yekaterinburg")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TYUMEN)


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return create_i18n("ru")


@pytest.fixture
def ru(i18n: I18n) -> Iterator[None]:
    with i18n.context(), i18n.use_locale("ru"):
        yield


@pytest.fixture
def en(i18n: I18n) -> Iterator[None]:
    with i18n.context(), i18n.use_locale("en"):
        yield


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TYUMEN)


@pytest.mark.usefixtures("ru")
def test_one_day_in_russian_reads_as_people_say_it() -> None:
    assert (
        moment_text(at(17, 14), at(17, 16, 30), now=NOW)
        == "четверг, 17 декабря, 14:00–16:30 по местному времени (МСК+2)"
    )


@pytest.mark.usefixtures("en")
def test_one_day_in_english_reads_as_people_say_it() -> None:
    assert (
        moment_text(at(17, 14), at(17, 16, 30), now=NOW)
        == "Thursday, December 17, 2:00–4:30 PM local time (Moscow +2)"
    )
    assert (
        moment_text(at(17, 11), at(17, 13, 30), now=NOW)
        == "Thursday, December 17, 11:00 AM–1:30 PM local time (Moscow +2)"
    )


@pytest.mark.usefixtures("ru")
def test_several_days_name_both_days() -> None:
    assert moment_text(at(17, 14), at(18, 16, 30), now=NOW) == (
        "четверг, 17 декабря, 14:00 – пятница, 18 декабря, 16:30 по местному времени (МСК+2)"
    )


@pytest.mark.usefixtures("en")
def test_several_days_in_english() -> None:
    assert moment_text(at(17, 14), at(18, 16, 30), now=NOW) == (
        "Thursday, December 17, 2:00 PM – Friday, December 18, 4:30 PM local time (Moscow +2)"
    )


@pytest.mark.usefixtures("ru")
def test_the_year_appears_only_when_it_is_not_this_one() -> None:
    assert (
        moment_text(at(17, 14, year=2027), at(17, 17, year=2027), now=NOW)
        == "пятница, 17 декабря 2027, 14:00–17:00 по местному времени (МСК+2)"
    )


@pytest.mark.usefixtures("ru")
def test_a_single_moment_and_moscow_time() -> None:
    kursk = ZoneInfo("Europe/Moscow")
    start = datetime(2026, 12, 17, 14, 0, tzinfo=kursk)
    assert moment_text(start, now=NOW) == "четверг, 17 декабря, 14:00 по московскому времени"
    kaliningrad = datetime(2026, 12, 17, 14, 0, tzinfo=ZoneInfo("Europe/Kaliningrad"))
    assert moment_text(kaliningrad, now=NOW) == (
        "четверг, 17 декабря, 14:00 по местному времени (МСК−1)"
    )


@pytest.mark.usefixtures("en")
def test_moscow_time_in_english() -> None:
    start = datetime(2026, 12, 17, 14, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    assert moment_text(start, now=NOW) == "Thursday, December 17, 2:00 PM Moscow time"


@pytest.mark.usefixtures("ru")
def test_a_moment_stored_in_utc_is_shown_in_the_event_zone() -> None:
    start = datetime(2026, 12, 17, 9, 0, tzinfo=ZoneInfo("UTC"))
    end = datetime(2026, 12, 17, 11, 30, tzinfo=ZoneInfo("UTC"))
    assert moment_text(start, end, zone="Asia/Omsk", now=NOW) == (
        "четверг, 17 декабря, 15:00–17:30 по местному времени (МСК+3)"
    )
