"""/manage: lists with counts, publish, close, reschedule, cancel, duplicate, link, edits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.clock import ManualClock
from bot.services import Services
from bot.services.calendar import event_sequence, event_uid
from bot.views import files
from db import events as events_repo
from db import registrations as registrations_repo
from db.events import Event, EventStatus
from db.registrations import Cancelled, RegistrationRefusal, RegistrationStatus
from db.reminders import PlanState
from tests.conftest import ADMIN_ID, NOW
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import BOT_USERNAME
from tests.organizer_kit import (
    ORGANIZER_ID,
    OTHER_ORGANIZER_ID,
    deliveries,
    make_organizer,
    owned_event,
    queued_files,
    register_person,
    started,
)

TYUMEN = ZoneInfo("Asia/Yekaterinburg")
KEEP = "✔️ Оставить как есть"


async def open_event(organizer: ChatClient, event: Event) -> None:
    [listing] = await organizer.send("/manage")
    await organizer.pick(event.title, listing)


async def current(services: Services, event: Event) -> Event:
    found = await events_repo.get(services.db, event.id)
    assert found is not None
    return found


@pytest.fixture
async def organizer(services: Services, make_client: Callable[..., ChatClient]) -> ChatClient:
    return await make_organizer(services, make_client)


async def test_lists_show_own_events_with_counts_and_admins_see_all(
    organizer: ChatClient, services: Services, make_client: Callable[..., ChatClient]
) -> None:
    mine = await owned_event(services, ORGANIZER_ID, capacity=2)
    theirs = await owned_event(services, OTHER_ORGANIZER_ID, title="Чужой семинар")
    draft = await owned_event(services, ORGANIZER_ID, title="Черновик", status=EventStatus.draft)
    await register_person(services, mine, 5001)
    await register_person(services, mine, 5002)
    await register_person(services, mine, 5003)  # the waitlist
    [listing] = await organizer.send("/manage")
    assert mine.title in listing.body
    assert draft.title in listing.body
    assert theirs.title not in listing.body
    assert "подтверждено 2 из 2, в листе ожидания 1, отменили 0, пришли 0" in listing.body
    assert "📝 Черновик" in listing.body
    admin = await started(make_client, ADMIN_ID)
    [everything] = await admin.send("/manage")
    assert theirs.title in everything.body
    assert mine.title in everything.body


async def test_event_screen_link_and_publishing_a_draft(
    organizer: ChatClient, services: Services
) -> None:
    event = await owned_event(services, ORGANIZER_ID, status=EventStatus.draft)
    await open_event(organizer, event)
    screen = organizer.last
    assert "📝 Черновик" in screen.body
    assert "🔗 Ссылка для анонсов" not in screen.buttons()
    await organizer.click("Опубликовать", screen)
    assert (await current(services, event)).status == EventStatus.published
    assert "📣 Опубликовано" in screen.body
    assert f"https://t.me/ngo_events_test_bot?start=ev_{event.id}" in screen.body
    assert [p for p in await services.reminders.planned(event.id) if p.state == PlanState.pending]
    [link] = await organizer.click("Ссылка для анонсов", screen)
    assert f"https://t.me/ngo_events_test_bot?start=ev_{event.id}" in link.body


async def test_a_stale_draft_is_not_published(organizer: ChatClient, services: Services) -> None:
    start = NOW - timedelta(hours=1)
    event = await owned_event(
        services,
        ORGANIZER_ID,
        status=EventStatus.draft,
        starts_at=start.timestamp(),
        ends_at=(start + timedelta(hours=3)).timestamp(),
    )
    await open_event(organizer, event)
    await organizer.click("Опубликовать")
    assert "перенесите мероприятие" in (organizer.last_answer.text or "")
    assert (await current(services, event)).status == EventStatus.draft


async def test_closing_and_reopening_registration(
    organizer: ChatClient, services: Services
) -> None:
    event = await owned_event(services, ORGANIZER_ID)
    await open_event(organizer, event)
    screen = organizer.last
    await organizer.click("Закрыть регистрацию", screen)
    assert (await current(services, event)).registration_closed
    assert organizer.last_answer.text == "Регистрация закрыта."
    refused = await registrations_repo.register(services.db, event.id, 5001, {}, NOW.timestamp())
    assert refused == RegistrationRefusal.closed
    await organizer.click("Открыть регистрацию", screen)
    assert not (await current(services, event)).registration_closed


async def test_reschedule_notifies_everyone_in_their_language_and_moves_reminders(
    organizer: ChatClient, services: Services, clock: ManualClock
) -> None:
    event = await owned_event(services, ORGANIZER_ID, capacity=1)
    clock.advance(60)  # the change comes later than the event was made
    await services.reminders.plan_event(event.id)
    await register_person(services, event, 5001, language="ru")
    await register_person(services, event, 5002, language="en", full_name="John Smith")
    gone = await register_person(services, event, 5003)
    outcome = await registrations_repo.cancel(services.db, gone.id, 5003, NOW.timestamp())
    assert isinstance(outcome, Cancelled)
    await open_event(organizer, event)
    [prompt] = await organizer.click("Перенести")
    assert "Перенос «" in prompt.body
    assert "Когда начало?" in prompt.body
    [echo] = await organizer.send("09.12.2026 11:00")
    assert "среда, 9 декабря, 11:00 по местному времени (МСК+2) — верно?" in echo.body
    [end] = await organizer.send("Да, верно")
    assert "Сейчас: среда, 9 декабря, 14:00" in end.body  # three hours, as before
    saved, screen = await organizer.send(KEEP)
    assert "Зарегистрированные участники (2) получат уведомление" in saved.body
    moved = await current(services, event)
    new_start = datetime(2026, 12, 9, 11, 0, tzinfo=TYUMEN).timestamp()
    assert moved.starts_at == new_start
    assert moved.ends_at == new_start + 3 * 3600
    assert "9 декабря, 11:00–14:00" in screen.body
    notices = await deliveries(services, f"changed:{event.id}:")
    assert [notice["recipient"] for notice in notices] == [5001, 5002]
    ru, en = notices
    assert "Новое время: среда, 9 декабря, 11:00–14:00 по местному времени (МСК+2)" in ru["text"]
    assert "Было: среда, 2 декабря, 14:00–17:00" in ru["text"]
    assert "New time: Wednesday, December 9, 11:00 AM–2:00 PM local time (Moscow +2)" in en["text"]
    assert {notice["priority"] for notice in notices} == {0}
    # Each notice brings the calendar file: the same event (UID), a later revision, new time.
    files = await queued_files(services, f"calendar:changed:{event.id}:")
    assert [(f["recipient"], f["kind"], f["filename"]) for f in files] == [
        (5001, "document", f"event-{event.id}.ics"),
        (5002, "document", f"event-{event.id}.ics"),
    ]
    assert "календар" in files[0]["caption"]
    assert "calendar" in files[1]["caption"]
    [item] = Calendar.from_ical(files[0]["data"]).walk("VEVENT")
    assert str(item["uid"]) == event_uid(event, BOT_USERNAME)
    assert int(item["sequence"]) > event_sequence(event)
    assert item.decoded("dtstart").timestamp() == new_start
    assert item.decoded("dtend").timestamp() == new_start + 3 * 3600
    assert str(item["status"]) == "CONFIRMED"
    # The ticket shows the moment too: the one confirmed seat gets it again, drawn anew; the
    # waitlist has no ticket to replace.
    tickets = await queued_files(services, f"ticket:changed:{event.id}:")
    assert [(t["recipient"], t["kind"]) for t in tickets] == [(5001, "photo")]
    assert "9 декабря, 11:00–14:00" in tickets[0]["caption"]
    assert "2 декабря" not in tickets[0]["caption"]
    pending = [
        p for p in await services.reminders.planned(event.id) if p.state == PlanState.pending
    ]
    assert pending
    assert all(p.basis in (new_start, new_start + 3 * 3600) for p in pending)


async def test_cancel_with_a_reason_notifies_and_closes_registration(
    organizer: ChatClient, services: Services
) -> None:
    event = await owned_event(services, ORGANIZER_ID, capacity=1)
    await services.reminders.plan_event(event.id)
    await register_person(services, event, 5001, language="ru")
    await register_person(services, event, 5002, language="en", full_name="John Smith")
    await open_event(organizer, event)
    [ask] = await organizer.click("Отменить мероприятие")
    assert "Уведомление получат зарегистрированные участники: 2" in ask.body
    [empty] = await organizer.send("   ")
    assert "Ответ пустой" in empty.body
    [question] = await organizer.send("Площадка закрыта на ремонт <b>срочно</b>")
    assert "&lt;b&gt;срочно&lt;/b&gt;" in question.body
    await organizer.click("Да, отменить мероприятие", question)
    assert "Уведомлений в очереди: 2" in question.body
    cancelled = await current(services, event)
    assert cancelled.status == EventStatus.cancelled
    assert cancelled.registration_closed
    assert cancelled.cancel_reason == "Площадка закрыта на ремонт <b>срочно</b>"
    ru, en = await deliveries(services, f"cancel:{event.id}")
    assert "отменяется" in ru["text"]
    assert "Причина: Площадка закрыта на ремонт &lt;b&gt;срочно&lt;/b&gt;" in ru["text"]
    assert "is cancelled" in en["text"]
    # …and the file that takes the event off the phone's calendar.
    files = await queued_files(services, f"calendar:cancel:{event.id}")
    assert [(f["recipient"], f["filename"]) for f in files] == [
        (5001, f"event-{event.id}.ics"),
        (5002, f"event-{event.id}.ics"),
    ]
    calendar = Calendar.from_ical(files[0]["data"])
    assert str(calendar["method"]) == "CANCEL"
    [item] = calendar.walk("VEVENT")
    assert str(item["uid"]) == event_uid(event, BOT_USERNAME)
    assert str(item["status"]) == "CANCELLED"
    assert int(item["sequence"]) > event_sequence(event)
    assert "удалит" in files[0]["caption"]
    assert not [
        p for p in await services.reminders.planned(event.id) if p.state == PlanState.pending
    ]
    # A second cancel (an old screen) changes nothing more.
    await open_event(organizer, event)
    assert "❌ Отменить мероприятие" not in organizer.last.buttons()


async def test_keeping_the_event_at_the_last_question(
    organizer: ChatClient, services: Services
) -> None:
    event = await owned_event(services, ORGANIZER_ID)
    await open_event(organizer, event)
    await organizer.click("Отменить мероприятие")
    [question] = await organizer.send("Болезнь спикера")
    await organizer.click("Нет, оставить", question)
    assert "остаётся в силе" in question.body
    assert (await current(services, event)).status == EventStatus.published
    assert await deliveries(services, "cancel:") == []


async def test_more_seats_queue_the_promoted_tickets_undrawn_and_they_are_drawn_to_send(
    organizer: ChatClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hundred tickets drawn inside the transaction held the writer for ~3 s: every
    # dialog in the bot waited. They are queued as "the ticket of registration X" and drawn
    # when sent, outside any transaction, and still reach each person.
    event = await owned_event(services, ORGANIZER_ID, capacity=1)
    await register_person(services, event, 5101)
    waiting = [await register_person(services, event, 5102 + k) for k in range(3)]
    draw = files.ticket
    writer_held: list[bool] = []

    def watched(*args: Any) -> Any:
        writer_held.append(services.db._write_lock.locked())
        return draw(*args)

    monkeypatch.setattr(files, "ticket", watched)
    await open_event(organizer, event)
    await organizer.click("Изменить")
    await organizer.click("Места")
    saved, _screen = await organizer.send("3")
    assert saved.body == "Сохранено."
    assert writer_held == []  # saving drew nothing
    tickets = await queued_files(services, "confirm:")
    assert writer_held == [False, False]  # the two now seated; the third still waits
    assert sorted(t["recipient"] for t in tickets if t["filename"].endswith(".png")) == [
        waiting[0].person_id,
        waiting[1].person_id,
    ]
    still = await registrations_repo.get(services.db, waiting[2].id)
    assert still is not None
    assert still.status == RegistrationStatus.waitlisted


async def test_duplicate_makes_a_new_draft_with_a_new_date(
    organizer: ChatClient, services: Services
) -> None:
    event = await owned_event(services, ORGANIZER_ID)
    await open_event(organizer, event)
    [prompt] = await organizer.click("Дублировать")
    assert "Копия «" in prompt.body
    await organizer.send("16 декабря в 14")
    await organizer.send("Да, верно")
    _facts, card = await organizer.send(KEEP)
    assert "среда, 16 декабря, 14:00–17:00 по местному времени (МСК+2)" in card.body
    await organizer.click("Сохранить черновик", card)
    copy = await events_repo.get(services.db, event.id + 1)
    assert copy is not None
    assert copy.status == EventStatus.draft
    assert copy.owner_id == ORGANIZER_ID
    assert (copy.title, copy.venue, copy.capacity) == (event.title, event.venue, event.capacity)
    assert copy.starts_at == datetime(2026, 12, 16, 14, 0, tzinfo=TYUMEN).timestamp()
    assert await current(services, event) == event


async def test_edits_capacity_rules_and_who_is_told(
    organizer: ChatClient, services: Services
) -> None:
    event = await owned_event(services, ORGANIZER_ID, capacity=2)
    await register_person(services, event, 5001)
    await register_person(services, event, 5002)
    waiting = await register_person(services, event, 5003)
    assert waiting.status == RegistrationStatus.waitlisted
    await open_event(organizer, event)
    await organizer.click("Изменить")
    [prompt] = await organizer.click("Места")
    assert "Сейчас: 2" in prompt.body
    [refused] = await organizer.send("1")
    assert "Подтверждённых мест уже 2" in refused.body
    assert "Сколько мест?" in refused.body
    saved, _screen = await organizer.send("3")
    assert saved.body == "Сохранено."
    promoted = await registrations_repo.get(services.db, waiting.id)
    assert promoted is not None
    assert promoted.status == RegistrationStatus.confirmed
    assert [d["recipient"] for d in await deliveries(services, "promotion:")] == [5003]
    # A new title is nobody's business; a new venue is everybody's.
    await organizer.click("Изменить")
    await organizer.click("Название")
    await organizer.send("Новое название круглого стола")
    assert await deliveries(services, f"changed:{event.id}") == []
    await organizer.click("Изменить")
    await organizer.click("Площадка")
    saved, _screen = await organizer.send("Дом НКО, конференц-зал")
    assert "получат уведомление" in saved.body
    notices = await deliveries(services, f"changed:{event.id}")
    assert [d["recipient"] for d in notices] == [5001, 5002, 5003]
    venue_files = await queued_files(services, f"calendar:changed:{event.id}")
    [item] = Calendar.from_ical(venue_files[0]["data"]).walk("VEVENT")
    assert str(item["location"]).startswith("Дом НКО, конференц-зал")
    assert "Новое место: Дом НКО, конференц-зал" in notices[0]["text"]
    assert "Новое время" not in notices[0]["text"]
    # Back from an edited field leaves the event as it was.
    await organizer.click("Изменить")
    await organizer.click("Адрес")
    back, _screen = await organizer.send("⬅️ Назад")
    assert back.body == "Ничего не изменилось."
    assert (await current(services, event)).address == event.address
