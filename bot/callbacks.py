"""Callback data factories: a versioned prefix and ids only; handlers re-check everything."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LanguageChoice(CallbackData, prefix="lang1"):
    code: str
