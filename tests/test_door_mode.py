"""Door mode: each scanned or typed ticket checked in at once, refusals with reasons, undo."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.clock import ManualClock
from bot.services import Services
from db import registrations as registrations_repo
from db.events import Event, Question
from db.registrations import Cancelled, Registration
from tests.conftest import NOW
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.organizer_kit import ORGANIZER_ID, make_organizer, owned_event, register_person, started

ANNA = 5101
PETR = 5102
OLGA = 5103
BORIS = 5104
HOUR = 3600.0
# 17:00–19:00 in Tyumen on the test day; the test clock reads 14:00 there.
TODAY = {"starts_at": NOW.timestamp() + 3 * HOUR, "ends_at": NOW.timestamp() + 5 * HOUR}
TOMORROW = {"starts_at": NOW.timestamp() + 27 * HOUR, "ends_at": NOW.timestamp() + 29 * HOUR}
ESCORT = Question(key="escort", text="Нужно ли сопровождение", options=("Да", "Нет"))


async def checked_in_at(services: Services, registration: Registration) -> float | None:
    found = await registrations_repo.get(services.db, registration.id)
    assert found is not None
    return found.checked_in_at


@pytest.fixture
async def today(services: Services) -> Event:
    return await owned_event(services, ORGANIZER_ID, questions=(ESCORT,), capacity=2, **TODAY)


async def test_a_scan_checks_in_at_once_with_answers_count_and_the_guests_welcome(
    services: Services,
    make_client: Callable[..., ChatClient],
    bot: MockedBot,
    today: Event,
) -> None:
    organizer = await make_organizer(services, make_client)
    guest = await started(make_client, ANNA)
    anna = await register_person(services, today, ANNA, answers={"escort": "Да"})
    await register_person(services, today, PETR, full_name="Петров Пётр Петрович")

    [opened] = await organizer.send("/checkin")
    assert "Приём гостей на мероприятии «Роль СО НКО" in opened.body
    assert "Пришли 0 из 2" in opened.body
    assert opened.buttons() == ["Закончить приём"]

    [line] = await organizer.send(f"/start ci_{anna.ticket_token}")  # the camera opens the link
    assert line.body.splitlines() == [
        "✅ Иванова Анна Сергеевна: приход отмечен.",
        "Нужно ли сопровождение: <b>Да</b>",
        "Пришли 1 из 2",
    ]
    assert line.buttons() == ["Отменить отметку", "Закончить приём"]
    assert await checked_in_at(services, anna) == NOW.timestamp()
    # The welcome is the guest's, not the organizer's.
    await services.delivery.drain(bot)
    assert "Добро пожаловать! Ваш приход на мероприятие «Роль СО НКО" in guest.last.body
    assert not any("Добро пожаловать!" in m.body for m in organizer.messages)


async def test_typed_codes_keep_coming_until_the_organizer_stops_and_undo_takes_one_back(
    services: Services, make_client: Callable[..., ChatClient], today: Event
) -> None:
    organizer = await make_organizer(services, make_client)
    anna = await register_person(services, today, ANNA)
    petr = await register_person(services, today, PETR, full_name="Петров Пётр Петрович")
    await organizer.send("/checkin")

    [first] = await organizer.send(anna.short_code.lower())
    assert "Иванова Анна Сергеевна: приход отмечен." in first.body
    [second] = await organizer.send(f"{petr.short_code[:3]} {petr.short_code[3:]}")
    assert "Петров Пётр Петрович: приход отмечен." in second.body
    assert "Пришли 2 из 2" in second.body
    [bad] = await organizer.send("привет")
    assert "«привет» — не код билета" in bad.body

    await organizer.click("Отменить отметку", second)
    assert "Петров Пётр Петрович: отметка снята." in second.body
    assert "Пришли 1 из 2" in second.body
    assert await checked_in_at(services, petr) is None
    assert await checked_in_at(services, anna) is not None

    [again] = await organizer.send(petr.short_code)  # the right guest after all
    assert "Пришли 2 из 2" in again.body
    [closed] = await organizer.click("Закончить приём", again)
    assert "Приём гостей закончен. Пришли 2 из 2." in closed.body
    [after] = await organizer.send(anna.short_code)  # door mode is over: not a code any more
    assert "приход отмечен" not in after.body


@dataclass(frozen=True, slots=True)
class RefusedTickets:
    """Tickets the door of today's event refuses, one of each reason."""

    cancelled: Registration  # Петров, today's event, cancelled
    waitlisted: Registration  # Орлова, today's event, on the waitlist
    tomorrow: Registration  # Анна's ticket for tomorrow's «Семинар»


@pytest.fixture
async def refused_tickets(services: Services, today: Event) -> RefusedTickets:
    """Today's event (two seats) full with Анна and Борис after Петров cancelled; Орлова waits."""
    await register_person(services, today, ANNA)
    cancelled = await register_person(services, today, PETR, full_name="Петров Пётр Петрович")
    outcome = await registrations_repo.cancel(services.db, cancelled.id, PETR, NOW.timestamp())
    assert isinstance(outcome, Cancelled)
    await register_person(services, today, BORIS, full_name="Борисов Борис")
    waitlisted = await register_person(services, today, OLGA, full_name="Орлова Ольга")
    seminar = await owned_event(services, ORGANIZER_ID, title="Семинар", **TOMORROW)
    tomorrow = await register_person(services, seminar, ANNA)
    return RefusedTickets(cancelled, waitlisted, tomorrow)


