"""The real process over HTTP: an announcement to 300 subscribers through 429, 403, 500 and 400."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from db import Database
from emulator import FakeTelegram, FakeUser
from emulator.models import SentMessage
from tests.e2e.harness import BotProcess

SUBSCRIBERS = 300
# A 1×1 PNG: the fake server checks that a photo is an image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
SENT = re.compile(r"Отправлено ([\d\xa0]+) из")
CAPTION = "Круглый стол «СО НКО и нацпроекты» — 2 декабря, Тюмень. Регистрация открыта!"


async def seed(path: Path, subscribers: list[FakeUser]) -> None:
    """Subscribers as the member journey leaves them, written before the bot starts."""
    db = Database(path)
    await db.connect()  # applies the migrations
    now = time.time()
    async with db.write() as tx:
        await tx.executemany(
            "INSERT INTO people (id, language, subscribed, created_at, updated_at)"
            " VALUES (?, 'ru', 1, ?, ?)",
            [(user.id, now, now) for user in subscribers],
        )
    await db.close()


@pytest.fixture(scope="module")
def organizer(tg: FakeTelegram) -> FakeUser:
    return tg.user(first_name="Ольга", language_code="ru")


@pytest.fixture(scope="module")
def subscribers(tg: FakeTelegram) -> list[FakeUser]:
    return [tg.user(language_code="ru") for _ in range(SUBSCRIBERS)]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("announcements") / "bot.sqlite3"


@pytest.fixture(scope="module")
def bot_process(
    tg: FakeTelegram, organizer: FakeUser, subscribers: list[FakeUser], db_path: Path
) -> Iterator[BotProcess]:
    """One bot process for the module, with the organizer as admin and a fast send rate."""
    asyncio.run(seed(db_path, subscribers))
    process = BotProcess(tg, db_path, env={"ADMIN_IDS": str(organizer.id), "SEND_RATE": "30"})
    process.start()
    yield process
    code = process.stop()
    assert code == 0, process.log()
    assert process.log().rstrip().endswith("stopped cleanly"), process.log()


def rows(db_path: Path, source: str) -> dict[int, tuple[str, str | None]]:
    with sqlite3.connect(db_path) as conn:
        found = conn.execute(
            "SELECT recipient_id, state, last_error FROM deliveries WHERE source = ?", (source,)
        ).fetchall()
    return {row[0]: (row[1], row[2]) for row in found}


def start_in_russian(tg: FakeTelegram, user: FakeUser) -> None:
    tg.send_text(user, "/start")
    greeting = tg.wait_for_message(user, contains="Выберите язык")
    tg.press_button(user, greeting, text="Русский")
    tg.wait_for_edit(user, greeting, contains="Язык: русский")


def copies(tg: FakeTelegram, user: FakeUser) -> list[SentMessage]:
    return [message for message in tg.messages(user) if message.copy_of is not None]


def test_an_announcement_reaches_300_subscribers_through_faults_and_is_fully_reported(
    tg: FakeTelegram,
    bot_process: BotProcess,
    organizer: FakeUser,
    subscribers: list[FakeUser],
    db_path: Path,
) -> None:
    start_in_russian(tg, organizer)
    tg.send_text(organizer, "/announce")
    tg.wait_for_message(organizer, contains="Новое объявление")
    photo = tg.send_photo(organizer, data=PNG, caption=CAPTION)
    menu = tg.wait_for_message(organizer, contains="Кому отправить?")
    assert "Всем подписчикам — 300 📣" in menu.buttons()
    tg.press_button(organizer, menu, text="Всем подписчикам")
    preview = tg.wait_for_message(organizer, predicate=lambda m: m.copy_of is not None)
    assert preview.copy_of == (organizer.id, photo.message_id)
    assert preview.caption_plain == CAPTION
    assert preview.buttons() == ["Отписаться 🔕"]
    control = tg.wait_for_message(organizer, contains="Получателей: 300")

    blocked, broken, flaky = subscribers[10:13], subscribers[50], subscribers[100:103]
    for user in blocked:
        tg.faults.add("copyMessage", "403", chat_id=user.id)
    tg.faults.add(
        "copyMessage", "400", chat_id=broken.id, description="Bad Request: chat not found"
    )
    for user in flaky:
        tg.faults.add("copyMessage", "500", chat_id=user.id)
    tg.faults.add("copyMessage", "429", retry_after=1, times=3)

    tg.press_button(organizer, control, text="Отправить сейчас")
    status = tg.wait_for_edit(organizer, control, contains="Идёт рассылка")
    assert "Остановить ⏹" in status.buttons()
    report = tg.wait_for_message(
        organizer, predicate=lambda m: m.media_type == "document", timeout=60
    )
    tg.faults.clear()

    for line in (
        "Получателей: 300",
        "Отправлено: 296",
        "Недоступны (заблокировали бота): 3",
        "Ошибки: 1",
        "Отменено до отправки: 0",
    ):
        assert line in report.content, report.content
    assert report.filename is not None
    assert report.document is not None
    table = list(csv.reader(io.StringIO(report.document.decode("utf-8-sig")), delimiter=";"))
    undelivered = {int(row[0]): row for row in table[1:]}
    assert set(undelivered) == {user.id for user in blocked} | {broken.id}
    assert undelivered[broken.id][2] == "Bad Request: chat not found"

    # Every recipient is accounted for: one final row each, and copies only where sent.
    states = rows(db_path, "announcement:1")
    assert set(states) == {user.id for user in subscribers}
    for user in subscribers:
        state, _ = states[user.id]
        expected = "unreachable" if user in blocked else "failed" if user is broken else "sent"
        assert state == expected, (user.id, states[user.id])
        received = copies(tg, user)
        assert len(received) == (1 if expected == "sent" else 0), user.id
        if received:
            assert received[0].copy_of == (organizer.id, photo.message_id)
            assert received[0].buttons() == ["Отписаться 🔕"]
    # The status was edited in place while sending, and ends with the totals.
    final = tg.wait_for_edit(organizer, control, contains="Объявление разослано")
    assert "Отправлено 296 из 300 · не доставлено 4" in final.content
    assert final.buttons() == []
    # However many edits there were, each showed the counts so far, never going backwards.
    shown = [version.plain or "" for version in final.edits] + [final.content]
    sent_counts = [int(m.group(1).replace("\xa0", "")) for t in shown if (m := SENT.search(t))]
    assert sent_counts == sorted(sent_counts)
    assert sent_counts[-1] == 296


def test_unsubscribing_from_a_copy_over_http(
    tg: FakeTelegram, bot_process: BotProcess, subscribers: list[FakeUser], db_path: Path
) -> None:
    reader = subscribers[0]
    (copy,) = copies(tg, reader)
    query = tg.press_button(reader, copy, text="Отписаться")
    answer = tg.wait_for_answer(query)
    assert answer.show_alert
    assert "Вы отписались от анонсов" in (answer.text or "")
    tg.wait_for_edit(
        reader,
        copy,
        contains=None,
        predicate=lambda m: "Подписаться снова" in " ".join(m.buttons()),
    )
    with sqlite3.connect(db_path) as conn:
        subscribed = conn.execute("SELECT subscribed FROM people WHERE id = ?", (reader.id,))
        assert subscribed.fetchone() == (0,)


def test_a_member_can_never_reach_announce(
    tg: FakeTelegram, bot_process: BotProcess, db_path: Path
) -> None:
    member = tg.user(first_name="Ирина", language_code="ru")
    start_in_russian(tg, member)
    tg.send_text(member, "/announce")
    refusal = tg.wait_for_message(member)
    assert "Новое объявление" not in refusal.content
    before = rows(db_path, "announcement:1")
    for data in ("an1:send:1:0:", "an1:all:1:0:", "ac1:stop:1", "ac1:drop:1", "ap1:1"):
        query = tg.press_callback(member, message_id=refusal.message_id, data=data)
        answer = tg.wait_for_answer(query)
        assert answer.show_alert, data
    assert rows(db_path, "announcement:1") == before
    with sqlite3.connect(db_path) as conn:
        count = conn.execute("SELECT count(*) FROM announcements").fetchone()
    assert count == (1,)
