"""A Bot whose session records every API call, refuses what Telegram refuses, answers like it."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import (
    CopyMessage,
    DeleteMessage,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendDocument,
    SendLocation,
    SendMessage,
    SendPhoto,
    SendVenue,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, LinkPreviewOptions

from emulator import checks
from emulator.params import ApiError, Params, bad_request

BOT_ID = 424242
BOT_USERNAME = "ngo_events_test_bot"
TOKEN = f"{BOT_ID}:TEST-token-for-the-mocked-session"

ERRORS = {
    "403": (403, "Forbidden: bot was blocked by the user", None),
    "400": (400, "Bad Request: chat not found", None),
    "429": (429, "Too Many Requests: retry after 3", {"retry_after": 3}),
    "500": (500, "Internal Server Error", None),
}


@dataclass
class Sent:
    """A message the bot sent (or its latest edit), as a person would see it in the chat."""

    chat_id: int
    message_id: int
    method: str
    text: str | None = None
    caption: str | None = None
    reply_markup: Any = None
    document: bytes | None = None
    filename: str | None = None
    location: tuple[float, float] | None = None
    copy_of: tuple[int, int] | None = None
    edits: list[str | None] = field(default_factory=list)
    deleted: bool = False
    # What Telegram compares for "message is not modified": rendered text and inline markup.
    rendered: tuple[str, list[dict[str, Any]]] | None = field(default=None, repr=False)
    markup_json: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def body(self) -> str:
        return self.text if self.text is not None else (self.caption or "")

    def buttons(self) -> list[str]:
        markup = self.reply_markup
        if isinstance(markup, InlineKeyboardMarkup):
            return [button.text for row in markup.inline_keyboard for button in row]
        if markup is not None and hasattr(markup, "keyboard"):
            return [button.text for row in markup.keyboard for button in row]
        return []

    def callback_data(self, label: str) -> str:
        found = self._inline_button(label, "callback_data")
        if found is None:
            raise AssertionError(f"no button {label!r} in {self.buttons()} of {self.body[:200]!r}")
        return found

    def url(self, label: str) -> str:
        found = self._inline_button(label, "url")
        if found is None:
            raise AssertionError(f"no url button {label!r} in {self.buttons()}")
        return found

    def _inline_button(self, label: str, action: str) -> str | None:
        """What the first inline button whose text contains `label` and that has `action`
        (callback_data, url) carries."""
        markup = self.reply_markup
        if isinstance(markup, InlineKeyboardMarkup):
            for row in markup.inline_keyboard:
                for button in row:
                    value = getattr(button, action)
                    if label in button.text and value is not None:
                        return str(value)
        return None


class MockedSession(BaseSession):
    """Records requests; answers like Telegram; fails on demand with Telegram's error shapes."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.messages: dict[int, list[Sent]] = defaultdict(list)
        self._by_id: dict[tuple[int, int], Sent] = {}
        self._next_id: dict[int, int] = defaultdict(lambda: 1000)
        self._failures: list[tuple[str, int | None, str]] = []
        self.blocked: set[int] = set()

    def fail(self, method: str, kind: str, chat_id: int | None = None, times: int = 1) -> None:
        """Answer the next `times` calls of `method` ("*" for any) with a Telegram error."""
        self._failures.extend([(method, chat_id, kind)] * times)

    def record_user_message(self, chat_id: int) -> int:
        """User messages share the chat's message id counter, like in Telegram."""
        self._next_id[chat_id] += 1
        return self._next_id[chat_id]

    def calls(self, method: type[TelegramMethod[Any]] | None = None) -> list[Any]:
        return [r for r in self.requests if method is None or isinstance(r, method)]

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests.append(method)
        name = type(method).__name__
        chat_id = getattr(method, "chat_id", None)
        failure = self._take_failure(name, chat_id)
        if failure is None and chat_id in self.blocked:
            failure = "403"
        if failure is not None:
            code, description, parameters = ERRORS[failure]
            content = {"ok": False, "error_code": code, "description": description}
            if parameters:
                content["parameters"] = parameters
            return self.check_response(bot, method, code, json.dumps(content)).result  # type: ignore[return-value]
        params = self.prepared(bot, method)
        try:
            checked = self._check(method, params)
        except ApiError as error:
            response = self.check_response(bot, method, error.status, json.dumps(error.to_json()))
            return response.result  # type: ignore[return-value]
        result = self._result(bot, method)
        self._remember(method, params, checked)
        response = self.check_response(bot, method, 200, json.dumps({"ok": True, "result": result}))
        return response.result  # type: ignore[return-value]

    def prepared(self, bot: Bot, method: TelegramMethod[Any]) -> Params:
        """The request as the emulator would receive it: bot defaults applied, files attached."""
        files: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared is not None:
                raw[key] = prepared
        return Params(raw, {})

    def _check(
        self, method: TelegramMethod[Any], p: Params
    ) -> tuple[str, list[dict[str, Any]]] | None:
        """The emulator's checks (emulator.checks) and its lookups of earlier messages."""
        checks.check_fields(p)
        rendered: tuple[str, list[dict[str, Any]]] | None = None
        if isinstance(method, SendMessage | EditMessageText):
            if not method.text:
                raise bad_request("message text is empty")
            rendered = checks.format_text(
                method.text,
                p.get_str("parse_mode"),
                p.get_json("entities"),
                limit=checks.TEXT_LIMIT,
                too_long="message is too long",
            )
            if not rendered[0].strip():
                raise bad_request("message text is empty")
        elif isinstance(method, SendDocument | SendPhoto | CopyMessage | EditMessageCaption):
            _, plain, entities, _ = checks.caption(p)
            rendered = (plain or "", entities)
        edit = isinstance(method, EditMessageText | EditMessageCaption | EditMessageReplyMarkup)
        markup = checks.reply_markup(p, inline_only=edit)
        if edit and not p.get_str("inline_message_id"):
            target = self._by_id.get((int(p.get_int("chat_id") or 0), p.get_int("message_id") or 0))
            if target is None or target.deleted:
                raise bad_request("message to edit not found")
            same_markup = markup == target.markup_json
            if isinstance(method, EditMessageReplyMarkup):
                if same_markup:
                    raise bad_request(checks.NOT_MODIFIED)
            elif same_markup and rendered == target.rendered:
                raise bad_request(checks.NOT_MODIFIED)
        if isinstance(method, DeleteMessage):
            target = self._by_id.get((int(method.chat_id), method.message_id))
            if target is None or target.deleted:
                raise bad_request("message to delete not found")
        return rendered

    def _remember(
        self,
        method: TelegramMethod[Any],
        p: Params,
        rendered: tuple[str, list[dict[str, Any]]] | None,
    ) -> None:
        """Keep what the next edit of this message is compared with."""
        if isinstance(method, EditMessageText | EditMessageCaption | EditMessageReplyMarkup):
            target = self._by_id.get((int(p.get_int("chat_id") or 0), p.get_int("message_id") or 0))
        elif isinstance(method, SendMessage | SendDocument | SendPhoto | CopyMessage):
            chat_messages = self.messages.get(int(method.chat_id), [])
            target = chat_messages[-1] if chat_messages else None
        else:
            return
        if target is None:
            return
        markup = p.get_json("reply_markup")
        target.markup_json = (
            markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        )
        if not isinstance(method, EditMessageReplyMarkup):
            target.rendered = rendered

    def _take_failure(self, name: str, chat_id: Any) -> str | None:
        for index, (method, target, kind) in enumerate(self._failures):
            if method in (name, "*") and target in (None, chat_id):
                del self._failures[index]
                return kind
        return None

    def _result(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "NGO Events",
                "username": BOT_USERNAME,
            }
        if isinstance(method, SendMessage | SendDocument | SendPhoto | SendLocation | SendVenue):
            sent = self._store_new(method)
            return self._message_json(sent)
        if isinstance(method, CopyMessage):
            sent = self._new(int(method.chat_id), "CopyMessage")
            sent.copy_of = (int(method.from_chat_id), method.message_id)
            sent.reply_markup = method.reply_markup
            sent.caption = method.caption
            return {"message_id": sent.message_id}
        if isinstance(method, EditMessageText | EditMessageReplyMarkup | EditMessageCaption):
            target = self._by_id.get((int(method.chat_id or 0), int(method.message_id or 0)))
            if target is None:
                return True
            target.edits.append(target.body)
            if isinstance(method, EditMessageText):
                target.text = method.text
            if isinstance(method, EditMessageCaption):
                target.caption = method.caption
            target.reply_markup = method.reply_markup
            return self._message_json(target)
        if isinstance(method, DeleteMessage):
            target = self._by_id.get((int(method.chat_id), method.message_id))
            if target is not None:
                target.deleted = True
            return True
        return True

    def _new(self, chat_id: int, method: str) -> Sent:
        self._next_id[chat_id] += 1
        sent = Sent(chat_id=chat_id, message_id=self._next_id[chat_id], method=method)
        self.messages[chat_id].append(sent)
        self._by_id[(chat_id, sent.message_id)] = sent
        return sent

    def _store_new(self, method: TelegramMethod[Any]) -> Sent:
        sent = self._new(int(method.chat_id), type(method).__name__)  # type: ignore[attr-defined]
        sent.reply_markup = getattr(method, "reply_markup", None)
        if isinstance(method, SendMessage):
            sent.text = method.text
        elif isinstance(method, SendDocument | SendPhoto):
            media = method.document if isinstance(method, SendDocument) else method.photo
            sent.caption = method.caption
            if isinstance(media, BufferedInputFile):
                sent.document, sent.filename = media.data, media.filename
        elif isinstance(method, SendLocation | SendVenue):
            sent.location = (method.latitude, method.longitude)
            if isinstance(method, SendVenue):
                sent.text = f"{method.title}\n{method.address}"
        return sent

    def _message_json(self, sent: Sent) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": {"id": sent.chat_id, "type": "private" if sent.chat_id > 0 else "supergroup"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "NGO Events"},
        }
        if sent.text is not None:
            message["text"] = sent.text
        if sent.caption is not None:
            message["caption"] = sent.caption
        if sent.document is not None:
            message["document"] = {
                "file_id": f"doc-{sent.chat_id}-{sent.message_id}",
                "file_unique_id": f"u{sent.message_id}",
                "file_name": sent.filename,
            }
        if sent.location is not None:
            message["location"] = {"latitude": sent.location[0], "longitude": sent.location[1]}
        if isinstance(sent.reply_markup, InlineKeyboardMarkup):
            message["reply_markup"] = sent.reply_markup.model_dump(mode="json", exclude_none=True)
        if (
            "text" not in message
            and "caption" not in message
            and "document" not in message
            and "location" not in message
        ):
            message["text"] = ""
        return message


class MockedBot(Bot):
    session: MockedSession

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__(
            token,
            session=MockedSession(),
            default=DefaultBotProperties(
                parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)
            ),
        )
