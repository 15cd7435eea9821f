"""From Confirm to the ticket: how long a person waits for the answer, the QR ticket and the .ics.

    python -m bench.confirm_latency [--n 30] [--rush] [--send-rate R] [--code /path/to/checkout]

The real bot process against the emulator; people with a saved profile are walked to the
summary, then press Confirm one after another (each waits for their .ics before the next
presses), or all at once with --rush. Prints median and p95 of the time from the press to
the summary turning into the outcome (the on-screen answer), to the ticket photo and to the
.ics arriving at Telegram. Run it once with --code pointing at a checkout of the commit
before the outbox change to compare (the two share the database schema).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from emulator import FakeTelegram
from tests.e2e.harness import BotProcess
from tests.e2e.test_inbox_crash import FIRST_ID, press_when_shown, shown
from tests.member_kit import make_event, prepared_person

TOKEN = "987654321:BENCH-token-for-the-fake-server"


async def prepare(db_path: Path, people: int) -> int:
    from types import SimpleNamespace

    from db import Database

    db = Database(db_path)
    await db.connect()
    try:
        shim: Any = SimpleNamespace(db=db)
        start = time.time() + 10 * 86400
        event = await make_event(shim, capacity=people, starts_at=start, ends_at=start + 3600)
        for n in range(people):
            await prepared_person(shim, FIRST_ID + n)
        return event.id
    finally:
        await db.close()


def first_call(tg: FakeTelegram, method: str, chat_id: int, after: float) -> float | None:
    times = [c.time for c in tg.calls_to(method) if c.chat_id == chat_id and c.time >= after]
    return min(times) if times else None


def summary(label: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"{label}: median {statistics.median(values):.3f} s, p95 {p95:.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--rush", action="store_true", help="everyone presses Confirm at once")
    parser.add_argument("--code", help="run another checkout's bot (for a before/after)")
    parser.add_argument("--send-rate", help="SEND_RATE for the bot (default: the bot's own)")
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()}")
    with FakeTelegram(token=TOKEN) as tg, tempfile.TemporaryDirectory() as workdir:
        db_path = Path(workdir) / "bot.sqlite3"
        event_id = asyncio.run(prepare(db_path, args.n))
        env = {"LOG_LEVEL": "WARNING"} | ({"PYTHONPATH": args.code} if args.code else {})
        if args.send_rate is not None:
            env["SEND_RATE"] = args.send_rate
        process = BotProcess(tg, db_path, env=env)
        process.start()
        users = [tg.user(id=FIRST_ID + n, language_code="ru") for n in range(args.n)]
        try:
            for user in users:
                tg.send_text(user, f"/start ev_{event_id}")
            for label in ("Зарегистрироваться", "Да, использовать"):
                for user in users:
                    press_when_shown(tg, user, label)
            for user in users:
                shown(tg, user, "Подтвердить")
            pressed: dict[int, float] = {}
            for user in users:
                pressed[user.id] = time.monotonic()
                press_when_shown(tg, user, "Подтвердить")
                if not args.rush:
                    tg.wait_until(
                        lambda u=user: first_call(tg, "sendDocument", u.id, pressed[u.id]),
                        timeout=60,
                    )
            done = [
                lambda u=user: first_call(tg, "sendDocument", u.id, pressed[u.id]) for user in users
            ]
            tg.wait_until(lambda: all(check() for check in done), timeout=300)
        finally:
            process.stop()
    answer, ticket, ics = [], [], []
    for user in users:
        at = pressed[user.id]
        for into, method in (
            (answer, "editMessageText"),
            (ticket, "sendPhoto"),
            (ics, "sendDocument"),
        ):
            arrived = first_call(tg, method, user.id, at)
            assert arrived is not None, f"{user.id}: no {method}"
            into.append(arrived - at)
    mode = "all at once" if args.rush else "one after another"
    rate = f", SEND_RATE={args.send_rate}" if args.send_rate is not None else ""
    print(f"{args.n} people pressed Confirm {mode} ({args.code or 'this checkout'}{rate})")
    print(summary("answer on screen", answer))
    print(summary("ticket photo     ", ticket))
    print(summary(".ics file        ", ics))
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
