"""Issue 13: the town as a refinement inside a region — /subscribe, the catalog filter, the
one-tap announcement after publishing — and the /announce picker marking cancelled events."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import aiosqlite
import pytest

from bot.services import Services
from bot.views import announcements as announcement_views
from db import Database, people
from db import announcements as announcements_repo
from db import events as events_repo
from db.announcements import AudienceKind
from db.database import migrate, migration_files
from db.events import EventStatus
from tests.announcements_kit import add_people, compose_text, copies_to, deliver, latest
from tests.conftest import ADMIN_ID
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot, Sent
from tests.member_kit import make_event
from tests.organizer_kit import started
from tests.test_places_and_dates import to_start


async def ishim_and_tyumen(services: Services) -> None:
    """Тюменская область with events in two towns, and one in Омск."""
    await make_event(services, title="Тюменский круглый стол", city="Тюмень")
    await make_event(services, title="Ишимский форум", city="Ишим")
    await make_event(services, title="Омский семинар", city="Омск", timezone="Asia/Omsk")


async def clicked_through(
    make_client: Callable[..., ChatClient],
    services: Services,
    member: tuple[int, str],
    command: str,
    *labels: str,
) -> tuple[ChatClient, Sent]:
    """With ishim_and_tyumen's events, a member (id, locale) sends a command and clicks on."""
    await ishim_and_tyumen(services)
    client = await started(make_client, *member)
    [reply] = await client.send(command)
    for label in labels:
        await client.click(label, reply)
    return client, reply


async def answer_the_town_question(
    member: ChatClient, reply: Sent, services: Services, offered: list[str], pick: str
) -> tuple[str | None, str | None]:
    """Checks the towns offered, picks one; the (region, town) the member's subscription keeps."""
    assert reply.buttons() == offered
    await member.click(pick, reply)
    person = await people.get(services.db, member.user.id)
    assert person is not None
    return person.subscription_city, person.subscription_town


