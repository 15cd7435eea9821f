"""Long-lived services handed to handlers as the `services` keyword argument."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.services.delivery import DeliveryService
from bot.settings import Settings
from db import Database


@dataclass(slots=True)
class Services:
    """Everything a handler may need besides the update; built by the app factory."""

    settings: Settings
    db: Database
    clock: Clock
    i18n: I18n
    scheduler: AsyncIOScheduler
    delivery: DeliveryService
    bot_username: str = ""
