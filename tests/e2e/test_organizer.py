"""Over HTTP: an organizer creates and publishes an event, a member registers through the link
(the consent names the organizer), the organizer checks them in by the QR payload and exports
the list; door mode on the day; an event in Ишим reaching a Тюменская область subscriber."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import zxingcpp
from PIL import Image

from db import Database, events
from db.events import EventKind, EventStatus, NewEvent
from emulator import FakeTelegram
from emulator.models import FakeUser, SentMessage
from tests.e2e.harness import BotProcess


@pytest.fixture(scope="module")
def organizer(tg: FakeTelegram) -> FakeUser:
    return tg.user(first_name="Ольга", language_code="ru")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("organizer") / "bot.sqlite3"


@pytest.fixture(scope="module")
def bot_process(tg: FakeTelegram, organizer: FakeUser, db_path: Path) -> Iterator[BotProcess]:
    """One bot process for the module, with the organizer's fake user id as an admin."""
    process = BotProcess(tg, db_path, env={"ADMIN_IDS": str(organizer.id)})
    process.start()
    yield process
    code = process.stop()
    assert code == 0, process.log()
    assert process.log().rstrip().endswith("stopped cleanly"), process.log()


def start_in_russian(tg: FakeTelegram, user: FakeUser, payload: str = "") -> None:
    tg.send_text(user, f"/start {payload}".strip())
    greeting = tg.wait_for_message(user, contains="Выберите язык")
    tg.press_button(user, greeting, text="Русский")
    tg.wait_for_edit(user, greeting, contains="Язык: русский")


