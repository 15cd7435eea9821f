"""The bag of long-lived services handlers receive as `services`; `bot.app` fills it."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.identity import BotIdentity
from bot.services.announcements import AnnouncementService
from bot.services.backups import BackupService
from bot.services.catalog import Catalog
from bot.services.checkin import CheckinService
from bot.services.delivery import DeliveryService
from bot.services.followups import FollowupService
from bot.services.organizer import OrganizerService
from bot.services.plain_mode import PlainModeService
from bot.services.privacy import PrivacyService
from bot.services.registration import RegistrationService
from bot.services.reminders import ReminderService
from bot.services.retention import RetentionService
from bot.services.roles import RoleService
from bot.services.search import EventSearch
from bot.services.status import StatusService
from bot.settings import Settings
from db import Database


@dataclass(slots=True)
class Services:
    """Everything a handler may need besides the update. Services never receive this bag:
    each is built by `bot.app.create_services` with the dependencies it uses."""

    settings: Settings
    db: Database
    clock: Clock
    i18n: I18n
    scheduler: AsyncIOScheduler
    identity: BotIdentity
    delivery: DeliveryService
    catalog: Catalog
    search: EventSearch
    registrations: RegistrationService
    privacy: PrivacyService
    roles: RoleService
    organizer: OrganizerService
    checkin: CheckinService
    reminders: ReminderService
    followups: FollowupService
    announcements: AnnouncementService
    backups: BackupService
    status: StatusService
    retention: RetentionService
    plain_mode: PlainModeService

    @property
    def bot_username(self) -> str:
        return self.identity.username

    @bot_username.setter
    def bot_username(self, username: str) -> None:
        self.identity.username = username
