"""/events, pages and the city filter, the event card, calendar and map buttons, ev_ links."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from aiogram.methods import SendDocument, SendVenue
from icalendar import Calendar

from bot.callbacks import CatalogNav, EventAction, EventActionKind, EventCard
from bot.services import Services
from bot.services.catalog import city_key
from bot.views.text import visible_len
from db import events
from db.events import EventKind, EventStatus
from tests.conftest import NOW
from tests.kit.client import ChatClient
from tests.member_kit import make_event

DAY = timedelta(days=1).total_seconds()


async def test_empty_catalog_says_so(member: ChatClient) -> None:
    [reply] = await member.send("/events")
    assert "Предстоящих мероприятий пока нет" in reply.body


async def test_catalog_lists_upcoming_published_events_only(
    member: ChatClient, services: Services
) -> None:
    await make_event(services, title="Открытый стол")
    await make_event(services, title="Черновик", status=EventStatus.draft)
    await make_event(services, title="Отменённый", status=EventStatus.cancelled)
    [reply] = await member.send("/events")
    assert "Открытый стол" in reply.body
    assert "Черновик" not in reply.body
    assert "Отменённый" not in reply.body
    assert "Круглый стол · среда, 2 декабря, 14:00, Тюмень" in reply.body
    assert "Свободных мест: 40 из 40" in reply.body
    assert "Город" not in " ".join(reply.buttons())  # one city: no filter


async def test_pages_and_city_filter(member: ChatClient, services: Services) -> None:
    for n in range(6):
        await make_event(
            services,
            title=f"Тюмень {n}",
            starts_at=NOW.timestamp() + (n + 1) * DAY,
            ends_at=NOW.timestamp() + (n + 1) * DAY + 3600,
        )
    await make_event(services, title="Омский стол", city="Омск", timezone="Asia/Omsk")
    await make_event(services, title="Ишимский форум", city="Ишим")
    [first] = await member.send("/events")
    assert "Страница 1 из 2" in first.body
    assert first.body.count("Тюмень ") == 5
    await member.click("Дальше", first)
    assert "Страница 2 из 2" in first.body  # the same message, edited
    assert "Омский стол" in first.body
    await member.click("Все регионы", first)
    assert first.body == "Выберите регион:"
    # Ишим is in Тюменская область: one region, whatever town.
    assert first.buttons() == ["Все регионы", "Омская область (1)", "Тюменская область (7)"]
    await member.click("Омская область", first)
    assert "Предстоящие мероприятия в Омской области" in first.body
    assert "Тюмень 0" not in first.body
    assert "Регион: Омская область 🗺" in first.buttons()
    # The card remembers the filter: Back returns to the Omsk list.
    await member.pick("Омский стол", first)
    assert "Омский стол" in first.body
    await member.click("Назад", first)
    assert "Предстоящие мероприятия в Омской области" in first.body


async def test_card_shows_everything_in_the_events_zone(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(
        services, registration_deadline=NOW.timestamp() + 5 * DAY, kind=EventKind.seminar
    )
    [card] = await member.send(f"/start ev_{event.id}")
    body = card.body
    assert "<b>Семинар</b>" in body
    assert "«Роль СО НКО в реализации приоритетных национальных проектов»" in body
    assert "🗓 среда, 2 декабря, 14:00–17:00 по местному времени (МСК+2)" in body
    assert "«Точка кипения», Тюменский Технопарк, ул. Республики 142, 2 этаж" in body
    assert "Организатор: Альянс СО НКО Тюменской области" in body
    assert "Цель круглого стола" in body
    assert "Свободных мест: 40 из 40" in body
    assert (
        "Регистрация открыта, последний срок — пятница, 27"
        " ноября, 14:00 по местному времени (МСК+2)"
    ) in body
    assert card.buttons() == [
        "Зарегистрироваться ✅",
        "Добавить в календарь 📅",
        "Показать на карте 🗺",
        "Назад ⬅️",
    ]


async def test_card_in_english_and_other_zones(make_client: object, services: Services) -> None:
    event = await make_event(
        services, city="Кемерово", timezone="Asia/Novokuznetsk", latitude=None, longitude=None
    )
    client = make_client(3001, "en")  # type: ignore[operator]
    await client.send("/start")
    await client.click("English")
    [card] = await client.send(f"/start ev_{event.id}")
    assert "<b>Round table</b>" in card.body
    assert "🗓 Wednesday, December 2, 4:00–7:00 PM local time (Moscow +4)" in card.body
    assert "Seats left: 40 of 40" in card.body
    assert "Show on map 🗺" not in card.buttons()  # no coordinates, no map


async def test_card_of_a_full_event_offers_the_waitlist(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services, capacity=1)
    from db import people, registrations

    await people.ensure(services.db, 77, NOW.timestamp())
    await registrations.register(services.db, event.id, 77, {}, NOW.timestamp())
    [card] = await member.send(f"/start ev_{event.id}")
    assert "Мест нет, можно встать в лист ожидания" in card.body
    assert "Встать в лист ожидания ⏳" in card.buttons()


async def test_long_description_and_html_are_kept_within_limits(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(
        services,
        title="<b>Круглый</b> стол & <script>",
        description="<i>Описание</i> 🌸 " * 800,
        organizer_name="НКО <Дом>",
    )
    [card] = await member.send(f"/start ev_{event.id}")
    assert visible_len(card.body) <= 4096  # Telegram counts the text people see
    assert "&lt;b&gt;Круглый&lt;/b&gt; стол &amp; &lt;script&gt;" in card.body
    assert "<i>" not in card.body
    assert "НКО &lt;Дом&gt;" in card.body
    assert card.body.rstrip().endswith("Регистрация открыта до начала мероприятия.")


async def test_a_description_full_of_markup_characters_is_shown_whole(
    member: ChatClient, services: Services
) -> None:
    # 3,000 visible characters, which escaping would make about 4,000: the old cut measured
    # the escaped HTML and lost the last ~960 characters of a description that fits.
    description = ("Программа: <b>доклады</b> & обсуждение; " * 80)[:2999] + "!"
    assert len(description) == 3000
    event = await make_event(services, description=description)
    [card] = await member.send(f"/start ev_{event.id}")
    assert escape(description) in card.body
    assert "…" not in card.body
    assert visible_len(card.body) <= 4096


async def test_deep_links_open_the_card_or_the_catalog(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services)
    [card] = await member.send(f"/start ev_{event.id}")
    assert "Зарегистрироваться" in " ".join(card.buttons())
    for payload in ("ev_999999", "ev_abc", "ev_0"):
        [reply] = await member.send(f"/start {payload}")
        assert "Мероприятие не найдено" in reply.body
        assert "Предстоящие мероприятия" in reply.body
        assert event.title in reply.body
        assert reply.buttons()[0].startswith("1. ")
    for payload in ("ev_<script>", "ev_1;DROP", "<b>x</b>"):
        [reply] = await member.send(f"/start {payload}")
        assert "ссылка не распознана" in reply.body
        assert "Предстоящие мероприятия" in reply.body
        assert "<script>" not in reply.body


async def test_a_deep_link_to_a_draft_is_not_found(member: ChatClient, services: Services) -> None:
    draft = await make_event(services, status=EventStatus.draft)
    [reply] = await member.send(f"/start ev_{draft.id}")
    assert "Мероприятие не найдено" in reply.body


async def test_first_start_through_a_deep_link_opens_the_card_after_the_language(
    make_client: object, services: Services
) -> None:
    event = await make_event(services)
    # Telegram's language is one the bot doesn't speak: the language is asked first.
    client = make_client(3002, "de")  # type: ignore[operator]
    await client.send(f"/start ev_{event.id}")
    replies = await client.click("Русский")
    assert any("Свободных мест" in r.body for r in replies)


async def test_calendar_button_sends_an_ics_file(member: ChatClient, services: Services) -> None:
    event = await make_event(services)
    await member.send(f"/start ev_{event.id}")
    await member.click("Добавить в календарь")
    sent = member.last
    assert sent.method == "SendDocument"
    assert sent.filename == f"event-{event.id}.ics"
    assert sent.document is not None
    [item] = Calendar.from_ical(sent.document).events
    assert str(item.get("summary")) == event.title
    assert len(member.session.calls(SendDocument)) == 1


async def test_map_button_sends_the_venue(member: ChatClient, services: Services) -> None:
    event = await make_event(services)
    await member.send(f"/start ev_{event.id}")
    await member.click("Показать на карте")
    [venue] = member.session.calls(SendVenue)
    assert (venue.latitude, venue.longitude) == (event.latitude, event.longitude)
    assert venue.title == "«Точка кипения»"
    assert "ул. Республики 142" in venue.address


async def test_forged_buttons_for_missing_events_change_nothing(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services, latitude=None, longitude=None)
    [card] = await member.send(f"/start ev_{event.id}")
    for data in (
        EventCard(event_id=999_999).pack(),
        EventAction(action=EventActionKind.register, event_id=999_999).pack(),
        EventAction(action=EventActionKind.calendar, event_id=999_999).pack(),
        EventAction(action=EventActionKind.map, event_id=999_999).pack(),
    ):
        await member.press(data, card)
        assert "Мероприятие не найдено" in (member.last_answer.text or "")
        assert member.last_answer.show_alert
    await member.press(EventAction(action=EventActionKind.map, event_id=event.id).pack(), card)
    assert "не отметили это место на карте" in (member.last_answer.text or "")
    assert await services.db.fetch_value("SELECT COUNT(*) FROM registrations") == 0
    # A page far beyond the end and an unknown city just show what exists.
    await member.press(CatalogNav(page=99, city=city_key("Атлантида")).pack(), card)
    assert "Предстоящие мероприятия" in card.body


async def test_a_cancelled_event_card_says_so_and_offers_no_registration(
    member: ChatClient, services: Services
) -> None:
    event = await make_event(services)
    await events.set_status(
        services.db, event.id, EventStatus.cancelled, NOW.timestamp(), reason="Перенос"
    )
    [card] = await member.send(f"/start ev_{event.id}")
    assert "❌ Мероприятие отменено: Перенос" in card.body
    assert not any("Зарегистрироваться" in b for b in card.buttons())
