"""Records of the fake Bot API: users, chats, messages, files, calls and callback answers."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ApiCall",
    "CallbackAnswer",
    "FakeChat",
    "FakeUser",
    "MessageVersion",
    "SentMessage",
    "StoredFile",
    "UserMessage",
]


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user the test acts as."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The Telegram User object (as in `from`)."""
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_dict(self) -> dict[str, Any]:
        """The Telegram Chat object of this user's private chat with the bot."""
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass(frozen=True)
class FakeChat:
    """A group or supergroup chat the test created."""

    id: int
    title: str
    type: str = "supergroup"
    username: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class StoredFile:
    """A file known to the server: uploaded by the bot or sent by a user."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    filename: str | None
    mime_type: str | None
    file_path: str
    width: int = 0
    height: int = 0
    url: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    def to_dict(self) -> dict[str, Any]:
        """The media object as it appears inside a Message (document, video, audio ...)."""
        base: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.kind == "photo":
            return {**base, "width": self.width, "height": self.height}
        if self.kind == "sticker":
            return {
                **base,
                "type": "regular",
                "width": self.width or 512,
                "height": self.height or 512,
                "is_animated": False,
                "is_video": False,
            }
        if self.filename and self.kind in {"document", "video", "audio", "animation"}:
            base["file_name"] = self.filename
        if self.mime_type:
            base["mime_type"] = self.mime_type
        if self.kind in {"video", "animation"}:
            base.update(width=self.width, height=self.height, duration=0)
        elif self.kind in {"audio", "voice"}:
            base["duration"] = 0
        elif self.kind == "video_note":
            base.update(length=self.width, duration=0)
        return base

    def media_value(self) -> Any:
        """The Message field value: a PhotoSize list for photos, an object otherwise."""
        if self.kind == "photo":
            return [self.to_dict()]
        return self.to_dict()


@dataclass
class MessageVersion:
    """A snapshot of a bot message before an edit."""

    text: str | None
    plain: str | None
    parse_mode: str | None
    entities: list[dict[str, Any]]
    caption: str | None
    caption_plain: str | None
    reply_markup: dict[str, Any] | None
    date: int
    method: str


def _keyboard_labels(markup: dict[str, Any] | None, key: str) -> list[str]:
    if not markup:
        return []
    labels: list[str] = []
    for row in markup.get(key) or []:
        for button in row:
            labels.append(button if isinstance(button, str) else str(button.get("text", "")))
    return labels


@dataclass
class SentMessage:
    """A message the bot sent (or copied/forwarded) into a chat, with its edit history."""

    message_id: int
    chat_id: int
    method: str
    date: int
    text: str | None = None
    plain: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_plain: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    media_type: str | None = None
    file: StoredFile | None = None
    location: dict[str, Any] | None = None
    venue: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None
    copy_of: tuple[int, int] | None = None
    forward_of: tuple[int, int] | None = None
    reply_to_message_id: int | None = None
    media_group_id: str | None = None
    edits: list[MessageVersion] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)

    # -- content helpers -------------------------------------------------------------------

    @property
    def content(self) -> str:
        """Visible text: the plain text, or the plain caption of a media message."""
        if self.plain is not None:
            return self.plain
        return self.caption_plain or ""

    @property
    def data(self) -> bytes | None:
        return self.file.data if self.file else None

    @property
    def document(self) -> bytes | None:
        return self.file.data if self.file and self.media_type == "document" else None

    @property
    def photo(self) -> bytes | None:
        return self.file.data if self.file and self.media_type == "photo" else None

    @property
    def filename(self) -> str | None:
        return self.file.filename if self.file else None

    @property
    def mime_type(self) -> str | None:
        return self.file.mime_type if self.file else None

    @property
    def file_id(self) -> str | None:
        return self.file.file_id if self.file else None

    # -- keyboard helpers ------------------------------------------------------------------

    def buttons(self) -> list[str]:
        """Labels of the inline keyboard, row by row, flattened."""
        return _keyboard_labels(self.reply_markup, "inline_keyboard")

    def reply_buttons(self) -> list[str]:
        """Labels of the reply keyboard, row by row, flattened."""
        return _keyboard_labels(self.reply_markup, "keyboard")

    def inline_buttons(self) -> list[dict[str, Any]]:
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def button(self, text: str) -> dict[str, Any]:
        """The inline button whose label equals text, else the first whose label contains it."""
        buttons = self.inline_buttons()
        for button in buttons:
            if button.get("text") == text:
                return button
        for button in buttons:
            if text in str(button.get("text", "")):
                return button
        raise AssertionError(
            f"message {self.message_id} in chat {self.chat_id} has no inline button "
            f"containing {text!r}; buttons: {self.buttons()!r}"
        )

    def callback_data(self, text: str) -> str:
        button = self.button(text)
        data = button.get("callback_data")
        if not isinstance(data, str):
            raise AssertionError(f"button {button.get('text')!r} has no callback_data: {button!r}")
        return data

    def snapshot(self) -> MessageVersion:
        return MessageVersion(
            text=self.text,
            plain=self.plain,
            parse_mode=self.parse_mode,
            entities=list(self.entities),
            caption=self.caption,
            caption_plain=self.caption_plain,
            reply_markup=copy.deepcopy(self.reply_markup),
            date=self.edit_date or self.date,
            method=self.method if not self.edits else "edit",
        )

    def describe(self) -> str:
        """One line for assertion messages."""
        kind = self.media_type or ("text" if self.plain is not None else self.method)
        flags = " (deleted)" if self.deleted else ""
        flags += f" (edited x{len(self.edits)})" if self.edits else ""
        buttons = self.buttons() or self.reply_buttons()
        suffix = f" buttons={buttons!r}" if buttons else ""
        content = self.content.replace("\n", "\\n")
        if len(content) > 300:
            content = content[:300] + "…"
        return f"#{self.message_id} [{kind}]{flags} {content!r}{suffix}"


@dataclass
class UserMessage:
    """A message a test user sent (stored so that the bot can copy or forward it)."""

    message_id: int
    chat_id: int
    user_id: int
    date: int
    update_id: int
    payload: dict[str, Any]
    text: str | None = None
    caption: str | None = None
    media_type: str | None = None
    file: StoredFile | None = None
    deleted: bool = False


@dataclass
class ApiCall:
    """One request the server received."""

    method: str
    params: dict[str, Any]
    time: float
    status: int = 0
    chat_id: int | str | None = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(frozen=True)
class CallbackAnswer:
    """One accepted answerCallbackQuery call."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    time: float
