"""Rate accuracy: 1,000 recipients at the default SEND_RATE through the fake Bot API server."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from bench.common import TEXT, html_bot, now, open_engine, register_users, wait_finished
from bot.services.delivery import TextContent
from bot.settings import Settings
from emulator import FakeTelegram

# Prints the rate Telegram saw (from the server's own request times) divided by the configured
# rate, and how many 429s the fake's Telegram-like flood control (30 msg/s) answered.

DEFAULT_RATE = float(Settings.model_fields["send_rate"].default)


def busiest_second(times: list[float]) -> int:
    """The most requests in any one-second sliding window."""
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def run(recipients: int, rate: float) -> None:
    with FakeTelegram() as tg, tempfile.TemporaryDirectory() as folder:
        tg.rate_limit(global_per_second=30)
        users = register_users(tg, recipients)
        bot = html_bot(tg)
        db, delivery = await open_engine(Path(folder) / "bench.sqlite3", bot, rate)
        try:
            started = now()
            await delivery.enqueue("bench:rate", users, TextContent(TEXT))
            progress = await wait_finished(delivery, "bench:rate")
            elapsed = now() - started
        finally:
            await delivery.stop()
            await bot.session.close()
            await db.close()
        accepted = sorted(c.time for c in tg.calls_to("sendMessage") if c.ok)
        span = accepted[-1] - accepted[0]
        achieved = (len(accepted) - 1) / span if span > 0 else float("inf")
        print(f"recipients:            {recipients}")
        print(f"configured rate:       {rate:g} msg/s")
        print(f"sent / failed:         {progress.sent} / {progress.failed + progress.unreachable}")
        print(f"first to last send:    {span:.2f} s (server clock)")
        print(f"achieved rate:         {achieved:.2f} msg/s")
        print(f"achieved / configured: {achieved / rate:.3f}   (target >= 0.95)")
        print(f"end to end:            {elapsed:.2f} s, {recipients / elapsed:.2f} msg/s")
        print(f"busiest second:        {busiest_second(accepted)} messages")
        print(f"429 answers provoked:  {tg.flood_429_count}   (target 0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE)
    args = parser.parse_args()
    asyncio.run(run(args.recipients, args.rate))


if __name__ == "__main__":
    main()
