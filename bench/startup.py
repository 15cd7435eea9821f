"""Start-up: seconds from spawning `python -m bot` to its first getUpdates, and idle RSS."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from emulator import FakeTelegram
from tests.e2e.conftest import E2E_TOKEN
from tests.e2e.harness import BotProcess

# `--root` runs another checkout of the project (e.g. a worktree of the commit before a change)
# with this one's interpreter, for a before/after in the same run.
HEAVY = ("matplotlib", "openpyxl", "xlsxwriter", "qrcode", "PIL")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def heavy_loaded(pid: int) -> list[str]:
    """Heavy libraries mapped into the process (their compiled parts show in its maps)."""
    with open(f"/proc/{pid}/maps") as maps:
        text = maps.read()
    return [name for name in HEAVY if f"/{name}/" in text]


def once(root: Path | None, idle: float) -> tuple[float, float, list[str]]:
    with FakeTelegram(token=E2E_TOKEN) as tg, tempfile.TemporaryDirectory() as folder:
        env = {"PYTHONPATH": str(root)} if root else {}
        process = BotProcess(tg, Path(folder) / "bot.sqlite3", env=env)
        started = time.monotonic()
        process.start()
        seconds = time.monotonic() - started
        time.sleep(idle)
        assert process.process is not None
        pid = process.process.pid
        rss, heavy = rss_mb(pid), heavy_loaded(pid)
        process.stop()
        return seconds, rss, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, help="another checkout to measure")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=float, default=3.0, help="seconds idle before RSS")
    args = parser.parse_args()
    runs = [once(args.root, args.idle) for _ in range(args.rounds)]
    seconds = statistics.median(run[0] for run in runs)
    rss = statistics.median(run[1] for run in runs)
    print(f"checkout:                 {args.root or 'this one'}")
    print(f"to first getUpdates:      {seconds:.2f} s (median of {args.rounds})")
    print(f"idle RSS:                 {rss:.0f} MB")
    print(f"heavy libraries mapped:   {', '.join(runs[-1][2]) or 'none'}")
    print(f"load average:             {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
