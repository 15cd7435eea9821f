"""Formatting shared by the views: dates in the event's zone, limits, names of kinds."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import escape, unescape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from babel.dates import format_date, format_time

from bot.i18n import N_, _

# Re-exported: the views have always taken these from here.
from bot.labels import BUTTON_TEXT_LIMIT as BUTTON_TEXT_LIMIT
from bot.labels import button_text as button_text
from bot.labels import shorten as shorten
from bot.labels import utf16_len as utf16_len
from bot.services.places import in_place
from bot.views.moments import moment_text
from db.events import Event, EventKind, EventStatus

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

KIND_NAMES: dict[EventKind, str] = {
    EventKind.round_table: N_("Round table"),
    EventKind.seminar: N_("Seminar"),
    EventKind.meeting: N_("Meeting"),
    EventKind.strategic_session: N_("Strategic session"),
    EventKind.conference: N_("Conference"),
    EventKind.other: N_("Event"),
}


def locale() -> str:
    """The language of the update being handled (set by the i18n middleware)."""
    return I18n.get_current(no_error=False).current_locale


def kind_name(kind: EventKind) -> str:
    return _(KIND_NAMES[kind])


def utc_offset(moment: datetime) -> str:
    """ "UTC+5", "UTC+5:30", "UTC-3", "UTC" — the way people in Russia name zones."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local(timestamp: float, timezone: str) -> datetime:
    return datetime.fromtimestamp(timestamp, ZoneInfo(timezone))


def when(event: Event, now: float) -> str:
    """The event's time as people say it, in its own zone: «среда, 2 декабря, 14:00–17:00 по
    местному времени (МСК+2)» (`moment_text`, the one form everywhere)."""
    return moment_text(
        local(event.starts_at, event.timezone),
        local(event.ends_at, event.timezone),
        now=local(now, event.timezone),
    )


def when_short(event: Event, now: float) -> str:
    """«среда, 2 декабря, 14:00, Тюмень» for lists: the weekday stays, the zone is on the card."""
    today = local(now, event.timezone)
    start = local(event.starts_at, event.timezone)
    pattern = "EEEE, d MMMM" if start.year == today.year else "EEEE, d MMMM y"
    if locale() == "en":
        pattern = "EEEE, MMMM d" if start.year == today.year else "EEEE, MMMM d, y"
    day = format_date(start, pattern, locale=locale())
    clock = format_time(start, "h:mm a" if locale() == "en" else "HH:mm", locale=locale())
    return f"{day}, {clock}, {escape(event.city)}"


def moment_in(timestamp: float, timezone: str, now: float, place: str | None = None) -> str:
    """One moment in a zone, e.g. a deadline: «пятница, 27 ноября, 14:00 по местному времени
    (МСК+2)». `place` is kept for the callers' sake: the zone is named by its Moscow offset."""
    return moment_text(local(timestamp, timezone), now=local(now, timezone))


def escaped_within(text: str, budget: int) -> str:
    """Escape plain text for HTML so that what people see of it fits `budget` units.

    Telegram counts its limits on the visible text, after entities are parsed: «&lt;» is
    one character there, so the cut is made on the plain text, not on the escaped result.
    """
    if budget <= 1:
        return ""
    return escape(shorten(text, budget))


_TAG = re.compile(r"<[^>]*>")


def visible_len(html_text: str) -> int:
    """The length Telegram counts for an HTML message: its text without tags and escapes."""
    return utf16_len(unescape(_TAG.sub("", html_text)))


def in_city(city: str) -> str:
    """«в Тюмени» / "in Tyumen": a city after "events", declined in Russian, escaped."""
    if locale() == "en":
        return escape(f"in {city}")
    return escape(in_place(city))


def status_banner(event: Event) -> str | None:
    if event.status == EventStatus.cancelled:
        if event.cancel_reason:
            return _("❌ The event is cancelled: {reason}").format(
                reason=escape(event.cancel_reason)
            )
        return _("❌ The event is cancelled.")
    if event.status == EventStatus.finished:
        return _("The event has taken place.")
    return None


def pick_label(number: int, event: Event) -> str:
    """A whole, short button for a numbered list whose titles are in the message: «1. 2 дек.»."""
    day = format_date(local(event.starts_at, event.timezone), "d MMM", locale=locale())
    return f"{number}. {day}"
