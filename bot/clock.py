"""The one source of "now": real in production, movable in tests."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def timestamp(self) -> float:
        """Seconds since the epoch, UTC."""

    def now(self) -> datetime:
        """The current moment as an aware UTC datetime."""


class SystemClock:
    def timestamp(self) -> float:
        return time.time()

    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """The system clock running a fixed number of seconds ahead: `make demo`'s time travel."""

    def __init__(self, shift: float) -> None:
        self._shift = shift

    def timestamp(self) -> float:
        return time.time() + self._shift

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)


class ManualClock:
    """A clock tests move by hand instead of sleeping."""

    def __init__(self, start: datetime | float) -> None:
        self._now = start.timestamp() if isinstance(start, datetime) else float(start)

    def timestamp(self) -> float:
        return self._now

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._now, UTC)

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def set(self, moment: datetime | float) -> None:
        self._now = moment.timestamp() if isinstance(moment, datetime) else float(moment)
