"""Confirm's seat transaction, run whole on the writer's thread: a code collision, no consent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.services import Services
from db import registrations
from db.registrations import Registered, RegistrationStatus
from tests.member_kit import PROFILE, make_event, prepared_person


async def test_a_taken_short_code_is_replaced_and_the_seat_files_are_queued(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await make_event(services, capacity=5)
    await prepared_person(services, 1)
    await prepared_person(services, 2)
    first = await services.registrations.register(1, event.id, PROFILE, {})
    assert isinstance(first, Registered)
    taken = first.registration.short_code

    # The code drawn for the second seat is the one the first person holds (bad input: a
    # collision); the seat gets a fresh code, and its files are queued once.
    original = registrations.new_short_code
    codes: Iterator[str] = iter([taken])
    monkeypatch.setattr(registrations, "new_short_code", lambda: next(codes, None) or original())

    second = await services.registrations.register(2, event.id, PROFILE, {})

    assert isinstance(second, Registered)
    assert second.created
    assert second.registration.status == RegistrationStatus.confirmed
    assert second.registration.short_code != taken
    rows = await services.db.fetch_all(
        "SELECT person_id FROM registrations WHERE event_id = ?", (event.id,)
    )
    assert sorted(row["person_id"] for row in rows) == [1, 2]  # the first try left nothing
    queued = await services.db.fetch_all(
        "SELECT source FROM deliveries WHERE recipient_id = 2 ORDER BY id"
    )
    assert [row["source"] for row in queued] == [
        f"confirm:{second.registration.id}:ticket",
        f"confirm:{second.registration.id}:calendar",
    ]


async def test_without_consent_confirm_stores_nothing(services: Services) -> None:
    event = await make_event(services, capacity=5)
    await prepared_person(services, 3)
    await services.db.execute("DELETE FROM consents WHERE person_id = 3")

    outcome = await services.registrations.register(3, event.id, PROFILE, {})

    assert outcome is None
    assert await services.db.fetch_value("SELECT COUNT(*) FROM registrations") == 0
