"""Backups: a consistent copy while the bot writes, no erased bytes, restore, daily retention."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.clock import ManualClock
from bot.services.backups import JOB_ID, BackupService
from bot.settings import Settings
from db import Database
from db import backup as backups
from tests.kit.mocked_bot import TOKEN
from tests.kit.process import clean_environment, run_bot

ERASED_NAME = "Эраст Стёртый-Навсегда 7731"


async def open_db(path: Path) -> Database:
    db = Database(path)
    await db.connect()
    await db.execute("CREATE TABLE ticks (n INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
    return db


def rows(path: Path, sql: str = "SELECT n FROM ticks ORDER BY n") -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def test_backup_while_writes_happen_is_a_consistent_single_file(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "bot.sqlite3")
    written = 0
    stop = asyncio.Event()

    async def writer() -> None:
        nonlocal written
        while not stop.is_set():
            # Two rows per transaction: a consistent copy never holds an odd count.
            async with db.write() as tx:
                await tx.execute("INSERT INTO ticks (payload) VALUES (?)", ("x" * 200,))
                await tx.execute("INSERT INTO ticks (payload) VALUES (?)", ("y" * 200,))
            written += 2
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    copies = []
    try:
        for number in range(5):
            target = tmp_path / "backups" / f"copy-{number}.sqlite3"
            await asyncio.to_thread(backups.backup, db.path, target)
            copies.append(target)
    finally:
        stop.set()
        await task
    counts = []
    for copy in copies:
        numbers = [n for (n,) in rows(copy)]
        assert numbers == list(range(1, len(numbers) + 1))
        assert len(numbers) % 2 == 0
        counts.append(len(numbers))
        assert rows(copy, "PRAGMA journal_mode") == [("delete",)]
        assert rows(copy, "PRAGMA integrity_check") == [("ok",)]
    assert counts == sorted(counts)
    assert {copy.stat().st_mode & 0o777 for copy in copies} == {0o600}
    assert counts[-1] > 0
    # One self-contained file each: no journal, no partial file beside them.
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [
        f"copy-{n}.sqlite3" for n in range(5)
    ]
    # The bot's own file keeps working and kept every write.
    assert await db.fetch_value("SELECT count(*) FROM ticks") == written
    await db.close()


def file_and_wal(path: Path) -> bytes:
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_an_erased_value_is_in_the_live_files_but_not_in_the_backup(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "bot.sqlite3")
    # The worst case for a copy: deleted bytes left in place (the bot may turn this on).
    await db.execute("PRAGMA secure_delete=OFF")
    async with db.write() as tx:
        for n in range(50):
            await tx.execute("INSERT INTO ticks (payload) VALUES (?)", (f"kept {n}",))
        await tx.execute("INSERT INTO ticks (payload) VALUES (?)", (ERASED_NAME,))
    await db.execute("DELETE FROM ticks WHERE payload = ?", (ERASED_NAME,))
    needle = ERASED_NAME.encode()
    live = file_and_wal(db.path)
    # Without secure_delete the deleted row's bytes stay in the WAL or the file's free space:
    # exactly what a plain file copy (or the backup API's page copy) would carry along.
    assert needle in live
    target = tmp_path / "backup.sqlite3"
    backups.backup(db.path, target)
    assert needle not in file_and_wal(target)
    assert rows(target, "SELECT count(*) FROM ticks") == [(50,)]
    await db.close()


async def test_restore_puts_the_backup_in_place_and_keeps_the_replaced_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await open_db(path)
    await db.execute("INSERT INTO ticks (payload) VALUES ('before the backup')")
    backups.backup(path, tmp_path / "backup.sqlite3")
    await db.execute("INSERT INTO ticks (payload) VALUES ('after the backup')")
    # While the bot has the file open, restoring is refused and nothing changes.
    with pytest.raises(backups.DatabaseInUseError, match="stop the bot first"):
        backups.restore(tmp_path / "backup.sqlite3", path, datetime(2026, 11, 27, 3, tzinfo=UTC))
    assert await db.fetch_value("SELECT count(*) FROM ticks") == 2
    await db.close()

    kept = backups.restore(
        tmp_path / "backup.sqlite3", path, datetime(2026, 11, 27, 3, 0, 5, tzinfo=UTC)
    )
    assert kept == tmp_path / "bot.sqlite3.replaced-20261127-030005"
    assert rows(path, "SELECT payload FROM ticks") == [("before the backup",)]
    assert rows(kept, "SELECT payload FROM ticks ORDER BY n") == [
        ("before the backup",),
        ("after the backup",),
    ]
    # The bot opens the restored file as usual (WAL, migrations already applied).
    reopened = Database(path)
    await reopened.connect()
    assert await reopened.fetch_value("SELECT count(*) FROM ticks") == 1
    await reopened.close()


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("not a database at all " * 100)
    with pytest.raises(backups.BackupError, match="not a usable backup"):
        backups.restore(not_sqlite, database, datetime(2026, 11, 27, tzinfo=UTC))
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    with pytest.raises(backups.BackupError, match=r"not a usable backup|empty database"):
        backups.restore(empty, database, datetime(2026, 11, 27, tzinfo=UTC))
    with pytest.raises(backups.BackupError, match="no backup at"):
        backups.restore(tmp_path / "missing.sqlite3", database, datetime(2026, 11, 27, tzinfo=UTC))
    assert not database.exists()
    with pytest.raises(backups.BackupError, match="no database at"):
        backups.backup(tmp_path / "missing.sqlite3", tmp_path / "copy.sqlite3")


def backup_settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(
        bot_token=TOKEN,  # type: ignore[arg-type]
        database_path=tmp_path / "bot.sqlite3",
        backup_dir=tmp_path / "backups",
        _env_file=None,  # type: ignore[call-arg]
        **overrides,  # type: ignore[arg-type]
    )


async def test_daily_backups_keep_the_newest_n_and_leave_other_files(tmp_path: Path) -> None:
    settings = backup_settings(tmp_path, backup_keep=3)
    db = await open_db(settings.database_path)
    clock = ManualClock(datetime(2026, 11, 1, 0, 0, tzinfo=UTC))
    service = BackupService(settings, clock, AsyncIOScheduler(timezone=UTC))
    manual = settings.backups_folder / "before-the-upgrade.sqlite3"
    made = []
    for day in range(6):
        await db.execute("INSERT INTO ticks (payload) VALUES (?)", (f"day {day}",))
        clock.set(datetime(2026, 11, 1 + day, 0, 0, tzinfo=UTC))
        path = await service.run_daily()
        assert path is not None
        made.append(path)
        if day == 0:
            manual.write_bytes(path.read_bytes())
    left = sorted(p.name for p in settings.backups_folder.iterdir())
    assert left == sorted([manual.name, *(p.name for p in made[-3:])])
    assert made[-1].name == "bot-20261106-000000.sqlite3"
    assert rows(made[-1], "SELECT count(*) FROM ticks") == [(6,)]
    summary = backups.folder_summary(settings.backups_folder)
    assert summary.count == 3
    assert summary.newest == made[-1]
    assert summary.newest_at == datetime(2026, 11, 6, tzinfo=UTC).timestamp()
    await db.close()


async def test_the_daily_job_runs_at_the_hour_in_the_default_zone_and_zero_turns_it_off(
    tmp_path: Path,
) -> None:
    clock = ManualClock(datetime(2026, 11, 1, tzinfo=UTC))
    scheduler = AsyncIOScheduler(timezone=UTC)
    BackupService(backup_settings(tmp_path, backup_hour=4), clock, scheduler).schedule()
    job = scheduler.get_job(JOB_ID)
    assert job is not None
    assert isinstance(job.trigger, CronTrigger)
    first = job.trigger.get_next_fire_time(None, datetime(2026, 11, 1, tzinfo=UTC))
    assert first == datetime(2026, 11, 1, 4, 0, tzinfo=UTC) + timedelta(hours=-3)  # 04:00 МСК

    off = AsyncIOScheduler(timezone=UTC)
    BackupService(backup_settings(tmp_path, backup_keep=0), clock, off).schedule()
    assert off.get_jobs() == []


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_environment() | {
        "BOT_TOKEN": TOKEN,
        "DATABASE_PATH": str(tmp_path / "data" / "bot.sqlite3"),
    }
    return run_bot(tmp_path, env, *args)


async def test_the_backup_and_restore_commands(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "data" / "bot.sqlite3")
    await db.execute("INSERT INTO ticks (payload) VALUES ('one')")
    # The bot is running: a backup works, a restore is refused with one line.
    made = cli(tmp_path, "backup", "copy.sqlite3")
    assert made.returncode == 0, made.stderr
    assert "Backed up" in made.stdout
    refused = cli(tmp_path, "restore", "copy.sqlite3")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"Start-up error: the database {tmp_path / 'data' / 'bot.sqlite3'} is in use: "
        "stop the bot first (e.g. systemctl stop ngo-events-bot)"
    ]
    await db.execute("INSERT INTO ticks (payload) VALUES ('two')")
    await db.close()

    restored = cli(tmp_path, "restore", "copy.sqlite3")
    assert restored.returncode == 0, restored.stderr
    assert "The replaced database is kept as" in restored.stdout
    assert rows(tmp_path / "data" / "bot.sqlite3", "SELECT payload FROM ticks") == [("one",)]
    # A folder as PATH: a new dated file inside it.
    (tmp_path / "manual").mkdir()
    into_folder = cli(tmp_path, "backup", "manual")
    assert into_folder.returncode == 0, into_folder.stderr
    assert [p.name.startswith("bot-") for p in (tmp_path / "manual").iterdir()] == [True]
    # A folder that does not exist yet, named with a trailing slash, is made.
    new_folder = cli(tmp_path, "backup", "new/backups/")
    assert new_folder.returncode == 0, new_folder.stderr
    assert [p.name[:4] for p in (tmp_path / "new" / "backups").iterdir()] == ["bot-"]
    missing_path = cli(tmp_path, "restore")
    assert missing_path.returncode == 2
    assert "restore needs a PATH" in missing_path.stderr
