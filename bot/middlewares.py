"""Update middlewares: load the current person, and answer every button press."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message, TelegramObject, User
from aiogram.utils import callback_answer
from aiogram.utils.i18n import gettext as _

from bot.plain import TYPED_QUERY_PREFIX, shown_texts, visible
from bot.services import Services
from bot.services.roles import Access
from db import people

NAME_LIMIT = 128

log = logging.getLogger(__name__)


class PersonMiddleware(BaseMiddleware):
    """Loads the person once per update: handlers receive `person` (None before the first
    /start) and `access` (what they may do), plus `is_admin` and `is_organizer` from it.

    Reads only: the row is created by the handlers that need one, so a stray update costs
    no write. A person who writes again after blocking the bot is reachable again.
    """

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        person = None
        if user is not None and not user.is_bot:
            person = await people.get(self.services.db, user.id)
            if person is not None and person.unreachable_at is not None:
                await people.mark_reachable(
                    self.services.db, user.id, self.services.clock.timestamp()
                )
            if person is not None and person.telegram_name is None and person.erased_at is None:
                # Admins name people by it in /organizers; written once, when first missing.
                name = user.full_name.strip()[:NAME_LIMIT]
                if name:
                    await people.remember_telegram_name(
                        self.services.db, user.id, name, self.services.clock.timestamp()
                    )
        data["person"] = person
        access = None
        if user is not None:
            access = Access.of(user.id, person, self.services.settings.admin_ids)
        data["access"] = access
        data["is_admin"] = access is not None and access.is_admin
        data["is_organizer"] = access is not None and access.is_organizer
        return await handler(event, data)


class CallbackAnswerMiddleware(callback_answer.CallbackAnswerMiddleware):
    """Answers every button press after its handler, so no button spins forever.

    A screen reader never reads a toast, so a toast whose words the chat does not show yet
    also goes to the chat as a message: an outcome is never only in a toast. A query older
    than Telegram keeps (e.g. pressed while the bot was down) can no longer be answered;
    that is not worth an error message to the person.
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        token = shown_texts.set([])
        try:
            return await super().__call__(handler, event, data)
        finally:
            shown_texts.reset(token)

    async def answer(  # type: ignore[override]
        self, event: CallbackQuery, callback_answer: callback_answer.CallbackAnswer
    ) -> None:
        text = callback_answer.text
        if text and event.bot is not None:
            # Emoji are slow to find in long texts: only a press with a toast pays for it.
            words = visible(text)
            if not any(words in visible(shown) for shown in shown_texts.get() or []):
                await event.bot.send_message(event.from_user.id, escape(text))
        if event.id.startswith(TYPED_QUERY_PREFIX):
            return  # chosen by a typed number: no button to stop spinning
        try:
            await super().answer(event, callback_answer)
        except TelegramBadRequest as error:
            log.info("callback %s not answered: %s", event.id, error.message)


def _unencodable(text: str | None) -> bool:
    """Text Telegram may hand over but SQLite, JSON and the Bot API refuse (lone surrogates)."""
    if not text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class TextEncodingMiddleware(BaseMiddleware):
    """Refuses a message whose text or caption is not valid Unicode (a lone surrogate such as
    "\\ud800"), once, before any handler: no dialog stores it, no reply echoes it back."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message) and (_unencodable(event.text) or _unencodable(event.caption)):
            log.info("message %s refused: text is not valid Unicode", event.message_id)
            await event.answer(
                _(
                    "I couldn't read this message: it has characters that can't be stored. "
                    "Please type it again."
                )
            )
            return None
        return await handler(event, data)
