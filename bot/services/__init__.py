"""Long-lived services handed to handlers as the `services` keyword argument."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.services.catalog import Catalog
from bot.services.delivery import DeliveryService
from bot.settings import Settings
from db import Database

if TYPE_CHECKING:
    from bot.services.privacy import PrivacyService
    from bot.services.registration import RegistrationService


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
    catalog: Catalog = field(init=False)
    registrations: RegistrationService = field(init=False)
    privacy: PrivacyService = field(init=False)

    def __post_init__(self) -> None:
        # Imported here: these services take the whole bundle (they need the delivery engine).
        from bot.services.privacy import PrivacyService
        from bot.services.registration import RegistrationService

        self.catalog = Catalog(self.db, self.clock)
        self.registrations = RegistrationService(self)
        self.privacy = PrivacyService(self)
