"""Send pacing: one global rate for the bot token, and Telegram's per-chat and per-group limits."""

from __future__ import annotations

import logging
import math
from collections import deque
from dataclasses import dataclass

log = logging.getLogger(__name__)

# Telegram's published limits: about one message per second to one chat, 20 per minute to
# a group; the global rate is a setting (SEND_RATE).
PRIVATE_CHAT_INTERVAL = 1.0
GROUP_WINDOW = 60.0
GROUP_MESSAGES_PER_WINDOW = 20
# Per-chat history older than this cannot delay anything; it is dropped now and then.
_FORGET_AFTER = max(PRIVATE_CHAT_INTERVAL, GROUP_WINDOW)
_PRUNE_EVERY = 4096
# Telegram counts the global limit over one second; the sends of the last one tell how fast
# we really went when a 429 came.
_WINDOW = 1.0
_MIN_EVIDENCE = 10
# Added to the window of K sends: a request's way to Telegram varies by milliseconds, and a
# send that arrives early must not land in the second before, one too many.
_MARGIN = 0.02


@dataclass(frozen=True, slots=True)
class Adaptation:
    """How the global rate follows Telegram's real limit below the SEND_RATE ceiling (AIMD).

    On a 429 the rate drops to `decrease` × the limit Telegram showed (the most sends that
    went through in one second before the refused one, never above the current rate). Then
    it grows back by
    `ceiling × growth × t²`, t being the seconds since sending resumed, but only up to
    `plateau` × the refused rate: just under the limit just found (about ten seconds later),
    where another 429 would cost a whole pause. After `probe_after` quiet seconds it probes
    on from there, slower (`probe_growth`), so a limit that was lowered for a while is left
    behind within minutes and a 429 of probing costs at most one pause a minute or so.
    """

    decrease: float = 0.95
    plateau: float = 0.975
    probe_after: float = 60.0
    growth: float = 4e-4
    probe_growth: float = 2e-5
    # Never below this share of the ceiling: a burst of 429s must not stall the queue.
    floor: float = 0.1


