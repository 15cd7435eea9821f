"""Catalog chores for developers: list untranslated strings, fill translations from JSON."""

from __future__ import annotations

import argparse
import fcntl
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent.parent / "locales"


def _catalog_path(locale: str) -> Path:
    return LOCALES / locale / "LC_MESSAGES" / "messages.po"


def missing(locale: str) -> list[str]:
    with _catalog_path(locale).open("rb") as file:
        catalog = read_po(file, locale=locale)
    return [
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id
        and (
            not message.string
            or (isinstance(message.string, tuple) and not all(message.string))
            or message.fuzzy
        )
    ]


def fill(locale: str, translations: dict[str, str | list[str]]) -> int:
    """Write translations (msgid -> msgstr, or a list of plural forms); returns how many."""
    path = _catalog_path(locale)
    # Several people may fill one catalog at once: one writer at a time.
    with (LOCALES / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with path.open("rb") as file:
            catalog = read_po(file, locale=locale)
        done = 0
        for message in catalog:
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in translations:
                value = translations[key]
                message.string = tuple(value) if isinstance(value, list) else value
                message.flags.discard("fuzzy")
                done += 1
        with path.open("wb") as file:
            write_po(file, catalog, width=100, omit_header=False, no_location=True)
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("missing").add_argument("locale")
    fill_parser = sub.add_parser("fill")
    fill_parser.add_argument("locale")
    fill_parser.add_argument("json_file", type=Path)
    args = parser.parse_args()
    if args.command == "missing":
        for message_id in missing(args.locale):
            print(json.dumps(message_id, ensure_ascii=False))
        return 0
    translations = json.loads(args.json_file.read_text(encoding="utf-8"))
    count = fill(args.locale, translations)
    print(f"filled {count} of {len(translations)} translations in {args.locale}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
