"""Issue 13, items 1 and 2 as organizers meet them: places in either language, regions in the
catalog and announcements, dates as people type them, read back before they are stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.services import Services, geography
from db import events as events_repo
from db.events import EventStatus
from tests.announcements_kit import add_people, copies_to, deliver
from tests.conftest import ADMIN_ID
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.member_kit import make_event
from tests.organizer_kit import started

# The test clock: Sunday 22 November 2026, 15:00 in Omsk (UTC+6, Moscow +3).
RU_STEPS = ["Круглый стол о поддержке НКО", "Круглый стол", "⏭ Пропустить", "⏭ Пропустить"]
EN_STEPS = ["NGO support round table", "Round table", "⏭ Skip", "⏭ Skip"]
RU_VENUE = ["Дом НКО", "ул. Ленина 1", "⏭ Пропустить"]
EN_VENUE = ["NGO House", "1 Lenin St", "⏭ Skip"]


async def to_start(client: ChatClient, city: str, english: bool = False) -> None:
    """/new_event up to the start step, the event in `city`."""
    await client.send("/new_event")
    for answer in (
        *(EN_STEPS if english else RU_STEPS),
        city,
        "In person" if english else "Очно",
        *(EN_VENUE if english else RU_VENUE),
    ):
        await client.send(answer)


async def test_an_english_organizer_creates_an_event_in_omsk_and_it_is_one_place(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    organizer = await started(make_client, ADMIN_ID, "en")
    await organizer.send("/new_event")
    for answer in EN_STEPS:
        [city_step] = await organizer.send(answer)
    assert "In which city?" in city_step.body
    assert "Omsk" in city_step.buttons()  # buttons in the organizer's language
    assert "Омск" not in city_step.buttons()
    for answer in ("Omsk", "In person", *EN_VENUE):
        [start_step] = await organizer.send(answer)
    assert "Local time in Omsk" in start_step.body  # no zone question for Omsk
    [echo] = await organizer.send("December 17 2pm")
    assert echo.body == "Thursday, December 17, 2:00 PM local time (Moscow +3) — correct?"
    assert echo.buttons()[:2] == ["Yes, correct", "No, type it again"]
    await organizer.send("Yes, correct")
    for answer in ("5pm", "Yes, correct", "♾ No limit", "⏱ Until the start", "✅ Done"):
        await organizer.send(answer)
    await organizer.send("🔔 As usual: 24 h, 2 h before")
    await organizer.click("Publish")
    event = await events_repo.get(services.db, 1)
    assert event is not None
    assert (event.city, event.region_code, event.settlement_id) == ("Омск", "55", "55-omsk")
    assert event.timezone == "Asia/Omsk"

    # A second event typed in Russian is in the same place: one filter button, not two.
    await make_event(services, title="Омский форум", city="Омск", timezone="Asia/Omsk")
    await make_event(services, title="Ишимский форум", city="Ишим")
    member = await started(make_client, 2001, "en")
    [catalog] = await member.send("/events")
    await member.click("All regions", catalog)
    assert catalog.buttons() == ["All regions", "Omsk Oblast (2)", "Tyumen Oblast (1)"]
    ru_member = await started(make_client, 2002)
    [catalog] = await ru_member.send("/events")
    await ru_member.click("Все регионы", catalog)
    assert catalog.buttons() == ["Все регионы", "Омская область (2)", "Тюменская область (1)"]


async def test_a_member_subscribed_to_tyumen_oblast_hears_about_ishim(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, [100], city="Тюменская область")
    await add_people(services, [101], city="Омск")
    organizer = await started(make_client, ADMIN_ID)
    await to_start(organizer, "Ишим")
    for answer in ("17 декабря 14:00–17:00", "Да, верно", "♾ Без ограничений"):
        await organizer.send(answer)
    for answer in ("⏱ До начала", "✅ Готово", "🔔 Как обычно: за 24 ч, 2 ч"):
        await organizer.send(answer)
    await organizer.click("Опубликовать")
    offer = organizer.find("Рассказать о нём подписчикам?")
    assert "получит 1 человек, подписанный на анонсы мероприятий в Ишиме или в Тюменской" in (
        offer.body
    )
    await organizer.click("Объявить 1 подписчику", offer)
    await organizer.click("Отправить сейчас")
    await deliver(services, bot)
    assert len(copies_to(bot, 100)) == 1
    assert copies_to(bot, 101) == []


async def test_publishing_where_nobody_is_subscribed_says_so(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    await add_people(services, [100], city="Тюмень")
    organizer = await started(make_client, ADMIN_ID)
    event = await make_event(
        services, owner_id=ADMIN_ID, city="Омск", timezone="Asia/Omsk", status=EventStatus.draft
    )
    await organizer.press(f"om1:pub:{event.id}:0")
    said = organizer.find("пока никто не подписан")
    assert said.body == (
        "На анонсы мероприятий в Омске или в Омской области (и во всех регионах) пока никто не "
        "подписан, рассказать о нём некому. Участники подписываются командой /subscribe."
    )
    assert said.buttons() == []


# (typed, read back) in Omsk; the clock says Sunday 22 November 2026, 15:00 there.
FORMS = [
    ("17 декабря 14:00", "четверг, 17 декабря, 14:00 по местному времени (МСК+3)"),
    ("17 дек в 14", "четверг, 17 декабря, 14:00 по местному времени (МСК+3)"),
    ("завтра в 14:00", "понедельник, 23 ноября, 14:00 по местному времени (МСК+3)"),
    ("в пятницу 10:00", "пятница, 27 ноября, 10:00 по местному времени (МСК+3)"),
    ("17.12 14:00", "четверг, 17 декабря, 14:00 по местному времени (МСК+3)"),
    ("17.04.2027 14:00", "суббота, 17 апреля 2027, 14:00 по местному времени (МСК+3)"),
    ("2027-04-17 14:00", "суббота, 17 апреля 2027, 14:00 по местному времени (МСК+3)"),
    ("17 декабря 14:00–17:00", "четверг, 17 декабря, 14:00–17:00 по местному времени (МСК+3)"),
]


@pytest.mark.parametrize(("typed", "read"), FORMS)
async def test_every_date_form_is_read_back_before_it_is_stored(
    make_client: Callable[..., ChatClient], services: Services, typed: str, read: str
) -> None:
    organizer = await started(make_client, ADMIN_ID)
    await to_start(organizer, "Омск")
    [echo] = await organizer.send(typed)
    assert echo.body == f"{read} — верно?"
    assert echo.buttons() == ["Да, верно", "Нет, ввести заново", "Назад ⬅️"]
    [after] = await organizer.send("Да, верно")
    # A range sets the end too: straight to the seats.
    expected = "Сколько мест?" if "–" in typed else "Когда окончание?"
    assert expected in after.body


async def test_no_type_again_and_refusals_say_why(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    organizer = await started(make_client, ADMIN_ID)
    await to_start(organizer, "Омск")
    await organizer.send("17 декабря 14:00")
    [again] = await organizer.send("Нет, ввести заново")
    assert "Когда начало?" in again.body
    [refused] = await organizer.send("31 апреля 10:00")
    assert refused.body.startswith(
        "Такой даты нет: в апреле 30 дней. Напишите, например, «30.04 14:00»."
    )
    [refused] = await organizer.send("17 декабря")
    assert refused.body.startswith("Добавьте время, например «17 декабря 14:00»")
    [echo] = await organizer.send("17 декабря в 14")
    assert echo.body.startswith("четверг, 17 декабря, 14:00")


async def test_a_yakutia_event_asks_its_zone_in_english_too(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    organizer = await started(make_client, ADMIN_ID, "en")
    await organizer.send("/new_event")
    for answer in EN_STEPS:
        await organizer.send(answer)
    [zone] = await organizer.send("Yakutia")
    assert "spans several time zones. Which one is the event in?" in zone.body
    assert zone.buttons()[:3] == [
        "Yakutsk · Moscow +6",
        "Ust-Nera · Moscow +7",
        "Srednekolymsk · Moscow +8",
    ]
    assert not any("UTC" in label or "Asia/" in label for label in zone.buttons())
    await organizer.send("Yakutsk · Moscow +6")
    [venue] = await organizer.send("In person")
    assert "The venue" in venue.body


async def test_rows_from_before_regions_are_matched_to_the_list(services: Services) -> None:
    base = await make_event(services, title="Образец")
    fields = {
        "title": "Старое",
        "kind": base.kind,
        "timezone": "Asia/Omsk",
        "starts_at": base.starts_at,
        "ends_at": base.ends_at,
    }
    typed_in_english = await events_repo.create(
        services.db, events_repo.NewEvent(city="Omsk", **fields), base.created_at
    )
    unknown = await events_repo.create(
        services.db, events_repo.NewEvent(city="Атлантида", **fields), base.created_at
    )
    await add_people(services, [100])
    await services.db.execute("UPDATE people SET subscription_city = 'Ишим' WHERE id = 100")

    assert await geography.backfill(services.db) == 2
    matched = await events_repo.get(services.db, typed_in_english.id)
    assert matched is not None
    assert (matched.city, matched.region_code, matched.settlement_id) == ("Омск", "55", "55-omsk")
    left = await events_repo.get(services.db, unknown.id)
    assert left is not None
    assert (left.city, left.region_code) == ("Атлантида", None)
    assert (
        await services.db.fetch_value("SELECT subscription_city FROM people WHERE id = 100") == "72"
    )
    assert await geography.backfill(services.db) == 0  # nothing left to match: a no-op