class RateLimiter:
    """Pure bookkeeping on the caller's clock: it never sleeps, it says how long to wait.

    The global rate is a GCRA token bucket (a "theoretical arrival time" that moves by one
    interval per message). The bucket holds one spare token, so a sender that fell behind
    catches up by one message, never with a burst. Once Telegram has answered 429, no second
    (plus `_MARGIN`) holds more than K sends either, K being the limit it showed (the most
    sends that went through in a second), the rate then being set just under it. (Catching
    up more, with this window as the only guard, provoked 429s: requests reach Telegram with
    more jitter than any margin small enough to keep the pace.)

    `rate` is a ceiling: `flooded()` lowers the rate actually used and it grows back on its
    own (see `Adaptation`); `current` is the rate in use now.
    """

    def __init__(
        self,
        rate: float,
        *,
        private_interval: float = PRIVATE_CHAT_INTERVAL,
        group_window: float = GROUP_WINDOW,
        group_limit: int = GROUP_MESSAGES_PER_WINDOW,
        adaptation: Adaptation | None = None,
    ) -> None:
        if rate < 0:
            raise ValueError("rate must be zero (no limit) or positive")
        self.rate = rate
        self.current = rate
        self._interval = 1.0 / rate if rate else 0.0
        self._tat = float("-inf")
        self._adaptation = adaptation or Adaptation()
        self._cut_rate = rate
        self._refused = rate
        self._near_limit = False
        self._resumed_at = float("-inf")
        self._episode_until = float("-inf")
        self._recent: deque[float] = deque()
        self._private_interval = private_interval
        self._group_window = group_window
        self._group_limit = group_limit
        # Per private chat, when its pace allows the next message (a GCRA like the global one).
        self._private_due: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self._recorded = 0

    def reserve(self, now: float) -> float:
        """Book the next global slot; returns the seconds to wait before sending in it."""
        if not self._interval:
            return 0.0
        if self.current < self.rate:
            self._grow(now)
        # One spare token: a slot missed by less than one interval may still be used.
        start = max(self._tat, now - self._interval)
        if self._near_limit:
            # Never more than K sends in a second (and a margin): K is the limit Telegram
            # showed with its last 429. (Below the ceiling nothing is known yet, and a window
            # as tight as the rate would pass on every late send's delay to the K-th after.)
            budget = max(math.ceil(self._refused - 1e-9), math.ceil(self.current - 1e-9), 1)
            if len(self._recent) >= budget:
                start = max(start, self._recent[-budget] + _WINDOW + _MARGIN)
        self._tat = start + self._interval
        return max(0.0, start - now)

    def flooded(self, now: float, retry_after: float, sent_at: float | None = None) -> None:
        """Telegram answered 429: send slower from now on (the caller pauses `retry_after`).

        `sent_at` is when the refused send started (default: the last one recorded). Sends
        already on their way when the first 429 came back are refused too; their 429s arrive
        during the pause, belong to the same episode and do not lower the rate again.
        """
        if not self.rate or now < self._episode_until:
            return
        if sent_at is None:
            sent_at = self._recent[-1] if self._recent else now
        # Telegram refuses a send when its last second is full: the most sends that started
        # in one second just before the refused one (since the pause, if that is later) is
        # its limit, nearly. Counted, not divided by a shorter time: 30 sends in 0.86 s at
        # 35/s mean a limit of 30 a second, not 35. A handful of sends tells nothing about
        # the limit (e.g. a 429 at the very start): then the current rate is the one too fast.
        since = max(sent_at - 2 * _WINDOW, self._resumed_at)
        moments = [moment for moment in self._recent if since <= moment < sent_at]
        count = _busiest_second(moments)
        achieved = float(count) if count >= _MIN_EVIDENCE else self.current
        step = self._adaptation
        self._refused = min(self.current, achieved)
        lowered = max(self._refused * step.decrease, self.rate * step.floor)
        log.info("delivery: global rate %.2f -> %.2f msg/s after a 429", self.current, lowered)
        self._set(lowered)
        self._cut_rate = lowered
        self._near_limit = True
        self._resumed_at = now + retry_after
        self._episode_until = self._resumed_at

    def _grow(self, now: float) -> None:
        elapsed = max(0.0, now - self._resumed_at)
        step = self._adaptation
        hold = max(self._cut_rate, self._refused * step.plateau)
        if elapsed < step.probe_after:
            grown = min(hold, self._cut_rate + self.rate * step.growth * elapsed * elapsed)
        else:
            beyond = elapsed - step.probe_after
            grown = hold + self.rate * step.probe_growth * beyond * beyond
        if math.isfinite(grown) and grown > self.current:
            self._set(min(grown, self.rate))

    def _set(self, rate: float) -> None:
        self.current = rate
        self._interval = 1.0 / rate

    def chat_delay(self, chat_id: int, now: float, burst: int = 1) -> float:
        """Seconds until a message to this chat keeps within its limit (0: send now).

        `burst` lets a private chat get that many messages at once before the pace applies:
        a person's own ticket and calendar file come together, as an interactive answer's
        messages do, while bulk keeps to one a second.
        """
        if chat_id < 0:
            sends = self._group_sends.get(chat_id)
            if sends is None or len(sends) < self._group_limit:
                return 0.0
            return max(0.0, sends[0] + self._group_window - now)
        due = self._private_due.get(chat_id)
        if due is None:
            return 0.0
        return max(0.0, due - (burst - 1) * self._private_interval - now)

    def record(self, chat_id: int, now: float) -> None:
        """A message to this chat starts now."""
        if self.rate:
            self._recent.append(now)
            if len(self._recent) > 4 * self.rate:
                self._recent.popleft()  # only the last second's count matters
        if chat_id < 0:
            sends = self._group_sends.setdefault(chat_id, deque(maxlen=self._group_limit))
            sends.append(now)
        else:
            due = self._private_due.get(chat_id, now)
            self._private_due[chat_id] = max(due, now) + self._private_interval
        self._recorded += 1
        if self._recorded % _PRUNE_EVERY == 0:
            self._forget_before(now - _FORGET_AFTER)

    def _forget_before(self, horizon: float) -> None:
        # A broadcast touches every recipient once; without pruning the maps only grow.
        self._private_due = {c: t for c, t in self._private_due.items() if t > horizon}
        self._group_sends = {c: s for c, s in self._group_sends.items() if s and s[-1] > horizon}


def _busiest_second(moments: list[float]) -> int:
    """The most of these (sorted) moments in any one-second window."""
    best = first = 0
    for last, moment in enumerate(moments):
        while moment - moments[first] >= _WINDOW:
            first += 1
        best = max(best, last - first + 1)
    return best
