"""What admins see in /status: version, uptime, outbox depth, the last error, file sizes."""

from __future__ import annotations

import asyncio
import subprocess
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from bot.clock import Clock
from bot.settings import Settings
from db import Database
from db import backup as backups
from db.status import QueueDepth, queue_depth

PACKAGE = "ngo-events-bot"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ERROR_SUMMARY_LIMIT = 300


@dataclass(frozen=True, slots=True)
class LastError:
    at: float
    summary: str  # the exception's type and message, for an admin


@dataclass(frozen=True, slots=True)
class StatusReport:
    version: str
    commit: str | None
    started_at: float
    now: float
    queue: QueueDepth
    last_error: LastError | None
    database_bytes: int
    wal_bytes: int
    backups: backups.BackupFolder
    backups_enabled: bool
    backup_hour: int
    backup_keep: int
    timezone: str
    webhook: bool


@cache
def version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "unknown"


@cache
def git_commit(root: Path = PROJECT_ROOT) -> str | None:
    """The checked-out commit, when the bot runs from a git clone and git is installed."""
    try:
        result = subprocess.run(  # noqa: S603 - a fixed command, no user input
            # safe.directory: the service user reads a clone another user (root) owns.
            ["git", "-c", "safe.directory=*", "-C", str(root), "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else None


class StatusService:
    def __init__(self, settings: Settings, db: Database, clock: Clock) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self.started_at = clock.timestamp()
        self.last_error: LastError | None = None

    def record_error(self, error: BaseException) -> None:
        summary = f"{type(error).__name__}: {error}".strip().rstrip(":")
        self.last_error = LastError(self._clock.timestamp(), summary[:ERROR_SUMMARY_LIMIT])

    async def report(self) -> StatusReport:
        settings = self._settings
        database_bytes, wal_bytes = backups.file_sizes(settings.database_path)
        folder = await asyncio.to_thread(backups.folder_summary, settings.backups_folder)
        commit = await asyncio.to_thread(git_commit)
        return StatusReport(
            version=version(),
            commit=commit,
            started_at=self.started_at,
            now=self._clock.timestamp(),
            queue=await queue_depth(self._db),
            last_error=self.last_error,
            database_bytes=database_bytes,
            wal_bytes=wal_bytes,
            backups=folder,
            backups_enabled=settings.backup_keep > 0,
            backup_hour=settings.backup_hour,
            backup_keep=settings.backup_keep,
            timezone=settings.default_timezone,
            webhook=settings.webhook_url is not None,
        )
