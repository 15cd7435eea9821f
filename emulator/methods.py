"""Bot API method implementations of the fake server (synchronous, called under the state lock)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from . import checks
from .checks import CAPTION_LIMIT, NOT_MODIFIED, TEXT_LIMIT
from .models import CallbackAnswer, SentMessage, StoredFile, UserMessage
from .params import ApiError, Params, UploadedPart, bad_request
from .state import ChatState, TelegramState, image_size
from .webhook import SECRET_TOKEN

__all__ = ["MEDIA_KINDS", "SEND_METHODS", "BotApi"]

DOWNLOAD_LIMIT = 20 * 1024 * 1024
MEDIA_KINDS = ("photo", "document", "video", "audio", "animation", "voice", "sticker", "video_note")
# Methods subject to flood control: they put a new message into a chat.
SEND_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendaudio",
        "sendanimation",
        "sendvoice",
        "sendsticker",
        "sendvideonote",
        "sendmediagroup",
        "sendlocation",
        "sendvenue",
        "sendcontact",
        "copymessage",
        "copymessages",
        "forwardmessage",
        "forwardmessages",
    }
)
# What an edit must change (or the keyboard must) for Telegram to accept it.
_SHOWN = ("plain", "entities", "caption_plain", "caption_entities")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_send_welcome_messages": False,
    "can_pin_messages": True,
}

Handler = Callable[[Params], Any]


def _blocked_description(chat: ChatState) -> str:
    if chat.is_private:
        return "Forbidden: bot was blocked by the user"
    return f"Forbidden: bot was kicked from the {chat.type} chat"


class BotApi:
    """Implements Bot API methods over a TelegramState; handlers raise ApiError on failure."""

    def __init__(self, state: TelegramState) -> None:
        self.state = state
        handlers: dict[str, Handler] = {
            "getMe": lambda p: state.me(),
            "logOut": lambda p: True,
            "close": lambda p: True,
            "getUpdates": self.get_updates_now,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendPhoto": lambda p: self.send_media(p, "photo"),
            "sendDocument": lambda p: self.send_media(p, "document"),
            "sendVideo": lambda p: self.send_media(p, "video"),
            "sendAudio": lambda p: self.send_media(p, "audio"),
            "sendAnimation": lambda p: self.send_media(p, "animation"),
            "sendVoice": lambda p: self.send_media(p, "voice"),
            "sendSticker": lambda p: self.send_media(p, "sticker"),
            "sendVideoNote": lambda p: self.send_media(p, "video_note"),
            "sendMediaGroup": self.send_media_group,
            "sendLocation": self.send_location,
            "sendVenue": self.send_venue,
            "sendContact": self.send_contact,
            "sendChatAction": self.send_chat_action,
            "copyMessage": self.copy_message,
            "copyMessages": lambda p: self.copy_messages(p, forward=False),
            "forwardMessage": self.forward_message,
            "forwardMessages": lambda p: self.copy_messages(p, forward=True),
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "answerInlineQuery": lambda p: True,
            "getFile": self.get_file,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setMyDescription": lambda p: self._set_text(p, self.state.descriptions, "description"),
            "getMyDescription": lambda p: {
                "description": self.state.descriptions.get(p.get_str("language_code") or "", "")
            },
            "setMyShortDescription": lambda p: self._set_text(
                p, self.state.short_descriptions, "short_description"
            ),
            "getMyShortDescription": lambda p: {
                "short_description": self.state.short_descriptions.get(
                    p.get_str("language_code") or "", ""
                )
            },
            "setMyName": lambda p: self._set_text(p, self.state.names, "name"),
            "getMyName": lambda p: {
                "name": self.state.names.get(p.get_str("language_code") or "", state.bot_name)
            },
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "setMyDefaultAdministratorRights": lambda p: True,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "getChatMemberCount": self.get_chat_member_count,
            "getUserProfilePhotos": lambda p: {"total_count": 0, "photos": []},
            "leaveChat": lambda p: self._known_chat(p) is not None,
            "pinChatMessage": self.pin_chat_message,
            "unpinChatMessage": lambda p: self._known_chat(p) is not None,
            "unpinAllChatMessages": lambda p: self._known_chat(p) is not None,
            "setMessageReaction": self.set_message_reaction,
            "banChatMember": lambda p: self._known_chat(p) is not None,
            "unbanChatMember": lambda p: self._known_chat(p) is not None,
            "restrictChatMember": lambda p: self._known_chat(p) is not None,
            "promoteChatMember": lambda p: self._known_chat(p) is not None,
            "exportChatInviteLink": lambda p: self._invite_link(p)["invite_link"],
            "createChatInviteLink": self._invite_link,
        }
        self.canonical: dict[str, str] = {name.lower(): name for name in handlers}
        self.handlers: dict[str, Handler] = {
            name.lower(): handler for name, handler in handlers.items()
        }

    # -- shared helpers -------------------------------------------------------------------

    def _known_chat(self, p: Params, key: str = "chat_id") -> ChatState:
        chat = self.state.find_chat(p.chat_id(key))
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _writable_chat(self, p: Params, key: str = "chat_id") -> ChatState:
        chat = self._known_chat(p, key)
        if chat.blocked is not None:
            raise ApiError(403, chat.blocked)
        return chat

    def _format(
        self,
        text: str,
        parse_mode: str | None,
        entities: Any,
        *,
        limit: int,
        too_long: str,
    ) -> tuple[str, list[dict[str, Any]]]:
        return checks.format_text(text, parse_mode, entities, limit=limit, too_long=too_long)

    def _caption(self, p: Params) -> dict[str, Any]:
        """The caption fields of a SentMessage (raw, plain, entities, parse_mode) of a request."""
        caption, plain, entities, parse_mode = checks.caption(p)
        return {
            "caption": caption,
            "caption_plain": plain,
            "caption_entities": entities,
            "parse_mode": parse_mode,
        }

    def _text(self, p: Params, *, too_long: str) -> dict[str, Any]:
        """The text fields of a SentMessage (raw, plain, parse_mode, entities) of a request."""
        text = p.get_str("text")
        if not text:
            raise bad_request("message text is empty")
        parse_mode = p.get_str("parse_mode")
        plain, entities = self._format(
            text, parse_mode, p.get_json("entities"), limit=TEXT_LIMIT, too_long=too_long
        )
        if not plain.strip():
            raise bad_request("message text is empty")
        return {"text": text, "plain": plain, "parse_mode": parse_mode, "entities": entities}

    def _reply_markup(self, p: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        return checks.reply_markup(p, inline_only=inline_only)

    def _reply_to(self, chat: ChatState, p: Params) -> int | None:
        reply = p.get_json("reply_parameters")
        message_id: int | None
        allow_missing = p.get_bool("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        else:
            message_id = p.get_int("reply_to_message_id")
        if message_id is None:
            return None
        target = chat.by_id.get(int(message_id))
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return int(message_id)

    def _new_message(self, chat: ChatState, method: str, p: Params, **fields: Any) -> SentMessage:
        """A message the bot sends, numbered in its chat; `fields` are SentMessage attributes."""
        return SentMessage(
            message_id=chat.alloc_message_id(),
            chat_id=chat.id,
            method=method,
            date=self.state.now(),
            params=p.values,
            **fields,
        )

    def _send(self, chat: ChatState, method: str, p: Params, **fields: Any) -> dict[str, Any]:
        return self._store(chat, self._new_message(chat, method, p, **fields))

    def _send_with_keyboard(
        self, chat: ChatState, method: str, p: Params, **fields: Any
    ) -> dict[str, Any]:
        """A message that may carry any keyboard and answer another message, as most do."""
        markup = self._reply_markup(p)
        reply_to = self._reply_to(chat, p)
        return self._send(
            chat, method, p, reply_markup=markup, reply_to_message_id=reply_to, **fields
        )

    def _store(self, chat: ChatState, message: SentMessage) -> dict[str, Any]:
        chat.messages.append(message)
        chat.by_id[message.message_id] = message
        message.payload = self.state.message_payload(chat, message)
        self.state.cond.notify_all()
        return message.payload

    def _input_file(self, p: Params, key: str, kind: str) -> StoredFile:
        value = p.upload(key)
        if value is None:
            raise bad_request(f"there is no {kind} in the request")
        return self._resolve_file(value, kind)

    def _resolve_file(self, value: UploadedPart | str, kind: str) -> StoredFile:
        if isinstance(value, UploadedPart):
            if not value.data:
                raise bad_request("file must be non-empty")
            if kind == "photo" and image_size(value.data) is None:
                # Telegram decodes photos; non-image bytes are refused.
                raise bad_request("IMAGE_PROCESS_FAILED")
            return self.state.store_file(
                kind, value.data, filename=value.filename, mime_type=value.content_type
            )
        existing = self.state.files.get(value)
        if existing is not None:
            return existing
        if value.startswith(("http://", "https://")):
            filename = value.rsplit("/", 1)[-1].split("?", 1)[0] or None
            return self.state.store_file(kind, b"", filename=filename, url=value)
        raise bad_request("wrong file identifier/HTTP URL specified")

    # -- updates and webhook --------------------------------------------------------------

    def get_updates_now(self, p: Params) -> list[dict[str, Any]]:
        """The non-waiting part of getUpdates; the server adds long polling around it."""
        if self.state.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        limit = p.get_int("limit", 100) or 100
        limit = min(max(limit, 1), 100)
        allowed = p.get_json("allowed_updates")
        allowed_list = [str(item) for item in allowed] if isinstance(allowed, list) else None
        return self.state.take_updates(p.get_int("offset"), limit, allowed_list)

    def set_webhook(self, p: Params) -> bool:
        url = p.get_str("url") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get_str("secret_token") or ""
        if secret and not SECRET_TOKEN.match(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = p.get_json("allowed_updates")
        if isinstance(allowed, list):
            self.state.allowed_updates = frozenset(str(item) for item in allowed) or None
        self.state.webhook_url = url
        self.state.webhook_secret = secret if url else ""
        if p.get_bool("drop_pending_updates"):
            self.state.drop_pending_updates()
        if url and self.state.on_update is not None:
            self.state.on_update()  # start posting what is queued
        return True

    def delete_webhook(self, p: Params) -> bool:
        self.state.webhook_url = ""
        self.state.webhook_secret = ""
        if p.get_bool("drop_pending_updates"):
            self.state.drop_pending_updates()
        return True

    def get_webhook_info(self, p: Params) -> dict[str, Any]:
        return {
            "url": self.state.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.state.updates),
            **(
                {"last_error_message": self.state.webhook_last_error}
                if self.state.webhook_last_error
                else {}
            ),
        }

    # -- sending --------------------------------------------------------------------------

    def send_message(self, p: Params) -> dict[str, Any]:
        chat = self._writable_chat(p)
        text = self._text(p, too_long="message is too long")
        return self._send_with_keyboard(chat, "sendMessage", p, **text)

    def send_media(self, p: Params, kind: str) -> dict[str, Any]:
        chat = self._writable_chat(p)
        caption = self._caption(p)
        markup = self._reply_markup(p)
        reply_to = self._reply_to(chat, p)
        stored = self._input_file(p, kind, kind)
        method = "send" + "".join(part.title() for part in kind.split("_"))
        return self._send(
            chat,
            method,
            p,
            media_type=kind,
            file=stored,
            reply_markup=markup,
            reply_to_message_id=reply_to,
            **caption,
        )

    def send_media_group(self, p: Params) -> list[dict[str, Any]]:
        chat = self._writable_chat(p)
        media = p.get_json("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("media must include 2-10 items")
        prepared: list[dict[str, Any]] = []  # SentMessage fields of each item
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in MEDIA_KINDS:
                raise bad_request("can't parse InputMedia JSON object")
            kind = str(item["type"])
            raw = item.get("media")
            if not isinstance(raw, str):
                raise bad_request("there is no media in the request")
            source: UploadedPart | str = raw
            if raw.startswith("attach://"):
                part = p.files.get(raw.removeprefix("attach://"))
                if part is None:
                    raise bad_request(f'file "{raw}" must be uploaded as a multipart part')
                source = part
            caption = item.get("caption")
            plain: str | None = None
            entities: list[dict[str, Any]] = []
            if caption:
                plain, entities = self._format(
                    str(caption),
                    item.get("parse_mode"),
                    item.get("caption_entities"),
                    limit=CAPTION_LIMIT,
                    too_long="message caption is too long",
                )
            prepared.append(
                {
                    "media_type": kind,
                    "file": self._resolve_file(source, kind),
                    "caption": caption,
                    "caption_plain": plain,
                    "caption_entities": entities,
                }
            )
        group_id = self.state.new_media_group_id()
        return [
            self._send(chat, "sendMediaGroup", p, media_group_id=group_id, **fields)
            for fields in prepared
        ]

    def _location(self, p: Params) -> dict[str, Any]:
        latitude = p.get_float("latitude")
        longitude = p.get_float("longitude")
        if latitude is None or longitude is None:
            raise bad_request("wrong location specified")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("wrong location specified")
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
            value = p.get(key)
            if value is not None:
                location[key] = value
        return location

    def send_location(self, p: Params) -> dict[str, Any]:
        chat = self._writable_chat(p)
        return self._send_with_keyboard(chat, "sendLocation", p, location=self._location(p))

    def send_venue(self, p: Params) -> dict[str, Any]:
        chat = self._writable_chat(p)
        location = self._location(p)
        title = p.get_str("title")
        address = p.get_str("address")
        if not title or not address:
            raise bad_request("venue title and address must be non-empty")
        venue: dict[str, Any] = {"location": location, "title": title, "address": address}
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            value = p.get_str(key)
            if value:
                venue[key] = value
        return self._send_with_keyboard(chat, "sendVenue", p, venue=venue, location=location)

    def send_contact(self, p: Params) -> dict[str, Any]:
        chat = self._writable_chat(p)
        phone = p.get_str("phone_number")
        first_name = p.get_str("first_name")
        if not phone:
            raise bad_request("phone number is empty")
        if not first_name:
            raise bad_request("first name is empty")
        contact: dict[str, Any] = {"phone_number": phone, "first_name": first_name}
        for key in ("last_name", "vcard"):
            value = p.get_str(key)
            if value:
                contact[key] = value
        return self._send_with_keyboard(chat, "sendContact", p, contact=contact)

    def send_chat_action(self, p: Params) -> bool:
        self._writable_chat(p)
        if not p.get_str("action"):
            raise bad_request("wrong parameter action in request")
        return True

    # -- copy and forward -----------------------------------------------------------------

    def _source_message(
        self, p: Params, message_id: int | None, missing: str
    ) -> SentMessage | UserMessage:
        source_chat = self._known_chat(p, "from_chat_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        source = source_chat.by_id.get(message_id)
        if source is None or source.deleted:
            raise bad_request(missing)
        return source

    def _clone(
        self,
        target: ChatState,
        source: SentMessage | UserMessage,
        from_chat_id: int,
        p: Params,
        *,
        forward: bool,
        use_params: bool,
    ) -> SentMessage:
        method = "forwardMessage" if forward else "copyMessage"
        message = self._new_message(target, method, p)
        if forward:
            message.forward_of = (from_chat_id, source.message_id)
        else:
            message.copy_of = (from_chat_id, source.message_id)
        if isinstance(source, SentMessage):
            message.plain = source.plain
            message.text = source.plain
            message.entities = list(source.entities)
            message.caption = source.caption_plain
            message.caption_plain = source.caption_plain
            message.caption_entities = list(source.caption_entities)
            message.media_type = source.media_type
            message.file = source.file
            message.location = source.location
            message.venue = source.venue
            message.contact = source.contact
        else:
            payload = source.payload
            if source.text is not None:
                message.plain = message.text = source.text
                message.entities = list(payload.get("entities", []))
            message.caption = message.caption_plain = source.caption
            message.caption_entities = list(payload.get("caption_entities", []))
            message.media_type = source.media_type
            message.file = source.file
            message.location = payload.get("location")
            message.venue = payload.get("venue")
            message.contact = payload.get("contact")
        if use_params and not forward:
            if "caption" in p and message.file is not None:
                for name, value in self._caption(p).items():
                    setattr(message, name, value)
            message.reply_markup = self._reply_markup(p)
            message.reply_to_message_id = self._reply_to(target, p)
        return message

    def copy_message(self, p: Params) -> dict[str, Any]:
        target = self._writable_chat(p)
        source = self._source_message(p, p.get_int("message_id"), "message to copy not found")
        if (
            isinstance(source, SentMessage)
            and source.plain is None
            and source.file is None
            and source.location is None
            and source.contact is None
        ):
            raise bad_request("message can't be copied")
        from_chat_id = self._known_chat(p, "from_chat_id").id
        message = self._clone(target, source, from_chat_id, p, forward=False, use_params=True)
        self._store(target, message)
        return {"message_id": message.message_id}

    def forward_message(self, p: Params) -> dict[str, Any]:
        target = self._writable_chat(p)
        source = self._source_message(p, p.get_int("message_id"), "message to forward not found")
        from_chat_id = self._known_chat(p, "from_chat_id").id
        message = self._clone(target, source, from_chat_id, p, forward=True, use_params=False)
        return self._store(target, message)

    def copy_messages(self, p: Params, *, forward: bool) -> list[dict[str, Any]]:
        target = self._writable_chat(p)
        source_chat = self._known_chat(p, "from_chat_id")
        ids = p.get_json("message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message_ids must be non-empty")
        result = []
        for raw_id in ids:
            source = source_chat.by_id.get(int(raw_id))
            if source is None or source.deleted:
                continue  # Telegram skips messages that can't be found
            message = self._clone(
                target, source, source_chat.id, p, forward=forward, use_params=False
            )
            self._store(target, message)
            result.append({"message_id": message.message_id})
        if not result:
            raise bad_request(
                "messages to copy not found" if not forward else "messages to forward not found"
            )
        return result

    # -- editing --------------------------------------------------------------------------

    def _editable(self, p: Params) -> tuple[ChatState, SentMessage] | None:
        if p.get_str("inline_message_id"):
            return None
        chat = self._writable_chat(p)
        message_id = p.get_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.by_id.get(message_id)
        if not isinstance(message, SentMessage) or message.deleted:
            raise bad_request("message to edit not found")
        return chat, message

    def _edit(
        self,
        target: tuple[ChatState, SentMessage] | None,
        p: Params,
        *,
        needs: str | None = None,
        missing: str = "",
        **fields: Any,
    ) -> Any:
        """Keep the old version and set `fields` (SentMessage attributes) and the keyboard.
        A message without the `needs` attribute is refused with `missing`, and so is an edit
        that shows the same as before, as Telegram does."""
        markup = self._reply_markup(p, inline_only=True)
        if target is None:
            return True
        chat, message = target
        if needs is not None and getattr(message, needs) is None:
            raise bad_request(missing)
        # Without reply_markup Telegram removes the inline keyboard, so None is a change too.
        if markup == self._inline(message.reply_markup) and all(
            (getattr(message, name) or None) == (fields[name] or None)
            for name in _SHOWN
            if name in fields
        ):
            raise bad_request(NOT_MODIFIED)
        message.edits.append(message.snapshot())
        for name, value in fields.items():
            setattr(message, name, value)
        message.reply_markup = markup
        message.edit_date = self.state.now()
        message.payload = self.state.message_payload(chat, message)
        self.state.cond.notify_all()
        return message.payload

    @staticmethod
    def _inline(markup: dict[str, Any] | None) -> dict[str, Any] | None:
        if markup is not None and "inline_keyboard" in markup:
            return markup
        return None

    def edit_message_text(self, p: Params) -> Any:
        target = self._editable(p)
        text = self._text(p, too_long="MESSAGE_TOO_LONG")
        return self._edit(
            target, p, needs="plain", missing="there is no text in the message to edit", **text
        )

    def edit_message_caption(self, p: Params) -> Any:
        target = self._editable(p)
        caption = self._caption(p)
        return self._edit(
            target, p, needs="file", missing="there is no caption in the message to edit", **caption
        )

    def edit_message_reply_markup(self, p: Params) -> Any:
        return self._edit(self._editable(p), p)

    def delete_message(self, p: Params) -> bool:
        chat = self._known_chat(p)
        message_id = p.get_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.by_id.get(message_id)
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        self.state.cond.notify_all()
        return True

    def delete_messages(self, p: Params) -> bool:
        chat = self._known_chat(p)
        ids = p.get_json("message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message_ids must be non-empty")
        for raw_id in ids:
            message = chat.by_id.get(int(raw_id))
            if message is not None:
                message.deleted = True
        self.state.cond.notify_all()
        return True

    # -- callbacks and files --------------------------------------------------------------

    def answer_callback_query(self, p: Params) -> bool:
        query_id = p.get_str("callback_query_id") or ""
        query = self.state.queries.get(query_id)
        if query is None or query.answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = p.get_str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.state.callback_answers.append(
            CallbackAnswer(
                query_id=query_id,
                text=text,
                show_alert=p.get_bool("show_alert"),
                url=p.get_str("url"),
                time=time.monotonic(),
            )
        )
        self.state.cond.notify_all()
        return True

    def get_file(self, p: Params) -> dict[str, Any]:
        stored = self.state.files.get(p.get_str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > DOWNLOAD_LIMIT:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    # -- commands and bot settings --------------------------------------------------------

    @staticmethod
    def _scope_key(p: Params) -> tuple[str, str]:
        scope = p.get_json("scope")
        if not scope or (isinstance(scope, dict) and scope.get("type") == "default"):
            key = "default"
        else:
            key = json.dumps(scope, sort_keys=True, ensure_ascii=False)
        return key, p.get_str("language_code") or ""

    def set_my_commands(self, p: Params) -> bool:
        commands = p.get_json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        parsed: list[tuple[str, str]] = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand JSON object")
            command = str(item.get("command", ""))
            description = str(item.get("description", ""))
            if not _COMMAND_RE.match(command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            parsed.append((command, description))
        self.state.commands[self._scope_key(p)] = parsed
        return True

    def get_my_commands(self, p: Params) -> list[dict[str, str]]:
        commands = self.state.commands.get(self._scope_key(p), [])
        return [{"command": command, "description": text} for command, text in commands]

    def delete_my_commands(self, p: Params) -> bool:
        self.state.commands.pop(self._scope_key(p), None)
        return True

    @staticmethod
    def _set_text(p: Params, store: dict[str, str], key: str) -> bool:
        value = p.get_str(key) or ""
        language = p.get_str("language_code") or ""
        if value:
            store[language] = value
        else:
            store.pop(language, None)
        return True

    def set_chat_menu_button(self, p: Params) -> bool:
        chat_id = p.get_int("chat_id") if "chat_id" in p else None
        button = p.get_json("menu_button") or {"type": "default"}
        if not isinstance(button, dict):
            raise bad_request("can't parse menu button JSON object")
        self.state.menu_buttons[chat_id] = button
        return True

    def get_chat_menu_button(self, p: Params) -> dict[str, Any]:
        chat_id = p.get_int("chat_id") if "chat_id" in p else None
        button = self.state.menu_buttons.get(chat_id) or self.state.menu_buttons.get(None)
        return button or {"type": "commands"}

    # -- chats ----------------------------------------------------------------------------

    def get_chat(self, p: Params) -> dict[str, Any]:
        chat = self._known_chat(p)
        return {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _member(self, chat: ChatState, user_id: int) -> dict[str, Any]:
        if user_id == self.state.bot_id:
            if chat.is_private:
                return {"status": "member", "user": self.state.bot_user()}
            return {"status": "administrator", "user": self.state.bot_user(), **_ADMIN_RIGHTS}
        user = self.state.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if user_id in chat.admins:
            return {"status": "administrator", "user": user.to_dict(), **_ADMIN_RIGHTS}
        if user_id in chat.members:
            return {"status": "member", "user": user.to_dict()}
        return {"status": "left", "user": user.to_dict()}

    def get_chat_member(self, p: Params) -> dict[str, Any]:
        chat = self._known_chat(p)
        user_id = p.get_int("user_id")
        if user_id is None:
            raise bad_request("user_id is empty")
        return self._member(chat, user_id)

    def get_chat_administrators(self, p: Params) -> list[dict[str, Any]]:
        chat = self._known_chat(p)
        if chat.is_private:
            raise bad_request("there are no administrators in the private chat")
        return [self._member(chat, user_id) for user_id in sorted(chat.admins)]

    def get_chat_member_count(self, p: Params) -> int:
        chat = self._known_chat(p)
        return len(chat.members) + 1

    def pin_chat_message(self, p: Params) -> bool:
        chat = self._writable_chat(p)
        message_id = p.get_int("message_id")
        if message_id is None or message_id not in chat.by_id:
            raise bad_request("message to pin not found")
        chat.pinned.append(message_id)
        return True

    def set_message_reaction(self, p: Params) -> bool:
        chat = self._known_chat(p)
        message_id = p.get_int("message_id")
        if message_id is None or message_id not in chat.by_id:
            raise bad_request("message to react not found")
        return True

    def _invite_link(self, p: Params) -> dict[str, Any]:
        chat = self._known_chat(p)
        return {
            "invite_link": f"https://t.me/+fake{abs(chat.id)}",
            "creator": self.state.bot_user(),
            "creates_join_request": False,
            "is_primary": True,
            "is_revoked": False,
        }
