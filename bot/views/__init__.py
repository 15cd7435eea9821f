"""What the person sees: message texts and their keyboards, rendered in the current language."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

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
