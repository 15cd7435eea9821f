"""Dates as people type them: «17 дек в 14», «завтра в 14:00», "December 17 2pm", ranges."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

MAX_YEARS_AHEAD = 3


class Reason(StrEnum):
    """Why a typed date was not taken; each maps to a message saying how to fix it."""

    unreadable = "unreadable"
    no_such_date = "no_such_date"  # «30 февраля»: `month` and `days_in_month` say why
    no_time = "no_time"  # «17 декабря» without a time
    no_date = "no_date"  # «14:00» where a day is needed
    past = "past"  # `moment` is the reading, already gone
    end_before_start = "end_before_start"  # «17:00–14:00»
    too_far = "too_far"  # more than MAX_YEARS_AHEAD years ahead


@dataclass(frozen=True, slots=True)
class Spoken:
    """A reading of what was typed: an aware start in the event's zone, an end for a range."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class DateProblem:
    """A typed date the bot could not take, with what it needs to explain why."""

    reason: Reason
    moment: datetime | None = None
    month: int | None = None
    days_in_month: int | None = None


_TIME = r"\d{1,2}(?:[:.]\d{2})?"
_RANGE_DASH = re.compile(r"(?<![\d.:-])(\d{1,2}[:.]\d{2})\s*[-–—]\s*(\d{1,2}[:.]\d{2})(?![\d.:])")
_RANGE_WORDS = re.compile(
    rf"\b(?:с|from)\s+({_TIME})\s+(?:до|по|to|till|until)\s+({_TIME})(?![\d.:])", re.IGNORECASE
)
# «в 14», "at 9": an hour alone after the word, which the parser would take for a day.
_BARE_HOUR = re.compile(r"\b(в|at)\s+(\d{1,2})(?![\d:.]|\s*(?:am|pm|a\.m|p\.m))", re.IGNORECASE)
_HOUR_SUFFIX = re.compile(r"\b(\d{1,2})\s*(?:ч|час(?:а|ов)?)\b\.?", re.IGNORECASE)
_NUMERIC = re.compile(
    r"^\s*(?:(?P<day>\d{1,2})[./](?P<month>\d{1,2})(?:[./](?P<year>\d{4}|\d{2}))?"
    r"|(?P<iso_year>\d{4})-(?P<iso_month>\d{1,2})-(?P<iso_day>\d{1,2}))"
    r"(?:\s*,\s*|\s+(?:в|at)\s+|\s+|T)(?P<hour>\d{1,2})[:.](?P<minute>\d{2})\s*$",
    re.IGNORECASE,
)
_NUMERIC_DATE_ONLY = re.compile(r"^\s*\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\s*$")
# A time alone takes a colon: «17.12» is a date, not 17:12.
_TIME_ONLY = re.compile(r"^\s*(?:в|at|до|to|until)?\s*(\d{1,2}(?::\d{2})?)\s*$", re.IGNORECASE)
# A clock time in the text: dateparser's own flag misses one equal to the current time.
_CLOCK = re.compile(r"(?<![\d.:])(\d{1,2})[:.](\d{2})(?![\d.:])|\d\s*(?:am|pm|a\.m|p\.m)\b", re.I)
# Only to explain «30 февраля»: the parser answers nothing for a day a month does not have.
_MONTH_STEMS = (
    ("янв", "jan"),
    ("фев", "feb"),
    ("мар", "mar"),
    ("апр", "apr"),
    ("ма[йя]", "may"),
    ("июн", "jun"),
    ("июл", "jul"),
    ("авг", "aug"),
    ("сен", "sep"),
    ("окт", "oct"),
    ("ноя", "nov"),
    ("дек", "dec"),
)
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+([a-zа-яё]{3,})", re.IGNORECASE)
_MONTH_DAY = re.compile(r"\b([a-z]{3,})\s+(\d{1,2})\b", re.IGNORECASE)


def _clock(text: str) -> time | None:
    hour, _, minute = text.replace(".", ":").partition(":")
    if int(hour) > 23 or int(minute or 0) > 59:
        return None
    return time(int(hour), int(minute or 0))


def _month_number(word: str) -> int | None:
    word = word.casefold()
    for number, (ru, en) in enumerate(_MONTH_STEMS, start=1):
        if re.match(ru, word) or word.startswith(en):
            return number
    return None


def _impossible_day(text: str) -> DateProblem | None:
    """«30 февраля», "February 30", «31.04»: a day the month does not have, said as such."""
    candidates: list[tuple[int, int]] = []
    for day, word in _DAY_MONTH.findall(text):
        month = _month_number(word)
        if month:
            candidates.append((int(day), month))
    for word, day in _MONTH_DAY.findall(text):
        month = _month_number(word)
        if month:
            candidates.append((int(day), month))
    numeric = re.match(r"^\s*(\d{1,2})[./](\d{1,2})", text)
    if numeric and 1 <= int(numeric.group(2)) <= 12:
        candidates.append((int(numeric.group(1)), int(numeric.group(2))))
    for day, month in candidates:
        # A leap year's February is the most generous reading of «29 февраля».
        longest = calendar.monthrange(2028, month)[1]
        if day == 0 or day > longest:
            return DateProblem(Reason.no_such_date, month=month, days_in_month=longest)
    return None


@lru_cache(maxsize=1)
def _parser_class() -> Any:
    # dateparser takes a fifth of a second to import and loads its languages on first use.
    from dateparser.date import DateDataParser

    return DateDataParser


def _parse_words(text: str, local_now: datetime) -> tuple[datetime, bool] | None:
    """dateparser's reading as a naive local time, and whether the text named a time."""
    settings: dict[str, Any] = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
        "RETURN_TIME_AS_PERIOD": True,
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
    }
    parser = _parser_class()(languages=["ru", "en"], settings=settings)
    found = parser.get_date_data(text)
    if found.date_obj is None:
        return None
    return found.date_obj, found.period == "time"


