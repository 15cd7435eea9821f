"""Reminders across restarts and races: rebuilt from SQLite, missed ones by the rule, once."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import create_services
from bot.clock import ManualClock
from bot.services import Services
from bot.services.reminders import NEXT_JOB_ID, PREPARE_AHEAD, SWEEP_JOB_ID, WAKE_JOB_ID
from bot.settings import Settings
from db import reminders as reminders_repo
from db.events import Event
from db.reminders import PlanState
from tests.kit.mocked_bot import BOT_USERNAME, MockedBot
from tests.member_kit import make_event
from tests.reminders_kit import reminders_to, seat

Start = Callable[[], Awaitable[Services]]


@pytest.fixture
async def boot(settings: Settings, clock: ManualClock) -> AsyncIterator[Start]:
    """Start "the bot process" on the test's SQLite file; each call is a new process."""
    started: list[Services] = []

    async def start() -> Services:
        services = await create_services(settings, clock=clock)
        services.bot_username = BOT_USERNAME
        started.append(services)
        await services.reminders.start()
        return services

    yield start
    for services in started:
        if services.db.is_open:
            await services.db.close()


async def crash(services: Services) -> None:
    """Like SIGKILL for the reminders: no shutdown hook, the database file just stays."""
    await services.db.close()


def at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


async def seated_planned_and_crashed(boot: Start, person_id: int) -> tuple[Event, dict[str, float]]:
    """A process that seats the person at a new event, plans its reminders and dies; the
    event and when each reminder is due."""
    first = await boot()
    event = await make_event(first)
    await seat(first, event, person_id)
    due = {p.kind: p.due_at for p in await first.reminders.plan_event(event.id)}
    await crash(first)
    return event, due


async def states(services: Services, event_id: int) -> dict[str, PlanState]:
    return {p.kind: p.state for p in await services.reminders.planned(event_id)}


async def test_crash_after_queueing_loses_nothing_and_sends_nothing_twice(
    boot: Start, clock: ManualClock, bot: MockedBot
) -> None:
    first = await boot()
    event = await make_event(first)
    for person in range(4001, 4011):
        await seat(first, event, person)
    await first.reminders.plan_event(event.id)
    due = {p.kind: p.due_at for p in await first.reminders.planned(event.id)}
    clock.set(due["24h"])
    assert await first.reminders.run_due() == 1  # queued in the outbox...
    await crash(first)  # ...and the process dies before the sender got to it

    second = await boot()  # start-up rebuild: the fired reminder is not fired again
    await second.delivery.drain(bot)
    assert all(len(reminders_to(bot, person)) == 1 for person in range(4001, 4011))
    assert await states(second, event.id) == {
        "24h": PlanState.fired,
        "2h": PlanState.pending,
        "followup": PlanState.pending,
    }
    await crash(second)

    third = await boot()
    await third.reminders.sweep()
    await third.delivery.drain(bot)
    clock.set(due["2h"])
    await third.reminders.run_due()
    await third.delivery.drain(bot)
    assert all(len(reminders_to(bot, person)) == 2 for person in range(4001, 4011))


async def test_missed_while_down_is_sent_at_start_up_if_the_event_has_not_started(
    boot: Start, clock: ManualClock, bot: MockedBot
) -> None:
    event, due = await seated_planned_and_crashed(boot, 4021)

    clock.set(due["24h"] + 3 * 3600)  # down for three hours over the due time
    second = await boot()
    await second.delivery.drain(bot)
    (message,) = reminders_to(bot, 4021)
    assert "Завтра" in message.body
    assert "Приду ✅" in message.buttons()
    assert (await states(second, event.id))["24h"] == PlanState.fired
    assert second.reminders.next_wakeup == due["2h"]


async def test_missed_while_down_is_skipped_once_the_event_has_started(
    boot: Start, clock: ManualClock, bot: MockedBot
) -> None:
    event, _ = await seated_planned_and_crashed(boot, 4031)

    clock.set(event.starts_at + 60)
    second = await boot()
    await second.delivery.drain(bot)
    assert reminders_to(bot, 4031) == []
    planned = {p.kind: p for p in await second.reminders.planned(event.id)}
    assert planned["24h"].state == planned["2h"].state == PlanState.skipped
    assert "started" in (planned["2h"].reason or "")
    assert planned["followup"].state == PlanState.pending


async def test_of_several_missed_reminders_only_the_latest_goes(
    boot: Start, clock: ManualClock, bot: MockedBot
) -> None:
    event, due = await seated_planned_and_crashed(boot, 4041)

    clock.set(due["2h"] + 600)  # down over both due times, back before the start
    second = await boot()
    await second.delivery.drain(bot)
    (message,) = reminders_to(bot, 4041)
    assert message.body.startswith("🔔 Сегодня")
    assert message.buttons() == ["Билет 🎫"]
    assert await states(second, event.id) == {
        "24h": PlanState.skipped,
        "2h": PlanState.fired,
        "followup": PlanState.pending,
    }


