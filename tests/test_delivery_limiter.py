"""The rate limiter's arithmetic, and how contents survive a round trip through the outbox."""

from __future__ import annotations

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.content import (
    Content,
    CopyContent,
    DocumentContent,
    LocationContent,
    TextContent,
    decode,
    encode,
)
from bot.delivery.limiter import RateLimiter
from db.outbox import OutboxMessage


def test_the_global_bucket_spaces_messages_evenly() -> None:
    limiter = RateLimiter(25)
    waits = [limiter.reserve(100.0) for _ in range(5)]
    # The bucket holds one spare token; after it, each message 1/25 s after the one before.
    assert waits == pytest.approx([0.0, 0.0, 0.04, 0.08, 0.12])


def test_a_late_sender_catches_up_by_one_message_not_with_a_burst() -> None:
    limiter = RateLimiter(10)
    assert limiter.reserve(0.0) == 0.0
    # Five seconds of silence buy one spare slot, not fifty.
    assert limiter.reserve(5.0) == 0.0
    assert limiter.reserve(5.0) == 0.0
    assert limiter.reserve(5.0) == pytest.approx(0.1)


def test_rate_zero_never_waits_and_negative_is_refused() -> None:
    limiter = RateLimiter(0)
    assert all(limiter.reserve(1.0) == 0.0 for _ in range(1000))
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(-1)


def test_one_message_per_second_to_a_private_chat() -> None:
    limiter = RateLimiter(0)
    assert limiter.chat_delay(7, 10.0) == 0.0
    limiter.record(7, 10.0)
    assert limiter.chat_delay(7, 10.25) == pytest.approx(0.75)
    assert limiter.chat_delay(8, 10.25) == 0.0
    assert limiter.chat_delay(7, 11.0) == 0.0


def test_a_persons_own_notices_may_come_a_few_at_once_then_one_a_second() -> None:
    limiter = RateLimiter(0)
    for _ in range(3):  # a ticket, its calendar file, a third notice: together
        assert limiter.chat_delay(7, 10.0, burst=3) == 0.0
        limiter.record(7, 10.0)
    assert limiter.chat_delay(7, 10.0, burst=3) == pytest.approx(1.0)
    assert limiter.chat_delay(7, 10.0) == pytest.approx(3.0)  # bulk waits out the burst
    assert limiter.chat_delay(7, 11.0, burst=3) == 0.0


def test_twenty_messages_a_minute_to_a_group() -> None:
    limiter = RateLimiter(0)
    group = -1001234
    for second in range(20):
        assert limiter.chat_delay(group, float(second)) == 0.0
        limiter.record(group, float(second))
    # The 21st waits until the first leaves the 60-second window.
    assert limiter.chat_delay(group, 20.0) == pytest.approx(40.0)
    assert limiter.chat_delay(group, 60.0) == 0.0


def test_old_chat_history_is_forgotten() -> None:
    limiter = RateLimiter(0)
    for chat in range(5000):
        limiter.record(chat, 0.0)
    limiter.record(-5, 0.0)
    for chat in range(5000, 9000):
        limiter.record(chat, 1000.0)
    assert limiter.chat_delay(1, 1000.0) == 0.0
    assert len(limiter._private_due) < 5000
    assert -5 not in limiter._group_sends


MARKUP = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text="Записаться", callback_data="ea1:reg:5")],
        [InlineKeyboardButton(text="Сайт", url="https://example.org/event")],
    ]
)


@pytest.mark.parametrize(
    "content",
    [
        TextContent("<b>Круглый стол</b> & «кавычки»", MARKUP),
        TextContent("plain"),
        DocumentContent(
            b"\x00\x01binary", "отчёт.xlsx", caption="<i>Итоги</i>", reply_markup=MARKUP
        ),
        DocumentContent(b"\x89PNG", "ticket.png", as_photo=True),
        CopyContent(-1001, 42, MARKUP),
        LocationContent(55.7558, 37.6173),
        LocationContent(54.99, 73.37, "Точка кипения", "Омск, ул. Ленина, 1"),
    ],
    ids=["text", "bare-text", "document", "photo", "copy", "location", "venue"],
)
def test_every_content_survives_the_outbox(content: Content) -> None:
    stored = encode(content)
    row = OutboxMessage(1, stored.kind, stored.payload, stored.attachment, None)
    assert decode(row) == content
