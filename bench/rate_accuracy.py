"""Rate accuracy through the fake Bot API server (30 msg/s enforced with 429s): the default
SEND_RATE, then SEND_RATE at and above the server's limit, where the sender must adapt."""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

from bench.common import TEXT, html_bot, now, open_engine, register_users, wait_finished
from bot.services.delivery import TextContent
from bot.settings import Settings
from emulator import FakeTelegram

# Prints the rate Telegram saw (from the server's own request times) divided by the configured
# rate and by the rate the server enforces, and how many sends the fake's Telegram-like flood
# control answered 429. At SEND_RATE 30 and 35 the ceiling is at or above the server's limit:
# the adaptive limiter has to find the real one (target: >= 0.95 of it, <= 1% answered 429).

DEFAULT_RATE = float(Settings.model_fields["send_rate"].default)
ENFORCED = 30.0
ADAPTIVE_RATES = (30.0, 35.0)


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
        tg.rate_limit(global_per_second=ENFORCED)
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
        share = tg.flood_429_count / (len(accepted) + tg.flood_429_count)
        print(f"achieved / enforced:   {achieved / ENFORCED:.3f}   (server allows {ENFORCED:g})")
        print(f"429 answers provoked:  {tg.flood_429_count} = {share:.2%} of sends")
        if delivery.sender is not None:
            print(f"rate in use at the end: {delivery.sender.limiter.current:.2f} msg/s")
        print(f"load average:          {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--rate", type=float, nargs="+", default=[DEFAULT_RATE, *ADAPTIVE_RATES])
    # At or above the server's limit the first 429 (and Telegram's pause after it) is the
    # price of learning the limit; a longer broadcast shows the pace it settles at.
    parser.add_argument("--adaptive-recipients", type=int, default=3000)
    args = parser.parse_args()
    for rate in args.rate:
        count = args.adaptive_recipients if rate >= ENFORCED else args.recipients
        asyncio.run(run(count, rate))


if __name__ == "__main__":
    main()
