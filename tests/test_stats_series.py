"""The registrations chart's data: series named for what they count, axis dates that differ."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.stats import DAY, date_format, series
from db.organizer import RegistrationTimes
from db.registrations import RegistrationStatus

START = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Yekaterinburg")).timestamp()


def test_a_one_seat_event_counts_confirmed_and_waitlisted_apart() -> None:
    times = [
        RegistrationTimes(START, None, RegistrationStatus.confirmed),
        RegistrationTimes(START + 60, None, RegistrationStatus.waitlisted),
        RegistrationTimes(START + 120, None, RegistrationStatus.waitlisted),
        RegistrationTimes(START + 180, START + 240, RegistrationStatus.cancelled),
    ]
    data = series(times)
    assert data.confirmed[-1] == 1  # not 3: the waitlist holds no seat
    assert data.waitlisted[-1] == 2
    assert data.total == [1, 2, 3, 4]


def test_axis_labels_carry_the_hour_within_a_short_span() -> None:
    same_day = [
        datetime.fromtimestamp(START + hours * 3600).strftime(date_format(5 * 3600))
        for hours in range(0, 6, 2)
    ]
    assert len(set(same_day)) == 3  # not «27.11» three times
    assert date_format(10 * DAY) == "%d.%m"
    days = {
        (datetime(2026, 11, 1) + timedelta(days=n)).strftime(date_format(10 * DAY))
        for n in range(3)
    }
    assert len(days) == 3
