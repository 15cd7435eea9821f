"""Attendees of one event: the paged list in chat, CSV and Excel exports, the pass list."""

from __future__ import annotations

import asyncio

from aiogram import F, Router
from aiogram.types import BufferedInputFile, CallbackQuery

from bot.callbacks import ManageAction, ManageActionKind
from bot.services import attendees as attendees_service
from bot.services import exports
from bot.ui import edit_or_send
from bot.views import organizer as views
from handlers.organizer.common import Desk

EXPORTS = {ManageActionKind.export_csv, ManageActionKind.export_xlsx, ManageActionKind.pass_list}


async def on_attendees(query: CallbackQuery, callback_data: ManageAction, desk: Desk) -> None:
    managed = await desk.managed(callback_data.event_id)
    if managed is None:
        return
    services = desk.services
    page = await attendees_service.page_of(services.db, managed.event.id, callback_data.page)
    screen = views.attendees_screen(managed.event, page, services.clock.timestamp())
    await edit_or_send(desk.bot, query, screen.text, screen.inline)


async def on_export(_query: CallbackQuery, callback_data: ManageAction, desk: Desk) -> None:
    """Files are built in a worker thread: a big spreadsheet must not stall other chats."""
    managed = await desk.managed(callback_data.event_id)
    if managed is None:
        return
    services, event = desk.services, managed.event
    now = services.clock.timestamp()
    if callback_data.action == ManageActionKind.pass_list:
        people = await attendees_service.pass_list(services.db, event.id)
        if not people:
            desk.alert(views.nothing_to_export())
            return
        labels = views.attendee_labels()
        table = exports.pass_table(
            event,
            people,
            labels.number,
            labels.full_name,
            labels.organization,
            companion_of=labels.companion_of,
        )
        data = await asyncio.to_thread(exports.to_xlsx, table, views.pass_heading(event, now))
        filename = exports.file_stem(event, "pass-list") + ".xlsx"
        caption = views.pass_caption(event, len(table.rows))  # companions counted too
    else:
        xlsx = callback_data.action == ManageActionKind.export_xlsx
        exported = await attendees_service.export_everyone(
            services.db, event, views.attendee_labels(), xlsx=xlsx
        )
        if exported is None:
            desk.alert(views.nothing_to_export())
            return
        data = exported.data
        filename = exports.file_stem(event, "attendees") + (".xlsx" if xlsx else ".csv")
        caption = views.export_caption(event, exported.rows)
    file = BufferedInputFile(data, filename=filename)
    await desk.bot.send_document(desk.chat_id, file, caption=caption)


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(
        on_attendees, ManageAction.filter(F.action == ManageActionKind.attendees)
    )
    router.callback_query.register(on_export, ManageAction.filter(F.action.in_(EXPORTS)))
    return router
