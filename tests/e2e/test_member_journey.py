"""The real process over HTTP: from /start ev_<id> (the card first) to a ticket and a calendar
file; a stray cancel taken back, a cancellation that promotes the waitlist with its ticket;
colleagues registered with their tickets; free text answered with the event it names."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image

from db import Database, events
from db.events import EventKind, EventStatus, NewEvent
from emulator import FakeTelegram, FakeUser
from emulator.models import SentMessage
from tests.e2e.harness import BotProcess
from tests.kit.process import run_bot

WAIT = 15.0


def _add_event(db_path: str, title: str, capacity: int, **extra: object) -> int:
    """A workshop in Omsk three days ahead; one seat to see the waitlist move."""

    async def create() -> int:
        db = Database(db_path)
        await db.connect()
        try:
            omsk = ZoneInfo("Asia/Omsk")
            day = datetime.now(omsk) + timedelta(days=3)
            start = datetime.combine(day.date(), dt_time(10, 0), tzinfo=omsk)
            event = await events.create(
                db,
                NewEvent(
                    title=title,
                    kind=EventKind.seminar,
                    city="Омск",
                    timezone="Asia/Omsk",
                    starts_at=start.timestamp(),
                    ends_at=(start + timedelta(hours=2)).timestamp(),
                    capacity=capacity,
                    venue="Дом НКО",
                    organizer_name="Омский союз НКО",
                    **extra,  # type: ignore[arg-type]
                ),
                time.time(),
                status=EventStatus.published,
            )
        finally:
            await db.close()
        return event.id

    return asyncio.run(create())


@pytest.fixture(scope="module")
def member_bot(
    tg: FakeTelegram, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[BotProcess, dict[str, int]]]:
    """Demo events seeded with the CLI, plus two one-seat events; the bot started once."""
    workdir = tmp_path_factory.mktemp("member")
    process = BotProcess(tg, workdir / "bot.sqlite3")
    seeded = run_bot(workdir, process.environment(), "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "5 added" in seeded.stdout
    ids = {
        "workshop": _add_event(str(process.db_path), "Мастер-класс по грантовым заявкам", 1),
        # One seat too: the second colleague waits, and moves up when the first is cancelled.
        "colleagues": _add_event(
            str(process.db_path), "Школа волонтёров-наставников", 1, colleagues_allowed=True
        ),
    }
    with sqlite3.connect(process.db_path) as conn:
        ids |= dict(conn.execute("SELECT slug, id FROM events WHERE slug IS NOT NULL"))
    process.start()
    yield process, ids
    assert process.stop() == 0, process.log()
    assert "Traceback" not in process.log(), process.log()


def query(process: BotProcess, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(process.db_path) as conn:
        return list(conn.execute(sql, params))


def statuses(process: BotProcess, event_id: int) -> dict[object, object]:
    """Each person's registration status for the event (colleagues have no person)."""
    return dict(
        query(
            process,
            "SELECT person_id, status FROM registrations WHERE event_id = ? AND person_id"
            " IS NOT NULL",
            event_id,
        )
    )


def start_in_russian(tg: FakeTelegram, user: object, payload: str) -> SentMessage:
    """First contact through a deep link: Telegram says `ru`, so the card is the very first
    message and the language is only offered after it, not asked as a gate."""
    tg.send_text(user, f"/start {payload}")  # type: ignore[arg-type]
    card = tg.wait_for_message(user, contains="🎟", timeout=WAIT)  # type: ignore[arg-type]
    tg.wait_for_message(user, contains="Выберите язык", timeout=WAIT)  # type: ignore[arg-type]
    assert tg.messages(user)[0].message_id == card.message_id  # type: ignore[arg-type]
    return card


def arrives_by_link(
    tg: FakeTelegram, first_name: str, event_id: int
) -> tuple[FakeUser, SentMessage]:
    """A new Russian-speaking member who opens the event's link: they and its card."""
    user = tg.user(first_name=first_name, language_code="ru")
    return user, start_in_russian(tg, user, f"ev_{event_id}")


def ticket_after(tg: FakeTelegram, user: object, since: SentMessage) -> tuple[SentMessage, str]:
    """The first photo to the user after `since` — a ticket — and what its QR code reads."""
    ticket = tg.wait_for_message(
        user,  # type: ignore[arg-type]
        predicate=lambda m: m.photo is not None,
        timeout=WAIT,
        since=since,
    )
    assert ticket.photo is not None
    [qr] = zxingcpp.read_barcodes(Image.open(io.BytesIO(ticket.photo)))
    return ticket, qr.text


