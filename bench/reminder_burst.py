"""Reminder burst: N reminders due at the same moment, drained through the sender.

A large annual meeting (60 % of N) and four round tables (10 % each) all start 24 hours and
a few seconds from now, so their day-before reminders come due together. The real services
run on a fresh SQLite file with the real clock, the real AsyncIOScheduler date job and the
rate-limited sender, against the fake Bot API server. Times of sends are the server's own.

Prints:
- first-send lateness: the first reminder's arrival at the server minus the due time, also
  divided by one sendMessage round trip measured in the same run (the floor for any send);
- achieved rate ÷ configured rate (first to last send);
- time to the last send ÷ the physical minimum N ÷ rate (from the due time).

    .venv/bin/python -m bench.reminder_burst            # N = 10,000: about 7 min at 25 msg/s
    .venv/bin/python -m bench.reminder_burst --n 1000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import html_bot
from bot.app import create_services
from bot.services import Services
from bot.settings import Settings
from db import Database
from db import events as events_repo
from db.events import EventKind, EventStatus, NewEvent
from emulator import FakeTelegram

DEFAULT_RATE = float(Settings.model_fields["send_rate"].default)
LEAD = 30.0  # seconds from start-up to the due time: longer than PREPARE_AHEAD
SHARES = (0.6, 0.1, 0.1, 0.1, 0.1)
TITLES = (
    "Годовое собрание Ассоциации НКО региона",
    "Круглый стол «НКО и власть: диалог»",
    "Круглый стол «Волонтёрство в малых городах»",
    "Круглый стол «Гранты и отчётность»",
    "Круглый стол «Роль СО НКО в национальных проектах»",
)


async def seed(db: Database, users: list[int], starts_at: float, now: float) -> None:
    """Events and confirmed seats written in bulk: the bench is about sending, not signing up."""
    sizes = [round(share * len(users)) for share in SHARES]
    sizes[0] += len(users) - sum(sizes)
    offset = 0
    for title, size in zip(TITLES, sizes, strict=True):
        event = await events_repo.create(
            db,
            NewEvent(
                title=title,
                kind=EventKind.meeting,
                city="Тюмень",
                timezone="Asia/Yekaterinburg",
                starts_at=starts_at,
                ends_at=starts_at + 3 * 3600,
                venue="«Точка кипения»",
                address="Тюменский Технопарк, ул. Республики 142",
                reminder_offsets=(24,),
            ),
            now,
            status=EventStatus.published,
        )
        group = users[offset : offset + size]
        offset += size
        async with db.write() as tx:
            await tx.executemany(
                "INSERT INTO people (id, language, created_at, updated_at) VALUES (?, ?, ?, ?)",
                [(user, "en" if user % 5 == 0 else "ru", now, now) for user in group],
            )
            await tx.executemany(
                "INSERT INTO registrations (event_id, person_id, status, answers, ticket_token,"
                " short_code, created_at, updated_at) VALUES (?, ?, 'confirmed', '{}', ?, ?, ?, ?)",
                [
                    (event.id, user, secrets.token_hex(16), f"C{index:07d}", now, now)
                    for index, user in enumerate(group)
                ],
            )


async def round_trip(tg: FakeTelegram, samples: int = 20) -> float:
    """The median time of one sendMessage to the fake server: the floor of any send."""
    bot = html_bot(tg)
    user = tg.user().id
    times = []
    try:
        for _ in range(samples):
            started = time.perf_counter()
            await bot.send_message(user, "ping")
            times.append(time.perf_counter() - started)
    finally:
        await bot.session.close()
    return statistics.median(times)


async def finished(services: Services) -> None:
    while True:
        left = await services.db.fetch_value(
            "SELECT COUNT(*) FROM deliveries WHERE source LIKE 'reminder:%'"
            " AND state IN ('pending', 'sending')"
        )
        planned = await services.db.fetch_value(
            "SELECT COUNT(*) FROM planned_reminders WHERE kind = '24h' AND state = 'pending'"
        )
        if left == 0 and planned == 0:
            return
        await asyncio.sleep(0.5)


# The settings accept only tokens shaped like BotFather's.
TOKEN = "987654321:BENCH-token-for-the-fake-bot-api-server"


async def run(n: int, rate: float) -> None:
    with FakeTelegram(token=TOKEN) as tg, tempfile.TemporaryDirectory() as folder:
        rtt = await round_trip(tg)
        users = [tg.user().id for _ in range(n)]
        settings = Settings(
            bot_token=tg.token,  # type: ignore[arg-type]
            database_path=Path(folder) / "bench.sqlite3",
            send_rate=rate,
            _env_file=None,  # type: ignore[call-arg]
        )
        services = await create_services(settings)
        now = time.time()
        await seed(services.db, users, now + 24 * 3600 + LEAD, now)
        bot = html_bot(tg)
        monotonic_to_wall = time.time() - time.monotonic()
        services.scheduler.start()
        try:
            await services.delivery.start(bot)
            await services.reminders.start()
            due = services.reminders.next_wakeup
            assert due is not None
            await finished(services)
            fired = await services.db.fetch_all(
                "SELECT MAX(fired_at) FROM planned_reminders WHERE kind = '24h'"
            )
        finally:
            await services.reminders.stop()
            services.scheduler.shutdown(wait=False)
            await services.delivery.stop()
            await bot.session.close()
            await services.db.close()

        sends = sorted(
            call.time + monotonic_to_wall
            for call in tg.calls_to("sendMessage")
            if call.ok and call.params.get("text") != "ping"
        )
        assert len(sends) == n, f"{len(sends)} reminders reached the server, expected {n}"
        first, last = sends[0], sends[-1]
        achieved = (n - 1) / (last - first) if last > first else float("inf")
        minimum = n / rate
        queued = fired[0][0] - due
        report = {
            "reminders": n,
            "configured_rate": rate,
            "round_trip_s": round(rtt, 4),
            "all_queued_after_s": round(queued, 3),
            "first_send_lateness_s": round(first - due, 3),
            "first_send_lateness_in_round_trips": round((first - due) / rtt, 1),
            "achieved_rate": round(achieved, 2),
            "achieved_over_configured": round(achieved / rate, 3),
            "last_send_after_s": round(last - due, 1),
            "last_send_over_minimum": round((last - due) / minimum, 3),
        }
        print(f"reminders due at once:        {n}")
        print(f"configured rate:              {rate:g} msg/s")
        print(f"sendMessage round trip:       {rtt * 1000:.1f} ms (median, this run)")
        side = "after" if queued > 0 else "before"
        print(f"all queued in the outbox:     {abs(queued):.3f} s {side} the due time")
        print(
            f"first-send lateness:          {first - due:.3f} s"
            f" = {(first - due) / rtt:.1f} round trips   (target < 2 s)"
        )
        print(f"achieved rate:                {achieved:.2f} msg/s")
        print(f"achieved ÷ configured:        {achieved / rate:.3f}")
        print(f"time to the last send:        {last - due:.1f} s")
        print(f"÷ physical minimum N ÷ rate:  {(last - due) / minimum:.3f}   ({minimum:.1f} s)")
        print(json.dumps(report, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE)
    args = parser.parse_args()
    asyncio.run(run(args.n, args.rate))


if __name__ == "__main__":
    main()
