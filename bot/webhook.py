"""Webhook mode: updates arrive as HTTPS posts (through a reverse proxy) to an aiohttp server."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web
from pydantic import ValidationError

from bot.inbox import Inbox, freeze_startup_heap
from bot.settings import Settings

log = logging.getLogger(__name__)


def create_web_app(
    bot: Bot, dispatcher: Dispatcher, inbox: Inbox, settings: Settings
) -> web.Application:
    """The aiohttp app: start-up and shutdown hooks, and one route that records updates.

    Like polling, an update is answered 200 as soon as it is recorded in the inbox, and handled
    afterwards by the inbox's workers: a crash after the 200 redoes it at the next start, and
    Telegram never waits for a handler (nor re-posts an update because one was slow).
    """
    app = web.Application()
    # The dispatcher's start-up (database, scheduler, sender), then the unfinished updates,
    # all before the port listens; at stop, the updates in flight finish before the
    # dispatcher's shutdown drains the sender and closes the database.
    setup_application(app, dispatcher, bot=bot)

    async def start_inbox(_: web.Application) -> None:
        await inbox.recover()
        freeze_startup_heap()
        inbox.start()

    async def stop_inbox(_: web.Application) -> None:
        await inbox.stop()

    app.on_startup.append(start_inbox)
    app.on_shutdown.insert(0, stop_inbox)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    app.router.add_post(settings.webhook_path, receiver(inbox, secret))
    return app


def receiver(inbox: Inbox, secret: str | None) -> Any:
    """The webhook route: 401 without the secret, 400 for what is not an update, else record
    and answer 200 (Telegram re-posts anything else, so a failed record is not lost)."""

    async def receive(request: web.Request) -> web.Response:
        if secret is not None:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                return web.json_response({}, status=401)
        try:
            update = await request.json(loads=json.loads)
            await inbox.accept_raw(update)
        except (ValueError, ValidationError) as error:
            log.warning("webhook: refused a post that is not an update: %s", type(error).__name__)
            return web.json_response({}, status=400)
        return web.json_response({})

    return receive


async def run_webhook(bot: Bot, dispatcher: Dispatcher, inbox: Inbox, settings: Settings) -> None:
    """Serve the webhook until SIGTERM or SIGINT; setWebhook at start, deleteWebhook at stop."""
    assert settings.webhook_url is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(create_web_app(bot, dispatcher, inbox, settings), access_log=None)
    try:
        await runner.setup()  # start-up: scheduler, sender, then the unfinished updates
        site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
        await site.start()
        # Only once the port listens, so Telegram's first post finds someone there.
        await bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value()
            if settings.webhook_secret
            else None,
            allowed_updates=dispatcher.resolve_used_update_types(),
        )
        log.info(
            "webhook mode: Telegram posts to %s, listening on %s:%s%s",
            settings.webhook_url,
            settings.webhook_host,
            settings.webhook_port,
            settings.webhook_path,
        )
        await stop.wait()
        try:
            # Telegram keeps updates while no webhook is set; the next start (either mode)
            # receives them.
            await bot.delete_webhook()
        except (TelegramAPIError, TelegramNetworkError) as error:
            log.warning("could not remove the webhook: %s", error)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await runner.cleanup()  # the dispatcher's shutdown hooks, then the bot's session
        await bot.session.close()
