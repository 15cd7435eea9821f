"""Promotion hold: how long raising an event's seats holds the single writer.

An event with 10 seats and N more people waiting gets N more seats, twice in the same run on
fresh databases: once with every promoted person's ticket drawn inside the promoting
transaction (what the bot did before, emulated here by drawing the same tickets there) and
once as the bot does now: the transaction queues "the ticket of registration X" and the
sender draws each ticket when it sends it (`SeatFiles.draw`), and the organizer's save
(`OrganizerService.apply`) runs as one hop to the writer's thread. A ticket is a QR image of
~15 ms of CPU, and while the writer is held every dialog waits.

Prints, for both: the writer's hold, the time the drawing took and where, the ratio of the
holds, and that every promoted person has a ticket and an `.ics` queued.

    .venv/bin/python -m bench.promotion_hold            # N = 100
    .venv/bin/python -m bench.promotion_hold --n 300
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.audience_freeze import time_writer
from bench.registration_storm import NOW, open_services
from bot.delivery.content import SeatFileContent
from bot.services import event_editor as editor
from bot.services.organizer import Applied
from bot.services.roles import Access
from bot.views import organizer as organizer_views
from db import events as events_repo
from db import registrations as registrations_repo
from tests.organizer_kit import owned_event, register_person

SEATS = 10
FIRST_PERSON = 7000
OWNER = 42


@dataclass(frozen=True)
class Hold:
    promoted: int
    hold: float
    drawing: float
    files_queued: int


async def run(folder: Path, n: int, inside: bool) -> Hold:
    services = await open_services(folder, "inside" if inside else "at-send")
    try:
        event = await owned_event(services, OWNER, capacity=SEATS)
        for k in range(SEATS + n):
            await register_person(services, event, FIRST_PERSON + k)
        drawing = 0.0
        if inside:
            started = time.perf_counter()
            async with services.db.write() as tx:
                updated = await events_repo.update(
                    tx, event.id, NOW.timestamp(), capacity=SEATS + n
                )
                assert updated is not None
                promoted = await registrations_repo.promote(tx, updated, NOW.timestamp())
                promoted_ids = [seat.id for seat in promoted]
                await services.registrations.notify_promoted_in(tx, promoted)
                notices = services.registrations.notices
                drawn = time.perf_counter()
                for seat in promoted:
                    name = await services.registrations.holder_name(seat)
                    await asyncio.to_thread(
                        notices.ticket, "ru", updated, seat, NOW.timestamp(), name
                    )
                drawing = time.perf_counter() - drawn
            hold = time.perf_counter() - started
        else:
            # The organizer's own save, as the bot makes it; the writer's hold is measured
            # around its one transaction.
            draft = editor.from_event(event).model_copy(update={"capacity": SEATS + n})
            access = Access(user_id=OWNER, is_admin=False, is_organizer=True)
            now = NOW.timestamp()
            holds: list[float] = []
            time_writer(services.db, holds)
            applied = await services.organizer.apply(
                access, draft, lambda after: organizer_views.change_notice(event, after, now)
            )
            assert isinstance(applied, Applied)
            hold = max(holds)
            seated = await services.db.fetch_all(
                "SELECT id FROM registrations WHERE waitlist_seq IS NOT NULL"
                " AND status = 'confirmed'"
            )
            promoted_ids = [int(row["id"]) for row in seated]
            # What the sender does for each ticket row, outside any transaction.
            drawn = time.perf_counter()
            draw = services.delivery.seat_files
            assert draw is not None
            tickets = [await draw(SeatFileContent(seat, "ticket")) for seat in promoted_ids]
            drawing = time.perf_counter() - drawn
            assert all(ticket is not None for ticket in tickets)
        files_queued = await services.db.fetch_value(
            "SELECT COUNT(*) FROM deliveries WHERE source LIKE 'confirm:%'"
        )
        return Hold(len(promoted_ids), hold, drawing, int(files_queued or 0))
    finally:
        await services.db.close()


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inside = await run(Path(tmp), n, inside=True)
        at_send = await run(Path(tmp), n, inside=False)
    print(f"{n} people waiting get {n} more seats (event of {SEATS})")
    for name, result, where in (
        ("drawn inside", inside, "while holding the writer"),
        ("drawn to send", at_send, "by the sender, outside any transaction"),
    ):
        print(
            f"  {name + ':':15s} promoted {result.promoted}, writer held {result.hold:.3f} s;"
            f" drawing {result.drawing:.2f} s {where}; tickets and .ics queued"
            f" {result.files_queued}"
        )
    print(f"hold at send / inside: {at_send.hold / inside.hold:.3f}")
    ok = all(r.promoted == n and r.files_queued == 2 * n for r in (inside, at_send))
    print("correct" if ok else "INCORRECT")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100, help="people promoted (default 100)")
    asyncio.run(main(parser.parse_args().n))
