"""Factories for Telegram updates: text, commands, button presses, contacts, locations."""

from __future__ import annotations

import itertools
import time
from typing import Any

from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Location,
    Message,
    MessageEntity,
    Update,
    User,
)

_update_ids = itertools.count(1)
_query_ids = itertools.count(1)
STICKER = {
    "file_id": "s1",
    "file_unique_id": "s1u",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}


def user(user_id: int, first_name: str = "Анна", language_code: str | None = "ru") -> User:
    return User(id=user_id, is_bot=False, first_name=first_name, language_code=language_code)


def private_chat(person: User) -> Chat:
    return Chat(id=person.id, type="private", first_name=person.first_name)


def message(
    person: User,
    message_id: int,
    *,
    text: str | None = None,
    chat: Chat | None = None,
    **content: Any,
) -> Update:
    entities = None
    if text and text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        entities = [MessageEntity(type="bot_command", offset=0, length=len(command))]
    return Update(
        update_id=next(_update_ids),
        message=Message(
            message_id=message_id,
            date=int(time.time()),
            chat=chat or private_chat(person),
            from_user=person,
            text=text,
            entities=entities,
            **content,
        ),
    )


def contact(person: User, message_id: int, phone: str, owner_id: int | None = None) -> Update:
    shared = Contact(phone_number=phone, first_name=person.first_name, user_id=owner_id)
    return message(person, message_id, contact=shared)


def location(person: User, message_id: int, latitude: float, longitude: float) -> Update:
    return message(person, message_id, location=Location(latitude=latitude, longitude=longitude))


def callback(person: User, data: str, message_obj: Message | None) -> Update:
    return Update(
        update_id=next(_update_ids),
        callback_query=CallbackQuery(
            id=str(next(_query_ids)),
            from_user=person,
            chat_instance="ci-1",
            message=message_obj,
            data=data,
        ),
    )
