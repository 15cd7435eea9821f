"""Where the registration storm's event-loop time goes, next to echo's: sampled stacks by part.

Runs `bench.registration_storm`'s echo and flow once each (same dispatcher factory, same
mocked session) while SIGPROF samples the event loop's stack every millisecond of the
process's CPU time. Each sample is put in the first part its stack touches, in the order of
`PARTS`; samples of an idle loop (waiting in `select`) are left out. Prints, for both, the
loop's CPU milliseconds per update by part, then what the flow's ratio to echo would be if the
parts that are the bot's own work in a dialog step (marked *: routing, filters, handlers,
services, views, the database) cost nothing at all: an upper bound no tuning of them passes.

    .venv/bin/python -m bench.storm_breakdown            # 300 people, 50 in flight
    .venv/bin/python -m bench.storm_breakdown --n 1000
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import FrameType

from bench.registration_storm import FLOW, Run, echo_run, registration_run

# (part, pieces of "path:qualname" of a sampled frame); the first part whose piece occurs
# anywhere in the stack wins.
PARTS: list[tuple[str, tuple[str, ...]]] = [
    ("Bot API requests (aiogram + the mocked Telegram)", (":BaseSession.__call__",)),
    ("database (queries, dialog rows, thread hops)", ("db/", "aiosqlite/", "fsm_storage")),
    ("views (texts, keyboards)", ("bot/views/", "bot/labels")),
    ("handlers and services", ("handlers/", "bot/services/")),
    ("the echo handler", (":echo_dispatcher.<locals>.echo_",)),
    ("filters", (":HandlerObject.check", ":TelegramEventObserver.check_root")),
    ("routing (router tree, inner middlewares)", (":Router.propagate_event",)),
    ("the update: parsing, outer middlewares", (":Dispatcher.feed_update",)),
    ("the bench's simulated people", ("tests/kit/", "bench/")),
]
OTHER = "event loop, other"
# The bot's own work in a dialog step, as opposed to what any update or request costs.
OWN_WORK = {PARTS[k][0] for k in (1, 2, 3, 5, 6)}


def _part(stack: list[str]) -> str:
    for name, pieces in PARTS:
        if any(piece in frame for frame in stack for piece in pieces):
            return name
    return OTHER


def _frames(frame: FrameType | None) -> Iterator[str]:
    while frame is not None:
        path = frame.f_code.co_filename
        for marker in ("site-packages/", "/work/main/", str(Path.cwd()) + "/"):
            if marker in path:
                path = path.split(marker, 1)[1]
        yield f"{path}:{frame.f_code.co_qualname}"
        frame = frame.f_back


class Sampler:
    """Samples the main thread's stack each `interval` of the process's CPU time (SIGPROF),
    so samples fall where CPU is spent, not where the GIL happens to be released."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.parts: Counter[str] = Counter()
        self.idle = 0

    def __enter__(self) -> Sampler:
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_DFL)

    def _sample(self, signum: int, frame: FrameType | None) -> None:
        stack = list(_frames(frame))
        if not stack or "select" in stack[0].rsplit(":", 1)[-1]:
            # The loop waiting for work (while SQLite's or a worker's thread spends the CPU).
            self.idle += 1
            return
        self.parts[_part(stack)] += 1


async def sampled(run: Callable[[], Awaitable[Run]]) -> tuple[Run, Sampler, float]:
    """The run, its samples, and the event loop thread's CPU seconds during it."""
    with Sampler() as sampler:
        cpu = time.thread_time()
        result = await run()
        loop_cpu = time.thread_time() - cpu
    return result, sampler, loop_cpu


def per_update(sampler: Sampler, loop_cpu: float, updates: int) -> dict[str, float]:
    """Milliseconds of the loop's CPU per update, by part (shares of the busy samples)."""
    busy = sum(sampler.parts.values()) or 1
    names = [name for name, _ in PARTS] + [OTHER]
    return {name: sampler.parts[name] / busy * loop_cpu / updates * 1000 for name in names}


async def main(n: int, concurrency: int) -> None:
    updates = n * len(FLOW)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        echo, echo_samples, echo_cpu = await sampled(lambda: echo_run(folder, n, concurrency))

        async def flow_only() -> Run:
            run, services, _bot = await registration_run(folder, n, concurrency)
            await services.db.close()
            return run

        flow, flow_samples, flow_cpu = await sampled(flow_only)
    echo_parts = per_update(echo_samples, echo_cpu, updates)
    flow_parts = per_update(flow_samples, flow_cpu, updates)
    print(f"people: {n}, updates each: {len(FLOW)}, in flight: {concurrency}")
    print(
        f"samples (busy / idle): echo {sum(echo_samples.parts.values())} / {echo_samples.idle},"
        f" flow {sum(flow_samples.parts.values())} / {flow_samples.idle}"
    )
    print(f"{'event loop CPU, ms per update':52s} {'echo':>7s} {'flow':>7s} {'flow−echo':>10s}")
    for name in echo_parts:
        mark = " *" if name in OWN_WORK else ""
        print(
            f"  {name + mark:50s} {echo_parts[name]:7.3f} {flow_parts[name]:7.3f}"
            f" {flow_parts[name] - echo_parts[name]:10.3f}"
        )
    echo_total, flow_total = sum(echo_parts.values()), sum(flow_parts.values())
    print(f"  {'total':50s} {echo_total:7.3f} {flow_total:7.3f} {flow_total - echo_total:10.3f}")
    print(
        f"whole process CPU per update: echo {echo.cpu / updates * 1000:.3f} ms,"
        f" flow {flow.cpu / updates * 1000:.3f} ms; ratio by CPU {echo.cpu / flow.cpu:.2f}"
    )
    own = sum(flow_parts[name] for name in OWN_WORK)
    print(
        f"flow ÷ echo (loop CPU) now {echo_total / flow_total:.2f}; with every part marked *"
        f" of the flow costing nothing: {echo_total / (flow_total - own):.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300, help="people (default 300)")
    parser.add_argument("--concurrency", type=int, default=50, help="people in flight")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.concurrency))
