"""Files a member asks for and gets straight away: the event's calendar file and the QR ticket."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.types import BufferedInputFile

from bot.delivery.content import DocumentContent
from bot.services import Services
from bot.services.tickets import ticket_link, ticket_png
from bot.views import files
from bot.views import registration as views
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
    text = views.ticket_text(event, registration, name, now)
    link = ticket_link(services.bot_username, registration.ticket_token)
    # Drawing takes tens of milliseconds: off the event loop, so other people are not kept waiting.
    image = await asyncio.to_thread(ticket_png, link, text)
    await bot.send_photo(
        chat_id,
        BufferedInputFile(image, filename=f"ticket-{registration.short_code}.png"),
        caption=views.ticket_caption(event, registration, name, now),
    )


async def _send(bot: Bot, chat_id: int, content: DocumentContent) -> None:
    upload = BufferedInputFile(content.data, filename=content.filename)
    if content.as_photo:
        await bot.send_photo(chat_id, upload, caption=content.caption)
    else:
        await bot.send_document(chat_id, upload, caption=content.caption)
