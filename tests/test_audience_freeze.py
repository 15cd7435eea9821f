"""An announcement's audience frozen in chunks: exact, per-language copies, resumable."""

from __future__ import annotations

import pytest
from aiogram import Bot

from bot.services import Services
from bot.services.announcements import Changed, Queued
from bot.services.refusals import Refusal
from bot.services.roles import Access
from db import announcements as repo
from db.announcements import Audience, AudienceKind, State
from tests.announcements_kit import add_people, delivery_states
from tests.conftest import ADMIN_ID
from tests.kit.mocked_bot import MockedBot

ADMIN = Access(user_id=ADMIN_ID, is_admin=True, is_organizer=True)
EVERYONE = Audience(AudienceKind.subscribers)


async def draft_for(services: Services, audience: Audience) -> int:
    """A draft whose audience was counted, as the organizer's preview leaves it."""
    now = services.clock.timestamp()
    draft = await repo.create(
        services.db,
        author_id=ADMIN_ID,
        from_chat_id=ADMIN_ID,
        message_id=7,
        timezone="UTC",
        now=now,
    )
    count = await repo.audience_size(services.db, audience)
    await repo.set_audience(services.db, draft.id, audience, count, now)
    return draft.id


async def copies_by_language(services: Services, announcement_id: int) -> dict[int, str]:
    """Recipient → the language of the copy queued for them (from its Unsubscribe button)."""
    rows = await services.db.fetch_all(
        "SELECT d.recipient_id, m.payload FROM deliveries d"
        " JOIN outbox_messages m ON m.id = d.message_id WHERE d.source = ?",
        (repo.source_of(announcement_id),),
    )
    return {row[0]: "en" if "Unsubscribe" in row[1] else "ru" for row in rows}


async def test_the_frozen_audience_is_exact_across_chunks(services: Services) -> None:
    # Ids far apart and out of order, more people than one chunk, people who must be left out.
    await add_people(services, [5, 9_000_000_001, 42, 43, 700, 12, 13, 14], language="ru")
    await add_people(services, [300, 301, 8_000_000_000], language="en")
    await add_people(services, [15, 16], language=None)  # no language known: the default copy
    await add_people(services, [20, 21], subscribed=False)
    await add_people(services, [22], erased=True)
    await add_people(services, [23], unreachable=True)
    services.announcements.freeze_chunk = 3
    announcement_id = await draft_for(services, EVERYONE)

    outcome = await services.announcements.send_now(ADMIN, announcement_id)

    assert isinstance(outcome, Queued)
    expected = {5, 9_000_000_001, 42, 43, 700, 12, 13, 14, 300, 301, 8_000_000_000, 15, 16}
    states = await delivery_states(services, announcement_id)
    assert set(states) == expected  # nobody missed, nobody left out is in
    assert set(states.values()) == {"pending"}
    assert outcome.total == len(expected) == outcome.announcement.total
    assert outcome.announcement.state == State.sending
    languages = await copies_by_language(services, announcement_id)
    assert {k for k, v in languages.items() if v == "en"} == {300, 301, 8_000_000_000}
    assert await repo.freezing(services.db) == []


async def test_a_scheduled_freeze_parks_its_copies(services: Services) -> None:
    await add_people(services, range(100, 110))
    services.announcements.freeze_chunk = 4
    announcement_id = await draft_for(services, EVERYONE)
    send_at = services.clock.timestamp() + 3600

    outcome = await services.announcements.schedule(ADMIN, announcement_id, send_at, None)

    assert isinstance(outcome, Queued)
    assert outcome.announcement.state == State.scheduled
    assert outcome.announcement.send_at == send_at
    due = await services.db.fetch_all(
        "SELECT DISTINCT due_at FROM deliveries WHERE source = ?",
        (repo.source_of(announcement_id),),
    )
    assert [row[0] for row in due] == [repo.PARKED_UNTIL]


async def test_unsubscribing_or_erasing_during_the_freeze_leaves_them_out(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_people(services, range(100, 120))
    services.announcements.freeze_chunk = 5
    announcement_id = await draft_for(services, EVERYONE)
    pauses = 0

    async def people_leave_between_chunks() -> None:
        nonlocal pauses
        pauses += 1
        if pauses == 2:  # 100..109 are queued, 110..119 not yet
            await services.announcements.unsubscribe(101)  # queued already: withdrawn
            await services.announcements.unsubscribe(115)  # not queued yet: never queued
            await services.privacy.forget(102)
            await services.privacy.forget(116)

    monkeypatch.setattr(services.announcements, "_between_chunks", people_leave_between_chunks)

    outcome = await services.announcements.send_now(ADMIN, announcement_id)

    assert isinstance(outcome, Queued)
    states = await delivery_states(services, announcement_id)
    assert 115 not in states
    assert 116 not in states
    assert states[101] == "cancelled"
    # Erased: the queued copy is withdrawn and no longer names the person at all.
    assert 102 not in states
    assert "cancelled" in {state for recipient, state in states.items() if recipient < 0}
    pending = {k for k, v in states.items() if v == "pending"}
    assert pending == set(range(100, 120)) - {101, 102, 115, 116}


async def test_a_crash_mid_freeze_resumes_at_start_up_without_duplicates(
    services: Services, bot: MockedBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_people(services, range(100, 130))
    services.announcements.freeze_chunk = 4
    announcement_id = await draft_for(services, EVERYONE)
    chunk = repo.freeze_chunk
    calls = 0

    async def crash_on_the_third_chunk(*args: object, **kwargs: object) -> bool:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("the process died here")
        return await chunk(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(repo, "freeze_chunk", crash_on_the_third_chunk)
    with pytest.raises(RuntimeError, match="died"):
        await services.announcements.send_now(ADMIN, announcement_id)
    monkeypatch.setattr(repo, "freeze_chunk", chunk)

    halfway = await repo.get(services.db, announcement_id)
    assert halfway is not None
    assert halfway.state == State.draft
    assert await repo.freezing(services.db) == [announcement_id]
    assert len(await delivery_states(services, announcement_id)) == 8  # two chunks of 4
    # A second press on Send while it is freezing queues nothing more.
    assert await services.announcements.send_now(ADMIN, announcement_id) == Refusal.over

    real_bot: Bot = bot
    await services.announcements.start(real_bot, watch=False)
    try:
        resumed = await repo.get(services.db, announcement_id)
        assert resumed is not None
        assert resumed.state == State.sending
        assert resumed.total == 30
        rows = await services.db.fetch_all(
            "SELECT recipient_id FROM deliveries WHERE source = ?",
            (repo.source_of(announcement_id),),
        )
        assert sorted(row[0] for row in rows) == list(range(100, 130))  # once each
        assert await repo.freezing(services.db) == []
    finally:
        await services.announcements.shutdown()


async def test_a_changed_audience_size_freezes_nothing(services: Services) -> None:
    await add_people(services, range(100, 104))
    announcement_id = await draft_for(services, EVERYONE)
    await add_people(services, [104])  # someone subscribes while the organizer reads

    outcome = await services.announcements.send_now(ADMIN, announcement_id)

    assert outcome == Changed(5)
    assert await delivery_states(services, announcement_id) == {}
    assert await repo.freezing(services.db) == []
