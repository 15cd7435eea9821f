"""Registration storm: N people sign up for a 50-seat event at once, through the dispatcher.

Each person goes the whole way a new member goes: /start, the language, the event's deep
link, Register, consent, the announcements question, name, organization, position, phone,
"Skip" for the e-mail, Confirm — 12 updates fed through the real Dispatcher (middlewares,
SQLite FSM storage, handlers, services) with a mocked Bot API session, `--concurrency`
people in flight at a time. The baseline is an echo handler placed first in a dispatcher
built by the same factory, fed the same number and kinds of updates through the same
session, in the same run.

Prints updates/s for both, their ratio (target >= 0.5), and the correctness counts: exactly
50 confirmed, everyone else waitlisted with positions 1..N-50, no errors.

    .venv/bin/python -m bench.registration_storm            # N = 2,000
    .venv/bin/python -m bench.registration_storm --n 500 --concurrency 50
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


async def storm(
    clients: list[ChatClient], person: Callable[[ChatClient], Awaitable[None]], concurrency: int
) -> float:
    """Run every person's flow, `concurrency` at a time; returns the seconds it took."""
    gate = asyncio.Semaphore(concurrency)

    async def one(client: ChatClient) -> None:
        async with gate:
            await person(client)

    started = time.perf_counter()
    await asyncio.gather(*(one(client) for client in clients))
    return time.perf_counter() - started


async def registration_run(
    folder: Path, n: int, concurrency: int
) -> tuple[float, Services, MockedBot]:
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

    return await storm(clients, person, concurrency), services, bot


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


async def echo_run(folder: Path, n: int, concurrency: int) -> float:
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
        return await storm(clients, person, concurrency)
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


async def main(n: int, concurrency: int) -> None:
    updates = n * len(FLOW)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        echo_seconds = await echo_run(folder, n, concurrency)
        storm_seconds, services, bot = await registration_run(folder, n, concurrency)
        try:
            counts = await check(services, bot, n)
        finally:
            await services.db.close()
    storm_rate = updates / storm_seconds
    echo_rate = updates / echo_seconds
    print(f"people: {n}, updates each: {len(FLOW)}, in flight: {concurrency}, seats: {SEATS}")
    print(f"registration flow: {updates} updates in {storm_seconds:.1f} s = {storm_rate:.0f}/s")
    print(f"echo baseline:     {updates} updates in {echo_seconds:.1f} s = {echo_rate:.0f}/s")
    print(f"ratio registration / echo: {storm_rate / echo_rate:.2f} (target >= 0.5)")
    for name, value in counts.items():
        print(f"  {name}: {value}")
    ok = (
        counts["confirmed"] == SEATS
        and counts["waitlisted"] == n - SEATS
        and counts["waitlist positions 1..N-50, unique"] is True
        and counts["people without a saved profile"] == 0
        and counts["error messages"] == 0
    )
    print("correct" if ok else "INCORRECT")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="people (default 2000)")
    parser.add_argument("--concurrency", type=int, default=100, help="people in flight")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.concurrency))
