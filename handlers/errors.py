"""The last resort: log the exception, tell the person in their language, hide internals."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n

from bot.i18n import _, choose_locale
from bot.services import Services
from db import people

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, bot: Bot, services: Services, i18n: I18n) -> None:
    services.status.record_error(event.exception)
    log.error(
        "update %s failed: %r", event.update.update_id, event.exception, exc_info=event.exception
    )
    context = UserContextMiddleware.resolve_event_context(event.update)
    if context.user is None or context.chat is None:
        return
    try:
        person = await people.get(services.db, context.user.id)
    except Exception:  # the database itself may be what failed
        person = None
    locale = choose_locale(person, context.user, i18n.default_locale)
    with i18n.context(), i18n.use_locale(locale):
        text = _(
            "Sorry, something went wrong on our side. Please try again, "
            "or send /cancel to start over."
        )
    try:
        # A message, not a callback answer: the callback middleware has answered already.
        await bot.send_message(context.chat.id, text)
    except TelegramAPIError as error:
        log.warning("could not tell %s about the error: %s", context.user.id, error)


def build_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router
