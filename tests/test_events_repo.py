"""db/events.py: creating, updating, listing upcoming events and changing their status."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import Services
from db import events
from db.events import EventKind, EventStatus, Question
from tests.conftest import NOW
from tests.member_kit import choice_question, make_event


async def test_create_and_read_back_every_field(services: Services) -> None:
    event = await make_event(
        services, questions=(choice_question(),), reminder_offsets=(24, 2), slug="tyumen"
    )
    again = await events.get(services.db, event.id)
    assert again == event
    assert event.kind == EventKind.round_table
    assert event.status == EventStatus.published
    assert event.questions[0].options == ("Образование", "Здравоохранение", "Демография")
    assert event.reminder_offsets == (24, 2)
    assert event.question("topic") == choice_question()
    assert event.question("nope") is None
    assert (await events.get_by_slug(services.db, "tyumen")) == event
    assert event.has_location


async def test_a_draft_is_the_default_and_not_listed(services: Services) -> None:
    await make_event(services, status=EventStatus.draft)
    now = NOW.timestamp()
    assert await events.list_upcoming(services.db, now) == []
    assert await events.count_upcoming(services.db, now) == 0


async def test_upcoming_is_sorted_filtered_by_city_and_paged(services: Services) -> None:
    day = timedelta(days=1).total_seconds()
    first = await make_event(services, title="A")
    later = await make_event(
        services,
        title="B",
        city="Омск",
        timezone="Asia/Omsk",
        starts_at=first.starts_at + day,
        ends_at=first.ends_at + day,
    )
    await make_event(  # already over
        services, title="Past", starts_at=NOW.timestamp() - 2 * day, ends_at=NOW.timestamp() - day
    )
    now = NOW.timestamp()
    assert [e.title for e in await events.list_upcoming(services.db, now)] == ["A", "B"]
    assert [e.title for e in await events.list_upcoming(services.db, now, region="55")] == ["B"]
    assert [e.title for e in await events.list_upcoming(services.db, now, limit=1, offset=1)] == [
        "B"
    ]
    assert sorted(await events.upcoming_regions(services.db, now)) == [("55", 1), ("72", 1)]
    assert await events.count_upcoming(services.db, now, region="72") == 1
    assert set(await events.list_by_ids(services.db, [first.id, later.id, 999])) == {
        first.id,
        later.id,
    }


async def test_update_changes_only_known_fields(services: Services) -> None:
    event = await make_event(services)
    updated = await events.update(
        services.db,
        event.id,
        NOW.timestamp() + 60,
        capacity=10,
        questions=(Question(key="k", text="?"),),
    )
    assert updated is not None
    assert updated.capacity == 10
    assert updated.questions == (Question(key="k", text="?"),)
    assert updated.updated_at == NOW.timestamp() + 60
    with pytest.raises(ValueError, match="cannot update"):
        await events.update(services.db, event.id, NOW.timestamp(), status="finished")
    assert await events.update(services.db, 999, NOW.timestamp(), capacity=1) is None


async def test_status_changes_keep_the_reason(services: Services) -> None:
    event = await make_event(services)
    cancelled = await events.set_status(
        services.db, event.id, EventStatus.cancelled, NOW.timestamp(), reason="Болезнь спикера"
    )
    assert cancelled is not None
    assert cancelled.status == EventStatus.cancelled
    assert cancelled.cancel_reason == "Болезнь спикера"
    assert await events.list_upcoming(services.db, NOW.timestamp()) == []


async def test_deadline_defaults_to_the_start(services: Services) -> None:
    event = await make_event(services)
    assert event.registration_closes_at == event.starts_at
    with_deadline = await make_event(services, registration_deadline=event.starts_at - 3600)
    assert with_deadline.registration_closes_at == event.starts_at - 3600
