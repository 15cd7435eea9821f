"""/status (admins only): version, uptime, outbox, the last error, database and backups."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.filters import IsAdmin
from bot.services import Services
from bot.views.status import status_text


async def on_status(message: Message, services: Services) -> None:
    await message.answer(status_text(await services.status.report()))


def build_router() -> Router:
    """Non-admins fall through to the organizer refusals ("for administrators only")."""
    router = Router(name=__name__)
    router.message.filter(IsAdmin())
    router.message.register(on_status, Command("status"))
    return router