def numeric_date(match: re.Match[str]) -> tuple[int | None, int, int]:
    """Year, month and day of a typed «17.04», «17.04.27» or «2027-04-17»: the year is None
    when not typed, and two digits mean this century."""
    if match["iso_year"]:
        return int(match["iso_year"]), int(match["iso_month"]), int(match["iso_day"])
    year = int(match["year"]) if match["year"] else None
    if year is not None and year < 100:
        year += 2000
    return year, int(match["month"]), int(match["day"])


def _numeric(text: str, zone: ZoneInfo, local_now: datetime) -> datetime | DateProblem | None:
    match = _NUMERIC.match(text)
    if match is None:
        return None
    year, month, day = numeric_date(match)
    clock = _clock(f"{match['hour']}:{match['minute']}")
    if clock is None or not 1 <= month <= 12:
        return DateProblem(Reason.unreadable)
    if not 1 <= day <= calendar.monthrange(year or 2028, month)[1]:
        return DateProblem(
            Reason.no_such_date,
            month=month,
            days_in_month=calendar.monthrange(year or 2028, month)[1],
        )
    candidate_year = year or local_now.year
    while True:
        try:
            moment = datetime.combine(date(candidate_year, month, day), clock, zone)
        except ValueError:  # 29 February in a common year: the next leap year has it
            candidate_year += 1
            continue
        if year is not None or moment > local_now:
            return moment
        candidate_year += 1


def _split_range(text: str) -> tuple[str, time | None] | DateProblem:
    """The text with a «14:00–17:00» range cut to its start, and the end's clock time."""
    for pattern in (_RANGE_DASH, _RANGE_WORDS):
        found = pattern.search(text)
        if found:
            start, end = _clock(found.group(1)), _clock(found.group(2))
            if start is None or end is None:
                return DateProblem(Reason.unreadable)
            replaced = f"{text[: found.start()]}{start:%H:%M}{text[found.end() :]}"
            return replaced.strip(), end
    return text, None


def _prepare(text: str) -> str:
    text = " ".join(text.replace("\u00a0", " ").split())
    text = _HOUR_SUFFIX.sub(lambda m: f"{m.group(1)}:00", text)
    return _BARE_HOUR.sub(lambda m: f"{m.group(1)} {m.group(2)}:00", text)


def read_moment(
    text: str, zone: str, now: datetime, *, day: date | None = None
) -> Spoken | DateProblem:
    """What an organizer typed for an event's start, read in the event's zone.

    Russian and English words («17 декабря 14:00», «17 дек в 14», «завтра в 14:00», «в пятницу
    10:00», "December 17 2pm", "tomorrow at 14:00"), the numeric forms («17.12 14:00»,
    «17.12.2027 14:00», «2027-04-17 14:00») and a range («17 декабря 14:00–17:00»). A date
    without a year is the next one to come. `day` is the date a time alone («14:00», «до
    17:00») falls on, e.g. the start's day when asking for the end; without it a time alone is
    `Reason.no_date`.
    """
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    split = _split_range(_prepare(text))
    if isinstance(split, DateProblem):
        return split
    body, end_clock = split
    # «25:00» is no time at all; a dotted «30.02» may be a date, judged later.
    clocks = [m for m in _CLOCK.finditer(body) if m.group(1) and ":" in m.group(0)]
    if not body or any(_clock(f"{m.group(1)}:{m.group(2)}") is None for m in clocks):
        return DateProblem(Reason.unreadable)

    start: datetime | DateProblem | None
    only_time = _TIME_ONLY.match(body)
    if only_time:
        clock = _clock(only_time.group(1))
        if clock is None:
            return DateProblem(Reason.unreadable)
        if day is None:
            return DateProblem(Reason.no_date)
        start = datetime.combine(day, clock, tz)
    elif _NUMERIC_DATE_ONLY.match(body):
        start = _impossible_day(body) or DateProblem(Reason.no_time)
    else:
        start = _numeric(body, tz, local_now)
        if start is None:
            start = _from_words(body, tz, local_now)
    if isinstance(start, DateProblem):
        return start

    end = None
    if end_clock is not None:
        end = datetime.combine(start.date(), end_clock, tz)
        if end <= start:
            return DateProblem(Reason.end_before_start, moment=start)
    if start <= local_now:
        return DateProblem(Reason.past, moment=start)
    if start.year > local_now.year + MAX_YEARS_AHEAD:
        return DateProblem(Reason.too_far, moment=start)
    return Spoken(start, end)


def _from_words(body: str, tz: ZoneInfo, local_now: datetime) -> datetime | DateProblem:
    impossible = _impossible_day(body)
    if impossible:
        return impossible
    parsed = _parse_words(body, local_now)
    if parsed is None:
        return DateProblem(Reason.unreadable)
    naive, has_time = parsed
    if not (has_time or _CLOCK.search(body)):
        return DateProblem(Reason.no_time)
    return naive.replace(second=0, microsecond=0, tzinfo=tz)


def read_end(text: str, start: datetime) -> datetime | DateProblem:
    """The end typed after the start: «17:00», «до 17:00» on the start's day, or a full date."""
    reading = read_moment(text, str(start.tzinfo), start - timedelta(minutes=1), day=start.date())
    if isinstance(reading, DateProblem):
        if reading.reason is Reason.past:
            return DateProblem(Reason.end_before_start, moment=start)
        return reading
    if reading.start <= start:
        return DateProblem(Reason.end_before_start, moment=start)
    return reading.start
