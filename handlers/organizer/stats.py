"""/stats: counts per event, a chart of registrations over time, the attendance report."""

from __future__ import annotations

import asyncio

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import ManageAction, ManageActionKind, StatsAction
from bot.services import Services
from bot.services import stats as stats_service
from bot.services.roles import Access
from bot.services.stats import EventStats
from bot.views import organizer as views
from bot.views.reminders import stats_block
from bot.views.text import MESSAGE_LIMIT, utf16_len
from db import organizer as organizer_repo
from handlers.organizer.common import alert_refusal


async def _overview(services: Services, access: Access) -> list[EventStats]:
    events = await organizer_repo.reported_events(services.db, access.owner_filter)
    counts = await organizer_repo.counts_for(services.db, (event.id for event in events))
    return [EventStats(event, counts[event.id]) for event in events]


async def on_stats(message: Message, services: Services, access: Access) -> None:
    assert message.from_user is not None
    screen = views.stats_overview(await _overview(services, access), services.clock.timestamp())
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def send_event_stats(
    bot: Bot, chat_id: int, services: Services, access: Access, event_id: int
) -> bool:
    """The numbers and the chart of one event; False when it is not this person's."""
    managed = await services.organizer.managed(access, event_id)
    if managed is None:
        return False
    event = managed.event
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
    return True


async def on_stats_action(
    query: CallbackQuery,
    callback_data: StatsAction,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
    access: Access,
) -> None:
    if callback_data.report:
        items = await _overview(services, access)
        if not items:
            callback_answer.text = views.no_statistics()
            callback_answer.show_alert = True
            return
        rows = await organizer_repo.attendance_rows(services.db, (item.event.id for item in items))
        data = await asyncio.to_thread(
            stats_service.attendance_report, items, rows, views.report_labels()
        )
        await bot.send_document(
            query.from_user.id,
            BufferedInputFile(data, filename="attendance-report.xlsx"),
            caption=views.report_caption(len(items)),
        )
        return
    event_id = callback_data.event_id
    if not await send_event_stats(bot, query.from_user.id, services, access, event_id):
        alert_refusal(callback_answer)


async def on_manage_stats(
    query: CallbackQuery,
    callback_data: ManageAction,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
    access: Access,
) -> None:
    event_id = callback_data.event_id
    if not await send_event_stats(bot, query.from_user.id, services, access, event_id):
        alert_refusal(callback_answer)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_stats, Command("stats"))
    router.callback_query.register(on_stats_action, StatsAction.filter())
    router.callback_query.register(
        on_manage_stats,
        ManageAction.filter(F.action.in_({ManageActionKind.stats, ManageActionKind.chart})),
    )
    return router
