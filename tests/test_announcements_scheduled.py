"""Scheduled announcements: fire at their time, survive a restart, late or skipped, cancellable."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest

from bot.app import create_services
from bot.clock import ManualClock
from bot.services import Services
from bot.services.announcements import job_id
from bot.settings import Settings
from db import announcements as repo
from db.announcements import State
from tests.announcements_kit import (
    add_people,
    compose_photo,
    copies_to,
    deliver,
    delivery_states,
    latest,
    started,
)
from tests.conftest import ADMIN_ID, NOW
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import BOT_USERNAME, MockedBot
from tests.member_kit import make_event

# The test clock is 09:00 UTC = 12:00 in Moscow (the default zone); the time typed is Moscow's.
AT_15_MSK = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


async def schedule(admin: ChatClient, typed: str = "22.11 15:00") -> None:
    await compose_photo(admin)
    await admin.click("Всем подписчикам")
    await admin.click("Запланировать")
    await admin.send(typed)


async def scheduling_for_tyumen(
    services: Services, make_client: Callable[..., ChatClient], *, city: str
) -> ChatClient:
    """An event in Tyumen (UTC+5), one subscriber in `city`, and the admin at «Запланировать»
    for the Tyumen region: the send time typed next is the audience's local time."""
    await make_event(services)
    await add_people(services, [100], city=city)
    admin = await started(make_client(ADMIN_ID))
    await compose_photo(admin)
    await admin.click("Подписчикам одного региона")
    await admin.click("Тюменская область")
    await admin.click("Запланировать")
    return admin


@pytest.fixture
async def admin(make_client: Callable[..., ChatClient], services: Services) -> ChatClient:
    """Three subscribers (100–102) and the admin at the confirmation of a 15:00 Moscow send."""
    await add_people(services, range(100, 103))
    admin = await started(make_client(ADMIN_ID))
    await schedule(admin)
    return admin


@pytest.fixture
async def restarted(
    settings: Settings, clock: ManualClock, bot: MockedBot
) -> AsyncIterator[Callable[[], Awaitable[Services]]]:
    """A second bot process on the same database file, made on demand, its announcements
    started (the jobs rebuilt from the database, late ones sent)."""
    made: list[Services] = []

    async def restart() -> Services:
        services = await create_services(settings, clock=clock)
        services.bot_username = BOT_USERNAME
        made.append(services)
        await services.announcements.start(bot, watch=False)
        return services

    yield restart
    for services in made:
        await services.announcements.shutdown()
        if services.db.is_open:
            await services.db.close()


async def test_a_scheduled_announcement_fires_at_its_time(
    admin: ChatClient,
    services: Services,
    bot: MockedBot,
    clock: ManualClock,
) -> None:
    confirmation = admin.last
    assert "Когда: воскресенье, 22 ноября, 15:00 по московскому времени" in confirmation.body
    assert "Получателей: <b>3</b>" in confirmation.body
    assert "Не позже: без ограничений" in confirmation.body
    await admin.click("Подтвердить")
    assert admin.last.body.startswith(
        "✅ Запланировано на воскресенье, 22 ноября, 15:00 по московскому времени"
    )
    announcement = await latest(services)
    assert announcement.state == State.scheduled
    assert announcement.send_at == AT_15_MSK.timestamp()
    # The audience is frozen now, as parked rows: nothing goes out before the time.
    assert set((await delivery_states(services, announcement.id)).values()) == {"pending"}
    assert services.scheduler.get_job(job_id(announcement.id)) is not None
    await deliver(services, bot)
    assert copies_to(bot, 100) == []

    replies = await admin.send("/scheduled")
    assert (
        "1. воскресенье, 22 ноября, 15:00 по московскому времени — все подписчики, 3 получателя"
        in replies[-1].body
    )
    assert replies[-1].buttons() == ["Отменить №1 ✖️"]

    clock.set(AT_15_MSK.timestamp() - 1)
    assert await services.announcements.sweep(bot) == 0
    clock.set(AT_15_MSK)
    assert await services.announcements.sweep(bot) == 1
    status = admin.last
    assert status.body.endswith("Отправлено 0 из 3 · не доставлено 0")
    await deliver(services, bot)
    for person_id in range(100, 103):
        assert len(copies_to(bot, person_id)) == 1
    report = admin.last
    assert "Отправлено: 3" in report.body
    assert "опозданием" not in report.body
    assert status.body.startswith("✅ <b>Объявление разослано</b>")
    assert (await latest(services)).state == State.done
    # Another sweep (the periodic job) starts nothing twice.
    assert await services.announcements.sweep(bot) == 0


