"""An accessibility check over everything a MockedBot sent: usable by any test (issue 14)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

import emoji
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
)
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup

from tests.kit.mocked_bot import MockedSession

_TAG = re.compile(r"<[^>]+>")
_NUMBERED = re.compile(r"^\d{1,2}\. \S")
_WITH_CONTENT = (SendMessage, EditMessageText, SendPhoto, SendDocument, EditMessageCaption)


def visible(text: str) -> str:
    """What a person reads of an HTML text: no tags, no entities, no emoji, single spaces."""
    return " ".join(emoji.replace_emoji(html.unescape(_TAG.sub("", text)), "").split())


def labels_of(markup: Any) -> list[list[str]]:
    if isinstance(markup, InlineKeyboardMarkup):
        return [[b.text for b in row] for row in markup.inline_keyboard]
    if isinstance(markup, ReplyKeyboardMarkup):
        return [[b.text for b in row] for row in markup.keyboard]
    return []


def label_problems(labels: list[list[str]], plain: bool) -> list[str]:
    """What is wrong with one keyboard's labels; empty when nothing is."""
    problems = []
    flat = [label for row in labels for label in row]
    for label in flat:
        found = emoji.emoji_list(label)
        if found and found[0]["match_start"] == 0:
            problems.append(f"label starts with an emoji: {label!r}")
        if not any(ch.isalpha() for ch in label):
            problems.append(f"label has no words: {label!r}")
        if "…" in label or label.endswith("..."):
            problems.append(f"label is cut: {label!r}")
        if plain and found:
            problems.append(f"emoji in a plain-mode label: {label!r}")
    spoken = [visible(label).casefold() for label in flat]
    for label in sorted({s for s in spoken if spoken.count(s) > 1}):
        problems.append(f"two buttons read the same: {label!r} in {flat}")
    return problems


class AccessibilityCheck:
    """Walks the requests a session recorded (after the bot's own request middlewares) and
    lists what would fail a screen-reader user. `plain_chats` are in plain mode.

    Checked: a toast whose words no message shows during the same press; a label that
    starts with an emoji, has no letters, is cut with «…», or reads the same as another in
    its keyboard; a photo or document without a caption in words; in plain mode, any
    emoji in a text, caption or label, and an inline option without its number.
    """

    def __init__(self, session: MockedSession, plain_chats: Iterable[int] = ()) -> None:
        self.session = session
        self.plain_chats = set(plain_chats)
        self.checked = 0  # requests looked at: a check that saw nothing proves nothing

    def problems(self, since: int = 0) -> list[str]:
        problems: list[str] = []
        shown: list[str] = []  # texts shown since the previous callback answer
        for request in self.session.requests[since:]:
            self.checked += 1
            chat_id = getattr(request, "chat_id", None)
            plain = chat_id in self.plain_chats
            where = f"{type(request).__name__} to {chat_id}"
            if isinstance(request, AnswerCallbackQuery):
                if request.text and not any(visible(request.text) in s for s in shown):
                    problems.append(f"outcome only in a toast: {request.text!r}")
                shown = []
                continue
            for field in ("text", "caption"):
                value = getattr(request, field, None)
                if isinstance(value, str) and isinstance(request, _WITH_CONTENT):
                    shown.append(visible(value))
                    if plain and emoji.emoji_count(value):
                        problems.append(f"{where}: emoji in plain mode: {value[:60]!r}")
            if isinstance(request, SendPhoto | SendDocument):
                caption = visible(request.caption or "")
                if len(re.findall(r"\w{2,}", caption)) < 3:
                    problems.append(f"{where}: a file without a caption in words: {caption!r}")
            markup = getattr(request, "reply_markup", None)
            if isinstance(request, (*_WITH_CONTENT, EditMessageReplyMarkup, CopyMessage)):
                labels = labels_of(markup)
                problems += [f"{where}: {p}" for p in label_problems(labels, plain)]
                if plain and isinstance(markup, InlineKeyboardMarkup):
                    for label in (label for row in labels for label in row):
                        if not _NUMBERED.match(label):
                            problems.append(f"{where}: plain-mode option unnumbered: {label!r}")
        return problems

    def assert_clean(self, since: int = 0) -> None:
        problems = self.problems(since)
        assert self.checked > 0, "the accessibility check saw no requests"
        assert not problems, "accessibility problems:\n" + "\n".join(problems)