# What the door says of each refused ticket, in each language.
REFUSALS = {
    "ru": (
        "Петров Пётр Петрович: ⛔ Билет недействителен: регистрация отменена",
        "Орлова Ольга: ⛔ Участник в листе ожидания: место не подтверждено.",
        "⛔ Иванова Анна Сергеевна: этот билет — на другое мероприятие, «Семинар», понедельник",
    ),
    "en": (
        "Петров Пётр Петрович: ⛔ This registration was cancelled on",
        "Орлова Ольга: ⛔ This person is on the waitlist: no seat has been confirmed.",
        "⛔ Иванова Анна Сергеевна: this ticket is for another event, “Семинар”, Monday",
    ),
}


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_cancelled_waitlisted_and_tomorrow_tickets_are_refused_with_the_reason(
    services: Services,
    make_client: Callable[..., ChatClient],
    refused_tickets: RefusedTickets,
    language: str,
) -> None:
    organizer = await make_organizer(services, make_client, language=language)
    await organizer.send("/checkin")
    cancelled, waitlisted, other = REFUSALS[language]
    [refused] = await organizer.send(f"/start ci_{refused_tickets.cancelled.ticket_token}")
    assert cancelled in refused.body
    assert len(refused.buttons()) == 1  # only «stop checking in»: nothing to undo
    [waiting] = await organizer.send(refused_tickets.waitlisted.short_code)
    assert waitlisted in waiting.body
    [tomorrow] = await organizer.send(f"/start ci_{refused_tickets.tomorrow.ticket_token}")
    assert other in tomorrow.body
    for ticket in (refused_tickets.cancelled, refused_tickets.waitlisted, refused_tickets.tomorrow):
        assert await checked_in_at(services, ticket) is None


async def test_tomorrows_event_has_no_door_today_and_a_single_scan_asks_to_confirm(
    services: Services,
    make_client: Callable[..., ChatClient],
    clock: ManualClock,
) -> None:
    organizer = await make_organizer(services, make_client)
    tomorrow = await owned_event(services, ORGANIZER_ID, **TOMORROW)
    anna = await register_person(services, tomorrow, ANNA)

    [none] = await organizer.send("/checkin")
    assert "Сегодня нет ваших мероприятий" in none.body
    assert "/checkin K7M2QX" in none.body
    [card] = await organizer.send(f"/start ci_{anna.ticket_token}")
    assert "Мероприятие не сегодня: понедельник, 23 ноября" in card.body
    assert "Отмечайте, только если уверены" in card.body
    assert card.buttons() == ["Отметить приход ✅"]
    await organizer.click("Отметить приход", card)
    assert await checked_in_at(services, anna) is not None


async def test_a_door_left_open_past_midnight_refuses_the_next_days_tickets(
    services: Services,
    make_client: Callable[..., ChatClient],
    clock: ManualClock,
    today: Event,
) -> None:
    organizer = await make_organizer(services, make_client)
    anna = await register_person(services, today, ANNA)
    await organizer.send("/checkin")
    clock.advance(24 * HOUR)
    [refused] = await organizer.send(anna.short_code)
    assert "⛔ Иванова Анна Сергеевна: приход не отмечен. Мероприятие не сегодня" in refused.body
    assert await checked_in_at(services, anna) is None


async def test_manage_opens_the_door_on_the_day_only(
    services: Services, make_client: Callable[..., ChatClient], today: Event
) -> None:
    organizer = await make_organizer(services, make_client)
    await owned_event(services, ORGANIZER_ID, title="Семинар", **TOMORROW)
    [listing] = await organizer.send("/manage")
    await organizer.pick("Роль СО НКО", listing)
    screen = organizer.last
    assert "Приём гостей" in screen.buttons()
    [opened] = await organizer.click("Приём гостей", screen)
    assert "Приём гостей на мероприятии «Роль СО НКО" in opened.body
    [listing] = await organizer.send("/manage")
    await organizer.pick("Семинар", listing)
    assert "Приём гостей" not in organizer.last.buttons()


async def test_door_mode_in_english(
    services: Services, make_client: Callable[..., ChatClient], today: Event
) -> None:
    organizer = await make_organizer(services, make_client)
    await organizer.send("/language")
    await organizer.click("English")
    anna = await register_person(services, today, ANNA, answers={"escort": "Да"})
    [opened] = await organizer.send("/checkin")
    assert "Checking in guests at “Роль СО НКО" in opened.body
    [line] = await organizer.send(anna.short_code)
    assert "Иванова Анна Сергеевна: checked in." in line.body
    assert "Came 1 of 1" in line.body
    assert line.buttons() == ["Undo the check-in", "Stop checking in"]
    await organizer.click("Undo the check-in", line)
    assert "check-in taken back" in line.body


async def test_attendee_list_shows_answers_that_matter(
    services: Services, make_client: Callable[..., ChatClient], today: Event
) -> None:
    organizer = await make_organizer(services, make_client)
    await register_person(services, today, ANNA, answers={"escort": "Да"})
    [listing] = await organizer.send("/manage")
    await organizer.pick("Роль СО НКО", listing)
    await organizer.click("Участники", organizer.last)
    assert "Нужно ли сопровождение: <b>Да</b>" in organizer.last.body