async def test_a_scheduled_announcement_survives_a_restart_and_is_sent_late_with_a_note(
    admin: ChatClient,
    services: Services,
    bot: MockedBot,
    clock: ManualClock,
    restarted: Callable[[], Awaitable[Services]],
) -> None:
    await admin.click("Подтвердить")
    announcement = await latest(services)
    await services.db.close()  # the process stops; the jobs in memory are gone

    # Back up before the time: the job is rebuilt from the database, nothing is sent yet.
    clock.advance(3600)
    again = await restarted()
    job = again.scheduler.get_job(job_id(announcement.id))
    assert job is not None
    assert job.trigger.run_date == AT_15_MSK
    await again.announcements.shutdown()
    await again.db.close()

    # Down again over the send time, up an hour after it: sent at start-up, late.
    clock.set(AT_15_MSK.timestamp() + 3600)
    third = await restarted()
    await deliver(third, bot)
    assert all(len(copies_to(bot, person_id)) == 1 for person_id in range(100, 103))
    report = bot.session.messages[ADMIN_ID][-1]
    assert "Отправлено: 3" in report.body
    assert (
        "⚠️ Отправлено с опозданием: объявление было запланировано на воскресенье, 22 ноября,"
        " 15:00 по московскому времени, но в это время бот не работал." in report.body
    )
    # The late start posted its own status message, edited to the end.
    assert any(
        sent.body.startswith("✅ <b>Объявление разослано</b>")
        for sent in bot.session.messages[ADMIN_ID]
    )


async def test_missed_past_its_not_after_time_it_is_skipped(
    admin: ChatClient,
    services: Services,
    bot: MockedBot,
    clock: ManualClock,
    restarted: Callable[[], Awaitable[Services]],
) -> None:
    await admin.click("Указать «не позже»")
    replies = await admin.send("22.11 14:00")
    assert "Срок «не позже» должен быть позже времени отправки" in replies[-1].body
    await admin.send("22.11 16:00")
    assert "Не позже: воскресенье, 22 ноября, 16:00 по московскому времени" in admin.last.body
    await admin.click("Подтвердить")
    announcement = await latest(services)
    assert announcement.not_after == AT_15_MSK.timestamp() + 3600
    await services.db.close()

    clock.set(AT_15_MSK.timestamp() + 2 * 3600)  # the bot was down from 14:00 to 17:00
    again = await restarted()
    await deliver(again, bot)
    assert all(copies_to(bot, person_id) == [] for person_id in range(100, 103))
    skipped = await repo.get(again.db, announcement.id)
    assert skipped is not None
    assert skipped.state == State.skipped
    assert set((await delivery_states(again, announcement.id)).values()) == {"cancelled"}
    notice = bot.session.messages[ADMIN_ID][-1]
    assert notice.body.startswith(
        "⏭ Объявление, запланированное на воскресенье, 22 ноября, 15:00 по московскому времени"
    )
    assert (
        "«не позже» (воскресенье, 22 ноября, 16:00 по московскому времени) уже прошёл"
        in notice.body
    )


