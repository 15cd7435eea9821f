"""Issue 14: the member's and the organizer's main journeys, in plain and default mode,
pass the accessibility check (tests/kit/a11y.py); plain mode's numbers choose options."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.clock import ManualClock
from bot.labels import words_first
from bot.plain import strip_emoji
from bot.services import Services
from db import events as events_repo
from db import plain_mode
from tests.announcements_kit import add_people
from tests.conftest import ADMIN_ID
from tests.kit.a11y import AccessibilityCheck, label_problems
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot, Sent
from tests.member_kit import delivered, make_event, register_new
from tests.organizer_kit import register_person, started
from tests.reminders_kit import check_in, fire_at, seat
from tests.test_organizer_new_event import VALID

MODES = ["default", "plain"]


async def person(make_client: Callable[..., ChatClient], user_id: int, mode: str) -> ChatClient:
    """Started, Russian chosen, and in plain mode switched on from /help when asked."""
    client = await started(make_client, user_id)
    if mode == "plain":
        [help_text] = await client.send("/help")
        assert "Простой режим" in help_text.body
        await client.click("Простой режим: включить", help_text)
        assert "Простой режим включён" in help_text.body
    return client


def reminder_to(client: ChatClient) -> Sent:
    return next(m for m in client.messages if any("Приду" in b for b in m.buttons()))


def check(bot: MockedBot, mode: str, *chats: int) -> AccessibilityCheck:
    return AccessibilityCheck(bot.session, plain_chats=chats if mode == "plain" else ())


@pytest.mark.parametrize("mode", MODES)
async def test_member_journey(
    mode: str,
    services: Services,
    clock: ManualClock,
    bot: MockedBot,
    make_client: Callable[..., ChatClient],
) -> None:
    anna = await person(make_client, 4001, mode)
    event = await make_event(services)
    other = await make_event(services, title="Семинар для НКО Кемерова", capacity=1)
    since = len(bot.session.requests)

    # Registration, with its ticket and calendar file.
    await register_new(anna, event)
    await delivered(anna, services)  # the ticket and calendar file come through the outbox
    ticket = next(m for m in anna.messages if m.method == "SendPhoto")
    assert event.title in ticket.body
    assert "2 декабря" in ticket.body
    assert "14:00" in ticket.body
    assert "Код" in ticket.body  # the code people read out at the door, beside the QR
    calendar = next(m for m in anna.messages if m.method == "SendDocument")
    assert calendar.body

    # /my, the registration, cancellation, and a waitlist place elsewhere.
    await anna.send("/my")
    await anna.send(f"/start ev_{other.id}")
    await anna.send("/my")
    await anna.send(f"/start ev_{event.id}")
    await anna.click("Отменить регистрацию")
    await anna.click("Да, отменить")
    assert "отменена" in anna.last.body.lower() or "отменена" in anna.find("отменена").body

    # /subscribe, /mydata.
    await anna.send("/subscribe")
    await anna.click("Да, все регионы")
    await anna.send("/mydata")

    # The reminder answers and the follow-up survey.
    boris = await person(make_client, 4002, mode)
    vera = await person(make_client, 4003, mode)
    since_people = len(bot.session.requests)
    seated = await make_event(services, title="Стратегическая сессия НКО")
    await seat(services, seated, 4002)
    come_back = await seat(services, seated, 4003)
    planned = {p.kind: p for p in await services.reminders.plan_event(seated.id)}
    await fire_at(services, clock, bot, planned["24h"].due_at)
    await boris.click("Не смогу", reminder_to(boris))
    reminder = reminder_to(vera)
    await vera.click("Приду", reminder)
    await vera.click("Билет", reminder)
    await check_in(services, come_back, seated.starts_at + 60)
    await fire_at(services, clock, bot, planned["followup"].due_at)
    survey = next(m for m in vera.messages if "Спасибо, что пришли" in m.body)
    await vera.click("Оценка 5", survey)
    await vera.send("Спасибо, всё понравилось")

    # /forget, asked and confirmed.
    await anna.send("/forget")
    await anna.click("Да, удалить")

    check(bot, mode, 4001).assert_clean(since)
    check(bot, mode, 4001, 4002, 4003).assert_clean(since_people)


@pytest.mark.parametrize("mode", MODES)
async def test_organizer_journey(
    mode: str,
    services: Services,
    bot: MockedBot,
    make_client: Callable[..., ChatClient],
) -> None:
    admin = await person(make_client, ADMIN_ID, mode)
    since = len(bot.session.requests)

    # /new_event from the first question to publishing.
    await admin.send("/new_event")
    for _step, answer in VALID:
        await admin.send(answer)
    await admin.click("Опубликовать")
    event = await events_repo.get(services.db, 1)
    assert event is not None
    anna = await register_person(services, event, 4101)
    await register_person(services, event, 4102, full_name="Петров Пётр")
    await add_people(services, range(4110, 4113))

    # /manage: the list, the event, its attendees.
    [listing] = await admin.send("/manage")
    assert "1. <b>«Муниципальная поддержка СО НКО»</b>" in listing.body
    await admin.click("1. ", listing)
    await admin.click("Участники")

    # Door check-in by the ticket's link.
    [card] = await admin.send(f"/start ci_{anna.ticket_token}")
    await admin.click("Отметить приход", card)

    # /stats with its chart, and /announce to the subscribers.
    [overview] = await admin.send("/stats")
    assert "1. <b>«Муниципальная поддержка СО НКО»</b>" in overview.body
    figures, chart = await admin.click("График 1", overview)
    assert chart.method == "SendPhoto"
    assert "Зарегистрировано: 2" in figures.body  # what the chart plots, beside it in words
    await admin.send("/announce")
    await admin.send("Новости «Дома НКО»")
    await admin.click("Всем подписчикам")
    await admin.click("Отправить сейчас")

    check(bot, mode, ADMIN_ID).assert_clean(since)


async def test_a_typed_number_chooses_that_option_in_plain_mode(
    services: Services, make_client: Callable[..., ChatClient], bot: MockedBot
) -> None:
    anna = await person(make_client, 4201, "plain")
    event = await make_event(services)
    [card] = await anna.send(f"/start ev_{event.id}")
    assert card.buttons()[0] == "1. Зарегистрироваться"
    await anna.send("1")  # the first option of the card: register
    assert "согласи" in anna.last.body.lower()
    consent = anna.last
    await anna.send("1")  # «Даю согласие»
    assert consent.edits or anna.last is not consent
    await anna.send("2")  # announcements: «Нет, спасибо» is the second option here
    await anna.send("Иванова Анна Сергеевна")
    assert await plain_mode.is_on(services.db, 4201)


async def test_a_typed_number_without_plain_mode_is_just_text(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    anna = await person(make_client, 4301, "default")
    event = await make_event(services)
    [card] = await anna.send(f"/start ev_{event.id}")
    assert card.buttons()[0] == "Зарегистрироваться ✅"
    [reply] = await anna.send("1")
    assert "не понял" in reply.body.lower() or "понял" in reply.body.lower()


async def test_plain_mode_is_offered_on_the_language_screen_and_turns_off(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    anna = await person(make_client, 4401, "plain")
    [screen] = await anna.send("/language")
    assert screen.buttons() == ["1. Русский", "2. English", "3. Простой режим: выключить"]
    await anna.send("3")
    assert "Простой режим выключен" in screen.body
    assert not await plain_mode.is_on(services.db, 4401)
    [screen] = await anna.send("/language")
    assert screen.buttons() == ["Русский 🇷🇺", "English 🇬🇧", "Простой режим: включить"]


def test_labels_put_words_first_and_plain_mode_drops_emoji() -> None:
    assert words_first("✅ Зарегистрироваться") == "Зарегистрироваться ✅"
    assert words_first("🇷🇺 Русский") == "Русский 🇷🇺"
    assert words_first("Назад") == "Назад"
    assert words_first("⬇️") == "⬇️"  # nothing to put first: the check flags it instead
    assert strip_emoji("✅ <b>Вы зарегистрированы!</b>\n\n\n\n🎫 /my") == (
        "<b>Вы зарегистрированы!</b>\n\n/my"
    )


def test_the_check_names_each_kind_of_bad_label() -> None:
    bad = [["✅ Да", "✅ Да"], ["▶️"], ["Роль СО НКО в реализации…"]]
    problems = "\n".join(label_problems(bad, plain=True))
    assert "starts with an emoji" in problems
    assert "has no words" in problems
    assert "is cut" in problems
    assert "read the same" in problems
    assert "emoji in a plain-mode label" in problems


async def test_forget_drops_the_remembered_keyboard(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    anna = await person(make_client, 4501, "plain")
    await anna.send("/mydata")  # a screen that may quote personal data, with its buttons
    await anna.send("/forget")
    assert await plain_mode.shown_keyboard(services.db, 4501) is not None
    await anna.click("Да, удалить")
    assert await plain_mode.shown_keyboard(services.db, 4501) is None
    assert await plain_mode.is_on(services.db, 4501)  # a preference, like the language


async def test_a_refusal_in_a_toast_is_also_a_message(
    services: Services, make_client: Callable[..., ChatClient], bot: MockedBot
) -> None:
    anna = await person(make_client, 4601, "default")
    since = len(bot.session.requests)
    [refusal] = await anna.press("om1:list:1:0")  # an organizer's button, forged by a member
    assert anna.last_answer.text == refusal.body
    check(bot, "default", 4601).assert_clean(since)
