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
from bot.delivery.limiter import Adaptation, RateLimiter
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


# -- the adaptive global rate: SEND_RATE is a ceiling ----------------------------------------


def sends(limiter: RateLimiter, start: float, count: int, rate: float) -> float:
    """`count` sends at `rate` from `start`, as the sender books and records them; the end."""
    moment = start
    for chat in range(count):
        moment += limiter.reserve(moment)
        limiter.record(10_000 + chat, moment)
        moment += 1.0 / rate
    return moment


def test_a_429_lowers_the_rate_below_what_went_through() -> None:
    limiter = RateLimiter(35)
    # Telegram let 30 through in the last second, then refused: its limit is about 30.
    end = sends(limiter, 0.0, 31, rate=31)
    limiter.flooded(end, retry_after=1)
    # 30 went through in that second (the refused one not counted): `decrease` × about 30.
    assert limiter.current == pytest.approx(30 * Adaptation().decrease, rel=0.03)
    assert limiter.current < 30
    # Pacing follows the lowered rate, with no spare token for a late sender any more.
    resume = end + 1
    assert limiter.reserve(resume) == 0.0
    assert limiter.reserve(resume) == pytest.approx(1 / limiter.current, rel=0.01)


def test_429s_of_sends_already_on_their_way_lower_the_rate_once() -> None:
    limiter = RateLimiter(30)
    end = sends(limiter, 0.0, 30, rate=30)
    limiter.flooded(end, retry_after=1)
    lowered = limiter.current
    limiter.flooded(end + 0.01, retry_after=1)
    limiter.flooded(end + 0.5, retry_after=1)
    assert limiter.current == lowered
    # After the pause and a second of sending, another 429 is news: lower again.
    later = sends(limiter, end + 1, 30, rate=lowered)
    limiter.flooded(later, retry_after=1)
    assert limiter.current < lowered


def test_the_rate_grows_back_to_the_ceiling_and_never_above() -> None:
    limiter = RateLimiter(30)
    end = sends(limiter, 0.0, 30, rate=30)
    limiter.flooded(end, retry_after=1)
    lowered = limiter.current
    seen = []
    for second in range(1, 400):
        limiter.reserve(end + 1 + second)
        seen.append(limiter.current)
    # Slowly at first (a 429 costs a whole pause), holding just under the refused rate for
    # five minutes, then all the way back.
    assert seen[9] < lowered * 1.01
    assert seen == sorted(seen)
    assert seen[100] == seen[290] < 30
    assert max(seen) == 30
    assert seen[-1] == 30


def test_repeated_429s_never_stall_the_queue() -> None:
    limiter = RateLimiter(30)
    moment = 0.0
    for _ in range(100):
        limiter.record(1, moment)
        limiter.flooded(moment, retry_after=1)
        moment += 3
    assert limiter.current == pytest.approx(3.0)  # the floor: a tenth of the ceiling


def test_no_limit_stays_no_limit_after_a_429() -> None:
    limiter = RateLimiter(0)
    limiter.record(1, 0.0)
    limiter.flooded(0.0, retry_after=5)
    assert limiter.reserve(0.0) == 0.0


def test_a_429_soon_after_a_pause_judges_the_rate_by_the_time_since_the_pause() -> None:
    limiter = RateLimiter(35)
    end = sends(limiter, 0.0, 31, rate=31)
    limiter.flooded(end, retry_after=1)
    first = limiter.current
    # About half a second after sending resumed, 15 went through at the lowered pace and then
    # a 429: the pace was ~28/s over that half second, not 15/s over a whole one.
    later = sends(limiter, end + 1, 15, rate=30)
    assert later - (end + 1) == pytest.approx(0.5, abs=0.05)
    limiter.flooded(later, retry_after=1)
    assert first * 0.95 * 0.9 < limiter.current < first


def test_a_429_on_the_first_sends_cuts_the_rate_in_use_not_down_to_a_trickle() -> None:
    limiter = RateLimiter(30)
    end = sends(limiter, 0.0, 3, rate=30)  # e.g. another process shares the token
    limiter.flooded(end, retry_after=1)
    assert limiter.current == pytest.approx(30 * Adaptation().decrease)
