"""Dates, zones and typed moments: the one place that reads a time people type, in a zone."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.services import spoken_dates
from bot.services.problems import InvalidInput, Problem
from bot.services.spoken_dates import DateProblem, Reason

# Russian cities organizers pick from, with their IANA zones (Russia keeps no summer time).
CITY_ZONES: tuple[tuple[str, str], ...] = (
    ("Москва", "Europe/Moscow"),
    ("Санкт-Петербург", "Europe/Moscow"),
    ("Курск", "Europe/Moscow"),
    ("Казань", "Europe/Moscow"),
    ("Нижний Новгород", "Europe/Moscow"),
    ("Ростов-на-Дону", "Europe/Moscow"),
    ("Калининград", "Europe/Kaliningrad"),
    ("Самара", "Europe/Samara"),
    ("Волгоград", "Europe/Volgograd"),
    ("Екатеринбург", "Asia/Yekaterinburg"),
    ("Тюмень", "Asia/Yekaterinburg"),
    ("Челябинск", "Asia/Yekaterinburg"),
    ("Уфа", "Asia/Yekaterinburg"),
    ("Пермь", "Asia/Yekaterinburg"),
    ("Омск", "Asia/Omsk"),
    ("Новосибирск", "Asia/Novosibirsk"),
    ("Томск", "Asia/Tomsk"),
    ("Барнаул", "Asia/Barnaul"),
    ("Кемерово", "Asia/Novokuznetsk"),
    ("Красноярск", "Asia/Krasnoyarsk"),
    ("Иркутск", "Asia/Irkutsk"),
    ("Якутск", "Asia/Yakutsk"),
    ("Владивосток", "Asia/Vladivostok"),
    ("Хабаровск", "Asia/Vladivostok"),
    ("Магадан", "Asia/Magadan"),
    ("Петропавловск-Камчатский", "Asia/Kamchatka"),
)

# One zone per UTC offset for the "other city" list, west to east.
RUSSIAN_ZONES: tuple[str, ...] = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
)

MAX_EVENT_DAYS = 31
MAX_YEARS_AHEAD = 3
# A date typed without a year that fell this recently is a mistake, not next year's date.
RECENT_PAST_DAYS = 30
# How a local time is kept in a dialog's data: as typed, without the zone.
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


# -- zones ------------------------------------------------------------------------------------


def known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"


def city_zone(city: str) -> tuple[str, str] | None:
    """The city from the list (properly spelt) and its zone; None for a city not in it."""
    wanted = re.sub(r"^(г\.|город)\s*", "", city.strip(), flags=re.IGNORECASE).casefold()
    wanted = wanted.replace("ё", "е")
    for name, zone in CITY_ZONES:
        if name.casefold().replace("ё", "е") == wanted:
            return name, zone
    return None


def utc_offset_hours(zone: str, at: datetime) -> float:
    offset = at.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    return offset.total_seconds() / 3600


def parse_zone(text: str, at: datetime) -> str:
    """An IANA zone typed or picked ("Asia/Omsk", a list label with it, "UTC+6", "+6")."""
    found = re.search(r"[A-Za-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?", text)
    if found:
        for candidate in (found.group(0), found.group(0).title()):
            if known_zone(candidate):
                return candidate
        raise InvalidInput(Problem.zone_unknown)
    offset = re.fullmatch(r"\s*(?:UTC|GMT|МСК)?\s*([+-])\s*(\d{1,2})\s*", text, re.IGNORECASE)
    if offset:
        hours = int(offset.group(2)) * (1 if offset.group(1) == "+" else -1)
        if text.strip().upper().startswith("МСК"):
            hours += 3
        for zone in RUSSIAN_ZONES:
            if utc_offset_hours(zone, at) == hours:
                return zone
    raise InvalidInput(Problem.zone_unknown)


# -- typed moments ---------------------------------------------------------------------------

_DATE = (
    r"(?:(?P<day>\d{1,2})[./](?P<month>\d{1,2})(?:[./](?P<year>\d{4}|\d{2}))?"
    r"|(?P<iso_year>\d{4})-(?P<iso_month>\d{1,2})-(?P<iso_day>\d{1,2}))"
)
_TIME = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
DATE_TIME = re.compile(rf"^\s*{_DATE}(?:\s*,\s*|\s+(?:в|at)\s+|\s+|T){_TIME}\s*$", re.IGNORECASE)
TIME_ONLY = re.compile(rf"^\s*(?:до\s+|to\s+|until\s+)?{_TIME}\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Typed:
    """A date and time as typed; the year may be missing."""

    year: int | None
    month: int
    day: int
    hour: int
    minute: int


def parse_typed(text: str) -> Typed:
    """«17.04 14:00», «17.04.2027 14:00», «2027-04-17 14:00» (and «17.04.27, 14.00»)."""
    match = DATE_TIME.match(text)
    if match is None:
        raise InvalidInput(Problem.date_format)
    # The same groups as spoken_dates' own numeric pattern, read the same way.
    year, month, day = spoken_dates.numeric_date(match)
    return Typed(year, month, day, int(match["hour"]), int(match["minute"]))


def _moment(zone: str, year: int, typed: Typed) -> datetime:
    try:
        return datetime(
            year, typed.month, typed.day, typed.hour, typed.minute, tzinfo=ZoneInfo(zone)
        )
    except ValueError as error:
        raise InvalidInput(Problem.date_invalid) from error


def parse_future(text: str, zone: str, now: float) -> datetime:
    """A moment in the event's zone that is still ahead.

    Without a year it is this year's date, or next year's when this year's is long gone; a
    date that passed within the last month is refused as past (most likely a typo).
    """
    typed = parse_typed(text)
    current = datetime.fromtimestamp(now, ZoneInfo(zone))
    moment = _moment(zone, typed.year or current.year, typed)
    if moment.timestamp() <= now:
        recent = now - moment.timestamp() <= RECENT_PAST_DAYS * 86400
        if typed.year is not None or recent:
            raise InvalidInput(Problem.past, moment=moment)
        moment = _moment(zone, current.year + 1, typed)
    if moment.year > current.year + MAX_YEARS_AHEAD:
        raise InvalidInput(Problem.too_far, years=MAX_YEARS_AHEAD)
    return moment


def parse_end(text: str, start: datetime, zone: str) -> datetime:
    """The end: a time on the start's day («17:00»), or a full date and time."""
    only_time = TIME_ONLY.match(text)
    if only_time:
        hour, minute = int(only_time["hour"]), int(only_time["minute"])
        if hour > 23 or minute > 59:
            raise InvalidInput(Problem.time_format)
        end = start.replace(hour=hour, minute=minute)
    else:
        try:
            typed = parse_typed(text)
        except InvalidInput:
            raise InvalidInput(Problem.time_format) from None
        end = _moment(zone, typed.year or start.year, typed)
    if end <= start:
        raise InvalidInput(Problem.end_before_start, start=start)
    if end - start > timedelta(days=MAX_EVENT_DAYS):
        raise InvalidInput(Problem.too_long_event, days=MAX_EVENT_DAYS)
    return end


