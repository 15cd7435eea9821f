"""Shared state of the fake Bot API, guarded by one condition for the server and test threads."""

from __future__ import annotations

import itertools
import mimetypes
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .faults import Faults, RateLimiter
from .models import (
    ApiCall,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    SentMessage,
    StoredFile,
    UserMessage,
)

__all__ = ["DEFAULT_ALLOWED_UPDATES", "ChatState", "PendingQuery", "TelegramState", "image_size"]

# Telegram delivers every update type except these unless they are asked for explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
DEFAULT_ALLOWED_UPDATES: frozenset[str] | None = None

_FILE_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "animation": "CgACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "video_note": "DQACAgIAAxkBAAI",
}
_FILE_DIR = {
    "photo": "photos",
    "document": "documents",
    "video": "videos",
    "audio": "music",
    "voice": "voice",
    "animation": "animations",
    "sticker": "stickers",
    "video_note": "video_notes",
}


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF, JPEG or WebP image; None if it is not one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in {b"GIF87a", b"GIF89a"} and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return 1, 1  # dimensions need VP8 parsing; tests never look at them
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                index += 1
                continue
            marker = data[index + 1]
            if marker in {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD}:
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            if marker in {0xD8, 0x01} or 0xD0 <= marker <= 0xD7:
                index += 2
                continue
            (length,) = struct.unpack(">H", data[index + 2 : index + 4])
            index += 2 + int(length)
        return 1, 1  # a JPEG without a frame header still counts as an image
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(int(width)), abs(int(height))
    return None


@dataclass
class ChatState:
    """A chat known to the server with the messages in it."""

    id: int
    type: str
    user: FakeUser | None = None
    group: FakeChat | None = None
    blocked: str | None = None
    next_message_id: int = 1
    messages: list[SentMessage] = field(default_factory=list)
    by_id: dict[int, SentMessage | UserMessage] = field(default_factory=dict)
    members: set[int] = field(default_factory=set)
    admins: set[int] = field(default_factory=set)
    pinned: list[int] = field(default_factory=list)
    cursor: int = 0
    _dict: dict[str, Any] | None = None

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def to_dict(self) -> dict[str, Any]:
        # Cached: the dict is embedded into every sent message (benchmarks send thousands).
        if self._dict is None:
            if self.user is not None:
                self._dict = self.user.chat_dict()
            elif self.group is not None:
                self._dict = self.group.to_dict()
            else:
                self._dict = {"id": self.id, "type": self.type}
        return self._dict

    def alloc_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class PendingQuery:
    """A callback query the test sent; answerable once."""

    query_id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    answered: bool = False