async def test_a_member_subscribes_to_one_town_of_a_region(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    member, reply = await clicked_through(
        make_client, services, (2001, "ru"), "/subscribe", "Только Тюменская область"
    )
    assert (
        reply.body
        == "Анонсы мероприятий в Тюменской области: из всех городов или только из одного?"
    )
    offered = ["Все города области", "Только Ишим", "Только Тюмень", "Другие регионы"]
    stored = await answer_the_town_question(member, reply, services, offered, "Только Ишим")
    assert reply.body == "📣 Вы будете получать анонсы мероприятий в Ишиме (Тюменская область)."
    assert stored == ("72", "72-ishim")
    [again] = await member.send("/subscribe")
    assert again.body.startswith("Вы получаете анонсы мероприятий в Ишиме (Тюменская область).")
    [data] = await member.send("/mydata")
    assert "только Ишим, Тюменская область" in data.body


async def test_an_english_member_subscribes_to_the_whole_region_and_hears_of_ishim(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    member, reply = await clicked_through(
        make_client, services, (2002, "en"), "/subscribe", "Only Tyumen Oblast"
    )
    offered = ["All towns of the region", "Only Ishim", "Only Tyumen", "Other regions"]
    stored = await answer_the_town_question(
        member, reply, services, offered, "All towns of the region"
    )
    assert reply.body == "📣 You will receive announcements of events in Tyumen Oblast."
    assert stored == ("72", None)
    organizer = await started(make_client, ADMIN_ID, "en")
    await announce_on_publishing(
        organizer,
        services,
        bot,
        title="Ишимский семинар",
        offer="Tell subscribers about it?",
        counted="1 person subscribed to announcements in Ishim or in Tyumen Oblast",
        button="Announce to 1 subscriber",
        audience="subscribers in Ishim or in Tyumen Oblast",
        send="Send now",
    )
    assert len(copies_to(bot, 2002)) == 1


async def test_a_forged_town_of_another_region_is_refused(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    member, reply = await clicked_through(
        make_client, services, (2003, "ru"), "/subscribe", "Только Тюменская область"
    )
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


async def announce_on_publishing(
    organizer: ChatClient,
    services: Services,
    bot: MockedBot,
    *,
    title: str,
    offer: str,
    counted: str,
    button: str,
    audience: str,
    send: str,
) -> None:
    """Publishes an event in Ишим, checks the offer's count and audience, and sends it."""
    await publish(organizer, services, "Ишим", title=title)
    found = organizer.find(offer)
    assert counted in found.body
    assert f"{button} 📣" in found.buttons()
    await organizer.click(button, found)
    assert audience in organizer.last.body
    await organizer.click(send)
    await deliver(services, bot)


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
    await announce_on_publishing(
        organizer,
        services,
        bot,
        title="Ишимский форум",
        offer="Рассказать о нём подписчикам?",
        counted="3 человека, подписанных на анонсы мероприятий в Ишиме или в Тюменской",
        button="Объявить 3 подписчикам",
        audience="подписчики в Ишиме или в Тюменской области",
        send="Отправить сейчас",
    )
    assert [len(copies_to(bot, person)) for person in (100, 101, 102, 103)] == [1, 1, 0, 1]


async def test_catalog_asks_for_the_town_only_where_a_region_has_several(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    member, catalog = await clicked_through(
        make_client, services, (2004, "ru"), "/events", "Все регионы", "Тюменская область (2)"
    )
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
    member, catalog = await clicked_through(
        make_client, services, (2005, "en"), "/events", "All regions", "Tyumen Oblast (2)"
    )
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


async def test_a_database_with_towns_encoded_in_the_region_column_migrates_to_the_same_meaning(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite3"
    before_towns = [file for file in migration_files() if file[0] < 9]
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await migrate(conn, before_towns)
        # As the first pass stored them: «<region code>/<town>» in the region's column.
        await conn.executemany(
            "INSERT INTO people (id, subscribed, subscription_city, created_at, updated_at)"
            " VALUES (?, 1, ?, 0, 0)",
            [(1, "72/72-ishim"), (2, "72"), (3, None), (4, "72/72-tyumen"), (5, "72/")],
        )
        await conn.execute(
            "INSERT INTO announcements (id, author_id, from_chat_id, message_id, audience,"
            " audience_city, timezone, created_at, updated_at)"
            " VALUES (1, 9, 9, 1, 'city', '72/72-ishim', 'Asia/Yekaterinburg', 0, 0)"
        )
    db = Database(path)
    await db.connect()
    try:
        found = [await people.get(db, person_id) for person_id in range(1, 6)]
        assert [(p.subscription_city, p.subscription_town) for p in found if p is not None] == [
            ("72", "72-ishim"),
            ("72", None),
            (None, None),
            ("72", "72-tyumen"),
            ("72", None),  # a town left empty: the whole region, as it was read before
        ]
        announcement = await announcements_repo.get(db, 1)
        assert announcement is not None
        assert announcement.audience is not None
        assert announcement.audience.kind == AudienceKind.city
        assert (announcement.audience.city, announcement.audience.town) == ("72", "72-ishim")
        # The same people as before: Ишим's, the whole region's and all regions', not Тюмень's.
        reached = await announcements_repo.recipients(db, announcement.audience)
        assert [recipient.id for recipient in reached] == [1, 2, 3, 5]
    finally:
        await db.close()


async def subscribers_of_tyumen_oblast(services: Services) -> None:
    """100 the whole region, 101 all regions, 102 only Тюмень, 103 only Ишим, 104 Омская."""
    await add_people(services, [100, 102, 103], city="Тюменская область")
    await add_people(services, [101])
    await add_people(services, [104], city="Омск")
    await people.set_subscription(services.db, 102, True, "72", 0.0, town="72-tyumen")
    await people.set_subscription(services.db, 103, True, "72", 0.0, town="72-ishim")


async def picking_a_region(
    make_client: Callable[..., ChatClient], services: Services, locale: str = "ru"
) -> ChatClient:
    """The admin composing a text for the subscribers of one region, among Тюменская's."""
    await ishim_and_tyumen(services)
    await subscribers_of_tyumen_oblast(services)
    admin = await started(make_client, ADMIN_ID, locale)
    await compose_text(admin)
    await admin.click(
        "Subscribers in one region" if locale == "en" else "Подписчикам одного региона"
    )
    return admin


def copies_per_subscriber(bot: MockedBot) -> list[int]:
    """How many copies each of subscribers_of_tyumen_oblast's people got, 100 to 104."""
    return [len(copies_to(bot, person)) for person in (100, 101, 102, 103, 104)]


async def test_announce_to_one_town_reaches_its_region_and_its_own_subscribers(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    admin = await picking_a_region(make_client, services)
    await admin.click("Тюменская область — 2")
    towns = admin.last
    assert towns.body.startswith("Подписчикам в Тюменской области: обо всей области")
    assert towns.buttons() == [
        "Все города области — 2",
        "Только Ишим — 3",
        "Только Тюмень — 3",
        "Назад ◀️",
    ]
    await admin.click("Только Ишим — 3", towns)
    preview = admin.find("Получателей: <b>3</b>")
    assert "подписчики в Ишиме или в Тюменской области" in preview.body
    await admin.click("Отправить сейчас")
    await deliver(services, bot)
    # The count shown is what was queued: Ишим's, the whole region's and all regions'.
    assert (await latest(services)).total == 3
    assert copies_per_subscriber(bot) == [1, 1, 0, 1, 0]


async def test_an_english_organizer_announces_to_the_whole_region(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    admin = await picking_a_region(make_client, services, "en")
    await admin.click("Tyumen Oblast — 2")
    towns = admin.last
    assert towns.body.startswith("Subscribers in Tyumen Oblast: about the whole region")
    assert towns.buttons()[:3] == [
        "All towns of the region — 2",
        "Only Ishim — 3",
        "Only Tyumen — 3",
    ]
    await admin.click("All towns of the region — 2", towns)
    assert admin.find("Recipients: <b>2</b>")
    await admin.click("Send now")
    await deliver(services, bot)
    assert (await latest(services)).total == 2
    # A town's subscriber asked for their town only: the region as a whole is not theirs.
    assert copies_per_subscriber(bot) == [1, 1, 0, 0, 0]


async def test_a_region_with_events_in_one_town_has_no_town_step(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    admin = await picking_a_region(make_client, services)
    await admin.click("Омская область — 2")
    assert admin.find("Получателей: <b>2</b>")
    announcement = await latest(services)
    assert announcement.audience is not None
    assert (announcement.audience.city, announcement.audience.town) == ("55", None)


async def test_a_forged_town_in_announce_is_refused(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    admin = await picking_a_region(make_client, services)
    await admin.click("Тюменская область — 2")
    region = admin.last.callback_data("Только Ишим").split(":")[2]
    announcement = await latest(services)
    await admin.press(f"an1t:{announcement.id}:{region}:12345")  # no town has this key
    assert admin.last_answer.text == "Этого города больше нет в списке. Пожалуйста, выберите снова."
    assert (await latest(services)).audience is None


@pytest.mark.parametrize(
    ("locale", "count", "label"),
    [
        ("ru", 1, "📣 Объявить 1 подписчику"),
        ("ru", 2, "📣 Объявить 2 подписчикам"),
        ("ru", 5, "📣 Объявить 5 подписчикам"),
        ("ru", 21, "📣 Объявить 21 подписчику"),
        ("en", 1, "📣 Announce to 1 subscriber"),
        ("en", 5, "📣 Announce to 5 subscribers"),
    ],
)
async def test_the_publish_offer_counts_subscribers_in_the_right_form(
    services: Services, locale: str, count: int, label: str
) -> None:
    event = await make_event(services, city="Ишим")
    with services.i18n.context(), services.i18n.use_locale(locale):
        screen = announcement_views.publish_offer(event, count)
    assert screen.inline is not None
    # The view's words; the emoji moves last on the way out (the accessibility middleware).
    assert [row[0].text for row in screen.inline.inline_keyboard] == [label]
