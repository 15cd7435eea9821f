"""`python -m bot seed-demo`: load realistic, future-dated demo events from `demo_events.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from db import Database
from db import events as events_repo
from db.events import EventKind, EventStatus, NewEvent, Question

FIXTURE = "demo_events.json"


@dataclass(slots=True)
class SeedReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def load_fixture() -> list[dict[str, Any]]:
    """The demo events shipped inside the package (never read from outside the project)."""
    text = resources.files("bot").joinpath(FIXTURE).read_text(encoding="utf-8")
    items: list[dict[str, Any]] = json.loads(text)["events"]
    return items


def _at(day: datetime, clock_time: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(part) for part in clock_time.split(":"))
    return datetime.combine(day.date(), time(hours, minutes), tzinfo=zone)


def demo_event(item: dict[str, Any], now: float) -> NewEvent:
    """One fixture entry as an event dated relative to `now`, in its own zone's local time."""
    zone = ZoneInfo(item["timezone"])
    day = datetime.fromtimestamp(now, zone) + timedelta(days=int(item["days_ahead"]))
    start = _at(day, item["start"], zone)
    end = _at(day, item["end"], zone)
    deadline = None
    if item.get("deadline"):
        before = day - timedelta(days=int(item["deadline"]["days_before"]))
        deadline = _at(before, item["deadline"]["at"], zone).timestamp()
    return NewEvent(
        slug=item["slug"],
        title=item["title"],
        kind=EventKind(item["kind"]),
        city=item["city"],
        region_code=item.get("region"),
        settlement_id=item.get("settlement"),
        timezone=item["timezone"],
        starts_at=start.timestamp(),
        ends_at=end.timestamp(),
        registration_deadline=deadline,
        capacity=item.get("capacity"),
        organizer_name=item.get("organizer_name", ""),
        venue=item.get("venue", ""),
        address=item.get("address", ""),
        latitude=item.get("latitude"),
        longitude=item.get("longitude"),
        description=item.get("description", ""),
        questions=tuple(Question.from_json(q) for q in item.get("questions", [])),
    )


async def seed_demo(db: Database, now: float) -> SeedReport:
    """Publish the demo events that are not there yet; existing ones (by slug) are left alone,
    so running it again changes nothing and never touches people's registrations."""
    report = SeedReport()
    for item in load_fixture():
        if await events_repo.get_by_slug(db, item["slug"]) is not None:
            report.kept.append(item["title"])
            continue
        await events_repo.create(db, demo_event(item, now), now, status=EventStatus.published)
        report.created.append(item["title"])
    return report
