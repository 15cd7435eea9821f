"""The .ics file (zone, place, organizer, stable UID, alarm) and the QR ticket image."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import zxingcpp
from icalendar import Calendar
from PIL import Image

from bot.services import Services
from bot.services.calendar import event_ics, event_uid
from bot.services.tickets import qr_png, ticket_link
from db import events
from db.events import EventStatus
from tests.conftest import NOW
from tests.kit.mocked_bot import BOT_USERNAME
from tests.member_kit import make_event


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


async def test_ics_has_the_event_in_its_own_zone(services: Services) -> None:
    event = await make_event(services)
    data = event_ics(
        event, bot_username=BOT_USERNAME, now=NOW.timestamp(), alarm_text="Скоро", ticket_code="K1"
    )
    assert b"DTSTART;TZID=Asia/Yekaterinburg:20261202T140000" in data
    calendar = parse(data)
    assert any(tz.get("TZID") == "Asia/Yekaterinburg" for tz in calendar.timezones)
    [item] = calendar.events
    assert item.start == datetime(2026, 12, 2, 14, 0, tzinfo=ZoneInfo("Asia/Yekaterinburg"))
    assert item.end - item.start == timedelta(hours=3)
    assert str(item.get("summary")) == event.title
    assert "ул. Республики 142" in str(item.get("location"))
    assert item.get("organizer").params["CN"] == "Альянс СО НКО Тюменской области"
    assert str(item.get("url")) == f"https://t.me/{BOT_USERNAME}?start=ev_{event.id}"
    assert "K1" in str(item.get("description"))
    assert str(item.get("status")) == "CONFIRMED"
    [alarm] = [c for c in item.subcomponents if c.name == "VALARM"]
    assert alarm.get("trigger").dt == -timedelta(hours=1)
    assert str(alarm.get("action")) == "DISPLAY"
    assert item.get("geo").latitude == event.latitude


async def test_uid_is_stable_and_an_update_raises_the_sequence(services: Services) -> None:
    event = await make_event(services)
    first = parse(event_ics(event, bot_username=BOT_USERNAME, now=NOW.timestamp(), alarm_text="x"))
    moved = await events.update(services.db, event.id, NOW.timestamp() + 600, venue="Дом НКО")
    assert moved is not None
    second = parse(
        event_ics(moved, bot_username=BOT_USERNAME, now=NOW.timestamp() + 700, alarm_text="x")
    )
    [a], [b] = first.events, second.events
    assert a.get("uid") == b.get("uid") == event_uid(event, BOT_USERNAME)
    assert int(b.get("sequence")) > int(a.get("sequence"))


async def test_a_cancelled_event_is_marked_cancelled(services: Services) -> None:
    event = await make_event(services, status=EventStatus.cancelled)
    item = parse(event_ics(event, bot_username=BOT_USERNAME, now=NOW.timestamp(), alarm_text="x"))
    assert str(item.events[0].get("status")) == "CANCELLED"


def test_qr_ticket_decodes_to_the_check_in_link() -> None:
    link = ticket_link(BOT_USERNAME, "0123456789abcdef0123456789abcdef")
    assert link == f"https://t.me/{BOT_USERNAME}?start=ci_0123456789abcdef0123456789abcdef"
    png = qr_png(link)
    assert png.startswith(b"\x89PNG")
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert result.text == link
