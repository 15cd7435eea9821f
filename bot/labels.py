"""Plain-text lengths as Telegram counts them, and button labels: shared by views and services."""

from __future__ import annotations

BUTTON_TEXT_LIMIT = 60


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    """Cut plain text to `limit` UTF-16 units, ending with an ellipsis when cut."""
    if utf16_len(text) <= limit:
        return text
    cut = text
    while cut and utf16_len(cut) > limit - 1:
        excess = utf16_len(cut) - (limit - 1)
        # A character is one or two units: dropping half the excess never cuts too much.
        cut = cut[: len(cut) - max(1, excess // 2)]
    return cut.rstrip() + "…"


def button_text(text: str, limit: int = BUTTON_TEXT_LIMIT) -> str:
    """Button labels are plain text (no HTML), kept short enough to read on a phone."""
    return shorten(" ".join(text.split()), limit)


def label_key(text: str) -> str:
    """A label as typed or as shown, compared without case, emoji or punctuation."""
    kept = "".join(ch if ch.isalnum() else " " for ch in text.casefold().replace("ё", "е"))
    return " ".join(kept.split())
