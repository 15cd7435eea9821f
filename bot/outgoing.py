"""Files a member receives straight away: the event's calendar file and the QR ticket."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.types import BufferedInputFile

from bot.i18n import _
from bot.services import Services
from bot.services.calendar import event_ics, ics_filename
from bot.views import registration as views
from db.events import Event
from db.registrations import Registration, RegistrationStatus


async def send_calendar(
    bot: Bot, chat_id: int, services: Services, event: Event, registration: Registration | None
) -> None:
    code = join = None
    if registration is not None and registration.status == RegistrationStatus.confirmed:
        code = _("Ticket code: {code}").format(code=registration.short_code)
        if event.is_online and event.join_url:
            join = _("Link to join online: {link}").format(link=event.join_url)
    data = event_ics(
        event,
        bot_username=services.bot_username,
        now=services.clock.timestamp(),
        alarm_text=views.alarm_text(event),
        ticket_code=code,
        join_url=join,
    )
    await bot.send_document(
        chat_id,
        BufferedInputFile(data, filename=ics_filename(event)),
        caption=views.calendar_caption(),
    )


async def send_ticket(
    bot: Bot, chat_id: int, services: Services, event: Event, registration: Registration
) -> None:
    # Imported on first use: the QR library and Pillow are not needed until someone confirms.
    from bot.services.tickets import qr_png, ticket_link

    link = ticket_link(services.bot_username, registration.ticket_token)
    # Drawing takes ~9 ms of CPU: off the event loop, so other chats are not held up.
    image = await asyncio.to_thread(qr_png, link)
    await bot.send_photo(
        chat_id,
        BufferedInputFile(image, filename=f"ticket-{registration.short_code}.png"),
        caption=views.ticket_caption(event, registration, services.clock.timestamp()),
    )
