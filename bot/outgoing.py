"""Files a member receives straight away: the event's calendar file and the QR ticket."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.types import BufferedInputFile

from bot.i18n import _
from bot.services import Services
from bot.services.calendar import event_ics, ics_filename
from bot.services.tickets import ticket_link, ticket_png
from bot.views import registration as views
from db.events import Event
from db.registrations import Registration, RegistrationStatus


async def send_calendar(
    bot: Bot, chat_id: int, services: Services, event: Event, registration: Registration | None
) -> None:
    code = None
    if registration is not None and registration.status == RegistrationStatus.confirmed:
        code = _("Ticket code: {code}").format(code=registration.short_code)
    data = event_ics(
        event,
        bot_username=services.bot_username,
        now=services.clock.timestamp(),
        alarm_text=views.alarm_text(event),
        ticket_code=code,
    )
    await bot.send_document(
        chat_id,
        BufferedInputFile(data, filename=ics_filename(event)),
        caption=views.calendar_caption(),
    )


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
