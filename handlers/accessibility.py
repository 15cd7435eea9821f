"""Plain mode on and off: the switch under /help and /language."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery

from bot.callbacks import PlainModeToggle
from bot.services import Services
from bot.ui import edit_or_send
from bot.views import accessibility as views
from db import people


async def on_plain_mode(
    query: CallbackQuery, callback_data: PlainModeToggle, services: Services, bot: Bot
) -> None:
    now = services.clock.timestamp()
    await people.ensure(services.db, query.from_user.id, now)
    await services.plain_mode.turn(query.from_user.id, callback_data.on)
    await edit_or_send(
        bot,
        query,
        views.plain_mode_changed(callback_data.on),
        views.plain_mode_keyboard(callback_data.on),
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_plain_mode, PlainModeToggle.filter())
    return router
