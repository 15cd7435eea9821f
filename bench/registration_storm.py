"""Registration storm: N people sign up for a 50-seat event at once, through the dispatcher.

Each person goes the whole way a new member goes: /start, the language, the event's deep
link, Register, consent, the announcements question, name, organization, position, phone,
"Skip" for the e-mail, Confirm — 12 updates fed through the real Dispatcher (middlewares,
SQLite FSM storage, handlers, services) with a mocked Bot API session, `--concurrency`
people in flight at a time. The baseline is an echo handler placed first in a dispatcher
built by the same factory, fed the same number and kinds of updates through the same
session, in the same run.

Prints updates/s for both, their ratio (target >= 0.5), the ratio of the CPU time each took
(steadier on a shared machine), with `--hops` the calls each made to SQLite's threads, and
the correctness counts: exactly 50 confirmed, everyone else waitlisted with positions
1..N-50, no errors.

    .venv/bin/python -m bench.registration_storm            # N = 2,000
    .venv/bin/python -m bench.registration_storm --n 500 --concurrency 50
    .venv/bin/python -m bench.registration_storm --n 500 --runs 5   # median of 5 pairs
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite
from aiogram import Dispatcher, Router
from aiogram.types import CallbackQuery, Message

from bot.app import create_dispatcher, create_services
from bot.clock import ManualClock
from bot.services import Services
from bot.settings import Settings
from db import events as events_repo
from db.events import EventKind, EventStatus, NewEvent
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import BOT_USERNAME, TOKEN, MockedBot

SEATS = 50
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
FIRST_USER = 100_000

# What a new member types and presses, in order: ("text", ...) or ("button", label).
FLOW: list[tuple[str, str]] = [
    ("text", "/start"),
    ("button", "Русский"),
    ("text", "/start ev_{event_id}"),
    ("button", "Зарегистрироваться|Встать в лист ожидания"),
    ("button", "Даю согласие"),
    ("button", "Нет, спасибо"),
    ("text", "Иванова Анна Сергеевна"),
    ("text", "АНО «Дом НКО»"),
    ("text", "Координатор проектов"),
    ("text", "+7 912 345-67-89"),
    ("text", "⏭ Пропустить"),
    ("button", "Подтвердить"),
]


async def open_services(folder: Path, name: str) -> Services:
    settings = Settings(
        bot_token=TOKEN,  # type: ignore[arg-type]
        database_path=folder / f"{name}.sqlite3",
        send_rate=0,
        _env_file=None,  # type: ignore[call-arg]
    )
    services = await create_services(settings, clock=ManualClock(NOW))
    services.bot_username = BOT_USERNAME
    return services


@dataclass
class Run:
    """One storm's wall-clock seconds, the process's CPU seconds (every thread), and the
    hops to SQLite's threads (counted only with --hops)."""

    seconds: float
    cpu: float
    hops: int = 0


class HopCounter:
    """Counts calls carried to aiosqlite's connection threads (each is a thread hop)."""

    def __init__(self) -> None:
        self.count = 0
        self._original: Any = None

    def __enter__(self) -> HopCounter:
        self._original = original = aiosqlite.Connection._execute

        async def counted(conn: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await original(conn, fn, *args, **kwargs)

        aiosqlite.Connection._execute = counted  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        aiosqlite.Connection._execute = self._original  # type: ignore[method-assign]


async def storm(
    clients: list[ChatClient],
    person: Callable[[ChatClient], Awaitable[None]],
    concurrency: int,
    count_hops: bool = False,
) -> Run:
    """Run every person's flow, `concurrency` at a time; returns what it took."""
    gate = asyncio.Semaphore(concurrency)

    async def one(client: ChatClient) -> None:
        async with gate:
            await person(client)

    with HopCounter() if count_hops else nullcontext() as hops:
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(client) for client in clients))
        run = Run(time.perf_counter() - started, time.process_time() - cpu)
    run.hops = hops.count if hops is not None else 0
    return run


async def registration_run(
    folder: Path, n: int, concurrency: int, count_hops: bool = False
) -> tuple[Run, Services, MockedBot]:
    services = await open_services(folder, "storm")
    start = NOW + timedelta(days=10)
    event = await events_repo.create(
        services.db,
        NewEvent(
            title="Роль СО НКО в реализации приоритетных национальных проектов",
            kind=EventKind.round_table,
            city="Тюмень",
            timezone="Asia/Yekaterinburg",
            starts_at=start.timestamp(),
            ends_at=(start + timedelta(hours=3)).timestamp(),
            capacity=SEATS,
            venue="«Точка кипения»",
            address="Тюменский Технопарк, ул. Республики 142, 2 этаж",
        ),
        NOW.timestamp(),
        status=EventStatus.published,
    )
    dp = create_dispatcher(services)
    bot = MockedBot()
    clients = [ChatClient(dp, bot, FIRST_USER + k) for k in range(n)]

    async def person(client: ChatClient) -> None:
        for kind, value in FLOW:
            if kind == "text":
                await client.send(value.format(event_id=event.id))
            else:
                # The 51st person sees «Join the waitlist» where the first 50 saw «Register».
                labels = value.split("|")
                label = next(
                    (x for x in labels if any(x in b for b in client.last.buttons())), labels[0]
                )
                await client.click(label)

    return await storm(clients, person, concurrency, count_hops), services, bot


