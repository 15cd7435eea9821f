"""5,000 `/start` from distinct people at once into the real process: order, latency, memory.

    python -m bench.start_burst [--n 5000] [--code /path/to/other/checkout] [--in-flight N]

Prints the first answer's latency, when each arrival decile was answered, the time by which
half of the people were answered as a fraction of the whole drain (0.5 means strictly in
arrival order at a steady pace), throughput, and the bot process's extra resident memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from emulator import FakeTelegram
from tests.e2e.harness import BotProcess

TOKEN = "987654321:BENCH-token-for-the-fake-server"


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.1):
            self.peak = max(self.peak, rss_mb(self.pid))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--code", help="run another checkout's bot (for a before/after)")
    parser.add_argument("--in-flight", type=int, help="MAX_UPDATES_IN_FLIGHT for the bot")
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()}")
    with FakeTelegram(token=TOKEN) as tg, tempfile.TemporaryDirectory() as workdir:
        env = {"LOG_LEVEL": "WARNING"} | ({"PYTHONPATH": args.code} if args.code else {})
        if args.in_flight:
            env["MAX_UPDATES_IN_FLIGHT"] = str(args.in_flight)
        process = BotProcess(tg, Path(workdir) / "bot.sqlite3", env=env)
        process.start()
        assert process.process is not None
        pid = process.process.pid
        users = [tg.user(language_code="ru") for _ in range(args.n)]
        time.sleep(1.0)
        idle = rss_mb(pid)
        sampler = RssSampler(pid)
        sampler.start()
        pushed: dict[int, float] = {}
        start = time.monotonic()
        for user in users:
            tg.send_text(user, "/start")
            pushed[user.id] = time.monotonic()
        push_time = time.monotonic() - start

        def answered() -> dict[int, float]:
            first: dict[int, float] = {}
            for call in tg.calls_to("sendMessage"):
                chat = call.chat_id
                if isinstance(chat, int) and chat in pushed and chat not in first:
                    first[chat] = call.time
            return first

        while len(answered()) < args.n:
            time.sleep(0.5)
            if time.monotonic() - start > 900:
                raise SystemExit(f"only {len(answered())} of {args.n} answered in 900 s")
        first = answered()
        sampler.stop.set()
        sampler.join()
        after = rss_mb(pid)
        process.stop()

    done_at = sorted(t - start for t in first.values())
    drain = done_at[-1]
    median_at = done_at[len(done_at) // 2]
    latency = [first[u.id] - pushed[u.id] for u in users]
    print(f"{args.n} /start pushed in {push_time:.2f} s ({args.code or 'this checkout'})")
    print(f"first answer {done_at[0]:.3f} s after the burst began")
    print(f"drain {drain:.2f} s; throughput {args.n / drain:.0f} updates/s")
    print(f"half answered at {median_at:.2f} s = {median_at / drain:.2f} x drain (goal <= 0.6)")
    deciles = []
    for d in range(10):
        part = latency[d * args.n // 10 : (d + 1) * args.n // 10]
        deciles.append(f"{statistics.median(part):.2f}")
    print("median latency by arrival decile, s:", " ".join(deciles))
    q = statistics.quantiles(latency, n=100)
    print(f"latency p50 {q[49]:.2f} s, p90 {q[89]:.2f} s, p99 {q[98]:.2f} s")
    print(
        f"RSS idle {idle:.0f} MB, peak {sampler.peak:.0f} MB (+{sampler.peak - idle:.0f} MB), "
        f"after {after:.0f} MB (+{after - idle:.0f} MB)"
    )
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
