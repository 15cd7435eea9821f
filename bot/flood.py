"""Interactive replies that meet Telegram's flood wait: wait `retry_after`, then send again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

# True while a worker handles an update: calls made then are a person's answer. The outbox
# sender runs in its own tasks and keeps its own 429 policy (pause everything, requeue).
handling_update: ContextVar[bool] = ContextVar("handling_update", default=False)


class InteractiveRetryMiddleware(BaseRequestMiddleware):
    """Retry a reply refused with 429 after the wait Telegram names, a bounded number of times."""

    def __init__(
        self,
        max_retries: int = 2,
        max_wait: float = 60.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.max_retries = max_retries
        self.max_wait = max_wait
        self._sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not handling_update.get() or isinstance(method, GetUpdates):
            return await make_request(bot, method)
        attempt = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                # A wait longer than max_wait would hold the person's other updates too long.
                if attempt >= self.max_retries or error.retry_after > self.max_wait:
                    raise
                if attempt == 0:
                    log.warning(
                        "Telegram asked to wait %s s before %s; sending it then",
                        error.retry_after,
                        type(method).__name__,
                    )
                attempt += 1
                await self._sleep(error.retry_after)