async def test_a_scheduled_announcement_is_cancellable_before_it_starts(
    admin: ChatClient,
    services: Services,
    bot: MockedBot,
    clock: ManualClock,
) -> None:
    await admin.click("Подтвердить")
    announcement = await latest(services)
    await admin.send("/scheduled")
    await admin.click("Отменить №1")
    question = admin.last
    # The tap cannot be undone, so it asks first; «Нет, оставить» leaves it planned.
    assert question.body.startswith("Отменить рассылку?")
    assert question.buttons() == ["Да, отменить", "Нет, оставить"]
    await admin.click("Нет, оставить", question)
    assert "Отменить №1 ✖️" in question.buttons()
    assert services.scheduler.get_job(job_id(announcement.id)) is not None
    await admin.click("Отменить №1", question)
    await admin.click("Да, отменить", question)
    # The outcome is in the message, not only in a toast.
    assert question.body == (
        "Запланированное объявление отменено, ничего не отправлено.\n\n"
        "Запланированных объявлений нет. Создать объявление: /announce."
    )
    assert services.scheduler.get_job(job_id(announcement.id)) is None
    clock.set(AT_15_MSK.timestamp() + 60)
    assert await services.announcements.sweep(bot) == 0
    await deliver(services, bot)
    assert all(copies_to(bot, person_id) == [] for person_id in range(100, 103))
    assert set((await delivery_states(services, announcement.id)).values()) == {"cancelled"}
    # Once started it cannot be cancelled, only stopped.
    await schedule(admin, "22.11 18:00")
    await admin.click("Подтвердить")
    second = await latest(services)
    await admin.send("/scheduled")
    clock.set(datetime(2026, 11, 22, 15, 0, tzinfo=UTC))
    await services.announcements.sweep(bot)
    await admin.press(f"ac1:drop:{second.id}")
    assert admin.last_answer.text == (
        "Отправка уже началась. Остановить её можно кнопкой «Остановить» в сообщении о ходе "
        "рассылки."
    )


async def test_people_who_unsubscribe_before_the_start_do_not_get_it(
    make_client: Callable[..., ChatClient],
    services: Services,
    bot: MockedBot,
    clock: ManualClock,
) -> None:
    await add_people(services, range(100, 104))
    admin = await started(make_client(ADMIN_ID))
    await schedule(admin)
    await admin.click("Подтвердить")
    announcement = await latest(services)
    assert announcement.total == 4
    # 100 presses «Unsubscribe» under an earlier copy; 101 erases their data with /forget.
    assert await services.announcements.unsubscribe(100)
    await services.privacy.forget(101)
    clock.set(AT_15_MSK)
    await services.announcements.sweep(bot)
    await deliver(services, bot)
    states = await delivery_states(services, announcement.id)
    # 101's copy stays only as an anonymous count: no row names them any more.
    assert 101 not in states
    anonymous = [state for recipient, state in states.items() if recipient not in (100, 102, 103)]
    assert anonymous == ["cancelled"]
    assert (states[100], states[102], states[103]) == ("cancelled", "sent", "sent")
    report = bot.session.messages[ADMIN_ID][-1]
    assert "Получателей: 4" in report.body
    assert "Отменено до отправки: 2" in report.body


async def test_the_time_is_typed_and_shown_in_the_zone_of_the_audience(
    make_client: Callable[..., ChatClient],
    services: Services,
    bot: MockedBot,
) -> None:
    admin = await scheduling_for_tyumen(services, make_client, city="Тюмень")
    assert "Часовой пояс: Тюмень, МСК+2." in admin.last.body
    await admin.send("22.11 17:00")
    assert "Когда: воскресенье, 22 ноября, 17:00 по местному времени (МСК+2)" in admin.last.body
    await admin.click("Подтвердить")
    announcement = await latest(services)
    assert announcement.send_at == datetime(2026, 11, 22, 12, 0, tzinfo=UTC).timestamp()
    assert announcement.timezone == "Asia/Yekaterinburg"
    assert NOW.timestamp() < announcement.send_at


async def test_the_send_time_may_be_typed_in_words(
    make_client: Callable[..., ChatClient],
    services: Services,
    bot: MockedBot,
) -> None:
    admin = await scheduling_for_tyumen(services, make_client, city="Ишим")
    [refused] = await admin.send("31 апреля 10:00")
    assert "Такой даты нет: в апреле 30 дней." in refused.body
    await admin.send("завтра в 10")
    assert "Когда: понедельник, 23 ноября, 10:00 по местному времени (МСК+2)" in admin.last.body
    await admin.click("Подтвердить")
    announcement = await latest(services)
    assert announcement.send_at == datetime(2026, 11, 23, 5, 0, tzinfo=UTC).timestamp()
