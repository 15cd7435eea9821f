"""Keeps aiogram's parsed-response classes alive for the life of the process."""

from __future__ import annotations

from typing import Any

from aiogram import methods
from aiogram.methods.base import Response, TelegramMethod

# aiogram parses every Bot API answer as `Response[T]`. pydantic caches such generic classes
# only weakly, so after each garbage collection the next call rebuilds the class — about
# 10 ms of schema generation each time, a quarter of the time of a burst of sends and most
# of the dispatcher's overhead under load. Holding them here costs ~0.1 s once.
_pinned: list[type[Any]] = []


def pin_response_models() -> None:
    """Build `Response[T]` for every Bot API method's result type once, and keep it."""
    if _pinned:
        return
    returning = set()
    for name in methods.__all__:
        method = getattr(methods, name)
        if (
            isinstance(method, type)
            and issubclass(method, TelegramMethod)
            and method is not TelegramMethod
        ):
            result = getattr(method, "__returning__", None)
            if result is not None:
                returning.add(result)
    _pinned.extend(Response[result] for result in returning)  # type: ignore[valid-type]
