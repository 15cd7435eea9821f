"""Daily backups with retention on the scheduler, and on-demand backups for the CLI."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.clock import Clock
from bot.settings import Settings
from db import backup as backups

log = logging.getLogger(__name__)

JOB_ID = "daily-backup"


class BackupService:
    def __init__(self, settings: Settings, clock: Clock, scheduler: AsyncIOScheduler) -> None:
        self._settings = settings
        self._clock = clock
        self._scheduler = scheduler

    @property
    def enabled(self) -> bool:
        return self._settings.backup_keep > 0

    def schedule(self) -> None:
        """Register the daily job (BACKUP_HOUR in DEFAULT_TIMEZONE) unless BACKUP_KEEP is 0."""
        if not self.enabled:
            log.info("daily backups are off (BACKUP_KEEP=0)")
            return
        self._scheduler.add_job(
            self.run_daily,
            CronTrigger(
                hour=self._settings.backup_hour, timezone=ZoneInfo(self._settings.default_timezone)
            ),
            id=JOB_ID,
            replace_existing=True,
            coalesce=True,
            # A machine that slept through the hour still takes that day's backup.
            misfire_grace_time=6 * 3600,
        )

    async def run_daily(self) -> Path | None:
        """One backup into BACKUP_DIR, then all but the newest BACKUP_KEEP are deleted."""
        folder = self._settings.backups_folder
        target = folder / backups.backup_name(self._clock.now())
        try:
            # In a thread: a copy of a large file must not stall the bot's event loop.
            size = await asyncio.to_thread(backups.backup, self._settings.database_path, target)
            removed = await asyncio.to_thread(backups.prune, folder, self._settings.backup_keep)
        except (backups.BackupError, OSError) as error:
            log.error("daily backup failed: %s", error)
            return None
        log.info("daily backup %s (%d bytes); %d old ones removed", target, size, len(removed))
        return target
