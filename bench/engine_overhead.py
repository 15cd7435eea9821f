"""Engine overhead: 10,000 recipients with the limiter off, against bare loops of the same calls.

All runs share one fake server and one Bot (one aiohttp connection pool), in the same process:
- a bare sequential loop: `await bot.send_message(...)` one after another;
- a bare concurrent loop: the same calls with as many in flight as the engine allows;
- the engine: one enqueue of every recipient, then the sender until every row is final
  (claims, outcome transactions and all).
Each round runs all three back to back; the figure that matters is engine msg/s ÷ the faster
bare loop of the same round, as a median over rounds (target >= 0.8).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from aiogram import Bot
from aiogram.methods.base import Response
from aiogram.types import Message

from bench.common import TEXT, html_bot, now, open_engine, register_users, wait_finished
from bot.delivery.sender import SenderConfig
from bot.services.delivery import TextContent
from tests.fake_telegram import FakeTelegram


async def bare_sequential(bot: Bot, users: list[int]) -> float:
    started = now()
    for user in users:
        await bot.send_message(user, TEXT)
    return len(users) / (now() - started)


async def bare_concurrent(bot: Bot, users: list[int], in_flight: int) -> float:
    queue = iter(users)

    async def worker() -> None:
        for user in queue:
            await bot.send_message(user, TEXT)

    started = now()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return len(users) / (now() - started)


async def engine(
    bot: Bot, users: list[int], folder: Path, run: int, config: SenderConfig
) -> tuple[float, float]:
    db, delivery = await open_engine(folder / f"bench-{run}.sqlite3", bot, rate=0, config=config)
    try:
        started = now()
        await delivery.enqueue(f"bench:{run}", users, TextContent(TEXT))
        queued = now() - started
        progress = await wait_finished(delivery, f"bench:{run}")
        elapsed = now() - started
        assert progress.sent == len(users), progress
    finally:
        await delivery.stop()
        await db.close()
    return len(users) / elapsed, queued


async def run(recipients: int, rounds: int, config: SenderConfig) -> None:
    # The sender keeps aiogram's `Response[Message]` class alive (see Sender.__init__); the
    # bare loops get the same favour, or they would pay pydantic rebuilding it after each GC.
    pinned = Response[Message]
    window = config.window
    with FakeTelegram() as tg, tempfile.TemporaryDirectory() as folder:
        bot = html_bot(tg)
        await bot.send_message(register_users(tg, 1)[0], TEXT)  # open the connection pool
        results: dict[str, list[float]] = {"sequential": [], "concurrent": [], "engine": []}
        enqueue_times: list[float] = []
        try:
            for index in range(rounds):
                # Fresh recipients each time, so no run sees chats the others filled.
                results["sequential"].append(
                    await bare_sequential(bot, register_users(tg, recipients))
                )
                results["concurrent"].append(
                    await bare_concurrent(bot, register_users(tg, recipients), window)
                )
                users = register_users(tg, recipients)
                rate, queued = await engine(bot, users, Path(folder), index, config)
                results["engine"].append(rate)
                enqueue_times.append(queued)
        finally:
            await bot.session.close()
    del pinned
    print(f"recipients per run:    {recipients}, rounds: {rounds}, load average {load()}")
    print(f"sender:                batch {config.batch_size}, window {config.window}")
    print("round   sequential  concurrent      engine   engine/seq  engine/conc")
    for index in range(rounds):
        seq, conc, eng = (results[name][index] for name in ("sequential", "concurrent", "engine"))
        print(
            f"{index + 1:5}  {seq:8.0f}/s  {conc:8.0f}/s  {eng:8.0f}/s"
            f"  {eng / seq:10.2f}  {eng / conc:11.2f}"
        )
    ratios = [
        results["engine"][i] / max(results["sequential"][i], results["concurrent"][i])
        for i in range(rounds)
    ]
    print(f"enqueue of {recipients} rows: {min(enqueue_times) * 1000:.0f} ms (part of engine time)")
    print(
        f"engine ÷ faster bare loop, median of rounds: {statistics.median(ratios):.2f}"
        "   (target >= 0.8)"
    )


def load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=SenderConfig().batch_size)
    parser.add_argument("--window", type=int, default=SenderConfig().window)
    args = parser.parse_args()
    config = SenderConfig(batch_size=args.batch, window=args.window)
    asyncio.run(run(args.recipients, args.rounds, config))


if __name__ == "__main__":
    main()
