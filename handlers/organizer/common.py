"""What the organizer handlers share: the draft in the FSM data, the event's manage screen."""

from __future__ import annotations

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.utils.callback_answer import CallbackAnswer

from bot.services import Services
from bot.services.event_editor import EventDraft
from bot.services.refusals import Refusal
from bot.services.roles import Access
from bot.views import organizer as views
from bot.views.refusals import refusal_text

DRAFT_KEY = "event_draft"


async def load_draft(state: FSMContext) -> EventDraft | None:
    raw = (await state.get_data()).get(DRAFT_KEY)
    return None if raw is None else EventDraft.model_validate(raw)


async def save_draft(state: FSMContext, draft: EventDraft) -> None:
    await state.set_data({DRAFT_KEY: draft.model_dump(mode="json")})


def alert_refusal(
    callback_answer: CallbackAnswer, refusal: Refusal = Refusal.event_not_found
) -> None:
    """Why the pressed button did nothing, as an alert on it."""
    callback_answer.text = refusal_text(refusal)
    callback_answer.show_alert = True


async def send_event_screen(
    bot: Bot, chat_id: int, services: Services, access: Access, event_id: int | None
) -> None:
    """The event's /manage screen as a new message (after a dialog ends)."""
    managed = None if event_id is None else await services.organizer.managed(access, event_id)
    if managed is None:
        await bot.send_message(chat_id, refusal_text(Refusal.event_not_found))
        return
    screen = views.event_screen(managed, services.clock.timestamp(), services.bot_username)
    await bot.send_message(chat_id, screen.text, reply_markup=screen.reply_markup)
