"""Shared set-up for the delivery benchmarks: a fake Telegram, a fresh database, the engine."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode

from bot.clock import SystemClock
from bot.delivery.sender import SenderConfig
from bot.services.delivery import DeliveryService, Progress
from db import Database
from emulator import FakeTelegram

TEXT = "Приглашаем на круглый стол <b>«НКО и власть: диалог»</b> 25 ноября в 15:00"


def html_bot(tg: FakeTelegram) -> Bot:
    return tg.bot(default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def register_users(tg: FakeTelegram, count: int) -> list[int]:
    return [tg.user().id for _ in range(count)]


async def open_engine(
    path: Path, bot: Bot, rate: float, config: SenderConfig | None = None
) -> tuple[Database, DeliveryService]:
    db = Database(path)
    await db.connect()
    delivery = DeliveryService(db, SystemClock(), send_rate=rate, config=config)
    await delivery.start(bot)
    return db, delivery


async def wait_finished(delivery: DeliveryService, source: str) -> Progress:
    while True:
        progress = await delivery.progress(source)
        if progress.total and progress.finished:
            return progress
        # Seldom: a progress query reads every row of the source, and it is not the engine.
        await asyncio.sleep(0.5)


def now() -> float:
    return time.perf_counter()