async def test_a_missed_follow_up_is_sent_late_but_not_a_day_late(
    boot: Start, clock: ManualClock, bot: MockedBot
) -> None:
    first = await boot()
    now = clock.timestamp()
    hour = 3600.0
    early = await make_event(first, starts_at=now + 25 * hour, ends_at=now + 26 * hour)
    late = await make_event(first, starts_at=now + 60, ends_at=now + hour)
    for event, person in ((early, 4051), (late, 4052)):
        registration = await seat(first, event, person)
        async with first.db.write() as tx:
            await tx.execute(
                "UPDATE registrations SET checked_in_at = ? WHERE id = ?",
                (event.starts_at, registration.id),
            )
    await first.reminders.plan_event(early.id)
    await first.reminders.plan_event(late.id)
    await crash(first)

    # Back an hour after the early follow-up was due, 26 hours after the late one was.
    clock.set(early.ends_at + 3 * hour)
    second = await boot()
    await second.delivery.drain(bot)
    followups = [s for s in bot.session.messages.get(4051, []) if "Спасибо, что пришли" in s.body]
    assert len(followups) == 1
    assert [s for s in bot.session.messages.get(4052, []) if "Спасибо" in s.body] == []
    assert (await states(second, late.id))["followup"] == PlanState.skipped


async def test_concurrent_sweeps_in_two_processes_send_once(
    boot: Start, clock: ManualClock, bot: MockedBot
) -> None:
    one = await boot()
    two = await boot()  # a second process on the same file (a botched deploy)
    events_ = [await make_event(one) for _ in range(3)]
    people_ = list(range(4101, 4161))
    for index, person in enumerate(people_):
        await seat(one, events_[index % 3], person)
    for event in events_:
        await one.reminders.plan_event(event.id)
    clock.set(events_[0].starts_at - 24 * 3600)

    await asyncio.gather(
        one.reminders.run_due(),
        two.reminders.run_due(),
        one.reminders.sweep(),
        two.reminders.sweep(),
        one.reminders.run_due(),
    )
    await one.delivery.drain(bot)

    assert all(len(reminders_to(bot, person)) == 1 for person in people_)
    ledger = await one.db.fetch_value("SELECT COUNT(*) FROM reminders")
    assert ledger == len(people_)


async def test_the_ledger_key_refuses_a_second_reminder_for_a_registration(
    boot: Start, clock: ManualClock
) -> None:
    services = await boot()
    event = await make_event(services)
    registration = await seat(services, event, 4201)
    planned = {p.kind: p for p in await services.reminders.plan_event(event.id)}
    async with services.db.write() as tx:
        assert await reminders_repo.record(tx, planned["24h"], [registration.id], 0) == 1
        assert await reminders_repo.record(tx, planned["24h"], [registration.id], 0) == 0
    with pytest.raises(sqlite3.IntegrityError):
        async with services.db.write() as tx:
            await tx.execute(
                "INSERT INTO reminders (planned_id, event_id, registration_id, kind, basis,"
                " created_at) VALUES (?, ?, ?, '24h', ?, 0)",
                (planned["24h"].id, event.id, registration.id, event.starts_at),
            )


async def test_jobs_are_rebuilt_in_memory_at_start_up(
    settings: Settings, clock: ManualClock
) -> None:
    first = await create_services(settings, clock=clock)
    event = await make_event(first)
    await seat(first, event, 4301)
    due = {p.kind: p.due_at for p in await first.reminders.plan_event(event.id)}
    await first.db.close()

    services = await create_services(settings, clock=clock)
    scheduler: AsyncIOScheduler = services.scheduler
    scheduler.start()
    try:
        await services.reminders.start()
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {NEXT_JOB_ID, SWEEP_JOB_ID}
        # Fired a little ahead of the due time, so the messages are queued when it comes.
        assert jobs[NEXT_JOB_ID].next_run_time == at(due["24h"] - PREPARE_AHEAD)
        assert list(scheduler._jobstores) == ["default"]  # the in-memory store only

        # A nearer event moves the one-off job earlier.
        sooner = await make_event(
            services, starts_at=event.starts_at - 3 * 3600, ends_at=event.ends_at - 3 * 3600
        )
        planned = await services.reminders.plan_event(sooner.id)
        job = scheduler.get_job(NEXT_JOB_ID)
        assert job is not None
        assert job.next_run_time == at(planned[0].due_at - PREPARE_AHEAD)

        # Once fired, a second job wakes the sender the moment the queued reminders are due.
        clock.set(planned[0].due_at - PREPARE_AHEAD)
        assert await services.reminders.run_due() == 1
        wake = scheduler.get_job(WAKE_JOB_ID)
        assert wake is not None
        assert wake.next_run_time == at(planned[0].due_at)
        assert scheduler.get_job(NEXT_JOB_ID).next_run_time == at(due["24h"] - PREPARE_AHEAD)  # type: ignore[union-attr]

        await services.reminders.stop()
        assert scheduler.get_jobs() == []
    finally:
        scheduler.shutdown(wait=False)
        await services.db.close()
