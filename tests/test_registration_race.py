"""200 people press Confirm at once for 20 seats, through the real dispatcher."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.services import Services
from tests.kit.client import ChatClient
from tests.member_kit import make_event, prepared_person

PEOPLE = 200
SEATS = 20


async def test_exactly_the_seats_are_confirmed_and_the_waitlist_is_ordered(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    event = await make_event(services, capacity=SEATS)
    clients = [make_client(10_000 + n) for n in range(PEOPLE)]
    for client in clients:
        await prepared_person(services, client.user.id)

    async def up_to_the_summary(client: ChatClient) -> None:
        await client.send(f"/start ev_{event.id}")
        await client.click("Зарегистрироваться")
        await client.click("Да, использовать")

    await asyncio.gather(*(up_to_the_summary(client) for client in clients))
    # Every Confirm is pressed at the same moment.
    await asyncio.gather(*(client.click("Подтвердить") for client in clients))

    rows = await services.db.fetch_all(
        "SELECT status, waitlist_seq FROM registrations WHERE event_id = ?", (event.id,)
    )
    statuses = [row["status"] for row in rows]
    assert statuses.count("confirmed") == SEATS
    assert statuses.count("waitlisted") == PEOPLE - SEATS
    # Each person was told their own place: 1..180, no duplicates, no gaps.
    positions = []
    for client in clients:
        body = client.messages[-1].body
        if "листе ожидания" in body:
            positions.append(int(body.split("ваш номер — ")[1].split(".")[0]))
        else:
            assert body.startswith("✅ Вы зарегистрированы!") or client.last.method != "SendMessage"
    assert sorted(positions) == list(range(1, PEOPLE - SEATS + 1))
    seqs = [row["waitlist_seq"] for row in rows if row["status"] == "waitlisted"]
    assert len(set(seqs)) == len(seqs)
    errors = [c for c in clients if any("пошло не так" in m.body for m in c.messages)]
    assert errors == []  # in particular, no "database is locked"
