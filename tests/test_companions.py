"""Companions: a second seat taken with the member's, shown to the organizer and at the door."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl

from bot.services import Services
from db import registrations as registrations_repo
from db.registrations import Registered, RegistrationRefusal, RegistrationStatus
from tests.conftest import NOW
from tests.kit.client import ChatClient
from tests.member_kit import make_event, prepared_person, register_new
from tests.organizer_kit import ORGANIZER_ID, make_organizer, owned_event

# -- the seats, exactly -----------------------------------------------------------------------


async def test_a_companion_takes_a_second_seat_and_pairs_wait_together(
    services: Services,
) -> None:
    event = await make_event(services, capacity=3, companions_allowed=True)
    now = NOW.timestamp()
    for person in (4101, 4102, 4103, 4104):
        await prepared_person(services, person)
    pair = await registrations_repo.register(services.db, event.id, 4101, {}, now, companions=1)
    single = await registrations_repo.register(services.db, event.id, 4102, {}, now)
    assert isinstance(pair, Registered)
    assert isinstance(single, Registered)
    assert pair.registration.status == RegistrationStatus.confirmed
    assert (await registrations_repo.seats(services.db, event)).left == 0

    # The next pair waits, and a single person behind them does not overtake.
    waiting_pair = await registrations_repo.register(
        services.db, event.id, 4103, {}, now, companions=1
    )
    behind = await registrations_repo.register(services.db, event.id, 4104, {}, now)
    assert isinstance(waiting_pair, Registered)
    assert isinstance(behind, Registered)
    assert waiting_pair.registration.status == RegistrationStatus.waitlisted
    assert behind.position == 2

    # One seat frees up: not enough for the pair, so nobody moves.
    cancelled = await registrations_repo.cancel(services.db, single.registration.id, 4102, now)
    assert not isinstance(cancelled, RegistrationRefusal)
    assert cancelled.promoted == []
    # Now all three seats are free: the pair first (two seats), then the person behind them.
    cancelled = await registrations_repo.cancel(services.db, pair.registration.id, 4101, now)
    assert not isinstance(cancelled, RegistrationRefusal)
    assert [r.id for r in cancelled.promoted] == [
        waiting_pair.registration.id,
        behind.registration.id,
    ]
    seats = await registrations_repo.seats(services.db, event)
    assert (seats.confirmed, seats.waitlisted, seats.left) == (3, 0, 0)


async def test_a_one_seat_event_refuses_a_companion(services: Services) -> None:
    # Refused rather than waitlisted: a pair could never get in, waiting would only mislead.
    event = await make_event(services, capacity=1, companions_allowed=True)
    await prepared_person(services, 4201)
    outcome = await registrations_repo.register(
        services.db, event.id, 4201, {}, NOW.timestamp(), companions=1
    )
    assert outcome == RegistrationRefusal.no_companion


async def test_an_event_without_companions_refuses_a_forged_one(services: Services) -> None:
    event = await make_event(services, capacity=10)
    await prepared_person(services, 4301)
    outcome = await registrations_repo.register(
        services.db, event.id, 4301, {}, NOW.timestamp(), companions=1
    )
    assert outcome == RegistrationRefusal.no_companion


# -- as people see it -------------------------------------------------------------------------


async def test_a_member_registers_with_a_companion_and_the_pass_list_shows_both(
    services: Services, make_client: Callable[..., ChatClient], member: ChatClient
) -> None:
    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID, capacity=2, companions_allowed=True)

    await register_new(member, event, button="Записаться с сопровождающим", confirm=False)
    summary = member.messages[-2]
    assert "сопровождающий" in summary.body
    await member.click("Подтвердить")

    registration = await registrations_repo.live(services.db, event.id, member.user.id)
    assert registration is not None
    assert (registration.status, registration.companions) == (RegistrationStatus.confirmed, 1)
    assert (await registrations_repo.seats(services.db, event)).left == 0
    # The card now says the companion's seat is held, and nobody else fits.
    [card] = await member.send(f"/start ev_{event.id}")
    assert "сопровождающего" in card.body

    [listing] = await organizer.send("/manage")
    await organizer.pick(event.title, listing)
    await organizer.click("Участники")
    assert "С сопровождающим" in organizer.last.body
    [document] = await organizer.click("Список для охраны", organizer.last)
    assert document.document is not None
    sheet = openpyxl.load_workbook(io.BytesIO(document.document)).active
    assert sheet is not None
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    header = next(i for i, row in enumerate(rows) if row[0] == "№")
    assert [row[1] for row in rows[header + 1 :]] == [
        "Иванова Анна Сергеевна",
        "Сопровождающий: Иванова Анна Сергеевна",
    ]
    assert "(2)" in document.body  # the caption counts both people


async def test_the_card_offers_a_companion_only_where_allowed(
    services: Services, member: ChatClient
) -> None:
    allowed = await make_event(services, capacity=5, companions_allowed=True)
    [card] = await member.send(f"/start ev_{allowed.id}")
    assert "Записаться с сопровождающим" in card.buttons()
    plain = await make_event(services, capacity=5)
    [card] = await member.send(f"/start ev_{plain.id}")
    assert "Записаться с сопровождающим" not in card.buttons()
    single = await make_event(services, capacity=1, companions_allowed=True)
    [card] = await member.send(f"/start ev_{single.id}")
    assert "Записаться с сопровождающим" not in card.buttons()


# The organizer allowing companions in the event editor: tests/test_colleagues.py, with colleagues.
