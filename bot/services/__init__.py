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
    from bot.services.announcements import AnnouncementService
    from bot.services.backups import BackupService
    from bot.services.checkin import CheckinService
    from bot.services.followups import FollowupService
    from bot.services.organizer import OrganizerService
    from bot.services.privacy import PrivacyService
    from bot.services.registration import RegistrationService
    from bot.services.reminders import ReminderService
    from bot.services.roles import RoleService
    from bot.services.status import StatusService


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
    roles: RoleService = field(init=False)
    organizer: OrganizerService = field(init=False)
    checkin: CheckinService = field(init=False)
    reminders: ReminderService = field(init=False)
    followups: FollowupService = field(init=False)
    announcements: AnnouncementService = field(init=False)
    backups: BackupService = field(init=False)
    status: StatusService = field(init=False)

    def __post_init__(self) -> None:
        # Imported here: these services take the whole bundle (they need the delivery engine).
        from bot.services.followups import FollowupService
        from bot.services.privacy import PrivacyService
        from bot.services.registration import RegistrationService
        from bot.services.reminders import ReminderService

        self.catalog = Catalog(self.db, self.clock)
        self.registrations = RegistrationService(self)
        self.privacy = PrivacyService(self)
        self.reminders = ReminderService(self)
        self.followups = FollowupService(self)
        self._organizer_services()
        self._announcement_services()
        self._operations_services()

    def _organizer_services(self) -> None:
        from bot.services.checkin import CheckinService
        from bot.services.organizer import OrganizerService
        from bot.services.roles import RoleService

        self.roles = RoleService(self)
        self.organizer = OrganizerService(self)
        self.checkin = CheckinService(self)

    def _announcement_services(self) -> None:
        from bot.services.announcements import AnnouncementService

        self.announcements = AnnouncementService(self)

    def _operations_services(self) -> None:
        from bot.services.backups import BackupService
        from bot.services.status import StatusService

        self.backups = BackupService(self.settings, self.clock, self.scheduler)
        self.status = StatusService(self.settings, self.db, self.clock)
