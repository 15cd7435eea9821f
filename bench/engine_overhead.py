"""Engine overhead: 10,000 recipients with the limiter off, against bare loops of the same calls."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from aiogram import Bot
from aiogram.methods.base import Response
from aiogram.types import Message

from bench.common import TEXT, html_bot, open_engine, register_users, wait_finished
from bot.delivery.sender import SenderConfig
from bot.services.delivery import TextContent
from emulator import FakeTelegram

# All runs share one fake server and one Bot (one aiohttp connection pool), in the same process:
# - a bare sequential loop: `await bot.send_message(...)` one after another;
# - a bare concurrent loop: the same calls with as many in flight as the engine allows;
# - the engine: one enqueue of every recipient, then the sender until every row is final
#   (claims, outcome transactions and all).
# Each round runs all three back to back. Two ratios, medians over rounds (target >= 0.8):
# engine msg/s ÷ the faster bare loop's msg/s (wall clock), and the same by this process's CPU
# time, which other programs on a shared machine disturb less. The fake server runs in this
# process, so its CPU is counted on both sides.


@dataclass(frozen=True)
class Run:
    messages: int
    wall: float
    cpu: float

    @property
    def rate(self) -> float:
        return self.messages / self.wall

    @property
    def cpu_rate(self) -> float:
        return self.messages / self.cpu


class Meter:
    def __enter__(self) -> Meter:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


async def bare_sequential(bot: Bot, users: list[int]) -> Run:
    with Meter() as meter:
        for user in users:
            await bot.send_message(user, TEXT)
    return Run(len(users), meter.wall, meter.cpu)


async def bare_concurrent(bot: Bot, users: list[int], in_flight: int) -> Run:
    queue = iter(users)

    async def worker() -> None:
        for user in queue:
            await bot.send_message(user, TEXT)

    with Meter() as meter:
        await asyncio.gather(*(worker() for _ in range(in_flight)))
    return Run(len(users), meter.wall, meter.cpu)


async def engine(
    bot: Bot, users: list[int], folder: Path, run: int, config: SenderConfig
) -> tuple[Run, float]:
    db, delivery = await open_engine(folder / f"bench-{run}.sqlite3", bot, rate=0, config=config)
    try:
        with Meter() as meter:
            started = time.perf_counter()
            await delivery.enqueue(f"bench:{run}", users, TextContent(TEXT))
            queued = time.perf_counter() - started
            progress = await wait_finished(delivery, f"bench:{run}")
        assert progress.sent == len(users), progress
    finally:
        await delivery.stop()
        await db.close()
    return Run(len(users), meter.wall, meter.cpu), queued


async def run(recipients: int, rounds: int, config: SenderConfig) -> None:
    # The sender keeps aiogram's `Response[Message]` class alive (see Sender.__init__); the
    # bare loops get the same favour, or they would pay pydantic rebuilding it after each GC.
    pinned = Response[Message]
    window = config.window
    results: dict[str, list[Run]] = {"sequential": [], "concurrent": [], "engine": []}
    enqueue_times: list[float] = []
    with FakeTelegram() as tg, tempfile.TemporaryDirectory() as folder:
        bot = html_bot(tg)
        await bot.send_message(register_users(tg, 1)[0], TEXT)  # open the connection pool
        try:
            for index in range(rounds):
                # Fresh recipients each time, so no run sees chats the others filled.
                users = register_users(tg, recipients)
                results["sequential"].append(await bare_sequential(bot, users))
                users = register_users(tg, recipients)
                results["concurrent"].append(await bare_concurrent(bot, users, window))
                users = register_users(tg, recipients)
                measured, queued = await engine(bot, users, Path(folder), index, config)
                results["engine"].append(measured)
                enqueue_times.append(queued)
        finally:
            await bot.session.close()
    del pinned
    report(results, enqueue_times, recipients, config)


def report(
    results: dict[str, list[Run]], enqueue_times: list[float], recipients: int, config: SenderConfig
) -> None:
    rounds = len(results["engine"])
    print(f"recipients per run: {recipients}, rounds: {rounds}, load average {load()}")
    print(f"sender: batch {config.batch_size}, window {config.window} (bare concurrent too)")
    print("round   sequential       concurrent       engine           msg/s: wall (per CPU s)")
    wall_ratios, cpu_ratios = [], []
    for index in range(rounds):
        seq, conc, eng = (results[name][index] for name in ("sequential", "concurrent", "engine"))
        cells = "  ".join(f"{r.rate:6.0f} ({r.cpu_rate:5.0f})  " for r in (seq, conc, eng))
        print(f"{index + 1:5}   {cells}")
        wall_ratios.append(eng.rate / max(seq.rate, conc.rate))
        cpu_ratios.append(eng.cpu_rate / max(seq.cpu_rate, conc.cpu_rate))
    print(
        f"enqueue of {recipients} rows: {min(enqueue_times) * 1000:.0f} ms (in the engine's time)"
    )
    print(f"engine ÷ faster bare loop, wall clock: {statistics.median(wall_ratios):.2f} (median)")
    print(f"engine ÷ faster bare loop, CPU time:   {statistics.median(cpu_ratios):.2f} (median)")
    print("target >= 0.8")


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