def echo_dispatcher(services: Services) -> Dispatcher:
    """The production dispatcher with an echo router in front of every feature."""
    echo = Router(name="echo")

    @echo.message()
    async def echo_message(message: Message) -> None:
        await message.answer(message.text or "…")

    @echo.callback_query()
    async def echo_button(query: CallbackQuery) -> None:
        if isinstance(query.message, Message):
            await query.message.answer(query.data or "…")

    dp = create_dispatcher(services)
    dp.include_router(echo)
    dp.sub_routers.remove(echo)
    dp.sub_routers.insert(0, echo)
    return dp


async def echo_run(folder: Path, n: int, concurrency: int, count_hops: bool = False) -> Run:
    services = await open_services(folder, "echo")
    dp = echo_dispatcher(services)
    bot = MockedBot()
    clients = [ChatClient(dp, bot, FIRST_USER + k) for k in range(n)]

    async def person(client: ChatClient) -> None:
        for kind, value in FLOW:
            if kind == "text":
                await client.send(value)
            else:
                await client.press("echo:1", client.messages[-1] if client.messages else None)

    try:
        return await storm(clients, person, concurrency, count_hops)
    finally:
        await services.db.close()


async def check(services: Services, bot: MockedBot, n: int) -> dict[str, int | bool]:
    rows = await services.db.fetch_all("SELECT status, waitlist_seq FROM registrations")
    confirmed = sum(1 for row in rows if row["status"] == "confirmed")
    waitlisted = sorted(row["waitlist_seq"] for row in rows if row["status"] == "waitlisted")
    unsaved = await services.db.fetch_value("SELECT COUNT(*) FROM people WHERE full_name IS NULL")
    errors = sum(
        "пошло не так" in sent.body for chat in bot.session.messages.values() for sent in chat
    )
    return {
        "registrations": len(rows),
        "confirmed": confirmed,
        "waitlisted": len(waitlisted),
        "waitlist positions 1..N-50, unique": waitlisted == list(range(1, n - SEATS + 1)),
        "people without a saved profile": int(unsaved or 0),
        "error messages": errors,
    }


async def paired_run(
    folder: Path, n: int, concurrency: int, count_hops: bool
) -> tuple[Run, Run, dict[str, int | bool]]:
    """Echo, then the flow, on new databases in `folder`; the flow's correctness counts."""
    echo = await echo_run(folder, n, concurrency, count_hops)
    flow, services, bot = await registration_run(folder, n, concurrency, count_hops)
    try:
        counts = await check(services, bot, n)
    finally:
        await services.db.close()
    return echo, flow, counts


def is_correct(counts: dict[str, int | bool], n: int) -> bool:
    return (
        counts["confirmed"] == SEATS
        and counts["waitlisted"] == n - SEATS
        and counts["waitlist positions 1..N-50, unique"] is True
        and counts["people without a saved profile"] == 0
        and counts["error messages"] == 0
    )


async def main(n: int, concurrency: int, count_hops: bool, runs: int) -> None:
    updates = n * len(FLOW)
    print(f"people: {n}, updates each: {len(FLOW)}, in flight: {concurrency}, seats: {SEATS}")
    walls: list[float] = []
    cpus: list[float] = []
    correct = True
    for number in range(1, runs + 1):
        # Echo and flow side by side, pair after pair: a shared machine's slow minutes
        # then weigh on both sides of a ratio, not on one.
        with tempfile.TemporaryDirectory() as tmp:
            echo, flow, counts = await paired_run(Path(tmp), n, concurrency, count_hops)
            if runs > 1:
                print(f"run {number} of {runs}")
            for name, run in (("registration flow", flow), ("echo baseline", echo)):
                line = (
                    f"{name + ':':19s}{updates} updates in {run.seconds:.1f} s = "
                    f"{updates / run.seconds:.0f}/s; CPU {run.cpu:.1f} s"
                )
                if count_hops:
                    line += f"; SQLite thread hops per person {run.hops / n:.1f}"
                print(line)
            walls.append(echo.seconds / flow.seconds)
            # On a shared machine the wall clock waits for other jobs too; CPU time does not.
            cpus.append(echo.cpu / flow.cpu)
            print(f"ratio registration / echo: {walls[-1]:.2f} (target >= 0.5)")
            print(f"ratio by CPU time:         {cpus[-1]:.2f}")
            for name, value in counts.items():
                print(f"  {name}: {value}")
            correct = correct and is_correct(counts, n)
    if runs > 1:
        print(
            f"median of {runs}: ratio {statistics.median(walls):.2f}"
            f" ({min(walls):.2f}–{max(walls):.2f}), by CPU time {statistics.median(cpus):.2f}"
            f" ({min(cpus):.2f}–{max(cpus):.2f})"
        )
    print("correct" if correct else "INCORRECT")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="people (default 2000)")
    parser.add_argument("--concurrency", type=int, default=100, help="people in flight")
    parser.add_argument(
        "--hops", action="store_true", help="count the calls carried to SQLite's threads"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="echo/flow pairs, with their median (default 1)"
    )
    args = parser.parse_args()
    asyncio.run(main(args.n, args.concurrency, args.hops, args.runs))
