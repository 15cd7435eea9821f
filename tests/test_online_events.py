"""Online and hybrid events: the format step, the link only for confirmed people, never public."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from icalendar import Calendar

from bot.clock import ManualClock
from bot.services import Services
from bot.services import event_editor as editor
from bot.services.event_editor import EventDraft, Reply
from bot.services.problems import InvalidInput, Problem
from db import events as events_repo
from db import registrations
from db.events import EventFormat
from tests.conftest import ADMIN_ID
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.member_kit import delivered, make_event, register_new
from tests.organizer_kit import started
from tests.reminders_kit import fire_at, reminders_to

LINK = "https://meet.example.org/round-table-42"
SKIP = "⏭ Пропустить"


async def member_of(make_client: Callable[..., ChatClient], user_id: int) -> ChatClient:
    return await started(make_client, user_id)


@pytest.mark.parametrize(
    "bad_link",
    ["meet.example.org/room", "ftp://meet.example.org/room", "https://localhost/room", "ссылка"],
)
def test_a_join_link_must_be_a_web_address(bad_link: str) -> None:
    draft = EventDraft(step="join_url", format=EventFormat.online)
    with pytest.raises(InvalidInput) as caught:
        editor.accept(draft, Reply(text=bad_link), 0)
    assert caught.value.problem == Problem.join_url


def test_an_online_event_stores_no_venue_and_an_in_person_one_no_link() -> None:
    online = EventDraft(
        title="Вебинар",
        kind="seminar",
        city="Тюмень",
        timezone="Asia/Yekaterinburg",
        starts_local="2027-04-17T14:00",
        ends_local="2027-04-17T16:00",
        format=EventFormat.online,
        join_url=LINK,
        venue="набрано до смены формата",
    )
    fields = editor.event_fields(online)
    assert fields["format"] == EventFormat.online
    assert fields["venue"] == ""
    assert fields["join_url"] == LINK
    in_person = editor.event_fields(online.model_copy(update={"format": EventFormat.in_person}))
    assert in_person["join_url"] == ""


async def test_an_online_event_skips_the_venue_steps_and_keeps_the_link_off_the_card(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    admin = await started(make_client, ADMIN_ID)
    await admin.send("/new_event")
    for answer in ("Вебинар для НКО", "Семинар", SKIP, SKIP, "Тюмень"):
        await admin.send(answer)
    assert "Как будут участвовать" in admin.last.body
    assert admin.last.buttons()[:3] == ["Очно", "Онлайн", "Онлайн и очно"]
    [link_step] = await admin.send("Онлайн")
    assert "Ссылка для подключения" in link_step.body
    [refused] = await admin.send("meet.example.org")
    assert "Это не похоже на ссылку" in refused.body
    [start] = await admin.send(LINK)
    # No venue, address or map pin for an online event: straight to the start.
    assert "Когда начало?" in start.body
    for answer in ("17.12.2026 14:00", "Да, верно", "16:00", "Да, верно", "100"):
        await admin.send(answer)
    for answer in ("⏱ До начала", "✅ Готово"):
        await admin.send(answer)
    facts, card = await admin.send("🔔 Как обычно: за 24 ч, 2 ч")
    assert LINK in facts.body  # the organizer sees what they typed, beside the card
    assert "💻 Онлайн" in card.body
    assert LINK not in card.body
    assert "📍" not in card.body
    await admin.click("Опубликовать", card)
    event = await events_repo.get(services.db, 1)
    assert event is not None
    assert event.format == EventFormat.online
    assert event.join_url == LINK
    assert event.venue == ""


async def test_a_hybrid_events_link_reaches_the_confirmed_person_only(
    make_client: Callable[..., ChatClient],
    services: Services,
    bot: MockedBot,
    clock: ManualClock,
) -> None:
    event = await make_event(services, capacity=1, format=EventFormat.hybrid, join_url=LINK)
    holder = await member_of(make_client, 5201)
    waiting = await member_of(make_client, 5202)

    # The public card: the format and the venue, never the link.
    [card] = await holder.send(f"/start ev_{event.id}")
    assert "💻 Онлайн и очно" in card.body
    assert "«Точка кипения»" in card.body
    assert "Ссылку для подключения пришлём" in card.body
    assert LINK not in card.body
    [catalog] = await waiting.send("/events")
    assert "Онлайн и очно" in catalog.body
    assert LINK not in catalog.body

    await register_new(holder, event)
    await delivered(holder, services)  # the ticket and calendar file come through the outbox
    confirmation = holder.find("Вы зарегистрированы")
    assert f"Ссылка для подключения: {LINK}" in confirmation.body
    [ics] = [sent for sent in holder.messages if sent.method == "SendDocument"]
    assert ics.document is not None
    calendar = Calendar.from_ical(ics.document)
    assert LINK in str(next(iter(calendar.walk("VEVENT")))["DESCRIPTION"])
    [listing] = await holder.send("/my")
    await holder.click("1.", listing)
    assert LINK in listing.body

    # The waitlisted person sees nothing of the link: not in the answer, /my or the card.
    await register_new(waiting, event, button="Встать в лист ожидания")
    assert all(LINK not in sent.body for sent in waiting.messages)
    [mine] = await waiting.send("/my")
    await waiting.click("1.", mine)
    assert LINK not in mine.body
    await waiting.send(f"/start ev_{event.id}")
    await waiting.click("Добавить в календарь")
    waiting_ics = [sent for sent in waiting.messages if sent.method == "SendDocument"]
    assert waiting_ics
    assert all(LINK.encode() not in (sent.document or b"") for sent in waiting_ics)

    # The reminder the day before: only the confirmed person gets it, with the link.
    planned = await services.reminders.plan_event(event.id)
    day_before = next(p for p in planned if p.kind == "24h")
    await fire_at(services, clock, bot, day_before.due_at - 1)
    await fire_at(services, clock, bot, day_before.due_at)
    (reminder,) = reminders_to(bot, holder.user.id)
    assert LINK in reminder.body
    assert reminders_to(bot, waiting.user.id) == []

    # The holder cancels: the promoted person gets the link with the promotion notice.
    await holder.click("Отменить регистрацию", listing)
    await holder.click("Да, отменить", listing)
    promoted = await registrations.live(services.db, event.id, waiting.user.id)
    assert promoted is not None
    assert promoted.status == "confirmed"
    await services.delivery.drain(bot)
    notice = waiting.find("освободилось место")
    assert f"Ссылка для подключения: {LINK}" in notice.body


async def test_an_english_member_gets_the_link_in_english(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    event = await make_event(services, format=EventFormat.online, join_url=LINK, venue="")
    member = await started(make_client, 5301, "en")
    [card] = await member.send(f"/start ev_{event.id}")
    assert "💻 Online" in card.body
    assert LINK not in card.body