def cancel_for_good(
    tg: FakeTelegram, user: object, listing: SentMessage, shown: SentMessage, asks: str, edits: int
) -> None:
    """From the registration shown in /my: «Отменить регистрацию», asked `asks`, «Да, отменить»;
    `edits` counts the listing's edits up to the question."""
    tg.press_button(user, shown, text="Отменить регистрацию")  # type: ignore[arg-type]
    confirm = tg.wait_for_edit(user, listing, contains=asks, edits=edits, timeout=WAIT)  # type: ignore[arg-type]
    tg.press_button(user, confirm, text="Да, отменить")  # type: ignore[arg-type]
    tg.wait_for_edit(user, listing, contains="отменена", edits=edits + 1, timeout=WAIT)  # type: ignore[arg-type]


def answer_profile(tg: FakeTelegram, user: object, name: str, *, contact: bool) -> None:
    tg.wait_for_message(user, contains="фамилию, имя и отчество", timeout=WAIT)  # type: ignore[arg-type]
    tg.send_text(user, name)  # type: ignore[arg-type]
    tg.wait_for_message(user, contains="организацию", timeout=WAIT)  # type: ignore[arg-type]
    tg.send_text(user, "АНО «Дом НКО»")  # type: ignore[arg-type]
    tg.wait_for_message(user, contains="должность", timeout=WAIT)  # type: ignore[arg-type]
    tg.press_reply_button(user, "Пропустить ⏭")  # type: ignore[arg-type]
    tg.wait_for_message(user, contains="номер телефона", timeout=WAIT)  # type: ignore[arg-type]
    if contact:
        tg.send_contact(user, "79123456789")  # type: ignore[arg-type]
    else:
        tg.send_text(user, "abc")  # type: ignore[arg-type]
        tg.wait_for_message(user, contains="не похоже на номер", timeout=WAIT)  # type: ignore[arg-type]
        tg.send_text(user, "8 (913) 111-22-33")  # type: ignore[arg-type]
    tg.wait_for_message(user, contains="e-mail", timeout=WAIT)  # type: ignore[arg-type]
    tg.press_reply_button(user, "Пропустить ⏭")  # type: ignore[arg-type]


def test_member_registers_and_gets_a_ticket_and_a_calendar_file(
    tg: FakeTelegram, member_bot: tuple[BotProcess, dict[str, int]]
) -> None:
    process, ids = member_bot
    event_id = ids["demo-tyumen-round-table"]
    anna, card = arrives_by_link(tg, "Анна", event_id)
    assert "по местному времени (МСК+2)" in card.content
    assert "ул. Республики 142" in card.content
    tg.press_button(anna, card, text="Зарегистрироваться")
    consent = tg.wait_for_message(anna, contains="Согласие на обработку", timeout=WAIT)
    tg.press_button(anna, consent, text="Даю согласие")
    subscription = tg.wait_for_message(anna, contains="анонсы", timeout=WAIT)
    tg.press_button(anna, subscription, text="Только Тюменская область")
    answer_profile(tg, anna, "Иванова Анна Сергеевна", contact=True)
    tg.wait_for_message(anna, contains="Вопрос организаторов 1 из 3", timeout=WAIT)
    tg.press_reply_button(anna, "Здравоохранение")
    tg.wait_for_message(anna, contains="Вопрос организаторов 2 из 3", timeout=WAIT)
    tg.press_reply_button(anna, "Да")
    tg.wait_for_message(anna, contains="Вопрос организаторов 3 из 3", timeout=WAIT)
    tg.send_text(anna, "Какие программы открыты для НКО?")
    summary = tg.wait_for_message(anna, contains="Пожалуйста, проверьте данные", timeout=WAIT)
    assert "Телефон: +7 912 345-67-89" in summary.content
    question = tg.wait_for_message(anna, contains="Всё верно?", timeout=WAIT)
    tg.press_button(anna, question, text="Подтвердить")
    tg.wait_for_edit(anna, question, contains="Вы зарегистрированы!", timeout=WAIT)

    [(token, code)] = query(
        process,
        "SELECT ticket_token, short_code FROM registrations WHERE event_id = ?",
        event_id,
    )
    # The ticket and the calendar file come through the outbox, in either order.
    ticket, qr = ticket_after(tg, anna, since=question)
    assert str(code) in ticket.content
    assert qr == f"https://t.me/{tg.state.bot_username}?start=ci_{token}"

    ics = tg.wait_for_message(
        anna, predicate=lambda m: m.document is not None, timeout=WAIT, since=question
    )
    assert ics.filename == f"event-{event_id}.ics"
    assert ics.document is not None
    [item] = Calendar.from_ical(ics.document).events
    assert item.start.tzinfo is not None
    assert str(item.start.tzinfo) == "Asia/Yekaterinburg"
    assert (item.start.hour, item.start.minute) == (14, 0)
    assert "ул. Республики 142" in str(item.get("location"))
    assert str(item.get("uid")) == f"event-{event_id}@{tg.state.bot_username}.t.me"
    assert [c for c in item.subcomponents if c.name == "VALARM"]

    tg.send_text(anna, "/my")
    listing = tg.wait_for_message(anna, contains="Мои регистрации", timeout=WAIT)
    assert "Место подтверждено" in listing.content


