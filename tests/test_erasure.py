"""/forget leaves nothing: no row ties the Telegram id to events, no erased value in the files."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.services import Services
from db import inbox, outbox
from db.inbox import Received
from tests.announcements_kit import compose_text, copies_to, deliver, started
from tests.conftest import ADMIN_ID
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot
from tests.member_kit import (
    NAME,
    ORGANIZATION,
    PHONE,
    POSITION,
    TYUMEN,
    delivered,
    make_event,
    open_card,
    text_question,
)
from tests.reminders_kit import check_in, fire_at, reminders_to

PERSON_ID = 770_001_234
EMAIL = "anna.secret@example.org"
ANSWER = "Хочу рассказать про наш проект «Тёплый дом»"
COMMENT = "Спасибо, но в зале было холодно — Анна"
TYPED = "Тайное Имя Из Диалога"
ERASED = (NAME, ORGANIZATION, POSITION, PHONE, EMAIL, ANSWER, COMMENT, TYPED)


async def register_with_email(client: ChatClient) -> None:
    """The whole dialog with every field typed, e-mail included, and a free-text answer."""
    await client.click("Зарегистрироваться")
    await client.click("Даю согласие")
    await client.click("Да, все регионы")
    for typed in (NAME, ORGANIZATION, POSITION, PHONE, EMAIL, ANSWER):
        await client.send(typed)
    await client.click("Подтвердить")


def forms(value: str) -> list[bytes]:
    """How a value may sit in the file: as UTF-8 text, or inside JSON with \\u escapes."""
    return [value.encode(), json.dumps(value)[1:-1].encode()]


async def rows_naming(services: Services, person_id: int) -> list[str]:
    """Every cell of every table holding the person's id or an erased value (but the bare
    `people` row, which the chat needs)."""
    found: list[str] = []
    tables = await services.db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    for (table,) in tables:
        for row in await services.db.fetch_all(f"SELECT * FROM {table}"):
            for column in row.keys():  # noqa: SIM118 - sqlite3.Row has no iterator of names
                value = row[column]
                if table == "people" and column == "id":
                    continue
                text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
                if value == person_id or str(person_id) in text:
                    found.append(f"{table}.{column}: the Telegram id")
                found += [f"{table}.{column}: {erased!r}" for erased in ERASED if erased in text]
    return found


def bytes_naming(path: Path, person_id: int) -> list[str]:
    if not path.exists():
        return []
    raw = path.read_bytes()
    found = [f"{path.name}: {v!r}" for v in ERASED for form in forms(v) if form in raw]
    if str(person_id).encode() in raw:
        found.append(f"{path.name}: the Telegram id as text")
    return found


async def test_forget_leaves_no_row_and_no_byte_of_the_person(
    make_client: Callable[..., ChatClient],
    services: Services,
    clock: ManualClock,
    bot: MockedBot,
) -> None:
    db_path = services.settings.database_path
    anna = make_client(PERSON_ID)
    await anna.send("/start")
    await anna.click("Русский")
    # A past event she attended: a reminder went out, then the follow-up with her comment.
    past = await make_event(services, title="Прошедший круглый стол", questions=(text_question(),))
    await open_card(anna, past)
    await register_with_email(anna)
    await delivered(anna, services)  # her ticket and calendar file, before the reminder
    (registration,) = await services.db.fetch_all(
        "SELECT id FROM registrations WHERE person_id = ?", (PERSON_ID,)
    )
    await check_in_by_id(services, registration["id"], past.starts_at + 60)
    planned = {p.kind: p for p in await services.reminders.plan_event(past.id)}
    await fire_at(services, clock, bot, planned["24h"].due_at)
    assert reminders_to(bot, PERSON_ID)
    await fire_at(services, clock, bot, planned["followup"].due_at)
    await anna.click("4", anna.find("Спасибо, что пришли"))
    await anna.send(COMMENT)

    # An announcement to subscribers went out.
    admin = await started(make_client(ADMIN_ID))
    await compose_text(admin, "Новости «Дома НКО»")
    await admin.click("Всем подписчикам")
    await admin.click("Отправить сейчас")
    clock.advance(5)  # one message a second to a chat: the follow-up's reply went just now
    await deliver(services, bot)
    assert len(copies_to(bot, PERSON_ID)) == 1
    # An upcoming event: registered again with the saved profile; its reminder is queued.
    start = datetime(2026, 12, 20, 14, 0, tzinfo=TYUMEN)
    upcoming = await make_event(
        services,
        title="Стратегическая сессия «НКО-2027»",
        starts_at=start.timestamp(),
        ends_at=(start + timedelta(hours=3)).timestamp(),
        questions=(text_question(),),
    )
    await open_card(anna, upcoming)
    await anna.click("Зарегистрироваться")
    await anna.click("Да, использовать")
    await anna.send(ANSWER)
    await anna.click("Подтвердить")
    planned = {p.kind: p for p in await services.reminders.plan_event(upcoming.id)}
    clock.set(planned["24h"].due_at)
    await services.reminders.run_due()  # queued, not sent yet

    # An announcement to the upcoming event's people is queued for later.
    await compose_text(admin, "Зал поменялся: 2 этаж")
    await admin.click("Участникам мероприятия")
    await admin.pick(upcoming.title)
    await admin.click("Подтверждённые")
    await admin.click("Запланировать")
    local = (clock.now() + timedelta(hours=3)).astimezone(TYUMEN)
    await admin.send(local.strftime("%d.%m %H:%M"))
    if any("Подтвердить" in label for label in admin.last.buttons()):
        await admin.click("Подтвердить")
    queued = await services.db.fetch_value(
        "SELECT count(*) FROM deliveries WHERE recipient_id = ? AND state = 'pending'",
        (PERSON_ID,),
    )
    assert queued >= 2  # the reminder and the event announcement

    # An update recorded but not handled yet, and a dialog with a typed name in progress.
    update = {"update_id": 99, "message": {"text": TYPED, "from": {"id": PERSON_ID}}}
    await inbox.record(
        services.db, [Received(99, PERSON_ID, json.dumps(update))], clock.timestamp()
    )
    other = await make_event(
        services,
        title="Другое мероприятие",
        starts_at=upcoming.starts_at + 86400,
        ends_at=upcoming.ends_at + 86400,
    )
    await open_card(anna, other)
    await anna.click("Зарегистрироваться")
    await anna.click("Ввести новые данные")
    await anna.send(TYPED)
    assert await rows_naming(services, PERSON_ID)  # the search does find what is there

    [question] = await anna.send("/forget")
    await anna.click("Да, удалить", question)
    assert "ваши персональные данные удалены" in question.body

    # Nothing queued reaches her any more, whatever its audience.
    copies_before = len(bot.session.messages.get(PERSON_ID, []))
    clock.advance(6 * 3600)
    await services.announcements.tick(bot)
    await deliver(services, bot)
    assert len(bot.session.messages.get(PERSON_ID, [])) == copies_before

    assert await rows_naming(services, PERSON_ID) == []
    # Set on every connection: some SQLite builds leave freed content readable by default.
    assert await services.db.fetch_value("PRAGMA secure_delete") == 1
    for path in (db_path, Path(f"{db_path}-wal")):
        assert bytes_naming(path, PERSON_ID) == []
    # The sending report still counts her copy, anonymously.
    sent = await services.db.fetch_value(
        "SELECT count(*) FROM deliveries WHERE source LIKE 'announcement:%' AND state = 'sent'"
    )
    assert sent == 1
    assert (await outbox.progress(services.db, "announcement:1")).sent == 1


async def check_in_by_id(services: Services, registration_id: int, at: float) -> None:
    from db import registrations

    registration = await registrations.get(services.db, registration_id)
    assert registration is not None
    await check_in(services, registration, at)
