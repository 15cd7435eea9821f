"""Helpers for the reminder and follow-up tests: seats, check-ins, firing at a moment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.clock import ManualClock
from bot.services import Services
from db import people
from db import registrations as registrations_repo
from db.events import Event
from db.registrations import Registered, Registration
from db.reminders import PlannedReminder
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot, Sent


async def seat(
    services: Services, event: Event, person_id: int, language: str | None = "ru"
) -> Registration:
    """A person with a seat (or a waitlist place) at the event, registered right now."""
    now = services.clock.timestamp()
    await people.ensure(services.db, person_id, now)
    if language is not None:
        await people.set_language(services.db, person_id, language, now)
    outcome = await registrations_repo.register(services.db, event.id, person_id, {}, now)
    assert isinstance(outcome, Registered), outcome
    return outcome.registration


async def plan(services: Services, event: Event) -> dict[str, PlannedReminder]:
    """The event's reminders planned now, by kind («24h», «2h», «followup»)."""
    return {p.kind: p for p in await services.reminders.plan_event(event.id)}


async def check_in(services: Services, registration: Registration, at: float) -> None:
    async with services.db.write() as tx:
        await tx.execute(
            "UPDATE registrations SET checked_in_at = ? WHERE id = ?", (at, registration.id)
        )


async def fire_at(
    services: Services, clock: ManualClock, bot: MockedBot, moment: float | datetime
) -> int:
    """Move the clock, run what the scheduler's job would run, and deliver what got queued."""
    clock.set(moment)
    fired = await services.reminders.run_due()
    await services.delivery.drain(bot)
    return fired


def received(bot: MockedBot, chat_id: int, method: str | None = None) -> list[Sent]:
    return [
        sent
        for sent in bot.session.messages.get(chat_id, [])
        if method is None or sent.method == method
    ]


def reminders_to(bot: MockedBot, chat_id: int) -> list[Sent]:
    return [sent for sent in received(bot, chat_id, "SendMessage") if "🔔" in sent.body]


def client_for(
    make_client: Callable[..., ChatClient], user_id: int, language: str = "ru"
) -> ChatClient:
    return make_client(user_id, language)
