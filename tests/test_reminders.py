"""Reminders in-process: due times per zone, content per language, buttons, reschedule, cancel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram.methods import SendMessage, SendPhoto

from bot.clock import ManualClock
from bot.services import Services
from bot.services.reminders import PREPARE_AHEAD, due_before
from db import events, people
from db import registrations as registrations_repo
from db import reminders as reminders_repo
from db.events import EventStatus
from db.registrations import RegistrationStatus
from db.reminders import Answer, PlanState
from tests.conftest import NOW
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.member_kit import make_event
from tests.reminders_kit import fire_at, plan, received, reminders_to, seat

HOUR = 3600.0


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()  # type: ignore[misc]


# -- due times --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "start_local", "hours", "due_utc"),
    [
        # The seeds' four zones: no DST, fixed offsets +3, +5, +6, +7.
        ("Europe/Moscow", (2026, 12, 2, 14, 0), 24, (2026, 12, 1, 11, 0)),
        ("Europe/Moscow", (2026, 12, 2, 14, 0), 2, (2026, 12, 2, 9, 0)),
        ("Asia/Yekaterinburg", (2026, 12, 2, 14, 0), 24, (2026, 12, 1, 9, 0)),
        ("Asia/Yekaterinburg", (2026, 12, 2, 14, 0), 2, (2026, 12, 2, 7, 0)),
        ("Asia/Omsk", (2026, 12, 2, 14, 0), 24, (2026, 12, 1, 8, 0)),
        ("Asia/Omsk", (2026, 12, 2, 14, 0), 2, (2026, 12, 2, 6, 0)),
        ("Asia/Novokuznetsk", (2026, 12, 2, 14, 0), 24, (2026, 12, 1, 7, 0)),
        ("Asia/Novokuznetsk", (2026, 12, 2, 9, 30), 2, (2026, 12, 2, 0, 30)),
        # Berlin, spring forward on Sunday 29 March 2026 (02:00 CET → 03:00 CEST): "the day
        # before" is 10:00 on Saturday's clock, only 23 hours earlier.
        ("Europe/Berlin", (2026, 3, 29, 10, 0), 24, (2026, 3, 28, 9, 0)),
        ("Europe/Berlin", (2026, 3, 29, 10, 0), 2, (2026, 3, 29, 6, 0)),
        ("Europe/Berlin", (2026, 3, 29, 10, 0), 26, (2026, 3, 28, 7, 0)),
        ("Europe/Berlin", (2026, 3, 30, 10, 0), 24, (2026, 3, 29, 8, 0)),
        # 02:30 on the day of the change does not exist: it maps forward past the gap.
        ("Europe/Berlin", (2026, 3, 30, 2, 30), 24, (2026, 3, 29, 1, 30)),
        # Fall back on Sunday 25 October 2026 (03:00 CEST → 02:00 CET): 25 hours earlier.
        ("Europe/Berlin", (2026, 10, 25, 10, 0), 24, (2026, 10, 24, 8, 0)),
        ("Europe/Berlin", (2026, 10, 25, 10, 0), 2, (2026, 10, 25, 7, 0)),
        ("Europe/Berlin", (2026, 10, 26, 10, 0), 48, (2026, 10, 24, 8, 0)),
        # 2 hours before 03:30 CET are elapsed hours: 02:30 CEST, the first of the two 02:30s.
        ("Europe/Berlin", (2026, 10, 25, 3, 30), 2, (2026, 10, 25, 0, 30)),
    ],
)
def test_due_time_is_computed_in_the_venues_zone(
    zone: str, start_local: tuple[int, ...], hours: int, due_utc: tuple[int, ...]
) -> None:
    start = datetime(*start_local, tzinfo=ZoneInfo(zone)).timestamp()  # type: ignore[misc]
    assert due_before(start, zone, hours) == utc(*due_utc)


async def test_day_before_reminder_arrives_at_the_same_local_time_across_dst(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    clock.set(datetime(2026, 3, 20, 9, 0, tzinfo=UTC))
    start = datetime(2026, 3, 29, 10, 0, tzinfo=berlin)
    event = await make_event(
        services,
        city="Берлин",
        timezone="Europe/Berlin",
        starts_at=start.timestamp(),
        ends_at=(start + timedelta(hours=2)).timestamp(),
    )
    await seat(services, event, 3001)
    planned = await services.reminders.plan_event(event.id)
    day_before = next(p for p in planned if p.kind == "24h")
    assert datetime.fromtimestamp(day_before.due_at, berlin) == datetime(
        2026, 3, 28, 10, 0, tzinfo=berlin
    )
    assert await fire_at(services, clock, bot, day_before.due_at - PREPARE_AHEAD - 1) == 0
    # Queued a little ahead, so a big burst is ready on time; nothing leaves before it is due.
    assert await fire_at(services, clock, bot, day_before.due_at - 1) == 1
    assert reminders_to(bot, 3001) == []
    assert await fire_at(services, clock, bot, day_before.due_at) == 0
    (message,) = reminders_to(bot, 3001)
    assert "воскресенье, 29 марта, 10:00–12:00 по местному времени (МСК−1)" in message.body


@pytest.mark.parametrize(
    ("zone", "city", "label"),
    [
        ("Europe/Moscow", "Курск", "по московскому времени"),
        ("Asia/Yekaterinburg", "Тюмень", "по местному времени (МСК+2)"),
        ("Asia/Omsk", "Омск", "по местному времени (МСК+3)"),
        ("Asia/Novokuznetsk", "Кемерово", "по местному времени (МСК+4)"),
    ],
)
async def test_plan_rows_hold_utc_due_times_and_the_text_the_local_time(
    services: Services, clock: ManualClock, bot: MockedBot, zone: str, city: str, label: str
) -> None:
    start = datetime(2026, 12, 2, 14, 0, tzinfo=ZoneInfo(zone))
    event = await make_event(
        services,
        city=city,
        timezone=zone,
        starts_at=start.timestamp(),
        ends_at=(start + timedelta(hours=3)).timestamp(),
    )
    await seat(services, event, 3002)
    planned = await plan(services, event)
    assert set(planned) == {"24h", "2h", "followup"}
    assert planned["24h"].due_at == (start - timedelta(days=1)).timestamp()
    assert planned["2h"].due_at == (start - timedelta(hours=2)).timestamp()
    assert planned["followup"].due_at == (start + timedelta(hours=5)).timestamp()
    assert {p.state for p in planned.values()} == {PlanState.pending}

    await fire_at(services, clock, bot, planned["2h"].due_at)
    (message,) = reminders_to(bot, 3002)
    assert f"среда, 2 декабря, 14:00–17:00 {label}" in message.body


async def test_the_events_own_plan_wins_over_the_default(services: Services) -> None:
    event = await make_event(services, reminder_offsets=(48, 3))
    planned = await services.reminders.plan_event(event.id)
    assert [p.kind for p in planned] == ["48h", "3h", "followup"]
    silent = await make_event(services, reminder_offsets=())
    assert [p.kind for p in await services.reminders.plan_event(silent.id)] == ["followup"]
    draft = await make_event(services, status=EventStatus.draft)
    assert await services.reminders.plan_event(draft.id) == []


# -- content ----------------------------------------------------------------------------------


async def test_day_before_reminder_in_each_persons_language(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    start = datetime(2026, 12, 2, 14, 0, tzinfo=ZoneInfo("Asia/Omsk"))
    event = await make_event(
        services,
        title="Годовое собрание <Альянса> & партнёров",
        city="Омск",
        timezone="Asia/Omsk",
        venue="«Точка кипения»",
        address="ул. Карла Либкнехта, 33",
        starts_at=start.timestamp(),
        ends_at=(start + timedelta(hours=3)).timestamp(),
    )
    await seat(services, event, 3011, "ru")
    await seat(services, event, 3012, "en")
    await seat(services, event, 3013, None)  # never chose: the default language
    planned = await plan(services, event)

    assert await fire_at(services, clock, bot, planned["24h"].due_at) == 1

    (ru,) = reminders_to(bot, 3011)
    assert ru.body.startswith(
        "🔔 Завтра: круглый стол «<b>Годовое собрание &lt;Альянса&gt; &amp; партнёров</b>»"
    )
    assert "среда, 2 декабря, 14:00–17:00 по местному времени (МСК+3)" in ru.body
    assert "📍 «Точка кипения», ул. Карла Либкнехта, 33" in ru.body
    assert ru.buttons() == ["Приду ✅", "Не смогу ✖️"]
    (en,) = reminders_to(bot, 3012)
    assert en.body.startswith("🔔 Tomorrow: round table “<b>")
    assert "Wednesday, December 2, 2:00–5:00 PM local time (Moscow +3)" in en.body
    assert en.buttons() == ["I'll come ✅", "Can't come ✖️"]
    assert reminders_to(bot, 3013)[0].buttons() == ["Приду ✅", "Не смогу ✖️"]
    # Nothing else: the day-before reminder carries no map pin.
    assert received(bot, 3011, "SendVenue") == []
    progress = await services.delivery.progress(f"reminder:{planned['24h'].id}")
    assert (progress.sent, progress.total) == (3, 3)


async def test_day_of_reminder_has_a_map_pin_and_opens_the_ticket(
    services: Services, clock: ManualClock, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services)
    registration = await seat(services, event, 3021)
    planned = await plan(services, event)

    await fire_at(services, clock, bot, planned["2h"].due_at)
    (message,) = reminders_to(bot, 3021)
    assert message.body.startswith("🔔 Сегодня: круглый стол «<b>Роль СО НКО")
    assert "среда, 2 декабря, 14:00–17:00 по местному времени (МСК+2)" in message.body
    assert "Тюменский Технопарк, ул. Республики 142, 2 этаж" in message.body
    assert message.buttons() == ["Билет 🎫"]
    # The pin follows the text: one message per second to a chat, so a second later.
    clock.advance(1)
    await services.delivery.drain(bot)
    (pin,) = received(bot, 3021, "SendVenue")
    assert pin.location == (57.1357, 65.5786)
    assert pin.text == "«Точка кипения»\nТюменский Технопарк, ул. Республики 142, 2 этаж"

    anna = make_client(3021, "ru")
    replies = await anna.click("Билет", message)
    assert [r.method for r in replies] == ["SendPhoto"]
    assert registration.short_code in replies[0].body


async def test_no_pin_without_coordinates(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    event = await make_event(services, latitude=None, longitude=None)
    await seat(services, event, 3022)
    planned = await plan(services, event)
    await fire_at(services, clock, bot, planned["2h"].due_at)
    clock.advance(5)
    await services.delivery.drain(bot)
    assert [s.method for s in received(bot, 3022)] == ["SendMessage"]
    assert (await services.delivery.progress(f"reminder:{planned['2h'].id}:pin")).total == 0


async def test_only_confirmed_registrants_get_reminders(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    event = await make_event(services, capacity=4)
    confirmed = await seat(services, event, 3031)
    blocked = await seat(services, event, 3032)
    cancelled = await seat(services, event, 3033)
    erased = await seat(services, event, 3034)
    await seat(services, event, 3035)  # waitlisted, then gets 3033's seat
    waitlisted = await seat(services, event, 3036)  # waitlisted, then gets 3034's seat
    never = await seat(services, event, 3037)  # stays on the waitlist
    assert waitlisted.status == never.status == RegistrationStatus.waitlisted
    now = clock.timestamp()
    await people.mark_unreachable(services.db, 3032, now)
    await services.registrations.cancel(3033, cancelled.id)
    await services.privacy.forget(3034)
    await services.delivery.drain(bot)  # the promotion notices
    planned = await plan(services, event)

    await fire_at(services, clock, bot, planned["24h"].due_at)

    got = {chat for chat in range(3031, 3038) if reminders_to(bot, chat)}
    assert got == {3031, 3035, 3036}
    rows = {
        row["recipient_id"]: row["state"]
        for row in await services.db.fetch_all(
            "SELECT recipient_id, state FROM deliveries WHERE source = ?",
            (f"reminder:{planned['24h'].id}",),
        )
    }
    assert rows == {3031: "sent", 3032: "unreachable", 3035: "sent", 3036: "sent"}
    ledger = await services.db.fetch_all(
        "SELECT registration_id FROM reminders WHERE planned_id = ?", (planned["24h"].id,)
    )
    assert confirmed.id in {row[0] for row in ledger}
    assert blocked.id in {row[0] for row in ledger}
    assert erased.id not in {row[0] for row in ledger}


# -- buttons ----------------------------------------------------------------------------------


async def test_cant_come_cancels_and_the_waitlist_moves_up_at_once(
    services: Services, clock: ManualClock, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, capacity=1)
    anna_seat = await seat(services, event, 3041)
    boris_place = await seat(services, event, 3042)
    assert boris_place.status == RegistrationStatus.waitlisted
    planned = await plan(services, event)
    await fire_at(services, clock, bot, planned["24h"].due_at)
    assert reminders_to(bot, 3042) == []  # the waitlist gets no reminder

    anna = make_client(3041, "ru")
    reminder = reminders_to(bot, 3041)[0]
    await anna.click("Не смогу", reminder)
    # Asked first: nothing has moved yet.
    assert reminder.buttons() == ["Да, отменить регистрацию", "Нет, оставить место"]
    still = await registrations_repo.get(services.db, anna_seat.id)
    assert still is not None
    assert still.status == RegistrationStatus.confirmed
    await anna.click("Да, отменить регистрацию", reminder)

    assert anna.last_answer.text == "Регистрация отменена."
    assert "Ваша регистрация отменена" in reminder.body  # the reminder was edited in place
    assert reminder.buttons() == ["Карточка мероприятия 📄"]
    cancelled = await registrations_repo.get(services.db, anna_seat.id)
    promoted = await registrations_repo.get(services.db, boris_place.id)
    assert cancelled is not None
    assert promoted is not None
    assert cancelled.status == RegistrationStatus.cancelled
    assert promoted.status == RegistrationStatus.confirmed
    assert await reminders_repo.answer_of(services.db, planned["24h"].id, anna_seat.id) == (
        Answer.not_coming
    )
    # The promoted person hears about the seat from the same transaction, then the day-of
    # reminder goes to them and not to the person who cancelled.
    await services.delivery.drain(bot)
    assert any("освободилось место" in s.body for s in received(bot, 3042, "SendMessage"))
    await fire_at(services, clock, bot, planned["2h"].due_at)
    assert len(reminders_to(bot, 3042)) == 1
    assert len(reminders_to(bot, 3041)) == 1

    # A second press changes nothing and says why.
    await anna.press(_data(planned["24h"].id, "no"))
    assert anna.last_answer.show_alert
    assert "больше не действует" in (anna.last_answer.text or "")


def _data(planned_id: int, action: str) -> str:
    return f"rm1:{action}:{planned_id}"


async def test_ill_come_is_remembered_and_keeps_the_ticket_at_hand(
    services: Services, clock: ManualClock, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services)
    await seat(services, event, 3051)
    planned = await plan(services, event)
    await fire_at(services, clock, bot, planned["24h"].due_at)
    anna = make_client(3051, "ru")
    reminder = reminders_to(bot, 3051)[0]

    await anna.click("Приду", reminder)

    assert anna.last_answer.text == "Спасибо, до встречи!"
    assert "Спасибо! Ждём вас." in reminder.body
    assert reminder.buttons() == ["Билет 🎫"]
    assert await services.reminders.answers(event) == {Answer.coming: 1}
    await anna.click("Билет", reminder)
    assert anna.last.method == "SendPhoto"


async def test_forged_reminder_buttons_are_refused_and_change_nothing(
    services: Services, clock: ManualClock, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services, capacity=1)
    anna_seat = await seat(services, event, 3061)
    await seat(services, event, 3062)  # waitlisted
    await seat(services, await make_event(services), 3063)  # a seat at another event
    planned = await plan(services, event)
    await fire_at(services, clock, bot, planned["24h"].due_at)

    for user_id in (3062, 3063, 3064):
        mallory = make_client(user_id, "ru")
        await mallory.send("/start")
        for data in (
            _data(planned["24h"].id, "no"),
            _data(planned["24h"].id, "ticket"),
            _data(planned["followup"].id, "yes"),
            _data(999_999, "no"),
        ):
            await mallory.press(data)
            assert mallory.last_answer.show_alert, data
            assert "больше не действует" in (mallory.last_answer.text or "")
        assert received(bot, user_id, "SendPhoto") == []
    still = await registrations_repo.get(services.db, anna_seat.id)
    assert still is not None
    assert still.status == RegistrationStatus.confirmed
    assert bot.session.calls(SendPhoto) == []


async def test_cant_come_after_the_start_is_refused(
    services: Services, clock: ManualClock, bot: MockedBot, make_client: Callable[..., ChatClient]
) -> None:
    event = await make_event(services)
    anna_seat = await seat(services, event, 3071)
    planned = await plan(services, event)
    await fire_at(services, clock, bot, planned["2h"].due_at)
    clock.set(event.starts_at + 60)
    anna = make_client(3071, "ru")
    # The day-of reminder has no such button; an old day-before one might be pressed late.
    await anna.press(_data(planned["24h"].id, "no"))
    assert anna.last_answer.show_alert
    assert "уже началось" in (anna.last_answer.text or "")
    still = await registrations_repo.get(services.db, anna_seat.id)
    assert still is not None
    assert still.status == RegistrationStatus.confirmed


# -- reschedule and cancel --------------------------------------------------------------------


async def test_rescheduled_event_old_reminders_never_fire_new_ones_do(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    event = await make_event(services)
    await seat(services, event, 3081)
    old = await plan(services, event)
    week = 7 * 24 * HOUR
    await events.update(
        services.db,
        event.id,
        clock.timestamp(),
        starts_at=event.starts_at + week,
        ends_at=event.ends_at + week,
    )

    planned = await services.reminders.plan_event(event.id)

    new = {p.kind: p for p in planned if p.state == PlanState.pending}
    assert {p.state for p in planned if p.id in {o.id for o in old.values()}} == {PlanState.dropped}
    assert new["24h"].due_at == old["24h"].due_at + week
    assert services.reminders.next_wakeup == new["24h"].due_at
    for moment in (old["24h"].due_at, old["2h"].due_at, event.starts_at):
        assert await fire_at(services, clock, bot, moment) == 0
    assert reminders_to(bot, 3081) == []
    await fire_at(services, clock, bot, new["24h"].due_at)
    (message,) = reminders_to(bot, 3081)
    assert "среда, 9 декабря, 14:00–17:00 по местному времени (МСК+2)" in message.body


async def test_reschedule_withdraws_reminders_still_in_the_queue(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    event = await make_event(services)
    await seat(services, event, 3091)
    old = await plan(services, event)
    clock.set(old["24h"].due_at)
    await services.reminders.run_due()  # queued, but the sender has not got to it yet
    await events.update(
        services.db,
        event.id,
        clock.timestamp(),
        starts_at=event.starts_at + 2 * 24 * HOUR,
        ends_at=event.ends_at + 2 * 24 * HOUR,
    )
    await services.reminders.plan_event(event.id)
    await services.delivery.drain(bot)
    assert reminders_to(bot, 3091) == []
    progress = await services.delivery.progress(f"reminder:{old['24h'].id}")
    assert (progress.cancelled, progress.sent) == (1, 0)


async def test_a_reschedule_without_the_hook_is_caught_when_due(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    event = await make_event(services)
    await seat(services, event, 3101)
    old = await plan(services, event)
    await events.update(
        services.db,
        event.id,
        clock.timestamp(),
        starts_at=event.starts_at + 24 * HOUR,
        ends_at=event.ends_at + 24 * HOUR,
    )
    # Nobody called plan_event: the old row still fires on time, finds the start moved, and
    # the sweep plans the new date.
    assert await fire_at(services, clock, bot, old["24h"].due_at) == 0
    assert reminders_to(bot, 3101) == []
    assert (await reminders_repo.get(services.db, old["24h"].id)).state == PlanState.dropped  # type: ignore[union-attr]
    await services.reminders.sweep()
    new = {p.kind: p for p in await services.reminders.planned(event.id) if p.state == "pending"}
    assert new["24h"].due_at == old["24h"].due_at + 24 * HOUR


async def test_cancelled_event_sends_nothing(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    event = await make_event(services)
    other = await make_event(services)
    await seat(services, event, 3111)
    await seat(services, other, 3112)
    planned = await plan(services, event)
    await services.reminders.plan_event(other.id)
    await events.set_status(services.db, event.id, EventStatus.cancelled, clock.timestamp())
    await services.reminders.drop_event(event.id)
    assert {p.state for p in await services.reminders.planned(event.id)} == {PlanState.dropped}

    # Cancelled without the hook: the due check drops it all the same.
    await events.set_status(services.db, other.id, EventStatus.cancelled, clock.timestamp())
    for moment in (planned["24h"].due_at, planned["2h"].due_at, planned["followup"].due_at):
        assert await fire_at(services, clock, bot, moment) == 0
    assert reminders_to(bot, 3111) == reminders_to(bot, 3112) == []


async def test_cancelling_after_the_reminder_was_queued_withdraws_it(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    event = await make_event(services)
    registration = await seat(services, event, 3121)
    await seat(services, event, 3122)
    planned = await plan(services, event)
    clock.set(planned["2h"].due_at)
    await services.reminders.run_due()
    # In a big burst the sender may reach this person minutes later; /my cancels meanwhile.
    await services.registrations.cancel(3121, registration.id)
    await services.delivery.drain(bot)
    assert reminders_to(bot, 3121) == []
    assert len(reminders_to(bot, 3122)) == 1
    states = {
        row["source"]: row["state"]
        for row in await services.db.fetch_all(
            "SELECT source, state FROM deliveries WHERE recipient_id = 3121"
        )
    }
    assert states == {
        f"reminder:{planned['2h'].id}": "cancelled",
        f"reminder:{planned['2h'].id}:pin": "cancelled",
        f"cancel:{registration.id}": "sent",  # the file that takes it off their calendar
    }


async def test_late_registrations_get_only_the_reminders_still_ahead(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    event = await make_event(services)
    await seat(services, event, 3131)
    planned = await plan(services, event)
    await fire_at(services, clock, bot, planned["24h"].due_at)
    clock.advance(HOUR)
    await seat(services, event, 3132)  # registers 23 hours before the start
    await services.reminders.sweep()
    await services.delivery.drain(bot)
    assert reminders_to(bot, 3132) == []
    await fire_at(services, clock, bot, planned["2h"].due_at)
    assert len(reminders_to(bot, 3131)) == 2
    assert len(reminders_to(bot, 3132)) == 1


async def test_an_event_published_the_day_before_gets_no_overdue_day_before_reminder(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    start = NOW + timedelta(hours=10)
    event = await make_event(
        services, starts_at=start.timestamp(), ends_at=(start + timedelta(hours=2)).timestamp()
    )
    await seat(services, event, 3141)
    planned = await services.reminders.plan_event(event.id)
    assert [p.kind for p in planned] == ["2h", "followup"]
    await services.reminders.sweep()
    await services.delivery.drain(bot)
    assert bot.session.calls(SendMessage) == []
    await fire_at(services, clock, bot, start.timestamp() - 2 * HOUR)
    assert len(reminders_to(bot, 3141)) == 1
