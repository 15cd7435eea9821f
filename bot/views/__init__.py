"""What the person sees: message texts and their keyboards, rendered in the current language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.labels import words_first

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
    """aiogram's inline keyboard builder: labels words first, and no deep copy on export.

    «✅ Подтвердить» becomes «Подтвердить ✅» here, as the request middleware would make it
    (a screen reader says the words first), so the middleware has nothing to copy. A view
    builds a keyboard, takes its markup once and drops the builder, and nothing changes a
    button after it is made: the export's copy only cost time on every screen shown.
    """

    def button(self, *, text: str, **fields: Any) -> Buttons:
        super().button(text=words_first(text), **fields)
        return self

    def export(self) -> list[list[InlineKeyboardButton]]:
        return [list(row) for row in self._markup]


def one_per_row(text: str, *buttons: tuple[str, CallbackData]) -> Screen:
    """A message with its buttons one under another: answers read as sentences, never cut."""
    builder = Buttons()
    for label, data in buttons:
        builder.button(text=label, callback_data=data)
    builder.adjust(1)
    return Screen(text, builder.as_markup())
