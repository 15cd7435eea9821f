"""Moments as people say them: «четверг, 17 декабря, 14:00–16:30 по местному времени (МСК+2)»."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from babel.dates import format_date, format_time

from bot.i18n import _
from bot.services.places import moscow_offset_of, offset_words

EN_DASH = "–"


def locale() -> str:
    # The same as `bot.views.text.locale`, which builds on this module and so cannot be imported.
    return I18n.get_current(no_error=False).current_locale


def _day(moment: datetime, lang: str, with_year: bool) -> str:
    if lang == "en":
        pattern = "EEEE, MMMM d, y" if with_year else "EEEE, MMMM d"
    else:
        # Babel's «MMMM» is the genitive in Russian dates: «17 декабря».
        pattern = "EEEE, d MMMM y" if with_year else "EEEE, d MMMM"
    return format_date(moment, pattern, locale=lang)


def _clock(moment: datetime, lang: str, *, meridiem: bool = True) -> str:
    if lang == "en":
        return format_time(moment, "h:mm a" if meridiem else "h:mm", locale=lang)
    return format_time(moment, "HH:mm", locale=lang)


def _time_span(start: datetime, end: datetime, lang: str) -> str:
    if lang == "en" and (start.hour < 12) == (end.hour < 12):
        # "2:00–4:30 PM": one AM/PM for both ends when they share it.
        return f"{_clock(start, lang, meridiem=False)}{EN_DASH}{_clock(end, lang)}"
    return f"{_clock(start, lang)}{EN_DASH}{_clock(end, lang)}"


def moment_text(
    start: datetime,
    end: datetime | None = None,
    *,
    zone: str | None = None,
    now: datetime | None = None,
) -> str:
    """Weekday, date, time and the zone in words with the Moscow offset, in the current language.

    `start`/`end` are shown in `zone` (default: start's own zone); the year appears only when
    it is not the year of `now`. One day: «четверг, 17 декабря, 14:00–16:30 по местному
    времени (МСК+2)»; several days: «четверг, 17 декабря, 14:00 – пятница, 18 декабря, 16:30
    по местному времени (МСК+2)»; in Moscow's zone: «… по московскому времени». Plain text:
    escape nothing, it holds no user input.
    """
    lang = locale()
    tz = ZoneInfo(zone) if zone else start.tzinfo
    start = start.astimezone(tz)
    end = end.astimezone(tz) if end is not None else None
    today = (now or start).astimezone(tz)
    with_year = start.year != today.year or (end is not None and end.year != today.year)

    if end is None:
        span = f"{_day(start, lang, with_year)}, {_clock(start, lang)}"
    elif end.date() == start.date():
        span = f"{_day(start, lang, with_year)}, {_time_span(start, end, lang)}"
    else:
        span = (
            f"{_day(start, lang, with_year)}, {_clock(start, lang)} {EN_DASH} "
            f"{_day(end, lang, with_year)}, {_clock(end, lang)}"
        )

    offset = moscow_offset_of(start)
    if not offset:
        return _("{span} Moscow time").format(span=span)
    return _("{span} local time ({offset})").format(span=span, offset=offset_words(offset, lang))
