"""Role filters for routers, and the pass that runs synchronous filters on the event loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import CallableObject
from aiogram.filters import Filter
from aiogram.types import TelegramObject


class IsOrganizer(Filter):
    """Organizers and admins; `is_organizer` is read fresh per update by PersonMiddleware."""

    async def __call__(self, event: TelegramObject, is_organizer: bool = False) -> bool:
        return is_organizer


class IsAdmin(Filter):
    """Admins only: the ids in ADMIN_IDS."""

    async def __call__(self, event: TelegramObject, is_admin: bool = False) -> bool:
        return is_admin


def run_filters_inline(root: Router) -> int:
    """Make every synchronous filter and handler in the router tree run on the event loop.

    aiogram runs a callable that is not a coroutine function through `asyncio.to_thread`:
    every `F.…` magic filter costs a hop to a worker thread and back, per handler it is
    checked against — several per update. Ours are pure attribute checks, so running them
    inline is both safe and far cheaper. Returns how many callables were switched.
    """
    switched = 0
    for router in root.chain_tail:
        for observer in router.observers.values():
            # The observer's own filters are the router-level ones (its callback never runs).
            targets: list[CallableObject] = list(observer._handler.filters or ())
            for handler in observer.handlers:
                targets += [handler, *(handler.filters or ())]
            for target in targets:
                if not target.awaitable:
                    target.callback = _awaitable(target.callback)
                    target.awaitable = True
                    switched += 1
    return switched


def _awaitable(callback: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    # The signature aiogram read from the original (which arguments to pass) stays as it was.
    async def inline(*args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    return inline
