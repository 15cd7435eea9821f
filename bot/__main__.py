"""Command line: `python -m bot` runs the bot; `python -m bot --help` lists the rest."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys

from bot.i18n import TranslationsNotCompiledError
from bot.logs import setup_logging
from bot.settings import ConfigError, load_settings


async def _run() -> None:
    from bot.app import create_app

    settings = load_settings()
    app = await create_app(settings)
    await app.run_polling()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="NGO events bot")
    parser.add_argument("command", nargs="?", default="run", choices=["run"], help="what to do")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        setup_logging(settings.log_level, [settings.token])
        if args.command == "run":
            asyncio.run(_run())
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except TranslationsNotCompiledError as error:
        print(f"Start-up error: {error}", file=sys.stderr)
        return 2
    except (sqlite3.Error, OSError) as error:
        print(f"Start-up error: cannot open the database: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