class TelegramState:
    """Everything the fake server knows; all access holds `cond`."""

    def __init__(
        self,
        token: str,
        *,
        bot_name: str = "NGO Events",
        bot_username: str = "ngo_events_test_bot",
    ) -> None:
        prefix = token.split(":", 1)[0]
        if not prefix.isdigit():
            raise ValueError(f"token {token!r} must look like '<bot id>:<secret>'")
        self.token = token
        self.bot_id = int(prefix)
        self.bot_name = bot_name
        self.bot_username = bot_username
        self.cond = threading.Condition(threading.RLock())
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self._file_ids = itertools.count(1)
        self.updates: deque[dict[str, Any]] = deque()
        self.next_update_id = 100_000_001
        self.allowed_updates: frozenset[str] | None = DEFAULT_ALLOWED_UPDATES
        self.queries: dict[str, PendingQuery] = {}
        self._query_ids = itertools.count(4_382_000_000_000_000_001)
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.calls: list[ApiCall] = []
        self.faults = Faults()
        self.limiter = RateLimiter()
        self.webhook_url = ""
        # Webhook mode (see webhook.py): the secret setWebhook gave, the routes standing for
        # the reverse proxy (public URL prefix -> local base URL), every post made.
        self.webhook_secret = ""
        self.webhook_routes: dict[str, str] = {}
        self.webhook_deliveries: list[Any] = []
        self.webhook_last_error = ""
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.get_updates_calls = 0
        self.pollers_waiting = 0
        # Set by the server: wakes long-polling getUpdates handlers from any thread.
        self.on_update: Callable[[], None] | None = None
        self._bot_dict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self._media_group_ids = itertools.count(13_000_000_000_000_001)

    # -- basics ---------------------------------------------------------------------------

    @staticmethod
    def now() -> int:
        return int(time.time())

    def bot_user(self) -> dict[str, Any]:
        return self._bot_dict

    def me(self) -> dict[str, Any]:
        return {
            **self._bot_dict,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def new_query_id(self) -> str:
        return str(next(self._query_ids))

    def new_media_group_id(self) -> str:
        return str(next(self._media_group_ids))

    # -- chats ----------------------------------------------------------------------------

    def register_user(self, user: FakeUser) -> ChatState:
        self.users[user.id] = user
        chat = self.chats.get(user.id)
        if chat is None:
            chat = self.chats[user.id] = ChatState(id=user.id, type="private", user=user)
            chat.members.add(user.id)
        return chat

    def register_group(self, group: FakeChat) -> ChatState:
        chat = self.chats.get(group.id)
        if chat is None:
            chat = self.chats[group.id] = ChatState(id=group.id, type=group.type, group=group)
        return chat

    def find_chat(self, chat_id: int | str) -> ChatState | None:
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        name = chat_id.removeprefix("@").lower()
        for chat in self.chats.values():
            if chat.group is not None and (chat.group.username or "").lower() == name:
                return chat
        return None

    # -- files ----------------------------------------------------------------------------

    def store_file(
        self,
        kind: str,
        data: bytes,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
    ) -> StoredFile:
        number = next(self._file_ids)
        if mime_type in {None, "", "application/octet-stream"} and filename:
            mime_type = mimetypes.guess_type(filename)[0] or mime_type
        if kind == "photo":
            mime_type = "image/jpeg"  # Telegram recompresses photos to JPEG
        extension = ""
        if filename and "." in filename:
            extension = filename.rsplit(".", 1)[1]
        elif kind == "photo":
            extension = "jpg"
        width, height = 0, 0
        if kind in {"photo", "sticker", "video", "animation", "video_note"}:
            width, height = image_size(data) or (320, 320)
        file_path = f"{_FILE_DIR.get(kind, 'documents')}/file_{number}"
        if extension:
            file_path += f".{extension}"
        stored = StoredFile(
            file_id=f"{_FILE_PREFIX.get(kind, 'BQACAgIAAxkBAAI')}{number:06d}fake",
            file_unique_id=f"AQAD{number:06d}",
            kind=kind,
            data=data,
            filename=filename,
            mime_type=mime_type or "application/octet-stream",
            file_path=file_path,
            width=width,
            height=height,
            url=url,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    # -- updates --------------------------------------------------------------------------

    def push_update(self, kind: str, body: dict[str, Any]) -> int:
        with self.cond:
            update_id = self.next_update_id
            self.next_update_id += 1
            self.updates.append({"update_id": update_id, kind: body})
            self.cond.notify_all()
            waiting = self.pollers_waiting
        if (waiting or self.webhook_url) and self.on_update is not None:
            self.on_update()
        return update_id

    def take_updates(
        self, offset: int | None, limit: int, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        """getUpdates semantics: confirm by offset, filter by allowed_updates, cap by limit."""
        updates = self.updates
        if allowed is not None:
            # Like Telegram, the last allowed_updates given stays in force for later calls.
            self.allowed_updates = frozenset(allowed) if allowed else None
        if offset is not None:
            if offset < 0:
                keep = -offset
                while len(updates) > keep:
                    updates.popleft()
            else:
                while updates and updates[0]["update_id"] < offset:
                    updates.popleft()
        result: list[dict[str, Any]] = []
        unwanted: list[dict[str, Any]] = []
        for update in updates:
            kind = next(key for key in update if key != "update_id")
            if self._is_allowed(kind):
                result.append(update)
                if len(result) >= limit:
                    break
            else:
                unwanted.append(update)
        if unwanted:
            # Telegram never creates updates of types the bot did not ask for.
            for update in unwanted:
                updates.remove(update)
        return result

    def _is_allowed(self, kind: str) -> bool:
        if self.allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self.allowed_updates

    def drop_pending_updates(self) -> None:
        self.updates.clear()

    # -- messages -------------------------------------------------------------------------

    def message_payload(self, chat: ChatState, message: SentMessage) -> dict[str, Any]:
        """The Telegram Message object of a bot message, as the API returns it."""
        payload: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self._bot_dict,
            "chat": chat.to_dict(),
            "date": message.date,
        }
        if message.edit_date is not None:
            payload["edit_date"] = message.edit_date
        if message.forward_of is not None:
            payload["forward_origin"] = self._forward_origin(*message.forward_of)
        if message.reply_to_message_id is not None:
            replied = chat.by_id.get(message.reply_to_message_id)
            if isinstance(replied, UserMessage):
                payload["reply_to_message"] = replied.payload
            elif isinstance(replied, SentMessage):
                nested = dict(replied.payload)
                nested.pop("reply_to_message", None)
                payload["reply_to_message"] = nested
        if message.media_group_id is not None:
            payload["media_group_id"] = message.media_group_id
        if message.plain is not None:
            payload["text"] = message.plain
            if message.entities:
                payload["entities"] = message.entities
        if message.file is not None and message.media_type is not None:
            payload[message.media_type] = message.file.media_value()
        if message.caption_plain:
            payload["caption"] = message.caption_plain
            if message.caption_entities:
                payload["caption_entities"] = message.caption_entities
        if message.venue is not None:
            payload["venue"] = message.venue
            payload["location"] = message.venue["location"]
        elif message.location is not None:
            payload["location"] = message.location
        if message.contact is not None:
            payload["contact"] = message.contact
        markup = message.reply_markup
        if markup is not None and "inline_keyboard" in markup:
            # Messages only ever carry inline keyboards; reply keyboards live in the client.
            payload["reply_markup"] = markup
        return payload

    def _forward_origin(self, chat_id: int, message_id: int) -> dict[str, Any]:
        chat = self.chats.get(chat_id)
        source = chat.by_id.get(message_id) if chat else None
        date = source.date if source is not None else self.now()
        if isinstance(source, UserMessage):
            user = self.users.get(source.user_id)
            if user is not None:
                return {"type": "user", "date": date, "sender_user": user.to_dict()}
        if isinstance(source, SentMessage):
            return {"type": "user", "date": date, "sender_user": self._bot_dict}
        return {"type": "hidden_user", "date": date, "sender_user_name": "Unknown"}

    def record_call(self, call: ApiCall) -> None:
        with self.cond:
            self.calls.append(call)
            self.cond.notify_all()
