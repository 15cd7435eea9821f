"""/announce in-process: audiences and exclusions, preview, send now, progress, Stop, report."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from aiogram.methods import CopyMessage
from aiogram.types import Chat, Story

from bot.delivery.sender import SenderConfig
from bot.services import Services
from bot.services.roles import Access
from db import announcements as repo
from db import consents, people
from db.announcements import Audience, AudienceKind, Segment, State
from db.consents import ConsentKind
from db.registrations import RegistrationStatus
from tests.announcements_kit import (
    CAPTION,
    add_people,
    compose_photo,
    compose_text,
    copies_to,
    deliver,
    delivery_states,
    documents_to,
    latest,
    started,
)
from tests.conftest import ADMIN_ID
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.member_kit import make_event
from tests.reminders_kit import check_in, seat

ORGANIZER_ID = 3001


async def ids_of(services: Services, audience: Audience) -> set[int]:
    return {recipient.id for recipient in await repo.recipients(services.db, audience)}


async def test_each_audience_resolves_to_the_right_people(services: Services) -> None:
    await add_people(services, [10, 11])  # all cities
    await add_people(services, [12], city="Тюмень")
    await add_people(services, [13], city="Омск")
    await add_people(services, [14], subscribed=False)
    await add_people(services, [15], erased=True)
    await add_people(services, [16], city="Тюмень", unreachable=True)

    assert await ids_of(services, Audience(AudienceKind.subscribers)) == {10, 11, 12, 13}
    # Subscriptions and audiences are by region (its code): «Тюмень» was stored as "72".
    tyumen = Audience(AudienceKind.city, city="72")
    assert await ids_of(services, tyumen) == {10, 11, 12}
    assert await ids_of(services, Audience(AudienceKind.city, city="55")) == {10, 11, 13}

    event = await make_event(services, capacity=3)
    await seat(services, event, 20)
    came = await seat(services, event, 22)
    await seat(services, event, 24)
    waiting = await seat(services, event, 21)
    assert waiting.status == RegistrationStatus.waitlisted
    await check_in(services, came, services.clock.timestamp())
    await people.mark_unreachable(services.db, 24, services.clock.timestamp())
    # A person who unsubscribed is still one of the event's people: it is about their seat.
    await add_people(services, [25], subscribed=False)
    await seat(services, await make_event(services, title="Другое"), 25)

    def segment(which: Segment) -> Audience:
        return Audience(AudienceKind.event, event_id=event.id, segment=which)

    assert await ids_of(services, segment(Segment.confirmed)) == {20, 22}
    assert await ids_of(services, segment(Segment.waitlisted)) == {21}
    assert await ids_of(services, segment(Segment.checked_in)) == {22}
    assert await ids_of(services, segment(Segment.not_checked_in)) == {20}


async def test_counts_shown_equal_rows_queued(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, range(100, 107))
    await add_people(services, [107, 108], city="Тюмень")
    await add_people(services, [109], subscribed=False)
    admin = await started(make_client(ADMIN_ID))
    menu = await compose_text(admin)
    assert "Всем подписчикам — 9 📣" in menu[-1].buttons()
    await admin.click("Подписчикам одного региона")
    # The 7 of all regions and its own 2.
    assert "Тюменская область — 9" in admin.last.buttons()
    await admin.click("Тюменская область")
    assert "Получателей: <b>9</b>" in admin.last.body
    await admin.click("Отправить сейчас")
    announcement = await latest(services)
    assert announcement.state == State.sending
    assert announcement.total == 9
    assert len(await delivery_states(services, announcement.id)) == 9


async def test_a_changed_audience_is_shown_again_before_anything_is_queued(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, range(100, 104))
    admin = await started(make_client(ADMIN_ID))
    await compose_text(admin)
    await admin.click("Всем подписчикам")
    assert "Получателей: <b>4</b>" in admin.last.body
    await add_people(services, [104])  # someone subscribes while the organizer reads
    await admin.click("Отправить сейчас")
    assert "теперь 5 получателей" in admin.last.body
    announcement = await latest(services)
    assert announcement.state == State.draft
    assert await delivery_states(services, announcement.id) == {}
    await admin.click("Отправить сейчас")
    assert len(await delivery_states(services, announcement.id)) == 5


async def test_a_photo_arrives_as_a_copy_with_the_unsubscribe_button(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, [100], language="ru")
    await add_people(services, [101], language="en")
    admin = await started(make_client(ADMIN_ID))
    await compose_photo(admin)
    source_id = admin.messages[-1].message_id - 1  # the photo the organizer sent
    replies = await admin.click("Всем подписчикам")
    preview = next(sent for sent in replies if sent.method == "CopyMessage")
    assert preview.copy_of == (ADMIN_ID, source_id)
    assert preview.buttons() == ["Отписаться 🔕"]  # exactly what recipients will see
    await admin.click("Отправить сейчас")
    await deliver(services, bot)

    (ru_copy,) = copies_to(bot, 100)
    (en_copy,) = copies_to(bot, 101)
    assert ru_copy.copy_of == en_copy.copy_of == (ADMIN_ID, source_id)
    assert ru_copy.buttons() == ["Отписаться 🔕"]
    assert en_copy.buttons() == ["Unsubscribe 🔕"]
    # copy_message keeps the caption and its formatting: the bot adds no caption of its own.
    calls = [c for c in bot.session.calls(CopyMessage) if c.chat_id == 100]
    assert calls[0].caption is None

    reader = ChatClient(admin.dp, bot, 100)
    await reader.click("Отписаться")
    assert "Вы отписались от анонсов" in (reader.last_answer.text or "")
    person = await people.get(services.db, 100)
    assert person is not None
    assert not person.subscribed
    log = await consents.latest(services.db, 100, ConsentKind.announcements)
    assert log is not None
    assert not log.granted
    assert copies_to(bot, 100)[0].buttons() == ["Подписаться снова 🔔"]
    # Pressing it again (an old copy) changes nothing and says so.
    await reader.press("un1", copies_to(bot, 100)[0])
    assert "Вы не подписаны" in (reader.last_answer.text or "")
    replies = await reader.click("Подписаться снова")
    assert "Вы не подписаны на анонсы. Хотите подписаться?" in replies[-1].body


async def test_progress_report_and_csv_of_failures(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, range(100, 105))
    bot.session.blocked.add(101)
    bot.session.fail("CopyMessage", "400", chat_id=103)
    admin = await started(make_client(ADMIN_ID))
    await compose_photo(admin)
    await admin.click("Всем подписчикам")
    await admin.click("Отправить сейчас")
    status = admin.last
    assert status.body.endswith("Отправлено 0 из 5 · не доставлено 0")
    assert status.buttons() == ["Остановить ⏹"]

    await deliver(services, bot)
    assert status.body == "✅ <b>Объявление разослано</b>\nОтправлено 3 из 5 · не доставлено 2"
    assert status.buttons() == []
    (report,) = documents_to(bot, ADMIN_ID)
    for line in (
        "Получателей: 5",
        "Отправлено: 3",
        "Недоступны (заблокировали бота): 1",
        "Ошибки: 1",
        "Отменено до отправки: 0",
        "Длительность: 0 с",
    ):
        assert line in report.body
    assert report.filename is not None
    assert report.filename.endswith(".csv")
    assert report.document is not None
    rows = list(csv.reader(io.StringIO(report.document.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Telegram ID", "Результат", "Причина", "Попыток"]
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {"101", "103"}
    assert by_id["101"][1] == "недоступен"
    assert by_id["103"][1:3] == ["ошибка", "Bad Request: chat not found"]
    assert (await latest(services)).state == State.done
    # The watcher finishes once: another tick sends no second report.
    await deliver(services, bot)
    assert len(documents_to(bot, ADMIN_ID)) == 1


async def test_stop_midway_cancels_the_rest_and_reports_it(
    make_client: Callable[..., ChatClient],
    services: Services,
    bot: MockedBot,
    clock: object,
) -> None:
    from bot.clock import ManualClock

    assert isinstance(clock, ManualClock)
    # Five at a time, and a flood wait on the fifth: the sender pauses after four copies.
    services.delivery.config = SenderConfig(batch_size=5, window=5)
    await add_people(services, range(101, 111))
    bot.session.fail("CopyMessage", "429", chat_id=105)
    admin = await started(make_client(ADMIN_ID))
    await compose_text(admin)
    await admin.click("Всем подписчикам")
    await admin.click("Отправить сейчас")
    status = admin.last
    await services.delivery.drain(bot)
    announcement = await latest(services)
    progress = await services.delivery.progress(announcement.source)
    assert (progress.sent, progress.pending) == (4, 6)

    await services.announcements.tick(bot)
    assert status.body.endswith("Отправлено 0 из 10 · не доставлено 0")  # not within 3 s
    clock.advance(3)
    await services.announcements.tick(bot)
    assert status.body.endswith("Отправлено 4 из 10 · не доставлено 0")

    await admin.click("Остановить", status)
    assert admin.last_answer.text == "Рассылка остановлена. Не будет отправлено 6 сообщений."
    assert status.body == "⏹ <b>Рассылка остановлена</b>\nОтправлено 4 из 10 · не доставлено 0"
    clock.advance(60)
    await services.delivery.drain(bot)
    states = await delivery_states(services, announcement.id)
    assert sorted(pid for pid, state in states.items() if state == "sent") == [101, 102, 103, 104]
    assert sorted(pid for pid, state in states.items() if state == "cancelled") == list(
        range(105, 111)
    )
    for person_id in range(105, 111):
        assert copies_to(bot, person_id) == []
    report = admin.last
    assert "Отправлено: 4" in report.body
    assert "Отменено до отправки: 6" in report.body
    assert "⏹ Остановлено организатором." in report.body
    assert "Длительность: 3 с" in report.body
    # A second press finds nothing left to stop.
    await admin.press(status.callback_data("Остановить") if status.buttons() else "ac1:stop:1")
    assert admin.last_answer.text == "Рассылка уже завершена."


async def test_event_audience_reaches_its_people_without_an_unsubscribe_button(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, [ORGANIZER_ID], subscribed=False, language=None)
    await people.set_role(services.db, ORGANIZER_ID, "organizer", services.clock.timestamp())
    event = await make_event(services, owner_id=ORGANIZER_ID)
    await add_people(services, [20], subscribed=False)
    await add_people(services, [21], subscribed=True)
    for person_id in (20, 21):
        await seat(services, event, person_id)
    organizer = await started(make_client(ORGANIZER_ID))
    await compose_text(organizer, "Зал поменялся: 2 этаж, аудитория 204")
    await organizer.click("Участникам мероприятия")
    await organizer.pick(event.title)
    assert "Подтверждённые — 2 ✅" in organizer.last.buttons()
    replies = await organizer.click("Подтверждённые")
    preview = next(sent for sent in replies if sent.method == "CopyMessage")
    assert preview.buttons() == []
    assert "подтверждённые участники мероприятия «" in organizer.last.body
    await organizer.click("Отправить сейчас")
    await deliver(services, bot)
    for person_id in (20, 21):
        (copy,) = copies_to(bot, person_id)
        assert copy.buttons() == []


async def test_organizers_address_their_own_events_only(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, [ORGANIZER_ID, 3002], subscribed=False, language=None)
    for person_id in (ORGANIZER_ID, 3002):
        await people.set_role(services.db, person_id, "organizer", services.clock.timestamp())
    mine = await make_event(services, owner_id=ORGANIZER_ID, title="Моё мероприятие")
    theirs = await make_event(services, owner_id=3002, title="Чужое мероприятие")
    await add_people(services, [20], subscribed=False)
    await seat(services, theirs, 20)
    organizer = await started(make_client(ORGANIZER_ID))
    await compose_text(organizer)
    await organizer.click("Участникам мероприятия")
    menu = organizer.last
    assert "1. <b>«Моё мероприятие»</b>" in menu.body
    assert "Чужое" not in menu.body
    assert menu.buttons()[0].startswith("1. ")
    announcement = await latest(services)
    # Forged: the other organizer's event, then one of its segments.
    await organizer.press(f"an1:event:{announcement.id}:{theirs.id}:")
    assert organizer.last_answer.text == "Писать можно только участникам своих мероприятий."
    await organizer.press(f"an1:seg:{announcement.id}:{theirs.id}:confirmed")
    assert organizer.last_answer.text == "Писать можно только участникам своих мероприятий."
    assert (await latest(services)).audience is None
    # An admin may address anyone's event.
    actor = Access(ADMIN_ID, is_organizer=True, is_admin=True)
    events = await services.announcements.audience.events_for(actor)
    assert {mine.id, theirs.id} <= {event.id for event in events}


async def test_a_member_never_reaches_announce_or_its_buttons(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot, member: ChatClient
) -> None:
    await add_people(services, range(100, 103))
    admin = await started(make_client(ADMIN_ID))
    await compose_text(admin)
    await admin.click("Всем подписчикам")
    draft = await latest(services)

    replies = await member.send("/announce")
    assert "Новое объявление" not in replies[-1].body
    assert await member.dp.storage.get_state(key_for(member)) is None
    replies = await member.send("/scheduled")
    assert "Запланированные" not in replies[-1].body
    for data in (
        f"an1:send:{draft.id}:0:",
        f"an1:all:{draft.id}:0:",
        f"an1:no:{draft.id}:0:",
        "an1:no:0:0:",
        f"ac1:stop:{draft.id}",
        f"ac1:drop:{draft.id}",
        "ap1:1",
    ):
        await member.press(data)
        assert member.last_answer.show_alert
        assert "Отправлено" not in (member.last_answer.text or "")
    unchanged = await latest(services)
    assert unchanged.state == State.draft
    assert await delivery_states(services, draft.id) == {}
    # The organizer's own dialog is untouched by all that.
    await admin.click("Отправить сейчас")
    assert len(await delivery_states(services, draft.id)) == 3


async def test_another_organizer_cannot_stop_or_continue_an_announcement(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, range(100, 103))
    await add_people(services, [ORGANIZER_ID], subscribed=False, language=None)
    await people.set_role(services.db, ORGANIZER_ID, "organizer", services.clock.timestamp())
    admin = await started(make_client(ADMIN_ID))
    await compose_text(admin)
    await admin.click("Всем подписчикам")
    await admin.click("Отправить сейчас")
    announcement = await latest(services)
    other = await started(make_client(ORGANIZER_ID))
    await other.press(f"ac1:stop:{announcement.id}")
    assert other.last_answer.text == "Это объявление другого организатора."
    await other.press(f"an1:send:{announcement.id}:0:")
    assert (
        other.last_answer.text
        == "Работа с этим объявлением уже завершена. Начните новое: /announce."
    )
    progress = await services.delivery.progress(announcement.source)
    assert progress.cancelled == 0


async def test_wrong_input_is_refused_with_the_reason_and_nothing_is_lost(
    make_client: Callable[..., ChatClient], services: Services, bot: MockedBot
) -> None:
    await add_people(services, range(100, 102))
    admin = await started(make_client(ADMIN_ID))
    await admin.send("/announce")
    story = Story(chat=Chat(id=77, type="channel", title="НКО"), id=5)
    replies = await admin.send_update(story=story)
    assert "нельзя переслать" in replies[-1].body
    from tests.announcements_kit import photo

    first = await admin.send_update(photo=photo(), media_group_id="album-1", caption=CAPTION)
    second = await admin.send_update(photo=photo(), media_group_id="album-1")
    assert "Альбом нельзя" in first[-1].body
    assert second == []  # the album is refused once, not once per photo
    await admin.send("Текст объявления")
    replies = await admin.send("какой-то текст вместо кнопки")
    assert "воспользуйтесь кнопками" in replies[-1].body
    await admin.click("Всем подписчикам")
    await admin.click("Запланировать")
    assert "Часовой пояс: Europe/Moscow, МСК" in admin.last.body
    for typed, reason in (
        ("когда-нибудь", "не могу разобрать дату"),
        ("завтра", "добавьте время"),
        ("31.02 10:00", "такой даты нет: в феврале 28 дней"),
        ("01.11.2026 10:00", "уже прошло"),
    ):
        replies = await admin.send(typed)
        assert reason in replies[-1].body.lower(), replies[-1].body
    # /cancel at any point: nothing is sent, and old buttons do nothing.
    await admin.send("/cancel")
    await admin.press(f"an1:send:{(await latest(services)).id}:0:")
    assert "уже завершена" in (admin.last_answer.text or "")
    assert await delivery_states(services, (await latest(services)).id) == {}


def key_for(client: ChatClient) -> object:
    from aiogram.fsm.storage.base import StorageKey

    from tests.kit.mocked_bot import BOT_ID

    return StorageKey(bot_id=BOT_ID, chat_id=client.user.id, user_id=client.user.id)