def test_cancellation_promotes_the_waitlist_and_tells_the_promoted_person(
    tg: FakeTelegram, member_bot: tuple[BotProcess, dict[str, int]]
) -> None:
    process, ids = member_bot
    workshop = ids["workshop"]
    boris = tg.user(first_name="Борис", language_code="ru")
    vera = tg.user(first_name="Вера", language_code="ru")
    for person, name, contact in ((boris, "Борисов Борис", True), (vera, "Верина Вера", False)):
        card = start_in_russian(tg, person, f"ev_{workshop}")
        label = "Зарегистрироваться" if person is boris else "Встать в лист ожидания"
        tg.press_button(person, card, text=label)
        consent = tg.wait_for_message(person, contains="Согласие", timeout=WAIT)
        tg.press_button(person, consent, text="Даю согласие")
        subscription = tg.wait_for_message(person, contains="анонсы", timeout=WAIT)
        tg.press_button(person, subscription, text="Нет, спасибо")
        answer_profile(tg, person, name, contact=contact)
        question = tg.wait_for_message(person, contains="Всё верно?", timeout=WAIT)
        tg.press_button(person, question, text="Подтвердить")
        outcome = "Вы зарегистрированы" if person is boris else "вы в листе ожидания"
        tg.wait_for_edit(person, question, contains=outcome, timeout=WAIT)

    tg.send_text(boris, "/my")
    listing = tg.wait_for_message(boris, contains="Мои регистрации", timeout=WAIT)
    tg.press_button(boris, listing, text="1.")
    tg.wait_for_edit(boris, listing, contains="Место подтверждено", timeout=WAIT)
    # A stray tap on «Отменить регистрацию» asks first and is taken back: the seat stays.
    tg.press_button(boris, tg.message(boris, listing.message_id), text="Отменить регистрацию")
    confirm = tg.wait_for_edit(
        boris, listing, contains="Отменить вашу регистрацию", edits=2, timeout=WAIT
    )
    tg.press_button(boris, confirm, text="Нет, оставить")
    kept = tg.wait_for_edit(boris, listing, contains="Место подтверждено", edits=3, timeout=WAIT)
    assert statuses(process, workshop) == {boris.id: "confirmed", vera.id: "waitlisted"}

    # Meant this time.
    cancel_for_good(tg, boris, listing, kept, asks="Отменить вашу регистрацию", edits=4)

    notice = tg.wait_for_message(vera, contains="освободилось место", timeout=WAIT)
    assert "Мастер-класс по грантовым заявкам" in notice.content
    assert statuses(process, workshop) == {boris.id: "cancelled", vera.id: "confirmed"}
    # The promotion brings the ticket by itself, after the notice: no button to find.
    [(token,)] = query(
        process,
        "SELECT ticket_token FROM registrations WHERE event_id = ? AND person_id = ?",
        workshop,
        vera.id,
    )
    ticket, qr = ticket_after(tg, vera, since=notice)
    assert qr.endswith(f"?start=ci_{token}")
    assert "Верина Вера" in ticket.content


