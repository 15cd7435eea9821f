"""What the delivery engine can send, and how a content is stored in an outbox row."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal

from aiogram.types import InlineKeyboardMarkup

from db.outbox import Kind, OutboxMessage


class Priority(IntEnum):
    """Lower goes first: a person's own notice never waits behind a broadcast."""

    PERSONAL = 0
    REMINDER = 5
    BULK = 10


@dataclass(frozen=True)
class TextContent:
    """An HTML text message (the bot's default parse mode), with optional buttons."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class DocumentContent:
    """A file from bytes: uploaded once, then re-sent by Telegram's file id."""

    data: bytes
    filename: str
    caption: str | None = None
    as_photo: bool = False
    reply_markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class CopyContent:
    """A copy of an existing message (an organizer's announcement, kept as they wrote it)."""

    from_chat_id: int
    message_id: int
    reply_markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class LocationContent:
    """A map pin; a venue card when a title or an address is given."""

    latitude: float
    longitude: float
    title: str | None = None
    address: str | None = None


SeatPart = Literal["ticket", "calendar"]


@dataclass(frozen=True)
class SeatFileContent:
    """A confirmed seat's ticket or calendar file, drawn only when it is sent: it then carries
    the event's details and the holder's name as they are at that moment, and nothing is
    drawn while a transaction holds the single writer."""

    registration_id: int
    part: SeatPart


# Draws a seat's file (`bot.services.seat_files`); None when the registration no longer holds
# a confirmed seat, and then nothing is sent.
SeatFileDrawer = Callable[[SeatFileContent], Awaitable[DocumentContent | None]]

Content = TextContent | DocumentContent | CopyContent | LocationContent | SeatFileContent


@dataclass(frozen=True, slots=True)
class StoredContent:
    """A content as outbox columns: kind, JSON payload, attachment bytes."""

    kind: Kind
    payload: str
    attachment: bytes | None = None


def encode(content: Content) -> StoredContent:
    """The outbox columns for a content; raises ValueError for one Telegram would refuse."""
    if isinstance(content, TextContent):
        if not content.text.strip():
            raise ValueError("a text message needs text")
        return StoredContent("text", _dump({"text": content.text}, content.reply_markup))
    if isinstance(content, DocumentContent):
        if not content.data:
            raise ValueError("a document needs bytes")
        fields: dict[str, Any] = {"filename": content.filename, "caption": content.caption}
        kind: Kind = "photo" if content.as_photo else "document"
        return StoredContent(kind, _dump(fields, content.reply_markup), content.data)
    if isinstance(content, CopyContent):
        source = {"from_chat_id": content.from_chat_id, "message_id": content.message_id}
        return StoredContent("copy", _dump(source, content.reply_markup))
    if isinstance(content, SeatFileContent):
        # A file without its bytes yet: the sender draws it (`SeatFileDrawer`).
        seat = {"seat_file": content.part, "registration_id": content.registration_id}
        return StoredContent("photo" if content.part == "ticket" else "document", _dump(seat, None))
    place = {
        "latitude": content.latitude,
        "longitude": content.longitude,
        "title": content.title,
        "address": content.address,
    }
    return StoredContent("location", _dump(place, None))


def decode(message: OutboxMessage) -> Content:
    """The content an outbox row holds; the attachment is not copied."""
    fields: dict[str, Any] = json.loads(message.payload)
    raw_markup = fields.pop("reply_markup", None)
    markup = None if raw_markup is None else InlineKeyboardMarkup.model_validate(raw_markup)
    if message.kind == "text":
        return TextContent(text=fields["text"], reply_markup=markup)
    if "seat_file" in fields:
        part: SeatPart = "ticket" if fields["seat_file"] == "ticket" else "calendar"
        return SeatFileContent(registration_id=int(fields["registration_id"]), part=part)
    if message.kind in ("document", "photo"):
        return DocumentContent(
            data=message.attachment or b"",
            filename=fields["filename"],
            caption=fields.get("caption"),
            as_photo=message.kind == "photo",
            reply_markup=markup,
        )
    if message.kind == "copy":
        return CopyContent(
            from_chat_id=int(fields["from_chat_id"]),
            message_id=int(fields["message_id"]),
            reply_markup=markup,
        )
    return LocationContent(
        latitude=float(fields["latitude"]),
        longitude=float(fields["longitude"]),
        title=fields.get("title"),
        address=fields.get("address"),
    )


def _dump(fields: dict[str, Any], markup: InlineKeyboardMarkup | None) -> str:
    if markup is not None:
        fields = {**fields, "reply_markup": markup.model_dump(mode="json", exclude_none=True)}
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
