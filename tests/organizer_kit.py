"""Helpers for the organizer tests: people with roles, events they own, quick registrations."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from bot.delivery.content import SeatFileContent
from bot.services import Services
from db import people
from db import registrations as registrations_repo
from db.events import Event
from db.people import Profile
from db.registrations import Registered, Registration
from tests.conftest import NOW
from tests.kit.client import ChatClient
from tests.member_kit import make_event

ORGANIZER_ID = 3001
OTHER_ORGANIZER_ID = 3002


async def started(
    make_client: Callable[..., ChatClient], user_id: int, language: str = "ru"
) -> ChatClient:
    """A person who has sent /start and chosen their language."""
    client = make_client(user_id, language)
    await client.send("/start")
    await client.click("Русский" if language == "ru" else "English")
    return client


async def make_organizer(
    services: Services,
    make_client: Callable[..., ChatClient],
    user_id: int = ORGANIZER_ID,
    language: str = "ru",
) -> ChatClient:
    client = await started(make_client, user_id, language)
    assert await people.set_role(services.db, user_id, "organizer", NOW.timestamp())
    return client


async def owned_event(services: Services, owner_id: int, **overrides: Any) -> Event:
    await people.ensure(services.db, owner_id, NOW.timestamp())
    return await make_event(services, owner_id=owner_id, **overrides)


async def register_person(
    services: Services,
    event: Event,
    person_id: int,
    *,
    full_name: str = "Иванова Анна Сергеевна",
    organization: str | None = "АНО «Дом НКО»",
    language: str = "ru",
    answers: dict[str, str] | None = None,
    at: float | None = None,
) -> Registration:
    """A registration straight in the database (the dialog itself has its own tests)."""
    now = NOW.timestamp() if at is None else at
    await people.set_language(services.db, person_id, language, now)
    async with services.db.write() as tx:
        outcome = await registrations_repo.register(tx, event.id, person_id, answers or {}, now)
        await people.save_profile(
            tx,
            person_id,
            Profile(
                full_name=full_name,
                organization=organization,
                position="Координатор",
                phone="+79123456789",
                email=f"p{person_id}@example.org",
            ),
            now,
        )
    assert isinstance(outcome, Registered)
    return outcome.registration


async def _queued(services: Services, columns: str, source_prefix: str) -> list[sqlite3.Row]:
    """Deliveries (d) with their outbox message (m) whose source starts with the prefix."""
    return await services.db.fetch_all(
        f"SELECT {columns} FROM deliveries d JOIN outbox_messages m ON m.id = d.message_id"
        " WHERE d.source LIKE ? ORDER BY d.recipient_id",
        (source_prefix + "%",),
    )


async def queued_files(services: Services, source_prefix: str) -> list[dict[str, Any]]:
    """Queued documents whose source starts with the prefix: recipient, caption, bytes. A
    seat's ticket or `.ics` waits undrawn ("the ticket of registration X"): it is drawn here
    as the sender would draw it now, or left out when its seat is gone."""
    rows = await _queued(services, "d.recipient_id, m.kind, m.payload, m.attachment", source_prefix)
    files = []
    for row in rows:
        fields = json.loads(row["payload"])
        if "seat_file" in fields:
            assert row["attachment"] is None, "a seat's file is drawn when it is sent"
            assert services.delivery.seat_files is not None
            seat = SeatFileContent(int(fields["registration_id"]), fields["seat_file"])
            drawn = await services.delivery.seat_files(seat)
            if drawn is None:
                continue
            fields = {"filename": drawn.filename, "caption": drawn.caption}
            data = drawn.data
        else:
            data = bytes(row["attachment"])
        files.append(
            {
                "recipient": row["recipient_id"],
                "kind": row["kind"],
                "filename": fields["filename"],
                "caption": fields.get("caption") or "",
                "data": data,
            }
        )
    return files


async def deliveries(services: Services, source_prefix: str) -> list[dict[str, Any]]:
    """Queued outbox rows whose source starts with the prefix, with their text."""
    rows = await _queued(services, "d.source, d.recipient_id, d.priority, m.payload", source_prefix)
    return [
        {
            "source": row["source"],
            "recipient": row["recipient_id"],
            "priority": row["priority"],
            "text": json.loads(row["payload"]).get("text", ""),
        }
        for row in rows
    ]
