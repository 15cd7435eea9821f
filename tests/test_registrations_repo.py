"""db/registrations.py: seats, the waitlist and its order, refusals, cancelling, promotion."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.services import Services
from db import events, people, registrations
from db.events import EventStatus
from db.registrations import (
    Cancelled,
    Registered,
    RegistrationRefusal,
    RegistrationStatus,
)
from tests.conftest import NOW
from tests.member_kit import make_event

T = NOW.timestamp()


async def person(services: Services, person_id: int) -> int:
    await people.ensure(services.db, person_id, T)
    return person_id


async def take(services: Services, event_id: int, person_id: int, now: float = T) -> Registered:
    outcome = await registrations.register(services.db, event_id, person_id, {}, now)
    assert isinstance(outcome, Registered), outcome
    return outcome


async def test_seats_then_waitlist_in_order(services: Services) -> None:
    event = await make_event(services, capacity=2)
    outcomes = [await take(services, event.id, await person(services, n)) for n in range(1, 6)]
    assert [o.registration.status for o in outcomes] == [
        RegistrationStatus.confirmed,
        RegistrationStatus.confirmed,
        RegistrationStatus.waitlisted,
        RegistrationStatus.waitlisted,
        RegistrationStatus.waitlisted,
    ]
    assert [o.position for o in outcomes] == [None, None, 1, 2, 3]
    seats = await registrations.seats(services.db, event)
    assert (seats.confirmed, seats.waitlisted, seats.left) == (2, 3, 0)
    codes = {o.registration.short_code for o in outcomes}
    tokens = {o.registration.ticket_token for o in outcomes}
    assert len(codes) == len(tokens) == 5
    assert all(len(token) == 32 and "_" not in token for token in tokens)


async def test_a_second_registration_returns_the_existing_one(services: Services) -> None:
    event = await make_event(services)
    first = await take(services, event.id, await person(services, 1))
    again = await take(services, event.id, 1)
    assert again.created is False
    assert again.registration.id == first.registration.id


async def test_refusals(services: Services) -> None:
    await person(services, 1)
    draft = await make_event(services, status=EventStatus.draft)
    cancelled = await make_event(services, status=EventStatus.cancelled)
    closed = await make_event(services)
    await events.update(services.db, closed.id, T, registration_closed=True)
    deadline = await make_event(services, registration_deadline=T - 60)
    started = await make_event(services, starts_at=T - 60, ends_at=T + 3600)
    cases = {
        999_999: RegistrationRefusal.not_found,
        draft.id: RegistrationRefusal.not_found,
        cancelled.id: RegistrationRefusal.cancelled,
        closed.id: RegistrationRefusal.closed,
        deadline.id: RegistrationRefusal.closed,
        started.id: RegistrationRefusal.started,
    }
    for event_id, refusal in cases.items():
        assert await registrations.register(services.db, event_id, 1, {}, T) == refusal
    assert await services.db.fetch_value("SELECT COUNT(*) FROM registrations") == 0


async def test_unlimited_event_confirms_everyone(services: Services) -> None:
    event = await make_event(services, capacity=None)
    for n in range(1, 4):
        outcome = await take(services, event.id, await person(services, n))
        assert outcome.registration.status == RegistrationStatus.confirmed
    assert (await registrations.seats(services.db, event)).left is None


async def test_cancelling_promotes_the_first_on_the_waitlist(services: Services) -> None:
    event = await make_event(services, capacity=1)
    holder = await take(services, event.id, await person(services, 1))
    second = await take(services, event.id, await person(services, 2))
    third = await take(services, event.id, await person(services, 3))
    outcome = await registrations.cancel(services.db, holder.registration.id, 1, T + 1)
    assert isinstance(outcome, Cancelled)
    assert outcome.registration.status == RegistrationStatus.cancelled
    assert [r.id for r in outcome.promoted] == [second.registration.id]
    assert outcome.promoted[0].status == RegistrationStatus.confirmed
    third_now = await registrations.get(services.db, third.registration.id)
    assert third_now is not None
    assert await registrations.position(services.db, third_now) == 1
    # A cancelled registration can be followed by a new one: it joins the end of the queue.
    again = await take(services, event.id, 1)
    assert again.created
    assert again.position == 2


async def test_cancel_refuses_someone_elses_or_a_dead_registration(services: Services) -> None:
    event = await make_event(services)
    mine = await take(services, event.id, await person(services, 1))
    await person(services, 2)
    assert (
        await registrations.cancel(services.db, mine.registration.id, 2, T)
        == RegistrationRefusal.not_yours
    )
    assert await registrations.cancel(services.db, 999, 1, T) == RegistrationRefusal.not_yours
    assert isinstance(
        await registrations.cancel(services.db, mine.registration.id, 1, T), Cancelled
    )
    assert (
        await registrations.cancel(services.db, mine.registration.id, 1, T)
        == RegistrationRefusal.not_yours
    )


async def test_cannot_cancel_after_the_start(services: Services) -> None:
    event = await make_event(services)
    mine = await take(services, event.id, await person(services, 1))
    after_start = event.starts_at + 60
    assert (
        await registrations.cancel(services.db, mine.registration.id, 1, after_start)
        == RegistrationRefusal.started
    )


async def test_concurrent_registrations_take_exactly_the_seats(services: Services) -> None:
    event = await make_event(services, capacity=5)
    ids = [await person(services, n) for n in range(1, 41)]
    outcomes = await asyncio.gather(*(take(services, event.id, n) for n in ids))
    statuses = [o.registration.status for o in outcomes]
    assert statuses.count(RegistrationStatus.confirmed) == 5
    assert sorted(o.position for o in outcomes if o.position) == list(range(1, 36))


async def test_lists_for_a_person(services: Services) -> None:
    day = timedelta(days=1).total_seconds()
    soon = await make_event(services, title="Скоро")
    later = await make_event(
        services, title="Позже", starts_at=soon.starts_at + day, ends_at=soon.ends_at + day
    )
    await person(services, 1)
    await take(services, later.id, 1)
    await take(services, soon.id, 1)
    upcoming = await registrations.upcoming_for_person(services.db, 1, T)
    assert [item.event.title for item in upcoming] == ["Скоро", "Позже"]
    # Once "Скоро" is over it leaves the upcoming list but stays in the full history.
    after = await registrations.upcoming_for_person(services.db, 1, soon.ends_at + 1)
    assert [item.event.title for item in after] == ["Позже"]
    assert len(await registrations.all_for_person(services.db, 1)) == 2
