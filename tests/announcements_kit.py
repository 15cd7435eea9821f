"""Helpers for the announcement tests: people seeded straight into SQLite, an organizer's chat."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import MessageEntity, PhotoSize

from bot.services import Services, geography
from db import announcements as repo
from db.announcements import Announcement
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import MockedBot, Sent

CAPTION = "Круглый стол «НКО и нацпроекты» — 2 декабря в Тюмени. Приходите!"


async def add_people(
    services: Services,
    ids: Iterable[int],
    *,
    subscribed: bool = True,
    city: str | None = None,
    language: str | None = "ru",
    erased: bool = False,
    unreachable: bool = False,
) -> None:
    """People as the member journey leaves them, written directly (fast for hundreds); a
    `city` («Тюмень») is stored as its region's code, as /subscribe stores it."""
    now = services.clock.timestamp()
    if city is not None:
        found = geography.locate(city)
        city = found.region.code if found is not None else city
    async with services.db.write() as tx:
        await tx.executemany(
            "INSERT INTO people (id, language, subscribed, subscription_city, erased_at,"
            " unreachable_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    person_id,
                    language,
                    int(subscribed),
                    city if subscribed else None,
                    now if erased else None,
                    now if unreachable else None,
                    now,
                    now,
                )
                for person_id in ids
            ],
        )


async def started(client: ChatClient) -> ChatClient:
    await client.send("/start")
    await client.click("Русский")
    return client


def photo() -> list[PhotoSize]:
    return [PhotoSize(file_id="photo-1", file_unique_id="photo-1u", width=640, height=480)]


async def compose_photo(client: ChatClient, caption: str = CAPTION) -> list[Sent]:
    """/announce, then a photo whose caption has a bold part (formatting must survive)."""
    await client.send("/announce")
    bold = MessageEntity(type="bold", offset=0, length=12)
    return await client.send_update(photo=photo(), caption=caption, caption_entities=[bold])


async def compose_text(client: ChatClient, text: str = "Новости «Дома НКО»") -> list[Sent]:
    await client.send("/announce")
    return await client.send(text)


def copies_to(bot: MockedBot, chat_id: int) -> list[Sent]:
    return [sent for sent in bot.session.messages.get(chat_id, []) if sent.method == "CopyMessage"]


def documents_to(bot: MockedBot, chat_id: int) -> list[Sent]:
    return [sent for sent in bot.session.messages.get(chat_id, []) if sent.document is not None]


async def latest(services: Services) -> Announcement:
    row = await services.db.fetch_one("SELECT id FROM announcements ORDER BY id DESC LIMIT 1")
    assert row is not None
    found = await repo.get(services.db, row[0])
    assert found is not None
    return found


async def delivery_states(services: Services, announcement_id: int) -> dict[int, str]:
    rows = await services.db.fetch_all(
        "SELECT recipient_id, state FROM deliveries WHERE source = ?",
        (repo.source_of(announcement_id),),
    )
    return {row[0]: row[1] for row in rows}


async def deliver(services: Services, bot: MockedBot) -> None:
    """What the sender and the watcher do in production: send, then finish with a report."""
    await services.delivery.drain(bot)
    await services.announcements.tick(bot)
    await services.delivery.drain(bot)
