"""Webhook mode: updates arrive as HTTPS posts (through a reverse proxy) to an aiohttp server."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.settings import Settings

log = logging.getLogger(__name__)


def create_web_app(bot: Bot, dispatcher: Dispatcher, settings: Settings) -> web.Application:
    """The aiohttp app: the dispatcher's start-up and shutdown hooks, and one webhook route."""
    app = web.Application()
    # First: on stop the dispatcher's shutdown (which drains the sender) runs before the
    # request handler closes the bot's HTTP session.
    setup_application(app, dispatcher, bot=bot)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    SimpleRequestHandler(
        dispatcher,
        bot,
        # Answer Telegram only after the update is handled: a crash mid-update makes
        # Telegram post it again instead of losing it.
        handle_in_background=False,
        # Every request must carry X-Telegram-Bot-Api-Secret-Token; others get 401.
        secret_token=secret,
    ).register(app, path=settings.webhook_path)
    return app


async def run_webhook(bot: Bot, dispatcher: Dispatcher, settings: Settings) -> None:
    """Serve the webhook until SIGTERM or SIGINT; setWebhook at start, deleteWebhook at stop."""
    assert settings.webhook_url is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(create_web_app(bot, dispatcher, settings), access_log=None)
    try:
        await runner.setup()  # runs the dispatcher's start-up: database, scheduler, sender
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
