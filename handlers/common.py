"""/help and /cancel: the commands that work everywhere, in any dialog."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove
from aiogram.utils.i18n import I18n

from bot.commands import ADMIN_COMMANDS, MEMBER_COMMANDS, ORGANIZER_COMMANDS
from bot.commands import Command as BotCmd
from bot.i18n import _
from bot.views.accessibility import plain_mode_hint, plain_mode_keyboard
from bot.views.menu import main_menu


def _lines(i18n: I18n, commands: tuple[BotCmd, ...]) -> list[str]:
    return [f"/{c.name} — {i18n.gettext(c.description)}" for c in commands]


async def on_help(
    message: Message, i18n: I18n, is_organizer: bool, is_admin: bool, plain_mode: bool
) -> None:
    parts = ["<b>" + _("What I can do") + "</b>", *_lines(i18n, MEMBER_COMMANDS)]
    if is_organizer and ORGANIZER_COMMANDS:
        parts += ["", "<b>" + _("For organizers") + "</b>", *_lines(i18n, ORGANIZER_COMMANDS)]
    if is_admin and ADMIN_COMMANDS:
        parts += ["", "<b>" + _("For admins") + "</b>", *_lines(i18n, ADMIN_COMMANDS)]
    parts += ["", _("/cancel leaves any dialog at any step; nothing half-done is saved.")]
    parts += ["", plain_mode_hint()]
    await message.answer("\n".join(parts), reply_markup=plain_mode_keyboard(plain_mode))


async def on_cancel(message: Message, state: FSMContext) -> None:
    if await state.get_state() is None:
        await message.answer(_("There is nothing to cancel."), reply_markup=ReplyKeyboardRemove())
        return
    await state.clear()
    await message.answer(
        _("Cancelled. Nothing from this dialog was saved. /help shows what I can do."),
        reply_markup=main_menu(),  # a dialog's own keyboard gives way to the menu
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_help, Command("help"))
    router.message.register(on_cancel, Command("cancel"))
    return router
