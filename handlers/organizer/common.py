"""What the organizer handlers share: the desk of the update, the draft in the FSM data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

from bot.services import Services
from bot.services.event_editor import EventDraft
from bot.services.organizer import ManagedEvent
from bot.services.refusals import Refusal
from bot.services.roles import Access
from bot.views import organizer as views
from bot.views.refusals import refusal_text

DRAFT_KEY = "event_draft"

# An answer typed in an organizer dialog: a command (/cancel and the rest) keeps its meaning,
# while a contact or a map pin (no text) is still an answer.
NOT_A_COMMAND = F.func(lambda message: not (message.text or "").startswith("/"))


@dataclass
class Desk:
    """The organizer (or admin) at work in this update: who they are, what to call, how to answer.

    The organizer area's middleware builds it, so a handler takes `desk` and reads parse → call
    → render; every event it touches is looked up again through `managed`.
    """

    services: Services
    bot: Bot
    access: Access
    chat_id: int
    answer: CallbackAnswer

    def alert(self, text: str) -> None:
        """Why the press did nothing, as an alert on the button."""
        self.answer.text = text
        self.answer.show_alert = True

    def refuse(self, refusal: Refusal = Refusal.event_not_found) -> None:
        self.alert(refusal_text(refusal))

    async def managed(self, event_id: int) -> ManagedEvent | None:
        """The event when it is this person's to manage; otherwise the press is refused."""
        managed = await self.services.organizer.managed(self.access, event_id)
        if managed is None:
            self.refuse()
        return managed


async def with_desk(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """Hands the organizer area's handlers the desk of the update as `desk`."""
    data["desk"] = Desk(
        data["services"],
        data["bot"],
        data["access"],
        data["event_from_user"].id,
        data.get("callback_answer") or CallbackAnswer(answered=True),
    )
    return await handler(event, data)


async def load_draft(state: FSMContext) -> EventDraft | None:
    raw = (await state.get_data()).get(DRAFT_KEY)
    return None if raw is None else EventDraft.model_validate(raw)


async def save_draft(state: FSMContext, draft: EventDraft) -> None:
    await state.set_data({DRAFT_KEY: draft.model_dump(mode="json")})


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
