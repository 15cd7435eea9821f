"""Plain mode's words: the switch offered in /help and /language, and what it did."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import PlainModeToggle
from bot.i18n import _


def plain_mode_button(plain: bool) -> InlineKeyboardButton:
    label = _("Plain mode: turn off") if plain else _("Plain mode: turn on")
    return InlineKeyboardButton(text=label, callback_data=PlainModeToggle(on=not plain).pack())


def plain_mode_keyboard(plain: bool) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[plain_mode_button(plain)]])


def with_plain_mode_button(markup: InlineKeyboardMarkup, plain: bool) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[*markup.inline_keyboard, [plain_mode_button(plain)]]
    )


def plain_mode_hint() -> str:
    return _(
        "Plain mode suits a screen reader: no pictograms, and every option is numbered — "
        "type its number to choose it."
    )


def plain_mode_changed(on: bool) -> str:
    if on:
        return _(
            "Plain mode is on: no pictograms, and the options are numbered — type a number "
            "to choose, for example «2». To turn it off — /help."
        )
    return _("Plain mode is off. To turn it on again — /help.")