# -- dates as people type them -------------------------------------------------------------


_YEAR = re.compile(r"\d{4}|[./]\d{1,2}[./]\d{2}\b")


def refusal(problem: DateProblem, start: datetime | None = None) -> InvalidInput:
    """A date the reader did not take, as the refusal the organizer reads."""
    match problem.reason:
        case Reason.no_such_date:
            return InvalidInput(
                Problem.no_such_date, month=problem.month, days=problem.days_in_month
            )
        case Reason.no_time:
            return InvalidInput(Problem.no_time)
        case Reason.past:
            return InvalidInput(Problem.past, moment=problem.moment)
        case Reason.too_far:
            return InvalidInput(Problem.too_far, years=MAX_YEARS_AHEAD)
        case Reason.end_before_start:
            return InvalidInput(Problem.end_before_start, start=start or problem.moment)
    return InvalidInput(Problem.date_format)


def read_future(
    text: str, zone: str, now: float, *, day: date | None = None
) -> spoken_dates.Spoken:
    """What was typed for a moment still ahead, read in `zone` (spoken_dates: words in Russian
    or English, the numeric forms, a «14:00–17:00» range); InvalidInput says why not. `day` is
    the date a time alone falls on."""
    local_now = datetime.fromtimestamp(now, ZoneInfo(zone))
    reading = spoken_dates.read_moment(text, zone, local_now, day=day)
    if isinstance(reading, DateProblem):
        if reading.month == 2 and not _YEAR.search(text):
            # «30 февраля» without a year means the next February: say how long that one is.
            year = local_now.year if local_now.month <= 2 else local_now.year + 1
            reading = replace(reading, days_in_month=calendar.monthrange(year, 2)[1])
        raise refusal(reading)
    return reading


# -- local times ------------------------------------------------------------------------------


def to_local(timestamp: float, zone: str) -> str:
    return datetime.fromtimestamp(timestamp, ZoneInfo(zone)).strftime(LOCAL_FORMAT)


def from_local(local: str, zone: str) -> datetime:
    return datetime.strptime(local, LOCAL_FORMAT).replace(tzinfo=ZoneInfo(zone))


def local_text(moment: datetime) -> str:
    """A moment as a dialog keeps it: its wall-clock time, the zone stored beside it."""
    return moment.strftime(LOCAL_FORMAT)
