"""Calendar files: one `.ics` per event whose re-import updates it, and one that cancels it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Timezone, vCalAddress, vText
from icalendar import Event as CalendarEvent

from bot.deeplinks import link
from db.events import Event, EventStatus

PRODID = "-//NGO Events Bot//Telegram//RU"
ALARM_BEFORE = timedelta(hours=1)


def event_uid(event: Event, bot_username: str) -> str:
    # One UID per event, not per download: calendars match on it and update the entry.
    return f"event-{event.id}@{bot_username or 'ngo-events-bot'}.t.me"


@lru_cache(maxsize=64)
def _vtimezone(zone: str, first_year: int, last_year: int) -> Timezone:
    # Building a VTIMEZONE walks the zone's transitions and takes tens of milliseconds;
    # events in one zone and year share it. Only the years around the event are covered:
    # the zone's full history would bloat the file.
    return Timezone.from_tzinfo(
        ZoneInfo(zone), first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )


def ics_filename(event: Event) -> str:
    return f"event-{event.id}.ics"


def event_sequence(event: Event) -> int:
    """The revision a calendar compares: whole seconds from the event's creation to its last
    change. `updated_at` only grows, so every change notice's file outranks the one before and
    needs no counter in the database (two changes within one second share a number)."""
    return max(int(event.updated_at - event.created_at), 0)


def event_ics(
    event: Event,
    *,
    bot_username: str,
    now: float,
    alarm_text: str,
    ticket_code: str | None = None,
    join_url: str | None = None,
) -> bytes:
    """An iCalendar file with the event in its own time zone, its place, organizer and an alarm.

    `ticket_code` and `join_url` are for a confirmed person's own file only."""
    url = link(bot_username, "ev", event.id) if bot_username else None
    # Updates carry a higher SEQUENCE, so calendars replace the old entry instead of ignoring it.
    item = _entry(event, bot_username, now, event_sequence(event))
    item.add("last-modified", datetime.fromtimestamp(event.updated_at, UTC))
    location = ", ".join(part for part in (event.venue, event.address, event.city) if part)
    if location:
        item.add("location", location)
    if event.has_location:
        item.add("geo", (event.latitude, event.longitude))
    description = event.description
    if ticket_code:
        description = f"{description}\n\n{ticket_code}".strip()
    if join_url:
        description = f"{description}\n\n{join_url}".strip()
    if description:
        item.add("description", description)
    if url:
        item.add("url", url)
    if event.organizer_name:
        # A calendar address must be a URI; the bot's link is where the organizer answers.
        organizer = vCalAddress(url or "https://t.me/")
        organizer.params["cn"] = vText(event.organizer_name)
        item.add("organizer", organizer)
    item.add("status", "CANCELLED" if event.status == EventStatus.cancelled else "CONFIRMED")

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", alarm_text)
    alarm.add("trigger", -ALARM_BEFORE)
    item.add_component(alarm)

    return _file(event, item, "PUBLISH")


def cancellation_ics(event: Event, *, bot_username: str, now: float) -> bytes:
    """The file that takes the event off a calendar: METHOD:CANCEL, STATUS:CANCELLED, the same
    UID and a SEQUENCE above every file sent before (the event's own plus one, so it outranks
    even a file made after the last change was stored)."""
    url = link(bot_username, "ev", event.id) if bot_username else None
    item = _entry(event, bot_username, now, event_sequence(event) + 1)
    item.add("status", "CANCELLED")
    if event.cancel_reason:
        item.add("description", event.cancel_reason)
    # A cancellation names its organizer (RFC 5546); the bot's link is where they answer.
    organizer = vCalAddress(url or "https://t.me/")
    if event.organizer_name:
        organizer.params["cn"] = vText(event.organizer_name)
    item.add("organizer", organizer)

    return _file(event, item, "CANCEL")


def _entry(event: Event, bot_username: str, now: float, sequence: int) -> CalendarEvent:
    """What every file says of the event: the same UID, its times in its own zone, a SEQUENCE."""
    zone = ZoneInfo(event.timezone)
    item = CalendarEvent()
    item.add("uid", event_uid(event, bot_username))
    item.add("dtstamp", datetime.fromtimestamp(now, UTC))
    item.add("dtstart", datetime.fromtimestamp(event.starts_at, zone))
    item.add("dtend", datetime.fromtimestamp(event.ends_at, zone))
    item.add("summary", event.title)
    item.add("sequence", sequence)
    return item


def _file(event: Event, item: CalendarEvent, method: str) -> bytes:
    zone = ZoneInfo(event.timezone)
    first = datetime.fromtimestamp(event.starts_at, zone).year
    last = datetime.fromtimestamp(event.ends_at, zone).year
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(_vtimezone(event.timezone, first, last))
    calendar.add_component(item)
    return bytes(calendar.to_ical())
