"""Attendees of one event: the paged list in chat, CSV and Excel exports, the pass list."""

from __future__ import annotations

import asyncio

from aiogram import Bot, F, Router
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import ManageAction, ManageActionKind
from bot.services import Services, exports
from bot.services import attendees as attendees_service
from bot.services.roles import Access
from bot.ui import edit_or_send
from bot.views import organizer as views
from handlers.organizer.common import alert_refusal

EXPORTS = {ManageActionKind.export_csv, ManageActionKind.export_xlsx, ManageActionKind.pass_list}


async def on_attendees(
    query: CallbackQuery,
    callback_data: ManageAction,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
    access: Access,
) -> None:
    managed = await services.organizer.managed(access, callback_data.event_id)
    if managed is None:
        alert_refusal(callback_answer)
        return
    page = await attendees_service.page_of(services.db, managed.event.id, callback_data.page)
    screen = views.attendees_screen(managed.event, page, services.clock.timestamp())
    await edit_or_send(bot, query, screen.text, screen.inline)


async def on_export(
    query: CallbackQuery,
    callback_data: ManageAction,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
    access: Access,
) -> None:
    """Files are built in a worker thread: a big spreadsheet must not stall other chats."""
    managed = await services.organizer.managed(access, callback_data.event_id)
    if managed is None:
        alert_refusal(callback_answer)
        return
    event = managed.event
    now = services.clock.timestamp()
    if callback_data.action == ManageActionKind.pass_list:
        people = await attendees_service.pass_list(services.db, event.id)
        if not people:
            callback_answer.text = views.nothing_to_export()
            callback_answer.show_alert = True
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
            callback_answer.text = views.nothing_to_export()
            callback_answer.show_alert = True
            return
        data = exported.data
        filename = exports.file_stem(event, "attendees") + (".xlsx" if xlsx else ".csv")
        caption = views.export_caption(event, exported.rows)
    await bot.send_document(
        query.from_user.id, BufferedInputFile(data, filename=filename), caption=caption
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(
        on_attendees, ManageAction.filter(F.action == ManageActionKind.attendees)
    )
    router.callback_query.register(on_export, ManageAction.filter(F.action.in_(EXPORTS)))
    return router
