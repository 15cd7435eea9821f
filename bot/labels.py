"""Plain-text lengths as Telegram counts them, and button labels: shared by views and services."""

from __future__ import annotations

import functools

import emoji

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


# Every inline label of every message passes here, and the same few hundred labels recur:
# finding emoji is slow enough to be worth remembering.
@functools.lru_cache(maxsize=4096)
def words_first(label: str) -> str:
    """«✅ Зарегистрироваться» → «Зарегистрироваться ✅»: a screen reader says the words first."""
    found = emoji.emoji_list(label)
    if not found or found[0]["match_start"] != 0:
        return label
    lead = label[: found[0]["match_end"]]
    rest = label[found[0]["match_end"] :].strip()
    if not rest or not any(ch.isalnum() for ch in rest):
        return label
    return f"{rest} {lead}"
