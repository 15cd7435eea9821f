"""Promotion hold: how long raising an event's seats holds the single writer.

An event with 10 seats and N more people waiting gets N more seats, twice in the same run on
fresh databases: once with every promoted person's ticket drawn inside the promoting
transaction (what the bot did before) and once with the tickets drawn before it
(`RegistrationService.draw_for_promotion`, as `OrganizerService.apply` now does). Each
ticket is a QR image of ~20 ms of CPU, and while the writer is held every dialog waits.

Prints, for both: the writer's hold, the time drawn ahead, the ratio of the holds, and that
every promoted person has a ticket and an `.ics` queued.

    .venv/bin/python -m bench.promotion_hold            # N = 100
    .venv/bin/python -m bench.promotion_hold --n 300
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bench.registration_storm import NOW, open_services
from db import events as events_repo
from db import registrations as registrations_repo
from tests.member_kit import make_event
from tests.organizer_kit import register_person

SEATS = 10
FIRST_PERSON = 7000


@dataclass(frozen=True)
class Hold:
    promoted: int
    hold: float
    drawn_ahead: float
    files_queued: int


async def run(folder: Path, n: int, ahead: bool) -> Hold:
    services = await open_services(folder, "ahead" if ahead else "inside")
    try:
        event = await make_event(services, capacity=SEATS)
        for k in range(SEATS + n):
            await register_person(services, event, FIRST_PERSON + k)
        more = replace(event, capacity=SEATS + n)
        started = time.perf_counter()
        drawn = await services.registrations.draw_for_promotion(more) if ahead else {}
        drawn_ahead = time.perf_counter() - started
        started = time.perf_counter()
        async with services.db.write() as tx:
            updated = await events_repo.update(
                tx, event.id, NOW.timestamp(), capacity=more.capacity
            )
            assert updated is not None
            promoted = await registrations_repo.promote(tx, updated, NOW.timestamp())
            await services.registrations.notify_promoted_in(tx, promoted, drawn)
        hold = time.perf_counter() - started
        files = await services.db.fetch_value(
            "SELECT COUNT(*) FROM deliveries WHERE source LIKE 'confirm:%'"
        )
        return Hold(len(promoted), hold, drawn_ahead, int(files or 0))
    finally:
        await services.db.close()


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inside = await run(Path(tmp), n, ahead=False)
        ahead = await run(Path(tmp), n, ahead=True)
    print(f"{n} people waiting get {n} more seats (event of {SEATS})")
    for name, result in (("drawn inside", inside), ("drawn ahead", ahead)):
        print(
            f"  {name + ':':14s} promoted {result.promoted}, writer held {result.hold:.2f} s,"
            f" drawn before it {result.drawn_ahead:.2f} s,"
            f" tickets and .ics queued {result.files_queued}"
        )
    print(f"hold ahead / inside: {ahead.hold / inside.hold:.2f}")
    ok = all(r.promoted == n and r.files_queued == 2 * n for r in (inside, ahead))
    print("correct" if ok else "INCORRECT")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100, help="people promoted (default 100)")
    asyncio.run(main(parser.parse_args().n))
