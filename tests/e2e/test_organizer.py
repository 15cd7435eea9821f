"""Over HTTP: an organizer creates and publishes an event, a member registers through the link,
the organizer checks them in by the QR payload and exports the list."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import zxingcpp
from PIL import Image

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
    tg.send_text(organizer, start)
    tg.wait_for_message(organizer, contains="— верно?")  # the date read back first
    tg.press_reply_button(organizer, "Да, верно")
    tg.wait_for_message(organizer, contains="Когда окончание?")
    tg.send_text(organizer, "17:00")
    tg.wait_for_message(organizer, contains="14:00–17:00")
    tg.press_reply_button(organizer, "Да, верно")
    tg.wait_for_message(organizer, contains="Сколько мест?")
    tg.send_text(organizer, "40")
    tg.wait_for_message(organizer, contains="До какого момента")
    tg.press_reply_button(organizer, "До начала ⏱")
    tg.wait_for_message(organizer, contains="Вопросы участникам")
    tg.press_reply_button(organizer, "Готово ✅")
    tg.wait_for_message(organizer, contains="Напоминания участникам")
    tg.press_reply_button(organizer, "Как обычно: за 24 ч, 2 ч 🔔")
    tg.wait_for_message(organizer, contains="Предпросмотр")
    return tg.wait_for_message(organizer, contains=title)


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
    for answer in ("Иванова Анна Сергеевна", "АНО «Дом НКО»", "Координатор", "+7 912 345-67-89"):
        tg.wait_for_message(anna)
        tg.send_text(anna, answer)
    tg.wait_for_message(anna)
    tg.send_text(anna, "⏭ Пропустить")
    question = tg.wait_for_message(anna, contains="Всё верно?")
    tg.press_button(anna, question, text="Подтвердить")
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
    tg.wait_for_edit(organizer, scanned, contains="Приход отмечен")
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
