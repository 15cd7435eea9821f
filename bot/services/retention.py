"""Retention (152-FZ: kept no longer than needed): a daily pass that clears finished work."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.clock import Clock
from bot.settings import Settings
from db import Database, dialogs, inbox, outbox

log = logging.getLogger(__name__)

JOB_ID = "daily-retention"
# An hour after the default backup hour, in DEFAULT_TIMEZONE: a quiet time of the night.
RUN_HOUR = 4
DAY = 24 * 3600


@dataclass(frozen=True, slots=True)
class Cleared:
    """What one pass cleared."""

    deliveries: int  # finished delivery rows that lost their recipient and error
    messages: int  # sent messages whose text and file bytes were wiped
    updates: int  # handled (or failed) inbound updates deleted
    dialogs: int  # dialogs left unfinished for the whole period, with what was typed


class RetentionService:
    """After RETENTION_DAYS, finished things lose what ties them to a person:

    - delivery rows in a final state (sent, unreachable, failed, cancelled) lose the
      recipient's chat id, Telegram's message id and the error text; the rows stay, so an
      announcement's report keeps its counts;
    - messages whose every delivery is such lose their text, buttons and stored file bytes;
    - handled or failed inbound updates are deleted;
    - dialogs nobody touched for that long are dropped with whatever was typed in them.
    Registrations, consents and profiles are not touched: they live until the person asks
    (/forget); the -wal is truncated after each pass.
    """

    def __init__(
        self, db: Database, clock: Clock, scheduler: AsyncIOScheduler, settings: Settings
    ) -> None:
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self._settings = settings

    def schedule(self) -> None:
        """The daily job, and one pass right after start-up (a bot restarted every night
        before RUN_HOUR would otherwise never run it)."""
        self._scheduler.add_job(
            self.run,
            CronTrigger(hour=RUN_HOUR, timezone=ZoneInfo(self._settings.default_timezone)),
            id=JOB_ID,
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=6 * 3600,
        )
        self._scheduler.add_job(self.run, id=f"{JOB_ID}-startup", replace_existing=True)

    async def run(self) -> Cleared:
        now = self._clock.timestamp()
        before = now - self._settings.retention_days * DAY
        db = self._db
        expired = await outbox.expire(db, before, now)
        async with db.write() as tx:
            updates = await inbox.expire(tx, before)
            abandoned = await dialogs.expire(tx, before)
        cleared = Cleared(expired.deliveries, expired.messages, updates, abandoned)
        if any((cleared.deliveries, cleared.messages, cleared.updates, cleared.dialogs)):
            await db.checkpoint()
        log.info(
            "retention (%d days): %d deliveries, %d messages, %d updates, %d dialogs cleared",
            self._settings.retention_days,
            *(cleared.deliveries, cleared.messages, cleared.updates, cleared.dialogs),
        )
        return cleared
