"""Fault injection and Telegram-like flood control for the fake Bot API server."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

__all__ = ["FAULT_KINDS", "Fault", "Faults", "RateLimiter"]

FAULT_KINDS = frozenset({"429", "403", "500", "400", "slow", "drop"})


@dataclass
class Fault:
    """One injected fault; `hits` counts how many requests it has answered."""

    method: str
    kind: str
    chat_id: int | str | None = None
    times: int | None = 1
    retry_after: int = 1
    delay: float = 0.0
    description: str | None = None
    hits: int = 0

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.exhausted:
            return False
        if self.method == "*":
            # getUpdates is excluded from "*" so that a running bot keeps polling; name it to
            # fault it.
            if method == "getupdates":
                return False
        elif self.method != method:
            return False
        return self.chat_id is None or self.chat_id == chat_id


class Faults:
    """Thread-safe list of injected faults, matched in the order they were added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        method: str,
        kind: str,
        *,
        retry_after: int = 1,
        delay: float = 0.0,
        times: int | None = 1,
        chat_id: int | str | None = None,
        description: str | None = None,
    ) -> Fault:
        """Inject a fault for `method` (case-insensitive, or "*"); times=None means forever."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        fault = Fault(
            method=method if method == "*" else method.lower(),
            kind=kind,
            chat_id=chat_id,
            times=times,
            retry_after=retry_after,
            delay=delay,
            description=description,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def active(self) -> list[Fault]:
        with self._lock:
            return [fault for fault in self._faults if not fault.exhausted]

    @property
    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, method: str, chat_id: int | str | None) -> Fault | None:
        """Consume one hit of the first matching fault (method is lower-cased)."""
        if not self._faults:
            return None  # fast path: benchmarks run without faults
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, chat_id):
                    fault.hits += 1
                    return fault
        return None


class _Window:
    """Sliding window: at most `count` events in any `seconds`-long interval."""

    __slots__ = ("count", "events", "seconds")

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        # Rates below 1/s (e.g. 20 per minute as 1/3) become one event per 1/rate seconds.
        self.count = max(1, int(rate))
        self.seconds = 1.0 if rate >= 1 else 1.0 / rate
        self.events: deque[float] = deque()

    def allow(self, now: float) -> bool:
        events = self.events
        horizon = now - self.seconds
        while events and events[0] <= horizon:
            events.popleft()
        return len(events) < self.count

    def record(self, now: float) -> None:
        self.events.append(now)


class RateLimiter:
    """Optional flood control over message-sending methods; refusals are counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.global_per_second: float | None = None
        self.per_chat_per_second: float | None = None
        self._global: _Window | None = None
        self._chats: dict[int | str, _Window] = {}
        self.refused = 0

    @property
    def enabled(self) -> bool:
        return self._global is not None or self.per_chat_per_second is not None

    def configure(self, global_per_second: float | None, per_chat_per_second: float | None) -> None:
        with self._lock:
            self.global_per_second = global_per_second
            self.per_chat_per_second = per_chat_per_second
            self._global = _Window(global_per_second) if global_per_second else None
            self._chats = {}

    def allow(self, chat_id: int | str | None) -> bool:
        """Record one send if allowed; refused sends do not use up the window."""
        now = time.monotonic()
        with self._lock:
            chat_window: _Window | None = None
            if self.per_chat_per_second and chat_id is not None:
                chat_window = self._chats.get(chat_id)
                if chat_window is None:
                    chat_window = self._chats[chat_id] = _Window(self.per_chat_per_second)
            if (self._global is not None and not self._global.allow(now)) or (
                chat_window is not None and not chat_window.allow(now)
            ):
                self.refused += 1
                return False
            if self._global is not None:
                self._global.record(now)
            if chat_window is not None:
                chat_window.record(now)
            return True
