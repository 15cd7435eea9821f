"""What the person sees: message texts and their keyboards, rendered in the current language."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True, slots=True)
class Screen:
    """One message: HTML text (user data already escaped) and its keyboard."""

    text: str
    reply_markup: Markup | None = None

    @property
    def inline(self) -> InlineKeyboardMarkup | None:
        """The keyboard when it can go on an edited message (only inline ones can)."""
        return self.reply_markup if isinstance(self.reply_markup, InlineKeyboardMarkup) else None


class Buttons(InlineKeyboardBuilder):
    """aiogram's inline keyboard builder, minus a deep copy of every button on export.

    A view builds a keyboard, takes its markup once and drops the builder, and nothing
    changes a button after it is made: the copy only cost time on every screen shown.
    """

    def export(self) -> list[list[InlineKeyboardButton]]:
        return [list(row) for row in self._markup]


def one_per_row(text: str, *buttons: tuple[str, CallbackData]) -> Screen:
    """A message with its buttons one under another: answers read as sentences, never cut."""
    builder = Buttons()
    for label, data in buttons:
        builder.button(text=label, callback_data=data)
    builder.adjust(1)
    return Screen(text, builder.as_markup())