def query(db_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


ORGANIZATION = "Альянс СО НКО Тюменской области"
CONTACT = "+7 3452 12-34-56, info@alliance72.ru"


def new_event_until_start(tg: FakeTelegram, organizer: FakeUser, title: str, city: str) -> None:
    """/new_event answered up to «Когда начало?»: a round table in `city`."""
    tg.send_text(organizer, "/new_event")
    tg.wait_for_message(organizer, contains="Как называется мероприятие?")
    answers = [
        (title, "Какой это формат?"),
        ("Круглый стол", "Опишите мероприятие"),
        ("Цель — оценить потенциал участия СО НКО.", "Какая организация проводит?"),
        (ORGANIZATION, "Как связаться"),
        (CONTACT, "В каком городе?"),
        (city, "Как будут участвовать"),
        ("Очно", "Площадка"),
        ("«Точка кипения»", "Адрес"),
        ("ул. Республики 142, 2 этаж", "метку площадки"),
    ]
    for answer, next_question in answers:
        tg.send_text(organizer, answer)
        tg.wait_for_message(organizer, contains=next_question)
    tg.press_reply_button(organizer, "Пропустить ⏭")
    tg.wait_for_message(organizer, contains="Когда начало?")


def dates_to_preview(tg: FakeTelegram, organizer: FakeUser, start: str, title: str) -> SentMessage:
    """From the start date to the preview card: 14:00–17:00, 40 seats, the usual reminders."""
    typed, pressed = tg.send_text, tg.press_reply_button
    steps: list[tuple[Callable[[FakeUser, str], object], str, str]] = [
        (typed, start, "— верно?"),  # the date read back first
        (pressed, "Да, верно", "Когда окончание?"),
        (typed, "17:00", "14:00–17:00"),
        (pressed, "Да, верно", "Сколько мест?"),
        (typed, "40", "До какого момента"),
        (pressed, "До начала ⏱", "Вопросы участникам"),
        (pressed, "Готово ✅", "Напоминания участникам"),
        (pressed, "Как обычно: за 24 ч, 2 ч 🔔", "Предпросмотр"),
    ]
    for step, text, next_message in steps:
        step(organizer, text)
        tg.wait_for_message(organizer, contains=next_message)
    return tg.wait_for_message(organizer, contains=title)


def profile_to_confirmed(tg: FakeTelegram, user: FakeUser, name: str) -> SentMessage:
    """Answers the profile — name, organization, position, phone, e-mail skipped — and presses
    «Подтвердить» on the summary, which it returns."""
    for answer in (name, "АНО «Дом НКО»", "Координатор", "+7 912 345-67-89"):
        tg.wait_for_message(user)
        tg.send_text(user, answer)
    tg.wait_for_message(user)
    tg.send_text(user, "⏭ Пропустить")
    question = tg.wait_for_message(user, contains="Всё верно?")
    tg.press_button(user, question, text="Подтвердить")
    return question


def with_button(label: str) -> Callable[[SentMessage], bool]:
    return lambda message: any(label in b["text"] for b in message.inline_buttons())


def test_create_publish_register_check_in_export(
    tg: FakeTelegram, bot_process: BotProcess, organizer: FakeUser, db_path: Path
) -> None:
    # The real process runs on the real clock: the event is a month ahead of today.
    day = datetime.now() + timedelta(days=30)
    start = f"{day:%d.%m.%Y} 14:00"

    start_in_russian(tg, organizer)
    new_event_until_start(tg, organizer, "Роль СО НКО в реализации национальных проектов", "Тюмень")
    tg.send_text(organizer, "когда-нибудь")  # refused with the reason, asked again
    tg.wait_for_message(organizer, contains="Не могу разобрать дату")
    card = dates_to_preview(tg, organizer, start, "«Роль СО НКО")
    assert "14:00–17:00 по местному времени (МСК+2)" in (card.plain or "")
    tg.press_button(organizer, card, text="Опубликовать 📣")
    published = tg.wait_for_message(organizer, contains="опубликовано")
    link = re.search(r"https://t\.me/\S+\?start=(ev_\d+)", published.plain or "")
    assert link is not None

    # A member follows the press-release link and registers.
    anna = tg.user(first_name="Анна", language_code="ru")
    tg.send_text(anna, f"/start {link.group(1)}")
    # Telegram said `ru`: the card comes first; the language is only offered after it.
    member_card = tg.wait_for_message(anna, contains="«Роль СО НКО")
    assert member_card.plain == card.plain  # the preview was the card members see
    tg.press_button(anna, member_card, text="Зарегистрироваться")
    consent = tg.wait_for_message(anna, contains="152-ФЗ")
    # The operator is the organizer, with the contact they entered.
    assert f"Оператор — {ORGANIZATION}, {CONTACT}." in (consent.plain or "")
    tg.press_button(anna, consent, text="Даю согласие")
    subscription = tg.wait_for_message(anna, contains="анонсы")
    tg.press_button(anna, subscription, text="Нет, спасибо")
    # Each answer brings the next question: name, organization, position, phone, e-mail.
    profile_to_confirmed(tg, anna, "Иванова Анна Сергеевна")
    ticket = tg.wait_for_message(anna, predicate=lambda m: m.photo is not None)
    assert ticket.photo is not None
    [qr] = zxingcpp.read_barcodes(Image.open(io.BytesIO(ticket.photo)))
    payload = qr.text.rsplit("start=", 1)[1]
    assert payload.startswith("ci_")

    # At the door: the organizer's camera opens the QR link, they press Check in.
    tg.send_text(organizer, f"/start {payload}")
    scanned = tg.wait_for_message(organizer, contains="Иванова Анна Сергеевна")
    assert "Пришли 0 из 1" in (scanned.plain or "")
    query_id = tg.press_button(organizer, scanned, text="Отметить приход ✅")
    assert tg.wait_for_answer(query_id).text == "Пришли 1 из 1"
    marked = tg.wait_for_edit(organizer, scanned, contains="Приход отмечен")
    # The welcome is the guest's, in her own chat; the organizer's card only says it is done.
    assert "Добро пожаловать" not in (marked.plain or "")
    tg.wait_for_message(anna, contains="Добро пожаловать!")
    [(checked_in_at,)] = query(db_path, "SELECT checked_in_at FROM registrations")
    assert checked_in_at is not None

    # The list of attendees, exported as CSV and Excel.
    tg.send_text(organizer, "/manage")
    listing = tg.wait_for_message(organizer, contains="Мои мероприятия")
    assert "1. <b>«Роль СО НКО в реализации национальных проектов»</b>" in listing.text
    tg.press_button(organizer, listing, text="1. ")
    screen = tg.wait_for_edit(organizer, listing, contains="Ссылка для анонсов")
    tg.press_button(organizer, screen, text="Участники 👥")
    attendees = tg.wait_for_edit(organizer, listing, contains="Участники «", edits=2)
    assert "Иванова Анна Сергеевна" in (attendees.plain or "")
    tg.press_button(organizer, attendees, text="CSV ⬇️")
    csv_file = tg.wait_for_message(organizer, predicate=lambda m: m.document is not None)
    assert (csv_file.filename or "").endswith(".csv")
    assert csv_file.document is not None
    rows = list(csv.reader(io.StringIO(csv_file.document.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1] == "Иванова Анна Сергеевна"
    assert rows[1][6] == "подтверждена"
    assert rows[1][9]  # the check-in time
    tg.press_button(organizer, attendees, text="Excel ⬇️")
    xlsx = tg.wait_for_message(organizer, predicate=lambda m: m.document is not None)
    assert xlsx.document is not None
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.document)).active
    assert sheet is not None
    assert sheet.cell(row=2, column=2).value == "Иванова Анна Сергеевна"


# -- the door on the day, and a town's event reaching its region's subscribers ------------------

WORKSHOP = "Школа НКО: отчётность"


@dataclass(frozen=True, slots=True)
class Guest:
    user: FakeUser
    name: str
    token: str
    code: str


@pytest.fixture(scope="module")
def todays_event(bot_process: BotProcess, organizer: FakeUser, db_path: Path) -> int:
    """The organizer's workshop in Тюмень, begun half an hour ago and going on until tomorrow,
    so that it is on today's date whenever the test runs; added while the bot runs."""

    async def create() -> int:
        db = Database(str(db_path))
        await db.connect()
        try:
            now = time.time()
            event = await events.create(
                db,
                NewEvent(
                    title=WORKSHOP,
                    kind=EventKind.seminar,
                    city="Тюмень",
                    timezone="Asia/Yekaterinburg",
                    region_code="72",
                    settlement_id="72-tyumen",
                    starts_at=now + 1800,
                    ends_at=now + 26 * 3600,
                    capacity=10,
                    venue="«Точка кипения»",
                    organizer_name=ORGANIZATION,
                    owner_id=organizer.id,
                ),
                now,
                status=EventStatus.published,
            )
        finally:
            await db.close()
        return event.id

    return asyncio.run(create())


def register(
    tg: FakeTelegram, db_path: Path, event_id: int, first_name: str, name: str, announcements: str
) -> Guest:
    """A new member registers through the event's link, as in the first test."""
    user = tg.user(first_name=first_name, language_code="ru")
    tg.send_text(user, f"/start ev_{event_id}")
    card = tg.wait_for_message(user, contains=WORKSHOP)
    tg.press_button(user, card, text="Зарегистрироваться")
    consent = tg.wait_for_message(user, contains="152-ФЗ")
    tg.press_button(user, consent, text="Даю согласие")
    subscription = tg.wait_for_message(user, contains="анонсы")
    tg.press_button(user, subscription, text=announcements)
    question = profile_to_confirmed(tg, user, name)
    tg.wait_for_edit(user, question, contains="Вы зарегистрированы")
    [(token, code)] = query(
        db_path,
        "SELECT ticket_token, short_code FROM registrations"
        f" WHERE event_id = {event_id} AND person_id = {user.id}",
    )
    return Guest(user, name, str(token), str(code))


@pytest.fixture(scope="module")
def galina(tg: FakeTelegram, db_path: Path, todays_event: int) -> Guest:
    """Registered for today's workshop; subscribed to announcements in Тюменская область."""
    return register(
        tg, db_path, todays_event, "Галина", "Галкина Галина Петровна", "Только Тюменская область"
    )


def test_door_mode_checks_in_at_once_undoes_and_refuses_a_cancelled_ticket(
    tg: FakeTelegram, organizer: FakeUser, db_path: Path, todays_event: int, galina: Guest
) -> None:
    petr = register(tg, db_path, todays_event, "Пётр", "Петров Пётр Петрович", "Нет, спасибо")
    # Пётр cancels in /my: his ticket is no longer valid.
    tg.send_text(petr.user, "/my")
    listing = tg.wait_for_message(petr.user, contains="Мои регистрации")
    tg.press_button(petr.user, listing, text="1.")
    detail = tg.wait_for_edit(petr.user, listing, contains="Место подтверждено")
    tg.press_button(petr.user, detail, text="Отменить регистрацию")
    confirm = tg.wait_for_edit(petr.user, listing, contains="Отменить вашу", edits=2)
    tg.press_button(petr.user, confirm, text="Да, отменить")
    tg.wait_for_edit(petr.user, listing, contains="отменена", edits=3)

    tg.send_text(organizer, "/checkin")
    opened = tg.wait_for_message(organizer, contains=f"Приём гостей на мероприятии «{WORKSHOP}»")
    assert "Пришли 0 из 1" in (opened.plain or "")

    # A typed code is checked in at once, with the count; the guest is welcomed in their chat.
    tg.send_text(organizer, galina.code.lower())
    line = tg.wait_for_message(organizer, contains="приход отмечен")
    assert f"✅ {galina.name}: приход отмечен." in (line.plain or "")
    assert "Пришли 1 из 1" in (line.plain or "")
    welcome = tg.wait_for_message(galina.user, contains="Добро пожаловать!")
    assert f"«{WORKSHOP}»" in welcome.content
    assert not [m for m in tg.messages(organizer) if "Добро пожаловать!" in m.content]

    # The wrong guest after all: the undo on that line takes the mark back.
    tg.press_button(organizer, line, text="Отменить отметку")
    undone = tg.wait_for_edit(organizer, line, contains="отметка снята")
    assert "Пришли 0 из 1" in (undone.plain or "")
    assert query(
        db_path, f"SELECT checked_in_at FROM registrations WHERE short_code = '{galina.code}'"
    ) == [(None,)]

    # The camera opens the ticket's link: checked in again.
    tg.send_text(organizer, f"/start ci_{galina.token}")
    again = tg.wait_for_message(organizer, contains="приход отмечен")
    assert "Пришли 1 из 1" in (again.plain or "")

    # Пётр's cancelled ticket is refused with the reason; nothing to undo.
    tg.send_text(organizer, f"/start ci_{petr.token}")
    refused = tg.wait_for_message(organizer, contains="⛔")
    assert f"{petr.name}: ⛔ Билет недействителен: регистрация отменена" in (refused.plain or "")
    assert [b["text"] for b in refused.inline_buttons()] == ["Закончить приём"]
    assert query(
        db_path, f"SELECT checked_in_at FROM registrations WHERE short_code = '{petr.code}'"
    ) == [(None,)]

    tg.press_button(organizer, refused, text="Закончить приём")
    tg.wait_for_message(organizer, contains="Приём гостей закончен. Пришли 1 из 1.")


def test_an_event_in_ishim_reaches_a_member_subscribed_to_tyumen_oblast(
    tg: FakeTelegram, organizer: FakeUser, galina: Guest
) -> None:
    day = datetime.now() + timedelta(days=40)
    title = "Ишимский форум НКО"
    new_event_until_start(tg, organizer, title, "Ишим")
    card = dates_to_preview(tg, organizer, f"{day:%d.%m.%Y} 14:00", f"«{title}")
    assert "Ишим" in (card.plain or "")
    tg.press_button(organizer, card, text="Опубликовать 📣")
    # Галина subscribed to the whole region, not to Ишим: she is counted all the same.
    offer = tg.wait_for_message(organizer, contains="Рассказать о нём подписчикам?")
    assert "в Ишиме или в Тюменской области" in (offer.plain or "")
    tg.press_button(organizer, offer, text="Объявить 1 подписчику")
    control = tg.wait_for_message(organizer, predicate=with_button("Отправить сейчас"))
    assert "Получателей: 1" in (control.plain or "")
    tg.press_button(organizer, control, text="Отправить сейчас")

    copy = tg.wait_for_message(galina.user, predicate=lambda m: m.copy_of is not None)
    assert title in copy.content
    assert any(b["text"].startswith("Зарегистрироваться") for b in copy.inline_buttons())
