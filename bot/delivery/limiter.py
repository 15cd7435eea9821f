"""Send pacing: one global rate for the bot token, and Telegram's per-chat and per-group limits."""

from __future__ import annotations

from collections import deque

# Telegram's published limits: about one message per second to one chat, 20 per minute to
# a group; the global rate is a setting (SEND_RATE).
PRIVATE_CHAT_INTERVAL = 1.0
GROUP_WINDOW = 60.0
GROUP_MESSAGES_PER_WINDOW = 20
# Per-chat history older than this cannot delay anything; it is dropped now and then.
_FORGET_AFTER = max(PRIVATE_CHAT_INTERVAL, GROUP_WINDOW)
_PRUNE_EVERY = 4096


class RateLimiter:
    """Pure bookkeeping on the caller's clock: it never sleeps, it says how long to wait.

    The global rate is a GCRA token bucket (a "theoretical arrival time" that moves by one
    interval per message). The bucket holds at most one spare token, so a sender that fell
    behind catches up by one message, never with a burst that could trip Telegram's
    per-second window.
    """

    def __init__(
        self,
        rate: float,
        *,
        private_interval: float = PRIVATE_CHAT_INTERVAL,
        group_window: float = GROUP_WINDOW,
        group_limit: int = GROUP_MESSAGES_PER_WINDOW,
    ) -> None:
        if rate < 0:
            raise ValueError("rate must be zero (no limit) or positive")
        self.rate = rate
        self._interval = 1.0 / rate if rate else 0.0
        self._tat = float("-inf")
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
        # One spare token: a slot missed by less than one interval may still be used.
        start = max(self._tat, now - self._interval)
        self._tat = start + self._interval
        return max(0.0, start - now)

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
