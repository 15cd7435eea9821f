"""Plain mode: who turned it on, and the last keyboard shown in each such chat."""

from __future__ import annotations

import json
from dataclasses import dataclass

from db.database import Queries


@dataclass(frozen=True, slots=True)
class ShownKeyboard:
    """The numbered options a plain-mode chat saw last; a number typed in chat picks one."""

    message_id: int | None
    content: str | None
    is_caption: bool
    inline: list[tuple[str, str | None]]  # (label as shown, callback data; None for links)
    reply: list[tuple[str, str]]  # (label as shown, the label the handlers expect)
    latest: str | None  # which of the two came last: "inline" or "reply"


async def is_on(db: Queries, person_id: int) -> bool:
    value = await db.fetch_value("SELECT 1 FROM plain_mode WHERE person_id = ?", (person_id,))
    return value is not None


async def people_on(db: Queries) -> set[int]:
    """Everyone in plain mode (read once at start-up; see bot.services.plain_mode)."""
    rows = await db.fetch_all("SELECT person_id FROM plain_mode")
    return {row["person_id"] for row in rows}


async def chats_with_keyboard(db: Queries) -> set[int]:
    """Every chat with a remembered keyboard (read once at start-up)."""
    rows = await db.fetch_all("SELECT chat_id FROM plain_keyboards")
    return {row["chat_id"] for row in rows}


async def turn(db: Queries, person_id: int, on: bool, now: float) -> None:
    """Turn plain mode on or off; the person's row must exist."""
    if on:
        await db.execute(
            "INSERT INTO plain_mode (person_id, turned_on_at) VALUES (?, ?)"
            " ON CONFLICT (person_id) DO NOTHING",
            (person_id, now),
        )
    else:
        await db.execute("DELETE FROM plain_mode WHERE person_id = ?", (person_id,))
        await forget_keyboard(db, person_id)


async def save_inline(
    db: Queries,
    chat_id: int,
    message_id: int | None,
    content: str | None,
    is_caption: bool,
    buttons: list[tuple[str, str | None]],
    now: float,
) -> None:
    await db.execute(
        "INSERT INTO plain_keyboards"
        " (chat_id, message_id, content, is_caption, inline, latest, updated_at)"
        " VALUES (?, ?, ?, ?, ?, 'inline', ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET message_id = excluded.message_id,"
        " content = excluded.content, is_caption = excluded.is_caption,"
        " inline = excluded.inline, latest = 'inline', updated_at = excluded.updated_at",
        (chat_id, message_id, content, int(is_caption), json.dumps(buttons), now),
    )


async def save_reply(
    db: Queries, chat_id: int, buttons: list[tuple[str, str]] | None, now: float
) -> None:
    """Remember the reply keyboard shown (None: it was removed)."""
    if buttons is None:
        await db.execute(
            "UPDATE plain_keyboards SET reply = NULL,"
            " latest = CASE WHEN inline IS NULL THEN NULL ELSE 'inline' END, updated_at = ?"
            " WHERE chat_id = ? AND reply IS NOT NULL",
            (now, chat_id),
        )
        return
    await db.execute(
        "INSERT INTO plain_keyboards (chat_id, reply, latest, updated_at)"
        " VALUES (?, ?, 'reply', ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET reply = excluded.reply, latest = 'reply',"
        " updated_at = excluded.updated_at",
        (chat_id, json.dumps(buttons), now),
    )


async def shown_keyboard(db: Queries, chat_id: int) -> ShownKeyboard | None:
    row = await db.fetch_one("SELECT * FROM plain_keyboards WHERE chat_id = ?", (chat_id,))
    if row is None:
        return None
    return ShownKeyboard(
        message_id=row["message_id"],
        content=row["content"],
        is_caption=bool(row["is_caption"]),
        inline=[(label, data) for label, data in json.loads(row["inline"] or "[]")],
        reply=[(label, original) for label, original in json.loads(row["reply"] or "[]")],
        latest=row["latest"],
    )


async def forget_keyboard(db: Queries, chat_id: int) -> None:
    """The stored keyboard may quote personal data shown on it: /forget and "off" drop it."""
    await db.execute("DELETE FROM plain_keyboards WHERE chat_id = ?", (chat_id,))
