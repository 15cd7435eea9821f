"""Command line: `python -m bot` runs the bot; `python -m bot --help` lists the rest."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.logs import setup_logging
from bot.settings import ConfigError, Settings, load_settings


class StartupError(Exception):
    """Something outside the code prevents start-up; the message is one line for a person."""


async def _run(settings: Settings) -> None:
    # aiogram takes seconds to import: only pay for it once the configuration is known good.
    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

    from bot.app import create_app
    from bot.i18n import TranslationsNotCompiledError

    try:
        app = await create_app(settings)
    except TranslationsNotCompiledError as error:
        raise StartupError(str(error)) from None
    except (sqlite3.Error, OSError) as error:
        raise StartupError(f"cannot open the database {settings.database_path}: {error}") from None
    try:
        await app.run()
    except TelegramUnauthorizedError:
        raise StartupError(
            "Telegram rejected BOT_TOKEN: check it with @BotFather (/mybots -> API Token)"
        ) from None
    except TelegramNetworkError as error:
        raise StartupError(f"cannot reach the Telegram Bot API: {error}") from None
    finally:
        if app.services.db.is_open:
            await app.services.db.close()


async def _seed_demo(settings: Settings) -> None:
    from bot.clock import SystemClock
    from bot.demo import seed_demo
    from db import Database

    db = Database(settings.database_path)
    try:
        await db.connect()
        report = await seed_demo(db, SystemClock().timestamp())
    except (sqlite3.Error, OSError) as error:
        raise StartupError(f"cannot open the database {settings.database_path}: {error}") from None
    finally:
        if db.is_open:
            await db.close()
    for title in report.created:
        print(f"added: {title}")
    for title in report.kept:
        print(f"already there: {title}")
    print(
        f"Demo events: {len(report.created)} added, {len(report.kept)} already there "
        f"({settings.database_path}). Send /events to the bot."
    )


def _backup(settings: Settings, path: str) -> None:
    from db.backup import BackupError, backup, backup_name

    target = Path(path)
    # "backups/" or an existing folder: a new dated file inside it.
    if path.endswith(("/", os.sep)) or target.is_dir():
        target = target / backup_name(datetime.now(UTC))
    try:
        size = backup(settings.database_path, target)
    except (BackupError, OSError) as error:
        raise StartupError(str(error)) from None
    print(f"Backed up {settings.database_path} to {target} ({size} bytes).")


def _restore(settings: Settings, source: Path) -> None:
    from db.backup import BackupError, restore

    try:
        kept = restore(source, settings.database_path, datetime.now(UTC))
    except (BackupError, OSError) as error:
        raise StartupError(str(error)) from None
    print(f"Restored {settings.database_path} from {source}.")
    if kept is not None:
        print(f"The replaced database is kept as {kept}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="NGO events bot")
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "seed-demo", "backup", "restore"],
        help=(
            "run the bot (default); seed-demo: load demo events into the database; "
            "backup PATH: copy the database (while the bot runs too) into one file, or into "
            "a new file in the folder PATH; restore PATH: put a backup in place of the "
            "database (stop the bot first; the replaced file is kept beside it)"
        ),
    )
    parser.add_argument("path", nargs="?", help="the backup file (or folder) for backup/restore")
    args = parser.parse_args(argv)
    if args.command in {"backup", "restore"} and args.path is None:
        parser.error(f"{args.command} needs a PATH, e.g. python -m bot {args.command} bot.sqlite3")
    try:
        settings = load_settings()
        secrets = [settings.token]
        if settings.webhook_secret is not None:
            secrets.append(settings.webhook_secret.get_secret_value())
        setup_logging(settings.log_level, secrets)
        if args.command == "run":
            asyncio.run(_run(settings))
        elif args.command == "seed-demo":
            asyncio.run(_seed_demo(settings))
        elif args.command == "backup":
            _backup(settings, args.path)
        elif args.command == "restore":
            _restore(settings, Path(args.path))
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except StartupError as error:
        print(f"Start-up error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
