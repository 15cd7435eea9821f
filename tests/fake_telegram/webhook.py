"""Webhook mode of the fake: queued updates are posted to the bot, as Telegram does."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from .state import TelegramState

__all__ = ["SECRET_TOKEN", "WebhookDelivery", "WebhookPusher"]

# Telegram's rule for setWebhook's secret_token.
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram waits longer between attempts; tests need the retry, not the wait.
RETRY_DELAY = 0.2


@dataclass(frozen=True)
class WebhookDelivery:
    """One post of an update to the webhook: status 0 when nothing answered."""

    update_id: int
    status: int
    time: float


class WebhookPusher:
    """Posts queued updates one at a time (max_connections=1), oldest first.

    An update leaves the queue only on a 2xx answer; anything else (401, 5xx, a refused
    connection) is retried, like Telegram. Telegram posts to the public https URL; here a
    route (`FakeTelegram.route_webhook`) stands for the reverse proxy in front of the bot.
    """

    def __init__(self, state: TelegramState) -> None:
        self.state = state
        self.wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        self._task = asyncio.create_task(self._run(), name="fake-telegram-webhook")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._session is not None:
            await self._session.close()

    def _target(self) -> str | None:
        url = self.state.webhook_url
        for public, local in self.state.webhook_routes.items():
            if url.startswith(public):
                return local + url[len(public) :]
        return None

    def _next(self) -> dict[str, Any] | None:
        state = self.state
        for update in list(state.updates):
            kind = next(key for key in update if key != "update_id")
            if state._is_allowed(kind):
                return update
            state.updates.remove(update)  # Telegram never creates unwanted kinds
        return None

    async def _run(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while True:
                with self.state.cond:
                    target = self._target() if self.state.webhook_url else None
                    update = self._next() if target else None
                    secret = self.state.webhook_secret
                if target is None or update is None:
                    break
                status = await self._post(target, secret, update)
                with self.state.cond:
                    self.state.webhook_deliveries.append(
                        WebhookDelivery(update["update_id"], status, time.monotonic())
                    )
                    if 200 <= status < 300:
                        with contextlib.suppress(ValueError):
                            self.state.updates.remove(update)
                    else:
                        self.state.webhook_last_error = (
                            f"Wrong response from the webhook: {status}"
                            if status
                            else "Connection refused"
                        )
                    self.state.cond.notify_all()
                if not 200 <= status < 300:
                    await asyncio.sleep(RETRY_DELAY)

    async def _post(self, url: str, secret: str, update: dict[str, Any]) -> int:
        assert self._session is not None
        headers = {SECRET_HEADER: secret} if secret else {}
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 0
