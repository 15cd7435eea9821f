"""Issue 13: the town as a refinement inside a region — /subscribe, the catalog filter, the
one-tap announcement after publishing — and the /announce picker marking cancelled events."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.services import Services
from db import events as events_repo
from db import people
from db.events import EventStatus
from tests.announcements_kit import add_people, compose_text, copies_to, deliver
from tests.conftest import ADMIN_ID
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.member_kit import make_event
from tests.organizer_kit import started
from tests.test_places_and_dates import to_start


async def ishim_and_tyumen(services: Services) -> None:
    """Тюменская область with events in two towns, and one in Омск."""
    await make_event(services, title="Тюменский круглый стол", city="Тюмень")
    await make_event(services, title="Ишимский форум", city="Ишим")
    await make_event(services, title="Омский семинар", city="Омск", timezone="Asia/Omsk")


async def test_a_member_subscribes_to_one_town_of_a_region(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    await ishim_and_tyumen(services)
    member = await started(make_client, 2001)
    [reply] = await member.send("/subscribe")
    await member.click("Только Тюменская область", reply)
    assert (
        reply.body
        == "Анонсы мероприятий в Тюменской области: из всех городов или только из одного?"
    )
    assert reply.buttons() == [
        "Все города области",
        "Только Ишим",
        "Только Тюмень",
        "Другие регионы",
    ]
    await member.click("Только Ишим", reply)
    assert reply.body == "📣 Вы будете получать анонсы мероприятий в Ишиме (Тюменская область)."
    person = await people.get(services.db, 2001)
    assert person is not None
    assert (person.subscription_city, person.subscription_town) == ("72", "72-ishim")
    [again] = await member.send("/subscribe")
    assert again.body.startswith("Вы получаете анонсы мероприятий в Ишиме (Тюменская область).")
    [data] = await member.send("/mydata")
    assert "только Ишим, Тюменская область" in data.body


async def test_an_english_member_subscribes_to_the_whole_region_and_hears_of_ishim(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await ishim_and_tyumen(services)
    member = await started(make_client, 2002, "en")
    [reply] = await member.send("/subscribe")
    await member.click("Only Tyumen Oblast", reply)
    assert reply.buttons() == [
        "All towns of the region",
        "Only Ishim",
        "Only Tyumen",
        "Other regions",
    ]
    await member.click("All towns of the region", reply)
    assert reply.body == "📣 You will receive announcements of events in Tyumen Oblast."
    person = await people.get(services.db, 2002)
    assert person is not None
    assert (person.subscription_city, person.subscription_town) == ("72", None)
    organizer = await started(make_client, ADMIN_ID, "en")
    await publish(organizer, services, "Ишим", title="Ишимский семинар")
    await organizer.click("Announce to 1 subscribers")
    assert "subscribers in Ishim or in Tyumen Oblast" in organizer.last.body
    await organizer.click("Send now")
    await deliver(services, bot)
    assert len(copies_to(bot, 2002)) == 1


async def test_a_forged_town_of_another_region_is_refused(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    await ishim_and_tyumen(services)
    member = await started(make_client, 2003)
    [reply] = await member.send("/subscribe")
    await member.click("Только Тюменская область", reply)
    tyumen_oblast = reply.callback_data("Только Ишим").split(":")[1]
    await member.press(f"sbt1:{tyumen_oblast}:12345", reply)  # no town has this key
    assert member.last.body == (
        "В этом городе больше нет мероприятий. Пожалуйста, выберите заново: /subscribe."
    )
    person = await people.get(services.db, 2003)
    assert person is not None
    assert not person.subscribed


async def publish(client: ChatClient, services: Services, city: str, **fields: object) -> None:
    event = await make_event(
        services, owner_id=ADMIN_ID, city=city, status=EventStatus.draft, **fields
    )
    await client.press(f"om1:pub:{event.id}:0")


async def test_town_and_region_subscribers_hear_of_their_towns_events_only(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, [100], city="Тюменская область")  # the whole region
    await add_people(services, [101])  # all regions
    await add_people(services, [102], city="Тюменская область")
    await add_people(services, [103], city="Тюменская область")
    await make_event(services, title="Прошлый форум в Тюмени", city="Тюмень")
    await make_event(services, title="Прошлый форум в Ишиме", city="Ишим")
    await people.set_subscription(services.db, 102, True, "72", 0.0, town="72-tyumen")
    await people.set_subscription(services.db, 103, True, "72", 0.0, town="72-ishim")
    organizer = await started(make_client, ADMIN_ID)
    await publish(organizer, services, "Ишим", title="Ишимский форум")
    offer = organizer.find("Рассказать о нём подписчикам?")
    assert "подписчики в Ишиме или в Тюменской области" in offer.body
    assert "Объявить подписчикам (3) 📣" in offer.buttons()
    await organizer.click("Объявить подписчикам", offer)
    assert "подписчики в Ишиме или в Тюменской области" in organizer.last.body
    await organizer.click("Отправить сейчас")
    await deliver(services, bot)
    assert [len(copies_to(bot, person)) for person in (100, 101, 102, 103)] == [1, 1, 0, 1]


async def test_catalog_asks_for_the_town_only_where_a_region_has_several(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    await ishim_and_tyumen(services)
    member = await started(make_client, 2004)
    [catalog] = await member.send("/events")
    await member.click("Все регионы", catalog)
    await member.click("Тюменская область (2)", catalog)
    assert catalog.body == "Какой город в Тюменской области?"
    assert catalog.buttons() == ["Все города (2)", "Ишим (1)", "Тюмень (1)", "Другие регионы"]
    await member.click("Ишим (1)", catalog)
    assert catalog.body.startswith("<b>Предстоящие мероприятия в Ишиме</b>")
    assert "Ишимский форум" in catalog.body
    assert "Тюменский круглый стол" not in catalog.body
    assert "Город: Ишим 🗺" in catalog.buttons()
    # The card's «Back» returns to the same town.
    await member.click("1.", catalog)
    await member.click("Назад", catalog)
    assert catalog.body.startswith("<b>Предстоящие мероприятия в Ишиме</b>")
    # Омская область has one town: no town question.
    await member.click("Город: Ишим", catalog)
    await member.click("Омская область (1)", catalog)
    assert catalog.body.startswith("<b>Предстоящие мероприятия в Омской области</b>")


async def test_an_english_member_filters_the_catalog_by_town(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    await ishim_and_tyumen(services)
    member = await started(make_client, 2005, "en")
    [catalog] = await member.send("/events")
    await member.click("All regions", catalog)
    await member.click("Tyumen Oblast (2)", catalog)
    assert catalog.body == "Which town in Tyumen Oblast?"
    await member.click("Tyumen (1)", catalog)
    assert catalog.body.startswith("<b>Upcoming events in Tyumen</b>")
    assert "Ишимский форум" not in catalog.body


async def test_the_announce_picker_marks_a_cancelled_event(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    admin = await started(make_client, ADMIN_ID)
    await make_event(services, owner_id=ADMIN_ID, title="Круглый стол")
    cancelled = await make_event(services, owner_id=ADMIN_ID, title="Круглый стол")
    await events_repo.cancel(services.db, cancelled.id, "", services.clock.timestamp())
    await make_event(services, owner_id=ADMIN_ID, title="Черновик", status=EventStatus.draft)
    await compose_text(admin)
    await admin.click("Участникам мероприятия")
    menu = admin.last
    assert "Черновик" not in menu.body  # a draft has no people to address
    lines = [line for line in menu.body.splitlines() if "Круглый стол" in line]
    assert len(lines) == 2
    assert sum("мероприятие отменено" in line for line in lines) == 1
    labels = menu.buttons()[:2]
    assert len(set(labels)) == 2
    assert any(label.endswith("· отменено") for label in labels)


# (typed, read back) by an English organizer in Omsk; the clock: Sunday 22 November 2026.
EN_FORMS = [
    ("December 17 2pm", "Thursday, December 17, 2:00 PM local time (Moscow +3)"),
    ("tomorrow at 14:00", "Monday, November 23, 2:00 PM local time (Moscow +3)"),
    ("on Friday 10:00", "Friday, November 27, 10:00 AM local time (Moscow +3)"),
    ("17.12 14:00", "Thursday, December 17, 2:00 PM local time (Moscow +3)"),
    ("2027-04-17 14:00", "Saturday, April 17, 2027, 2:00 PM local time (Moscow +3)"),
]


@pytest.mark.parametrize(("typed", "read"), EN_FORMS)
async def test_an_english_organizer_types_dates_as_people_do(
    make_client: Callable[..., ChatClient], services: Services, typed: str, read: str
) -> None:
    organizer = await started(make_client, ADMIN_ID, "en")
    await to_start(organizer, "Omsk", english=True)
    [echo] = await organizer.send(typed)
    assert echo.body == f"{read} — correct?"


async def test_an_english_organizer_is_told_why_a_date_is_refused(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    organizer = await started(make_client, ADMIN_ID, "en")
    await to_start(organizer, "Omsk", english=True)
    [refused] = await organizer.send("April 31 10:00")
    assert refused.body.startswith("There is no such date: April has 30 days.")
