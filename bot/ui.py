"""Small helpers for answering in chat that every handler needs the same way."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message


async def edit_or_send(
    bot: Bot,
    query: CallbackQuery,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> int:
    """Replace the pressed message's text, or send a new one when it can't be edited.

    A second press of the same button asks for the same content again; Telegram refuses that
    as "message is not modified", which is not an error for the person. Returns the id of the
    message that shows the text now.
    """
    if isinstance(query.message, Message) and query.message.text is not None:
        try:
            await query.message.edit_text(text, reply_markup=reply_markup)
        except TelegramBadRequest as error:
            if "message is not modified" in error.message:
                return query.message.message_id
            if "message to edit not found" not in error.message:
                raise
        else:
            return query.message.message_id
    sent = await bot.send_message(query.from_user.id, text, reply_markup=reply_markup)
    return sent.message_id
