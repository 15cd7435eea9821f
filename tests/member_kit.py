"""Helpers for the member-journey tests: realistic events and a member walked to a step."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import ManualClock
from bot.services import Services, geography
from db import events
from db.events import Event, EventKind, EventStatus, NewEvent, Question
from db.people import Profile
from tests.conftest import NOW
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import Sent

TYUMEN = ZoneInfo("Asia/Yekaterinburg")

# Typical answers of a member going through the dialog.
NAME = "Иванова Анна Сергеевна"
ORGANIZATION = "АНО «Дом НКО»"
POSITION = "Координатор проектов"
PHONE = "+7 912 345-67-89"
EMAIL = "anna@example.org"
# The saved profile a seat is taken with when a test goes straight to the service.
PROFILE = Profile(
    full_name=NAME, organization=ORGANIZATION, position=None, phone="+79123456789", email=None
)


def local_ts(day: datetime) -> float:
    return day.timestamp()


async def make_event(services: Services, **overrides: Any) -> Event:
    """The Tyumen round table from the seeds, ten days after the test clock's "now"."""
    start = datetime(2026, 12, 2, 14, 0, tzinfo=TYUMEN)
    fields: dict[str, Any] = {
        "title": "Роль СО НКО в реализации приоритетных национальных проектов",
        "kind": EventKind.round_table,
        "city": "Тюмень",
        "timezone": "Asia/Yekaterinburg",
        "starts_at": start.timestamp(),
        "ends_at": (start + timedelta(hours=3)).timestamp(),
        "description": "Цель круглого стола — оценить потенциал участия СО НКО.",
        "organizer_name": "Альянс СО НКО Тюменской области",
        "venue": "«Точка кипения»",
        "address": "Тюменский Технопарк, ул. Республики 142, 2 этаж",
        "latitude": 57.1357,
        "longitude": 65.5786,
        "capacity": 40,
    }
    status = overrides.pop("status", EventStatus.published)
    fields.update(overrides)
    if "region_code" not in fields:
        # As the editor saves it: the city's region and town from the list.
        found = geography.locate(fields["city"])
        if found is not None:
            fields["region_code"] = found.region.code
            fields["settlement_id"] = found.settlement_id
    return await events.create(services.db, NewEvent(**fields), NOW.timestamp(), status=status)


def choice_question() -> Question:
    return Question(
        key="topic",
        text="Какая тема вам ближе?",
        options=("Образование", "Здравоохранение", "Демография"),
    )


def text_question(required: bool = False) -> Question:
    return Question(key="proposal", text="Ваше предложение к круглому столу", required=required)


async def open_card(client: ChatClient, event: Event) -> None:
    await client.send(f"/start ev_{event.id}")


async def register_new(
    client: ChatClient,
    event: Event,
    *,
    subscribe: str = "Нет, спасибо",
    confirm: bool = True,
    button: str = "Зарегистрироваться",
) -> None:
    """Card → Register → consent → announcements → the profile questions → summary."""
    await open_card(client, event)
    await client.click(button)
    await client.click("Даю согласие")
    await client.click(subscribe)
    await client.send(NAME)
    await client.send(ORGANIZATION)
    await client.send(POSITION)
    await client.send(PHONE)
    await client.send("⏭ Пропустить")
    for question in event.questions:
        await client.send(question.options[0] if question.options else "Готов выступить")
    if confirm:
        await client.click("Подтвердить")


async def prepared_person(services: Services, person_id: int, *, profile: bool = True) -> None:
    """A person who chose Russian, consented, answered the announcements question and
    (optionally) has a saved profile — straight in the database, to skip to the seat."""
    from bot.services.registration import ANNOUNCEMENTS_VERSION, CONSENT_VERSION
    from db import consents, people
    from db.consents import ConsentKind
    from db.people import Profile

    now = NOW.timestamp()
    await people.set_language(services.db, person_id, "ru", now)
    await consents.record(
        services.db, person_id, ConsentKind.personal_data, CONSENT_VERSION, True, now
    )
    await consents.record(
        services.db, person_id, ConsentKind.announcements, ANNOUNCEMENTS_VERSION, False, now
    )
    if profile:
        async with services.db.write() as tx:
            await people.save_profile(
                tx,
                person_id,
                Profile(
                    full_name=f"Участник Номер {person_id}",
                    organization=ORGANIZATION,
                    position=None,
                    phone=None,
                    email=f"p{person_id}@example.org",
                ),
                now,
            )


async def register_again(
    client: ChatClient, event: Event, *, button: str = "Зарегистрироваться"
) -> None:
    """A member who has consented and has a saved profile: card → Register → reuse → confirm."""
    await open_card(client, event)
    await client.click(button)
    await client.click("Да, использовать")
    for question in event.questions:
        await client.send(question.options[0] if question.options else "Готов выступить")
    await client.click("Подтвердить")


# A colleague not on Telegram, as a member types them in.
COLLEAGUE = "Петров Иван Сергеевич"
COLLEAGUE_PHONE = "+7 912 000-11-22"


async def register_colleague(
    client: ChatClient, event: Event, name: str = COLLEAGUE, phone: str = COLLEAGUE_PHONE
) -> None:
    """A member who has consented: card → «Записать коллегу» → name → phone → confirm."""
    await open_card(client, event)
    await client.click("Записать коллегу")
    await client.send(name)
    await client.send(phone)
    await client.click("Записать коллегу")


async def edit_field(organizer: ChatClient, event: Event, field: str) -> list[Sent]:
    """An organizer's /manage → the event → «Изменить» → the field's button; what came back."""
    [listing] = await organizer.send("/manage")
    await organizer.pick(event.title, listing)
    await organizer.click("Изменить")
    return await organizer.click(field)


async def delivered(client: ChatClient, services: Services, rounds: int = 5) -> list[Sent]:
    """Run the outbox sender until nothing is due; the messages it sent to this person.

    One message per second goes to a chat, so the test clock moves a second between rounds.
    """
    clock = services.clock
    assert isinstance(clock, ManualClock)
    before = len(client.messages)
    for _ in range(rounds):
        await services.delivery.drain(client.bot)
        pending = await services.db.fetch_value(
            "SELECT count(*) FROM deliveries WHERE state = 'pending'"
        )
        if not pending:
            break
        clock.advance(1.0)
    return client.messages[before:]
