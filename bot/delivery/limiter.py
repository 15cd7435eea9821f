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


@dataclass(frozen=True, slots=True)
class Adaptation:
    """How the global rate follows Telegram's real limit below the SEND_RATE ceiling (AIMD).

    On a 429 the rate drops to `decrease` × the rate that was refused (what actually went
    through over the last second, never above the current rate). Then it grows back by
    `ceiling × growth × t²`, t being the seconds since sending resumed, but only up to
    `plateau` × the refused rate: just under the limit just found, where another 429 would
    cost a whole pause. After `probe_after` seconds without a 429 it grows on from there the
    same way, so a limit that was lowered for a while is left behind within minutes.
    """

    decrease: float = 0.97
    plateau: float = 0.99
    probe_after: float = 300.0
    growth: float = 2e-5
    # Never below this share of the ceiling: a burst of 429s must not stall the queue.
    floor: float = 0.1


class RateLimiter:
    """Pure bookkeeping on the caller's clock: it never sleeps, it says how long to wait.

    The global rate is a GCRA token bucket (a "theoretical arrival time" that moves by one
    interval per message). The bucket holds at most one spare token, so a sender that fell
    behind catches up by one message, never with a burst that could trip Telegram's
    per-second window. Once Telegram has answered 429 the spare token is gone: the server's
    limit is near, and one extra message in a second is what trips it.

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
        self._spare = self._interval
        self._tat = float("-inf")
        self._adaptation = adaptation or Adaptation()
        self._cut_rate = rate
        self._refused = rate
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
        start = max(self._tat, now - self._spare)
        if not self._spare:
            # Near Telegram's limit, a send that was late must not be followed closely by the
            # next one on schedule: no second ever holds more than the rate's whole messages.
            budget = max(1, int(self.current))
            if len(self._recent) >= budget:
                start = max(start, self._recent[-budget] + _WINDOW)
        self._tat = start + self._interval
        return max(0.0, start - now)

    def flooded(self, now: float, retry_after: float) -> None:
        """Telegram answered 429: send slower from now on (the caller pauses `retry_after`).

        Sends already on their way when the first 429 came back are refused too; their 429s
        arrive during the pause, belong to the same episode and do not lower the rate again.
        """
        if not self.rate or now < self._episode_until:
            return
        horizon = now - _WINDOW
        full = False
        while self._recent and self._recent[0] <= horizon:
            self._recent.popleft()
            full = True
        # What went through in the last second, the refused send not counted; right after a
        # start or a pause, over the time since. A handful of sends tells nothing about the
        # limit (e.g. a 429 at the very start): then the current rate is the one too fast.
        count = len(self._recent)
        start = horizon if full else (self._recent[0] if count else now)
        span = now - max(start, self._resumed_at)
        achieved = (count - 1) / span if count >= _MIN_EVIDENCE and span > 0 else self.current
        step = self._adaptation
        self._refused = min(self.current, achieved)
        lowered = max(self._refused * step.decrease, self.rate * step.floor)
        log.info("delivery: global rate %.2f -> %.2f msg/s after a 429", self.current, lowered)
        self._set(lowered)
        self._cut_rate = lowered
        self._spare = 0.0
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
            grown = hold + self.rate * step.growth * beyond * beyond
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
