"""Calendars follow the event: an update keeps the UID with a higher SEQUENCE; a cancel file."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.services import Services
from bot.services.calendar import cancellation_ics, event_ics, event_sequence, event_uid
from db import events
from tests.conftest import NOW
from tests.kit.mocked_bot import BOT_USERNAME
from tests.member_kit import make_event


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


async def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(services: Services) -> None:
    event = await make_event(services)
    first = parse(event_ics(event, bot_username=BOT_USERNAME, now=NOW.timestamp(), alarm_text="x"))
    later = event.starts_at + 86400
    moved = await events.update(
        services.db, event.id, NOW.timestamp() + 600, starts_at=later, ends_at=later + 3 * 3600
    )
    assert moved is not None
    second = parse(
        event_ics(moved, bot_username=BOT_USERNAME, now=NOW.timestamp() + 700, alarm_text="x")
    )
    [a], [b] = first.events, second.events
    assert a.get("uid") == b.get("uid") == event_uid(event, BOT_USERNAME)
    assert int(b.get("sequence")) == event_sequence(moved) > int(a.get("sequence"))
    assert (b.start - a.start).total_seconds() == 86400
    assert b.start == datetime.fromtimestamp(later, ZoneInfo(event.timezone))


async def test_a_cancellation_file_cancels_the_same_entry(services: Services) -> None:
    event = await make_event(services)
    updated = parse(
        event_ics(event, bot_username=BOT_USERNAME, now=NOW.timestamp(), alarm_text="x")
    )
    cancelled_event = dataclasses.replace(event, cancel_reason="Площадка закрыта на ремонт")
    cancel = parse(
        cancellation_ics(cancelled_event, bot_username=BOT_USERNAME, now=NOW.timestamp() + 60)
    )
    assert str(cancel.get("method")) == "CANCEL"
    [item] = cancel.events
    [before] = updated.events
    assert str(item.get("status")) == "CANCELLED"
    assert item.get("uid") == before.get("uid") == event_uid(event, BOT_USERNAME)
    assert int(item.get("sequence")) > int(before.get("sequence"))
    assert str(item.get("description")) == "Площадка закрыта на ремонт"
    assert item.get("organizer").params["CN"] == event.organizer_name
    assert item.start == before.start


def test_the_sequence_never_goes_below_zero_or_back() -> None:
    class Clock:
        created_at = 1000.0
        updated_at = 999.5  # a clock stepped back must not give a negative SEQUENCE

    assert event_sequence(Clock()) == 0  # type: ignore[arg-type]
