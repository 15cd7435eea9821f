"""Audience freeze: how long confirming a broadcast to N subscribers holds the single writer.

An announcement to every subscriber is confirmed ("Send now") through the real service, on a
fresh database of N subscribers (a fifth of them with English as their language), twice in
the same run: once frozen as one transaction (a chunk larger than the audience — what the
bot did before) and once in chunks of `FREEZE_CHUNK` people. `Database.write` is timed for
every hold of the writer, and a probe stands for a person in a dialog: every 5 ms it writes
one dialog-state row and records how long it waited for the writer.

Prints, for both: the longest writer hold, the total time, and the probe's longest wait
(target: no hold over 100 ms at 100,000).

    .venv/bin/python -m bench.audience_freeze               # N = 100,000
    .venv/bin/python -m bench.audience_freeze --n 10000
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bench.registration_storm import NOW, open_services
from bot.services import Services
from bot.services.announcements import Queued
from bot.services.roles import Access
from db import announcements as repo
from db.announcements import Audience, AudienceKind
from db.database import Database

ADMIN_ID = 1


def time_writer(db: Database, holds: list[float]) -> None:
    """Record how long each hold of the single writer lasts, whatever takes it."""
    held = db._writer_held

    @asynccontextmanager
    async def timed() -> AsyncIterator[Any]:
        async with held() as conn:
            started = time.perf_counter()
            try:
                yield conn
            finally:
                holds.append(time.perf_counter() - started)

    db._writer_held = timed  # type: ignore[method-assign]


async def seed(services: Services, n: int) -> int:
    now = NOW.timestamp()
    async with services.db.write() as tx:
        await tx.executemany(
            "INSERT INTO people (id, language, subscribed, created_at, updated_at)"
            " VALUES (?, ?, 1, ?, ?)",
            ((10_000 + k * 7, "en" if k % 5 == 0 else "ru", now, now) for k in range(n)),
        )
    draft = await repo.create(
        services.db,
        author_id=ADMIN_ID,
        from_chat_id=ADMIN_ID,
        message_id=1,
        timezone="UTC",
        now=now,
    )
    audience = Audience(AudienceKind.subscribers)
    await repo.set_audience(services.db, draft.id, audience, n, now)
    return draft.id


async def probe(db: Database, waits: list[float], stop: asyncio.Event) -> None:
    """A person's dialog step: one small write, as often as a busy bot makes them."""
    k = 0
    while not stop.is_set():
        started = time.perf_counter()
        await db.execute(
            "INSERT INTO fsm_records (key, state, updated_at) VALUES (?, 'x', ?)"
            " ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at",
            (f"probe:{k % 10}", started),
        )
        waits.append(time.perf_counter() - started)
        k += 1
        await asyncio.sleep(0.005)


async def run(folder: Path, name: str, n: int, chunk: int) -> dict[str, float]:
    services = await open_services(folder, name)
    try:
        announcement_id = await seed(services, n)
        services.announcements.freeze_chunk = chunk
        holds: list[float] = []
        waits: list[float] = []
        time_writer(services.db, holds)
        stop = asyncio.Event()
        prober = asyncio.create_task(probe(services.db, waits, stop))
        await asyncio.sleep(0.05)
        holds.clear()
        started = time.perf_counter()
        outcome = await services.announcements.send_now(
            Access(ADMIN_ID, is_admin=True, is_organizer=True), announcement_id
        )
        seconds = time.perf_counter() - started
        stop.set()
        await prober
        assert isinstance(outcome, Queued), outcome
        assert outcome.total == n, outcome
        return {
            "longest hold": max(holds),
            "seconds": seconds,
            "probe longest wait": max(waits),
            "holds": len(holds),
        }
    finally:
        await services.db.close()


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        whole = await run(folder, "whole", n, chunk=n + 1)
        chunked = await run(folder, "chunked", n, chunk=repo.FREEZE_CHUNK)
    print(f"subscribers: {n}, chunk: {repo.FREEZE_CHUNK} people")
    for label, figures in (("one transaction", whole), ("in chunks", chunked)):
        print(
            f"{label:16} longest writer hold {figures['longest hold'] * 1000:7.1f} ms;"
            f" freeze {figures['seconds']:.2f} s; a dialog's longest wait"
            f" {figures['probe longest wait'] * 1000:7.1f} ms; {figures['holds']:.0f} holds"
        )
    ok = chunked["longest hold"] <= 0.1
    print(f"longest hold in chunks <= 100 ms: {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="subscribers (default 100,000)")
    args = parser.parse_args()
    asyncio.run(main(args.n))
