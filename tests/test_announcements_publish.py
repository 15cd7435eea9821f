"""The publish hook: a just-published event, announced in one tap to the subscribers of its city."""

from __future__ import annotations

from collections.abc import Callable

from bot.services import Services
from db import people
from db.announcements import AudienceKind
from db.events import EventStatus
from tests.announcements_kit import add_people, copies_to, deliver, latest, started
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import BOT_USERNAME, MockedBot
from tests.member_kit import make_event

ORGANIZER_ID = 3001


async def organizer(make_client: Callable[..., ChatClient], services: Services) -> ChatClient:
    client = await started(make_client(ORGANIZER_ID))
    await people.set_role(services.db, ORGANIZER_ID, "organizer", services.clock.timestamp())
    return client


async def test_publishing_offers_a_one_tap_announcement_with_the_registration_link(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, [100], city="Тюмень")
    await add_people(services, [101])  # all cities
    await add_people(services, [102], city="Омск")
    client = await organizer(make_client, services)
    event = await make_event(services, owner_id=ORGANIZER_ID, status=EventStatus.draft)
    await client.press(f"om1:pub:{event.id}:0")
    offer = client.find("Рассказать о нём подписчикам?")
    assert "Объявить 2 подписчикам 📣" in offer.buttons()

    await client.click("Объявить 2 подписчикам", offer)
    link = f"https://t.me/{BOT_USERNAME}?start=ev_{event.id}"
    source = client.find("📝 Регистрация:")
    assert event.title in source.body
    assert link in source.body
    assert source.url("Зарегистрироваться") == link
    assert "Отписаться 🔕" in source.buttons()
    assert "Получателей: <b>2</b>" in client.last.body
    assert "подписчики в Тюмени или в Тюменской области (и подписанные на все регионы)" in (
        client.last.body
    )
    draft = await latest(services)
    assert draft.audience is not None
    assert draft.audience.kind == AudienceKind.city
    assert draft.link_event_id == event.id

    await client.click("Отправить сейчас")
    await deliver(services, bot)
    for person_id in (100, 101):
        (copy,) = copies_to(bot, person_id)
        assert copy.copy_of == (ORGANIZER_ID, source.message_id)
        assert copy.url("Зарегистрироваться") == link
        assert "Отписаться 🔕" in copy.buttons()
    assert copies_to(bot, 102) == []


async def test_no_offer_without_subscribers_and_no_tap_for_someone_elses_event(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    client = await organizer(make_client, services)
    event = await make_event(services, owner_id=ORGANIZER_ID, status=EventStatus.draft)
    await client.press(f"om1:pub:{event.id}:0")
    assert all("Рассказать о нём подписчикам" not in sent.body for sent in client.messages)

    await add_people(services, [100], city="Тюмень")
    await add_people(services, [3002], subscribed=False)
    theirs = await make_event(services, owner_id=3002)
    await client.press(f"ap1:{theirs.id}")
    assert client.last_answer.text == "Писать можно только участникам своих мероприятий."
    assert await services.db.fetch_value("SELECT count(*) FROM announcements") == 0
