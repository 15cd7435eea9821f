"""Accessibility at the one place every message passes: words-first labels, plain mode."""

from __future__ import annotations

import contextvars
import html
import re
from collections.abc import Awaitable, Callable
from typing import Any

import emoji
from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.enums import ChatType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
    Update,
    User,
)

from bot.clock import Clock
from bot.labels import words_first
from bot.services.plain_mode import PlainModeService
from db import Database, plain_mode

# The texts shown in the chat while one update is handled, as sent: a toast already on
# screen needs no message of its own (see CallbackAnswerMiddleware).
shown_texts: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "shown_texts", default=None
)

# Callback queries made from a typed number have no Telegram id to answer.
TYPED_QUERY_PREFIX = "typed-"

_TAG = re.compile(r"<[^>]+>")
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*\.?\s*$")


def strip_emoji(text: str) -> str:
    """Drop every emoji and tidy the spaces and separators left behind."""
    lines = []
    for line in emoji.replace_emoji(text, "").split("\n"):
        tidy = re.sub(r"[ \t]{2,}", " ", line).strip()
        tidy = re.sub(r"^[·•—\-:]\s*(?=\S)", "", tidy) if tidy != line.strip() else tidy
        if tidy or not line.strip():
            lines.append(tidy)
    # A paragraph break stays; runs of blank lines do not (shorter to listen to).
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_text(text: str) -> str:
    return strip_emoji(text)


def visible(text: str) -> str:
    """What a person reads in an HTML message: no tags, no entities, no emoji."""
    return " ".join(strip_emoji(html.unescape(_TAG.sub("", text))).split())


def _inline_rows(
    markup: InlineKeyboardMarkup, plain: bool
) -> tuple[InlineKeyboardMarkup, list[tuple[str, str | None]]]:
    shown: list[tuple[str, str | None]] = []
    rows = []
    changed = False
    for row in markup.inline_keyboard:
        new_row = []
        for button in row:
            label = words_first(button.text)
            if plain:
                label = strip_emoji(button.text) or label
                number = f"{len(shown) + 1}. "
                # A list's own numbered buttons («1. 2 дек.») keep their number when it fits.
                label = label if label.startswith(number) else number + label
                shown.append((label, button.callback_data))
            new_row.append(
                button if label == button.text else button.model_copy(update={"text": label})
            )
            changed = changed or label != button.text
        rows.append(new_row)
    # Most keyboards come words first from their views: copying them would change nothing.
    return (InlineKeyboardMarkup(inline_keyboard=rows) if changed else markup), shown


def _reply_rows(
    markup: ReplyKeyboardMarkup, plain: bool
) -> tuple[ReplyKeyboardMarkup, list[tuple[str, str]]]:
    shown: list[tuple[str, str]] = []
    rows: list[list[KeyboardButton]] = []
    changed = False
    for row in markup.keyboard:
        new_row = []
        for button in row:
            # Contact and location buttons cannot be pressed by typing: never numbered.
            typed = not (button.request_contact or button.request_location)
            if not plain:
                label = words_first(button.text)
            elif typed:
                label = f"{len(shown) + 1}. {strip_emoji(button.text) or button.text}"
            else:
                label = strip_emoji(button.text) or button.text
            if typed:
                shown.append((label, button.text))
            new_row.append(
                button if label == button.text else button.model_copy(update={"text": label})
            )
            changed = changed or label != button.text
        rows.append(new_row)
    return (markup.model_copy(update={"keyboard": rows}) if changed else markup), shown