def test_a_member_registers_two_colleagues_and_the_waiting_one_moves_up_with_a_ticket(
    tg: FakeTelegram, member_bot: tuple[BotProcess, dict[str, int]]
) -> None:
    process, ids = member_bot
    event_id = ids["colleagues"]
    galina, card = arrives_by_link(tg, "Галина", event_id)

    def register_colleague(name: str, phone: str, outcome: str) -> SentMessage:
        tg.wait_for_message(galina, contains="ФИО коллеги", timeout=WAIT)
        tg.send_text(galina, "Петров")  # one word: refused with the reason, asked again
        tg.wait_for_message(galina, contains="фамилию и имя", timeout=WAIT)
        tg.send_text(galina, name)
        tg.wait_for_message(galina, contains="телефон", timeout=WAIT)
        tg.send_text(galina, phone)
        summary = tg.wait_for_message(galina, contains=name, timeout=WAIT)
        tg.press_button(galina, summary, text="Записать коллегу")
        return tg.wait_for_edit(galina, summary, contains=outcome, timeout=WAIT)

    # A new member consents first; nothing typed is stored before that.
    tg.press_button(galina, card, text="Записать коллегу")
    consent = tg.wait_for_message(galina, contains="Согласие на обработку", timeout=WAIT)
    tg.press_button(galina, consent, text="Даю согласие")
    done = register_colleague("Петров Иван Сергеевич", "8 (912) 000-11-22", "Регистрация коллеги")
    [(token, code)] = query(
        process,
        "SELECT ticket_token, short_code FROM registrations WHERE event_id = ?"
        " AND guest_name = 'Петров Иван Сергеевич'",
        event_id,
    )
    assert str(code) in done.content

    # The colleague's ticket comes to the member, to forward or print: the QR, name and code.
    ticket, qr = ticket_after(tg, galina, since=done)
    assert qr == f"https://t.me/{tg.state.bot_username}?start=ci_{token}"
    assert "Петров Иван Сергеевич" in ticket.content
    assert str(code) in ticket.content

    # The only seat is taken: the second colleague waits.
    tg.send_text(galina, f"/start ev_{event_id}")
    again = tg.wait_for_message(galina, contains="🎟", timeout=WAIT)
    tg.press_button(galina, again, text="Записать коллегу")
    register_colleague("Сидорова Мария Ивановна", "+7 912 000-33-44", "в листе ожидания")

    # The member cancels the first colleague in /my: the second moves up, and her ticket comes.
    tg.send_text(galina, "/my")
    listing = tg.wait_for_message(galina, contains="Мои регистрации", timeout=WAIT)
    assert "Коллега: Петров Иван Сергеевич" in listing.content
    tg.press_button(galina, listing, text="1.")
    detail = tg.wait_for_edit(galina, listing, contains="Петров Иван Сергеевич", timeout=WAIT)
    cancel_for_good(tg, galina, listing, detail, asks="Отменить", edits=2)
    notice = tg.wait_for_message(galina, contains="освободилось место", timeout=WAIT)
    assert "Сидорова Мария Ивановна" in notice.content
    [(second_token,)] = query(
        process,
        "SELECT ticket_token FROM registrations WHERE event_id = ? AND status = 'confirmed'",
        event_id,
    )
    promoted, qr = ticket_after(tg, galina, since=notice)
    assert qr.endswith(f"?start=ci_{second_token}")
    assert "Сидорова Мария Ивановна" in promoted.content


def test_free_text_naming_an_event_answers_with_that_event(
    tg: FakeTelegram, member_bot: tuple[BotProcess, dict[str, int]]
) -> None:
    dmitry = tg.user(first_name="Дмитрий", language_code="ru")
    tg.send_text(dmitry, "/start")
    tg.wait_for_message(dmitry, contains="Здравствуйте", timeout=WAIT)
    tg.send_text(dmitry, "Добрый день, хочу на стратегическую сессию в Курске")
    found = tg.wait_for_message(dmitry, contains="Вот что я нашёл", timeout=WAIT)
    assert "Стратегическая сессия для НКО Курской области" in found.content
    assert "Мастер-класс по грантовым заявкам" not in found.content
    tg.press_button(dmitry, found, text="Мероприятие 1")
    card = tg.wait_for_edit(dmitry, found, contains="Стратегическая сессия", timeout=WAIT)
    assert any("Зарегистрироваться" in b["text"] for b in card.inline_buttons())
