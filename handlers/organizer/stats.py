"""/stats: counts per event, a chart of registrations over time, the attendance report."""

from __future__ import annotations

import asyncio

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.callbacks import ManageAction, ManageActionKind, StatsAction
from bot.services import Services
from bot.services import stats as stats_service
from bot.services.roles import Access
from bot.services.stats import EventStats
from bot.views import organizer as views
from bot.views.reminders import stats_block
from bot.views.text import MESSAGE_LIMIT, utf16_len
from db import organizer as organizer_repo
from handlers.organizer.common import Desk


async def _overview(services: Services, access: Access) -> list[EventStats]:
    events = await organizer_repo.reported_events(services.db, access.owner_filter)
    counts = await organizer_repo.counts_for(services.db, (event.id for event in events))
    return [EventStats(event, counts[event.id]) for event in events]


async def on_stats(message: Message, services: Services, access: Access) -> None:
    assert message.from_user is not None
    screen = views.stats_overview(await _overview(services, access), services.clock.timestamp())
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def send_event_stats(desk: Desk, event_id: int) -> None:
    """The numbers and the chart of one event; refused when it is not this person's."""
    managed = await desk.managed(event_id)
    if managed is None:
        return
    services, bot, chat_id, event = desk.services, desk.bot, desk.chat_id, managed.event
    times = await organizer_repo.registration_times(services.db, event.id)
    labels = views.chart_labels(event)
    # Plotting takes a noticeable moment: off the event loop.
    image = await asyncio.to_thread(stats_service.chart_png, event, times, labels)
    text = views.event_stats(managed, services.clock.timestamp())
    # Reminder answers and follow-up ratings (issue 6), within one message.
    summary = await services.followups.summary(event.id)
    answers = await services.reminders.answers(event)
    now = services.clock.timestamp()
    text += stats_block(event, summary, answers, now, MESSAGE_LIMIT - utf16_len(text))
    await bot.send_message(chat_id, text)
    await bot.send_photo(
        chat_id,
        BufferedInputFile(image, filename=f"event-{event.id}-registrations.png"),
        caption=views.chart_caption(
            event,
            managed.counts,
            min((item.created_at for item in times), default=None),
            services.clock.timestamp(),
        ),
    )


async def on_stats_action(_query: CallbackQuery, callback_data: StatsAction, desk: Desk) -> None:
    services, bot, access = desk.services, desk.bot, desk.access
    if callback_data.report:
        items = await _overview(services, access)
        if not items:
            desk.alert(views.no_statistics())
            return
        rows = await organizer_repo.attendance_rows(services.db, (item.event.id for item in items))
        data = await asyncio.to_thread(
            stats_service.attendance_report, items, rows, views.report_labels()
        )
        await bot.send_document(
            desk.chat_id,
            BufferedInputFile(data, filename="attendance-report.xlsx"),
            caption=views.report_caption(len(items)),
        )
        return
    await send_event_stats(desk, callback_data.event_id)


async def on_manage_stats(_query: CallbackQuery, callback_data: ManageAction, desk: Desk) -> None:
    await send_event_stats(desk, callback_data.event_id)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_stats, Command("stats"))
    router.callback_query.register(on_stats_action, StatsAction.filter())
    router.callback_query.register(
        on_manage_stats,
        ManageAction.filter(F.action.in_({ManageActionKind.stats, ManageActionKind.chart})),
    )
    return router
