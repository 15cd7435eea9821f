"""Files a member asks for and gets straight away: the event's calendar file and the QR ticket."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.types import BufferedInputFile

from bot.delivery.content import DocumentContent
from bot.services import Services
from bot.views import files
from db.events import Event
from db.registrations import Registration


async def send_calendar(
    bot: Bot, chat_id: int, services: Services, event: Event, registration: Registration | None
) -> None:
    now = services.clock.timestamp()
    await _send(bot, chat_id, files.calendar(event, registration, services.bot_username, now))


async def send_ticket(
    bot: Bot, chat_id: int, services: Services, event: Event, registration: Registration
) -> None:
    """The ticket that describes itself: QR, name, event, moment, place and code in the image,
    the same in the caption."""
    now = services.clock.timestamp()
    name = await services.registrations.holder_name(registration)
    # Drawing takes tens of milliseconds: off the event loop, so other people are not kept waiting.
    content = await asyncio.to_thread(
        files.ticket, event, registration, services.bot_username, now, name
    )
    await _send(bot, chat_id, content)


async def _send(bot: Bot, chat_id: int, content: DocumentContent) -> None:
    upload = BufferedInputFile(content.data, filename=content.filename)
    if content.as_photo:
        await bot.send_photo(chat_id, upload, caption=content.caption)
    else:
        await bot.send_document(chat_id, upload, caption=content.caption)