class AccessibleRequests(BaseRequestMiddleware):
    """Every request the bot makes passes here: inline labels are put words first for
    everyone; for a person in plain mode, emoji go from texts and labels, options are
    numbered, and the keyboard is remembered so a typed number can choose from it.
    Who is in plain mode is asked of memory (`PlainModeService`), not of the database: every
    message of a broadcast passes here."""

    def __init__(self, db: Database, clock: Clock, plain_chats: PlainModeService) -> None:
        self.db = db
        self.clock = clock
        self.plain_chats = plain_chats

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        chat_id = getattr(method, "chat_id", None)
        plain = isinstance(chat_id, int) and chat_id > 0 and self.plain_chats.is_on(chat_id)
        changes: dict[str, Any] = {}
        inline: list[tuple[str, str | None]] | None = None
        reply: list[tuple[str, str]] | None = None
        markup = getattr(method, "reply_markup", None)
        shown_markup: Any = markup
        if isinstance(markup, InlineKeyboardMarkup):
            shown_markup, inline = _inline_rows(markup, plain)
        elif isinstance(markup, ReplyKeyboardMarkup):
            shown_markup, reply = _reply_rows(markup, plain)
        if shown_markup is not markup:
            changes["reply_markup"] = shown_markup
        copied = type(method).__name__ in {"CopyMessage", "ForwardMessage"}
        if plain and not copied:
            for field in ("text", "caption"):
                value = getattr(method, field, None)
                if isinstance(value, str):
                    changes[field] = plain_text(value)
        if changes:
            method = method.model_copy(update=changes)
        shown = shown_texts.get()
        if shown is not None:
            for field in ("text", "caption"):
                value = getattr(method, field, None)
                if isinstance(value, str):
                    shown.append(value)  # as sent: made `visible` only if a toast needs it
        result = await make_request(bot, method)
        if isinstance(chat_id, int) and chat_id > 0 and self.db.is_open:
            if not plain:
                inline = None  # numbers are for plain mode; a changed reply label is for all
                if reply is not None and all(shown == orig for shown, orig in reply):
                    reply = None
            await self._remember(chat_id, method, result, inline, reply, markup)
        return result

    async def _remember(
        self,
        chat_id: int,
        method: TelegramMethod[Any],
        result: Any,
        inline: list[tuple[str, str | None]] | None,
        reply: list[tuple[str, str]] | None,
        markup: Any,
    ) -> None:
        now = self.clock.timestamp()
        if inline or reply is not None:
            self.plain_chats.keyboard_kept(chat_id)
        if inline:
            message_id = getattr(method, "message_id", None)
            if isinstance(result, Message):
                message_id = result.message_id
            content = getattr(method, "text", None)
            is_caption = content is None
            if is_caption:
                content = getattr(method, "caption", None)
            await plain_mode.save_inline(
                self.db, chat_id, message_id, content, is_caption, inline, now
            )
        elif reply is not None:
            await plain_mode.save_reply(self.db, chat_id, reply, now)
        elif isinstance(markup, ReplyKeyboardRemove) and self.plain_chats.has_keyboard(chat_id):
            await plain_mode.save_reply(self.db, chat_id, None, now)


def install(bot: Bot, db: Database, clock: Clock, plain_chats: PlainModeService) -> None:
    """Put `AccessibleRequests` on the bot's session, once per set of services (the tests
    bring their own bot, and restart the services under it)."""
    manager = bot.session.middleware
    for middleware in list(manager._middlewares):
        if isinstance(middleware, AccessibleRequests):
            if middleware.db is db and middleware.plain_chats is plain_chats:
                return
            manager.unregister(middleware)
    manager(AccessibleRequests(db, clock, plain_chats))


class TypedChoiceMiddleware(BaseMiddleware):
    """Outer update middleware: in plain mode a number typed as a message chooses that
    option of the last keyboard — a reply option becomes its label, an inline one becomes
    the press of that button, handled by the same handlers as a tap."""

    def __init__(self, db: Database, clock: Clock, plain_chats: PlainModeService) -> None:
        self.db = db
        self.clock = clock
        self.plain_chats = plain_chats

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        bot: Bot | None = data.get("bot")
        if bot is not None:
            install(bot, self.db, self.clock, self.plain_chats)
        user: User | None = data.get("event_from_user")
        plain = user is not None and self.plain_chats.is_on(user.id)
        data["plain_mode"] = plain
        if self.db.is_open and bot is not None and isinstance(event, Update) and event.message:
            message = event.message
            if (
                message.chat.type == ChatType.PRIVATE
                and message.text
                and self.plain_chats.has_keyboard(message.chat.id)
            ):
                rewritten = await self._choice(event.update_id, message, bot, plain)
                if rewritten is not None:
                    event = rewritten
        return await handler(event, data)

    async def _choice(
        self, update_id: int, message: Message, bot: Bot, plain: bool
    ) -> Update | None:
        shown = await plain_mode.shown_keyboard(self.db, message.chat.id)
        if shown is None:
            return None
        text = message.text or ""
        message_json = message.model_dump(mode="json", exclude_none=True, by_alias=True)
        for label, original in shown.reply:
            if text == label and label != original:  # a relabelled reply button was tapped
                return _update(bot, update_id, message={**message_json, "text": original})
        match = _NUMBER.match(text)
        if match is None or not plain:
            return None
        number = int(match.group(1))
        if shown.latest == "reply" and 1 <= number <= len(shown.reply):
            original = shown.reply[number - 1][1]
            return _update(bot, update_id, message={**message_json, "text": original})
        if shown.latest == "inline" and 1 <= number <= len(shown.inline):
            data = shown.inline[number - 1][1]
            if data is None:
                return None  # a link: the number is left as it was typed
            query: dict[str, Any] = {
                "id": f"{TYPED_QUERY_PREFIX}{message.message_id}",
                "from": message_json["from"],
                "chat_instance": str(message.chat.id),
                "data": data,
            }
            if shown.message_id is not None:
                content_field = "caption" if shown.is_caption else "text"
                query["message"] = {
                    "message_id": shown.message_id,
                    "date": message_json["date"],
                    "chat": message_json["chat"],
                    "from": {"id": bot.id, "is_bot": True, "first_name": "bot"},
                    content_field: shown.content or "",
                }
            return _update(bot, update_id, callback_query=query)
        return None


def _update(bot: Bot, update_id: int, **content: Any) -> Update:
    # Validated with the bot in context, so `message.answer()` and the like work on it.
    return Update.model_validate({"update_id": update_id, **content}, context={"bot": bot})
