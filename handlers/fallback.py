"""What nothing else handled: unknown commands, stray text, stale buttons, group chats."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.i18n import _
from bot.services import Services
from handlers import menu


async def on_group_message(message: Message, services: Services) -> None:
    if not (message.text or "").startswith("/"):
        return  # ordinary group talk is none of our business
    await message.reply(
        _("I work in private chat only. Write to me: @{username}").format(
            username=services.bot_username
        )
    )


async def on_group_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    callback_answer.text = _("I work in private chat only.")


async def on_unknown_command(message: Message) -> None:
    command = (message.text or "").split(maxsplit=1)[0][:64]
    await message.answer(
        _("I don't know the command {command}. /help lists what I can do.").format(
            command=escape(command)
        )
    )


async def on_unexpected(message: Message, services: Services) -> None:
    # Never a dead end: the events the words name, or the menu and a one-line hint.
    await menu.on_stray(message, services)


async def on_stale_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    # Buttons of old messages, of a previous version, or forged: nothing matches them.
    callback_answer.text = _("This button is outdated. Send /start to begin again.")
    callback_answer.show_alert = True


def build_group_router() -> Router:
    """First in the tree: in groups the bot only points people to the private chat."""
    router = Router(name=__name__ + ".groups")
    router.message.filter(F.chat.type != ChatType.PRIVATE)
    router.callback_query.filter(F.message.chat.type != ChatType.PRIVATE)
    router.message.register(on_group_message)
    router.callback_query.register(on_group_button)
    return router


def build_router() -> Router:
    """Last in the tree: whatever no feature claimed."""
    router = Router(name=__name__)
    router.message.register(on_unknown_command, F.text.startswith("/"))
    router.message.register(on_unexpected)
    router.callback_query.register(on_stale_button)
    return router
