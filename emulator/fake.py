"""FakeTelegram: the synchronous, thread-safe test-side API of the fake Bot API server."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from .faults import Faults
from .formatting import utf16_len
from .models import (
    ApiCall,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    SentMessage,
    StoredFile,
    UserMessage,
)
from .server import FakeServer
from .state import ChatState, PendingQuery, TelegramState
from .webhook import WebhookDelivery

__all__ = ["ChatRef", "FakeTelegram"]

ChatRef = FakeUser | FakeChat | int
T = TypeVar("T")
P = ParamSpec("P")


def _in_thread(wait: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """The same wait for tests whose bot runs in the calling event loop: it waits in a thread."""

    async def waiting(*args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.to_thread(wait, *args, **kwargs)

    waiting.__doc__ = f"{wait.__name__} without blocking the calling event loop."
    return waiting


_SELF = object()


class FakeTelegram:
    """A fake Telegram Bot API server on 127.0.0.1 plus helpers to act as users.

    The HTTP server runs on its own event loop in a background thread; every method here is
    synchronous and thread-safe. Tests whose bot runs in their own event loop must not block it
    in the wait_* helpers: use the *_async variants (they wait in a worker thread).

    getUpdates follows Telegram: a new getUpdates request makes the one still long-polling
    answer 409 "Conflict: terminated by other getUpdates request ..." and the newcomer is
    served, so a restarted bot process takes over at once. Faults added for "*" match every
    method except getUpdates (name it explicitly to fault polling).
    """

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_name: str = "NGO Events",
        bot_username: str = "ngo_events_test_bot",
        log_requests: bool = False,
    ) -> None:
        self._state = TelegramState(token, bot_name=bot_name, bot_username=bot_username)
        self._server = FakeServer(self._state, host=host, port=port, log_requests=log_requests)
        self._user_ids = itertools.count(700_000_001)
        self._group_ids = itertools.count(1_001_000_000_001)

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        """Start serving; returns once the port accepts connections."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving and join the server thread (waiting long polls are released)."""
        self._server.stop()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def token(self) -> str:
        return self._state.token

    @property
    def bot_id(self) -> int:
        return self._state.bot_id

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def base_url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    @property
    def running(self) -> bool:
        return self._server.running

    @property
    def state(self) -> TelegramState:
        """The raw server state, for assertions the helpers do not cover (hold state.cond)."""
        return self._state

    def api_server(self) -> TelegramAPIServer:
        return TelegramAPIServer.from_base(self.base_url)

    def bot(self, **kwargs: Any) -> Bot:
        """An aiogram Bot talking to this server (close its session when done)."""
        session = AiohttpSession(api=self.api_server())
        return Bot(self.token, session=session, **kwargs)

    # -- webhook mode ---------------------------------------------------------------------

    def route_webhook(self, public_prefix: str, local_base: str) -> None:
        """Post updates for webhooks under `public_prefix` to `local_base` instead.

        Stands for the TLS-terminating reverse proxy: the bot registers its public https
        URL with setWebhook and listens on a local port.
        """
        with self._state.cond:
            self._state.webhook_routes[public_prefix.rstrip("/")] = local_base.rstrip("/")

    @property
    def webhook_url(self) -> str:
        with self._state.cond:
            return self._state.webhook_url

    @property
    def webhook_secret(self) -> str:
        with self._state.cond:
            return self._state.webhook_secret

    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every post of an update to the webhook, with the HTTP status it got."""
        with self._state.cond:
            return list(self._state.webhook_deliveries)

    # -- users and chats ------------------------------------------------------------------

    def user(
        self,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        id: int | None = None,
    ) -> FakeUser:
        """Create a user and register their private chat with the bot."""
        user_id = id if id is not None else next(self._user_ids)
        user = FakeUser(
            id=user_id,
            first_name=first_name or f"User{user_id}",
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        with self._state.cond:
            self._state.register_user(user)
        return user

    def group(
        self,
        group_id: int | None = None,
        title: str | None = None,
        *,
        username: str | None = None,
        chat_type: str = "supergroup",
        members: tuple[FakeUser, ...] = (),
        admins: tuple[FakeUser, ...] = (),
    ) -> FakeChat:
        """Create (or return) a group chat the bot is a member of."""
        with self._state.cond:
            if group_id is not None and group_id in self._state.chats:
                existing = self._state.chats[group_id]
                if existing.group is None:
                    raise ValueError(f"chat {group_id} is a private chat, not a group")
                chat = existing
            else:
                gid = group_id if group_id is not None else -next(self._group_ids)
                group = FakeChat(
                    id=gid, title=title or f"Group {gid}", type=chat_type, username=username
                )
                chat = self._state.register_group(group)
            for member in (*members, *admins):
                self._state.register_user(member)
                chat.members.add(member.id)
            chat.admins.update(admin.id for admin in admins)
            assert chat.group is not None
            return chat.group

    def _chat(self, ref: ChatRef) -> ChatState:
        state = self._state
        with state.cond:
            if isinstance(ref, FakeUser):
                return state.register_user(ref)
            if isinstance(ref, FakeChat):
                return state.chats.get(ref.id) or state.register_group(ref)
            chat = state.chats.get(ref)
            if chat is None:
                raise AssertionError(f"chat {ref} is unknown to the fake Telegram server")
            return chat

    def block(self, ref: ChatRef, *, description: str | None = None, notify: bool = False) -> None:
        """Make every send to this chat fail with 403 (the user blocked the bot / kicked it).

        With notify=True a my_chat_member update (status "kicked") is queued, as Telegram does.
        """
        chat = self._chat(ref)
        with self._state.cond:
            if chat.is_private:
                chat.blocked = description or "Forbidden: bot was blocked by the user"
            else:
                chat.blocked = description or f"Forbidden: bot was kicked from the {chat.type} chat"
        if notify:
            self._push_member_update(chat, ref, {"status": "kicked", "until_date": 0})

    def unblock(self, ref: ChatRef, *, notify: bool = False) -> None:
        chat = self._chat(ref)
        with self._state.cond:
            chat.blocked = None
        if notify:
            self._push_member_update(chat, ref, {"status": "member"})

    def _push_member_update(self, chat: ChatState, ref: ChatRef, new: dict[str, Any]) -> None:
        actor = ref if isinstance(ref, FakeUser) else chat.user
        bot = self._state.bot_user()
        old = (
            {"status": "kicked", "until_date": 0}
            if new["status"] == "member"
            else {"status": "member"}
        )
        body = {
            "chat": chat.to_dict(),
            "from": actor.to_dict() if actor else bot,
            "date": self._state.now(),
            "old_chat_member": {**old, "user": bot},
            "new_chat_member": {**new, "user": bot},
        }
        self._state.push_update("my_chat_member", body)

    # -- acting as users ------------------------------------------------------------------

    def _push_message(
        self,
        user: FakeUser,
        chat: ChatState,
        fields: dict[str, Any],
        *,
        text: str | None = None,
        caption: str | None = None,
        media: StoredFile | None = None,
    ) -> UserMessage:
        state = self._state
        with state.cond:
            state.register_user(user)
            chat.members.add(user.id)
            message_id = chat.alloc_message_id()
            payload: dict[str, Any] = {
                "message_id": message_id,
                "from": user.to_dict(),
                "chat": chat.to_dict(),
                "date": state.now(),
                **fields,
            }
            message = UserMessage(
                message_id=message_id,
                chat_id=chat.id,
                user_id=user.id,
                date=payload["date"],
                update_id=0,
                payload=payload,
                text=text,
                caption=caption,
                media_type=media.kind if media else None,
                file=media,
            )
            chat.by_id[message_id] = message
            message.update_id = state.push_update("message", payload)
            return message

    def send_text(
        self,
        user: FakeUser,
        text: str,
        *,
        chat: ChatRef | None = None,
        reply_to: int | None = None,
    ) -> UserMessage:
        """The user sends a text; a leading /command gets a bot_command entity."""
        target = self._chat(chat if chat is not None else user)
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        if reply_to is not None:
            replied = target.by_id.get(reply_to)
            if replied is not None:
                fields["reply_to_message"] = replied.payload
        return self._push_message(user, target, fields, text=text)

    def send_group_text(
        self, group_id: int, user: FakeUser, text: str, *, title: str | None = None
    ) -> UserMessage:
        """The user writes in a group chat (created on first use)."""
        group = self.group(group_id, title)
        return self.send_text(user, text, chat=group)

    def press_reply_button(self, user: FakeUser, text: str) -> UserMessage:
        """Press a button of the reply keyboard the bot showed last (its label is sent)."""
        chat = self._chat(user)
        with self._state.cond:
            labels: list[str] = []
            for message in reversed(chat.messages):
                markup = message.reply_markup or {}
                if "keyboard" in markup:
                    labels = message.reply_buttons()
                    break
                if markup.get("remove_keyboard"):
                    break
        if text not in labels:
            raise AssertionError(f"no reply keyboard button {text!r}; current: {labels!r}")
        return self.send_text(user, text)

    def send_contact(
        self,
        user: FakeUser,
        phone_number: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        user_id: Any = _SELF,
    ) -> UserMessage:
        """The user shares a contact: their own by default (user_id=None for a foreign one)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or user.first_name,
        }
        if last_name or (first_name is None and user.last_name):
            contact["last_name"] = last_name or user.last_name
        contact_user = user.id if user_id is _SELF else user_id
        if contact_user is not None:
            contact["user_id"] = int(contact_user)
        return self._push_message(user, self._chat(user), {"contact": contact})

    def send_location(
        self,
        user: FakeUser,
        latitude: float,
        longitude: float,
        *,
        live_period: int | None = None,
    ) -> UserMessage:
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        if live_period is not None:
            location["live_period"] = live_period
        return self._push_message(user, self._chat(user), {"location": location})

    def _send_file(
        self,
        user: FakeUser,
        kind: str,
        data: bytes,
        caption: str | None,
        caption_entities: list[dict[str, Any]] | None,
        chat: ChatRef | None,
        **file_options: Any,
    ) -> UserMessage:
        target = self._chat(chat if chat is not None else user)
        with self._state.cond:
            stored = self._state.store_file(kind, data, **file_options)
        fields: dict[str, Any] = {kind: stored.media_value()}
        if caption:
            fields["caption"] = caption
            if caption_entities:
                fields["caption_entities"] = caption_entities
        return self._push_message(user, target, fields, caption=caption, media=stored)

    def send_photo(
        self,
        user: FakeUser,
        data: bytes,
        caption: str | None = None,
        caption_entities: list[dict[str, Any]] | None = None,
        *,
        chat: ChatRef | None = None,
    ) -> UserMessage:
        """The user sends a photo (stored, so the bot can getFile or copy_message it)."""
        return self._send_file(user, "photo", data, caption, caption_entities, chat)

    def send_document(
        self,
        user: FakeUser,
        data: bytes,
        filename: str = "file.bin",
        caption: str | None = None,
        *,
        mime_type: str | None = None,
        caption_entities: list[dict[str, Any]] | None = None,
        chat: ChatRef | None = None,
    ) -> UserMessage:
        return self._send_file(
            user,
            "document",
            data,
            caption,
            caption_entities,
            chat,
            filename=filename,
            mime_type=mime_type,
        )

    def send_update(self, kind: str, body: dict[str, Any]) -> int:
        """Queue an arbitrary update (e.g. a forged one); returns its update_id."""
        return self._state.push_update(kind, body)

    def press_button(
        self,
        user: FakeUser,
        message: SentMessage,
        text: str | None = None,
        data: str | None = None,
    ) -> str:
        """Press an inline button (by label or callback data); returns the callback query id."""
        with self._state.cond:
            if message.deleted:
                raise AssertionError(f"message {message.message_id} was deleted; can't press it")
            if data is None:
                if text is None:
                    raise ValueError("press_button needs text= or data=")
                data = message.callback_data(text)
            elif data not in {b.get("callback_data") for b in message.inline_buttons()}:
                raise AssertionError(
                    f"message {message.message_id} has no button with callback_data {data!r}; "
                    f"buttons: {message.inline_buttons()!r}"
                )
            return self._push_callback(user, message.chat_id, message.message_id, data)

    def press_callback(
        self,
        user: FakeUser,
        *,
        message_id: int,
        data: str,
        chat: ChatRef | None = None,
    ) -> str:
        """Send a callback query with arbitrary (possibly forged) data; returns the query id."""
        target = self._chat(chat if chat is not None else user)
        return self._push_callback(user, target.id, message_id, data)

    def _push_callback(self, user: FakeUser, chat_id: int, message_id: int, data: str) -> str:
        state = self._state
        with state.cond:
            chat = state.chats[chat_id]
            state.register_user(user)
            stored = chat.by_id.get(message_id)
            if stored is not None and not stored.deleted:
                message_payload = stored.payload
            else:
                # Telegram's InaccessibleMessage: date 0 marks it.
                message_payload = {"chat": chat.to_dict(), "message_id": message_id, "date": 0}
            query_id = state.new_query_id()
            state.queries[query_id] = PendingQuery(
                query_id=query_id,
                user_id=user.id,
                chat_id=chat_id,
                message_id=message_id,
                data=data,
            )
            body = {
                "id": query_id,
                "from": user.to_dict(),
                "message": message_payload,
                "chat_instance": str(abs(chat_id * 7_919 + state.bot_id)),
                "data": data,
            }
            state.push_update("callback_query", body)
            return query_id

    # -- inspection -----------------------------------------------------------------------

    def messages(self, ref: ChatRef, *, include_deleted: bool = True) -> list[SentMessage]:
        """Messages the bot sent to the chat, in order (live objects: edits show up)."""
        chat = self._chat(ref)
        with self._state.cond:
            if include_deleted:
                return list(chat.messages)
            return [message for message in chat.messages if not message.deleted]

    def last_message(self, ref: ChatRef) -> SentMessage | None:
        chat = self._chat(ref)
        with self._state.cond:
            return chat.messages[-1] if chat.messages else None

    def message(self, ref: ChatRef, message_id: int) -> SentMessage:
        return self._message_of(SentMessage, "bot", ref, message_id)

    def user_message(self, ref: ChatRef, message_id: int) -> UserMessage:
        return self._message_of(UserMessage, "user", ref, message_id)

    def _message_of(self, kind: type[T], author: str, ref: ChatRef, message_id: int) -> T:
        chat = self._chat(ref)
        with self._state.cond:
            found = chat.by_id.get(message_id)
        if not isinstance(found, kind):
            raise AssertionError(f"no {author} message {message_id} in chat {chat.id}")
        return found

    @property
    def calls(self) -> list[ApiCall]:
        with self._state.cond:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls of one method (case-insensitive)."""
        name = method.lower()
        with self._state.cond:
            return [call for call in self._state.calls if call.method.lower() == name]

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        with self._state.cond:
            return list(self._state.callback_answers)

    def answer_for(self, query_id: str) -> CallbackAnswer | None:
        with self._state.cond:
            for answer in self._state.callback_answers:
                if answer.query_id == query_id:
                    return answer
        return None

    @property
    def commands(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        """setMyCommands records keyed by (scope JSON or "default", language code or "")."""
        with self._state.cond:
            return {key: list(value) for key, value in self._state.commands.items()}

    @property
    def faults(self) -> Faults:
        return self._state.faults

    def rate_limit(
        self, global_per_second: float | None = None, per_chat_per_second: float | None = None
    ) -> None:
        """Telegram-like flood control on sending methods; None for both disables it."""
        self._state.limiter.configure(global_per_second, per_chat_per_second)

    @property
    def flood_429_count(self) -> int:
        return self._state.limiter.refused

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot (via a later getUpdates offset)."""
        with self._state.cond:
            return list(self._state.updates)

    @property
    def polling(self) -> bool:
        """True while a getUpdates long poll is waiting (the bot is up and idle)."""
        with self._state.cond:
            return self._state.pollers_waiting > 0

    @property
    def server_errors(self) -> list[str]:
        """Tracebacks of bugs inside the fake server itself (should stay empty)."""
        return list(self._server.server_errors)

    def file_bytes(self, file_id: str) -> bytes:
        with self._state.cond:
            stored = self._state.files.get(file_id)
        if stored is None:
            raise AssertionError(f"unknown file id {file_id!r}")
        return stored.data

    # -- waiting --------------------------------------------------------------------------

    def wait_until(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 10.0,
        message: str | Callable[[], str] | None = None,
    ) -> T:
        """Wait until predicate() is truthy (re-checked on every server change); return it."""
        deadline = time.monotonic() + timeout
        cond = self._state.cond
        with cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    text = message() if callable(message) else message
                    raise AssertionError(text or f"condition not met within {timeout}s")
                cond.wait(min(remaining, 0.5))

    def wait_for_polling(self, timeout: float = 10.0) -> None:
        """Wait until the bot is long-polling (started, pending updates handled or dropped)."""
        self.wait_until(
            lambda: self._state.pollers_waiting > 0,
            timeout,
            lambda: (
                f"the bot did not start long polling within {timeout}s; "
                f"calls: {[call.method for call in self._state.calls[-10:]]}"
            ),
        )

    def wait_for_message(
        self,
        ref: ChatRef,
        contains: str | None = None,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 10.0,
        since: int | SentMessage | None = None,
    ) -> SentMessage:
        """The first new bot message in the chat matching contains/predicate.

        "New" means after `since` (a message count or a message) or, by default, after the
        last message an earlier wait returned for this chat (a per-chat cursor that only moves
        forward), so sequential waits read the chat in order. `contains` is matched against
        the plain text/caption and the raw text.
        """
        chat = self._chat(ref)
        with self._state.cond:
            start = self._start_index(chat, since)
            found: list[SentMessage] = []

            def check() -> bool:
                for index in range(start, len(chat.messages)):
                    candidate = chat.messages[index]
                    if self._matches(candidate, contains, predicate):
                        # An explicit `since` looking back never rewinds the cursor.
                        chat.cursor = max(chat.cursor, index + 1)
                        found.append(candidate)
                        return True
                return False

            self.wait_until(
                check,
                timeout,
                lambda: self._describe_failure(chat, start, contains, predicate, timeout),
            )
            return found[0]

    wait_until_async = _in_thread(wait_until)
    wait_for_message_async = _in_thread(wait_for_message)

    def wait_for_edit(
        self,
        ref: ChatRef,
        message: SentMessage | int,
        contains: str | None = None,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 10.0,
        edits: int = 1,
    ) -> SentMessage:
        """Wait until a bot message has at least `edits` edits and matches contains/predicate."""
        chat = self._chat(ref)
        message_id = message if isinstance(message, int) else message.message_id

        def check() -> SentMessage | None:
            current = chat.by_id.get(message_id)
            if (
                isinstance(current, SentMessage)
                and len(current.edits) >= edits
                and self._matches(current, contains, predicate)
            ):
                return current
            return None

        def failure() -> str:
            current = chat.by_id.get(message_id)
            state = current.describe() if isinstance(current, SentMessage) else "missing"
            return (
                f"message {message_id} in chat {chat.id} was not edited to match "
                f"contains={contains!r} (edits >= {edits}) within {timeout}s; now: {state}"
                + self._recent_errors(chat.id)
            )

        return self.wait_until(check, timeout, failure)

    def wait_for_answer(self, query_id: str, timeout: float = 10.0) -> CallbackAnswer:
        """Wait until the bot answered the callback query."""
        return self.wait_until(
            lambda: self.answer_for(query_id),
            timeout,
            f"callback query {query_id} was not answered within {timeout}s",
        )

    def mark_read(self, ref: ChatRef) -> None:
        """Move the chat's wait cursor past every message sent so far."""
        chat = self._chat(ref)
        with self._state.cond:
            chat.cursor = len(chat.messages)

    @staticmethod
    def _start_index(chat: ChatState, since: int | SentMessage | None) -> int:
        if since is None:
            return chat.cursor
        if isinstance(since, int):
            return since
        for index, candidate in enumerate(chat.messages):
            if candidate is since or candidate.message_id == since.message_id:
                return index + 1
        return len(chat.messages)

    @staticmethod
    def _matches(
        message: SentMessage,
        contains: str | None,
        predicate: Callable[[SentMessage], bool] | None,
    ) -> bool:
        if contains is not None:
            raw = message.text if message.text is not None else message.caption or ""
            if contains not in message.content and contains not in raw:
                return False
        return predicate is None or bool(predicate(message))

    def _describe_failure(
        self,
        chat: ChatState,
        start: int,
        contains: str | None,
        predicate: Callable[[SentMessage], bool] | None,
        timeout: float,
    ) -> str:
        lines = [
            f"no bot message in chat {chat.id} matching contains={contains!r}"
            f"{' and a predicate' if predicate else ''} within {timeout}s "
            f"(looking from message index {start} of {len(chat.messages)})."
        ]
        recent = chat.messages[-10:]
        if recent:
            lines.append("Recent bot messages in this chat:")
            lines.extend(f"  {message.describe()}" for message in recent)
        else:
            lines.append("The bot has sent nothing to this chat.")
        return "\n".join(lines) + self._recent_errors(chat.id)

    def _recent_errors(self, chat_id: int) -> str:
        failed = [
            call
            for call in self._state.calls[-200:]
            if call.status not in (0, 200) and call.chat_id in (chat_id, None)
        ][-5:]
        text = ""
        if failed:
            text += "\nRecent failed API calls:\n" + "\n".join(
                f"  {call.method} -> {call.status} {call.description}" for call in failed
            )
        if self._server.server_errors:
            text += "\nFake server errors:\n" + self._server.server_errors[-1]
        return text
