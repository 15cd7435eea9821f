"""Check-in at the door: the scanned QR link, the button, twice, cancelled, forged, /checkin."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.callbacks import CheckInAction
from bot.clock import ManualClock
from bot.services import Services
from db import registrations as registrations_repo
from db.events import Event
from db.registrations import Cancelled, Registration
from tests.conftest import ADMIN_ID, NOW
from tests.kit.client import ChatClient
from tests.organizer_kit import (
    ORGANIZER_ID,
    make_organizer,
    owned_event,
    register_person,
    started,
)

PERSON = 5001
OTHER = 5002
# The event is today (17:00–19:00 in Tyumen; the test clock reads 14:00 there): the door is open.
TODAY = {"starts_at": NOW.timestamp() + 3 * 3600, "ends_at": NOW.timestamp() + 5 * 3600}


@pytest.fixture
async def door(
    services: Services, make_client: Callable[..., ChatClient]
) -> tuple[ChatClient, Event, Registration, Registration]:
    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID, **TODAY)
    anna = await register_person(services, event, PERSON)
    petr = await register_person(services, event, OTHER, full_name="Петров Пётр Петрович")
    return organizer, event, anna, petr


async def fresh(services: Services, registration: Registration) -> Registration:
    found = await registrations_repo.get(services.db, registration.id)
    assert found is not None
    return found


async def test_scan_shows_the_person_and_the_button_marks_them_with_a_live_count(
    door: tuple[ChatClient, Event, Registration, Registration],
    services: Services,
    clock: ManualClock,
) -> None:
    organizer, event, anna, _petr = door
    [card] = await organizer.send(f"/start ci_{anna.ticket_token}")
    assert "Иванова Анна Сергеевна" in card.body
    assert "АНО «Дом НКО»" in card.body
    assert anna.short_code in card.body
    assert event.title in card.body
    assert "Приход ещё не отмечен." in card.body
    assert "Пришли 0 из 2" in card.body
    assert card.buttons() == ["Отметить приход ✅"]
    clock.advance(3600)
    replies = await organizer.click("Отметить приход", card)
    assert replies == []  # the card is edited in place
    assert "✅ Приход отмечен." in card.body
    assert "Добро пожаловать" not in card.body  # the guest's words, sent to the guest
    assert "Пришли 1 из 2" in card.body
    assert card.buttons() == []
    assert organizer.last_answer.text == "Пришли 1 из 2"
    marked = await fresh(services, anna)
    assert marked.checked_in_at == NOW.timestamp() + 3600


async def test_a_second_scan_and_a_second_press_say_when_and_change_nothing(
    door: tuple[ChatClient, Event, Registration, Registration],
    services: Services,
    clock: ManualClock,
) -> None:
    organizer, _event, anna, _petr = door
    [card] = await organizer.send(f"/start ci_{anna.ticket_token}")
    data = card.callback_data("Отметить приход")
    await organizer.click("Отметить приход", card)
    first = (await fresh(services, anna)).checked_in_at
    clock.advance(600)
    [again] = await organizer.send(f"/start ci_{anna.ticket_token}")
    # NOW is 09:00 UTC: 14:00 in Tyumen, where the event is.
    assert (
        "⚠️ Приход уже отмечен: воскресенье, 22 ноября, 14:00 по местному времени (МСК+2)."
        in again.body
    )
    assert again.buttons() == []
    assert "Пришли 1 из 2" in again.body
    await organizer.press(data, card)  # the same button pressed at another phone
    assert organizer.last_answer.show_alert
    assert "Приход уже отмечен" in (organizer.last_answer.text or "")
    assert (await fresh(services, anna)).checked_in_at == first


async def test_a_cancelled_registration_is_refused_with_the_reason(
    door: tuple[ChatClient, Event, Registration, Registration], services: Services
) -> None:
    organizer, _event, anna, _petr = door
    [card] = await organizer.send(f"/start ci_{anna.ticket_token}")
    outcome = await registrations_repo.cancel(services.db, anna.id, PERSON, NOW.timestamp())
    assert isinstance(outcome, Cancelled)
    await organizer.click("Отметить приход", card)  # the card was opened before the cancel
    assert organizer.last_answer.show_alert
    assert "регистрация отменена" in (organizer.last_answer.text or "")
    assert "Билет недействителен" in card.body
    [scan] = await organizer.send(f"/start ci_{anna.ticket_token}")
    assert (
        "⛔ Билет недействителен: регистрация отменена —"
        " воскресенье, 22 ноября, 14:00 по местному времени (МСК+2)."
    ) in scan.body
    assert scan.buttons() == []
    assert (await fresh(services, anna)).checked_in_at is None
    assert "Пришли 0 из 1" in scan.body


async def test_waitlisted_people_and_cancelled_events_are_refused(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID, capacity=1, **TODAY)
    await register_person(services, event, PERSON)
    waiting = await register_person(services, event, OTHER, full_name="Петров Пётр Петрович")
    [scan] = await organizer.send(f"/start ci_{waiting.ticket_token}")
    assert "в листе ожидания: место не подтверждено" in scan.body
    await organizer.press(CheckInAction(registration_id=waiting.id).pack())
    assert (await fresh(services, waiting)).checked_in_at is None
    async with services.db.write() as tx:
        await tx.execute("UPDATE events SET status = 'cancelled' WHERE id = ?", (event.id,))
    anna = await registrations_repo.live(services.db, event.id, PERSON)
    assert anna is not None
    [scan] = await organizer.send(f"/start ci_{anna.ticket_token}")
    assert "⛔ Мероприятие отменено." in scan.body


async def test_a_forged_token_is_a_clear_message_for_everyone(
    door: tuple[ChatClient, Event, Registration, Registration],
    make_client: Callable[..., ChatClient],
) -> None:
    organizer, _event, _anna, _petr = door
    for token in ("0" * 32, "deadbeef", "A" * 32):
        [reply] = await organizer.send(f"/start ci_{token}")
        assert "⛔ Билет не найден" in reply.body
    member = await started(make_client, 2001)
    [reply] = await member.send(f"/start ci_{'0' * 32}")
    assert "Этот билет недействителен" in reply.body


async def test_a_member_scanning_a_ticket_sees_no_personal_data(
    door: tuple[ChatClient, Event, Registration, Registration],
    make_client: Callable[..., ChatClient],
    services: Services,
) -> None:
    _organizer, event, anna, _petr = door
    member = await started(make_client, 2001)
    [reply] = await member.send(f"/start ci_{anna.ticket_token}")
    assert "Это чужой билет" in reply.body
    for private in ("Иванова", "Дом НКО", anna.short_code, event.title, "+7"):
        assert private not in reply.body
    assert reply.buttons() == []
    await member.press(CheckInAction(registration_id=anna.id).pack())
    assert "только организаторы" in (member.last_answer.text or "")
    assert (await fresh(services, anna)).checked_in_at is None
    # Anna scanning her own ticket is told what it is for.
    owner = make_client(PERSON, "ru")  # registered in the database: language already chosen
    [own] = await owner.send(f"/start ci_{anna.ticket_token}")
    assert "Это ваш билет" in own.body
    assert event.title in own.body


async def test_an_admin_checks_in_at_any_event(
    door: tuple[ChatClient, Event, Registration, Registration],
    services: Services,
    make_client: Callable[..., ChatClient],
) -> None:
    _organizer, _event, _anna, petr = door
    admin = await started(make_client, ADMIN_ID)
    [card] = await admin.send(f"/start ci_{petr.ticket_token}")
    assert "Петров Пётр Петрович" in card.body
    await admin.click("Отметить приход", card)
    assert (await fresh(services, petr)).checked_in_at is not None


async def test_checkin_by_code(
    door: tuple[ChatClient, Event, Registration, Registration], services: Services
) -> None:
    organizer, _event, anna, _petr = door
    [bad] = await organizer.send("/checkin 12")
    assert "не код билета" in bad.body
    [missing] = await organizer.send("/checkin ZZZZZZ")
    assert "Билета с кодом ZZZZZZ нет" in missing.body
    spaced = f"{anna.short_code[:3].lower()} {anna.short_code[3:].lower()}"
    [card] = await organizer.send(f"/checkin {spaced}")
    assert "Иванова Анна Сергеевна" in card.body
    await organizer.click("Отметить приход", card)
    assert (await fresh(services, anna)).checked_in_at is not None
    # The whole ticket link pasted after the command works as well.
    [again] = await organizer.send(f"/checkin https://t.me/x?start=ci_{anna.ticket_token}")
    assert "Приход уже отмечен" in again.body


async def test_a_code_on_tickets_of_two_events_asks_which_event(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    organizer = await make_organizer(services, make_client)
    first = await owned_event(services, ORGANIZER_ID, **TODAY)
    second = await owned_event(services, ORGANIZER_ID, title="Стратегическая сессия", **TODAY)
    one = await register_person(services, first, PERSON)
    two = await register_person(services, second, OTHER, full_name="Петров Пётр Петрович")
    async with services.db.write() as tx:
        await tx.execute(
            "UPDATE registrations SET short_code = ? WHERE id = ?", (one.short_code, two.id)
        )
    [question] = await organizer.send(f"/checkin {one.short_code}")
    assert "есть в билетах нескольких" in question.body
    assert len(question.buttons()) == 2
    await organizer.click("Стратегическая", question)
    card = organizer.last
    assert "Петров Пётр Петрович" in card.body
    assert card.buttons() == ["Отметить приход ✅"]
    await organizer.click("Отметить приход", card)
    assert (await fresh(services, two)).checked_in_at is not None
    assert (await fresh(services, one)).checked_in_at is None
