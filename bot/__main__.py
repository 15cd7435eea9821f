"""Command line: `python -m bot` runs the bot; `python -m bot --help` lists the rest."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys

from bot.logs import setup_logging
from bot.settings import ConfigError, Settings, load_settings


class StartupError(Exception):
    """Something outside the code prevents start-up; the message is one line for a person."""


async def _run(settings: Settings) -> None:
    # aiogram takes seconds to import: only pay for it once the configuration is known good.
    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

    from bot.app import create_app
    from bot.clock import ShiftedClock
    from bot.i18n import TranslationsNotCompiledError

    clock = ShiftedClock(settings.demo_clock_shift) if settings.demo_clock_shift else None
    try:
        app = await create_app(settings, clock)
    except TranslationsNotCompiledError as error:
        raise StartupError(str(error)) from None
    except (sqlite3.Error, OSError) as error:
        raise StartupError(f"cannot open the database {settings.database_path}: {error}") from None
    try:
        await app.run_polling()
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="NGO events bot")
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "seed-demo"],
        help="run the bot (default), or seed-demo: load demo events into the database",
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        setup_logging(settings.log_level, [settings.token])
        if args.command == "run":
            asyncio.run(_run(settings))
        elif args.command == "seed-demo":
            asyncio.run(_seed_demo(settings))
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
