"""Backups of the SQLite file: an online copy of live rows only, retention, and restore."""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# Daily backups are named after their UTC moment, so names sort in time order.
BACKUP_NAME = re.compile(r"^bot-(\d{8}-\d{6})\.sqlite3$")
BUSY_TIMEOUT_S = 10.0


class BackupError(Exception):
    """A backup or restore cannot be done; the message is one line for a person."""


class DatabaseInUseError(BackupError):
    """Another process (the running bot) has the database open."""


@dataclass(frozen=True, slots=True)
class BackupFolder:
    count: int
    total_bytes: int
    newest: Path | None
    newest_at: float | None  # the moment in the newest file's name, seconds since the epoch


def backup_name(moment: datetime) -> str:
    return f"bot-{moment.astimezone(UTC):%Y%m%d-%H%M%S}.sqlite3"


def backup(source: Path, target: Path) -> int:
    """Copy the database at `source` into the single file `target`; returns its size.

    `VACUUM INTO` reads one consistent snapshot (WAL lets the bot keep writing meanwhile) and
    writes only live rows into a fresh file: pages freed by an erasure are not carried, and
    the copy needs no `-wal`. The copy is checked and then renamed into place, so `target`
    is either the previous file or a complete new one.
    """
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    # Personal data: only the bot's own user may read its backups, whatever the umask.
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        # Not `mode=ro`: a read-only connection to an idle WAL database leaves `-wal` and
        # `-shm` behind, owned by whoever ran the backup; a normal one removes them on close.
        # VACUUM INTO only reads the source.
        conn = sqlite3.connect(source, isolation_level=None, timeout=BUSY_TIMEOUT_S)
        try:
            conn.execute("VACUUM INTO ?", (str(partial),))
        finally:
            conn.close()
        _check(partial)
        partial.chmod(0o600)
        _fsync(partial)
        os.replace(partial, target)
        _fsync(target.parent)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot back up {source}: {error}") from None
    return target.stat().st_size


def _check(path: Path) -> None:
    """The file is an intact SQLite database in rollback-journal mode (one file, no -wal)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        (verdict,) = conn.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise BackupError(f"{path} is damaged: {verdict}")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_not_in_use(database: Path) -> None:
    """Raise DatabaseInUseError when another connection (the bot) has the file open.

    An exclusive lock is granted only when no other connection holds the database, even an
    idle one in WAL mode; timeout 0 asks once and never waits.
    """
    conn = sqlite3.connect(database, isolation_level=None, timeout=0)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
        # Fold the WAL into the file, so the file set aside is complete on its own.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise DatabaseInUseError(
                f"the database {database} is in use: stop the bot first "
                "(e.g. systemctl stop ngo-events-bot)"
            ) from None
        raise BackupError(f"cannot open {database}: {error}") from None
    finally:
        conn.close()


def restore(source: Path, database: Path, now: datetime) -> Path | None:
    """Put the backup `source` in place of `database`; returns where the old file was kept.

    Refuses while the bot has the database open. The replaced file is renamed to
    `<name>.replaced-<UTC time>` next to it, never deleted.
    """
    if not source.is_file():
        raise BackupError(f"there is no backup at {source}")
    try:
        _check_backup(source)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a usable backup: {error}") from None
    database.parent.mkdir(parents=True, exist_ok=True)
    kept: Path | None = None
    if database.exists():
        ensure_not_in_use(database)
        kept = database.with_name(f"{database.name}.replaced-{now.astimezone(UTC):%Y%m%d-%H%M%S}")
        os.replace(database, kept)
        for suffix in ("-wal", "-shm"):
            # After the checkpoint above these are empty leftovers of the old file.
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    partial = database.with_name(f".{database.name}.restoring")
    partial.write_bytes(source.read_bytes())
    partial.chmod(0o600)
    _fsync(partial)
    os.replace(partial, database)
    _fsync(database.parent)
    return kept


def _check_backup(path: Path) -> None:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        (verdict,) = conn.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise BackupError(f"{path} is damaged: {verdict}")
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
            raise BackupError(f"{path} is an empty database, not a backup of the bot")
    finally:
        conn.close()


def daily_backups(folder: Path) -> list[tuple[float, Path]]:
    """The folder's daily backups, oldest first, with the moment in each name."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = BACKUP_NAME.match(path.name)
        if match and path.is_file():
            moment = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
            found.append((moment.timestamp(), path))
    return sorted(found)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` daily backups; other files in the folder stay."""
    backups = daily_backups(folder)
    doomed = [path for _, path in backups[: max(0, len(backups) - keep)]]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def folder_summary(folder: Path) -> BackupFolder:
    backups = daily_backups(folder)
    total = sum(path.stat().st_size for _, path in backups)
    if not backups:
        return BackupFolder(0, 0, None, None)
    newest_at, newest = backups[-1]
    return BackupFolder(len(backups), total, newest, newest_at)


def file_sizes(database: Path) -> tuple[int, int]:
    """Bytes of the database file and of its `-wal`, 0 for a missing file."""

    def size(path: Path) -> int:
        try:
            return path.stat().st_size
        except FileNotFoundError:
            return 0

    return size(database), size(Path(f"{database}-wal"))
