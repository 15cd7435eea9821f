"""Translations: gettext catalogs in `locales/`, chosen per person by a middleware."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from db.people import Person

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SUPPORTED_LOCALES = ("ru", "en")

__all__ = [
    "DOMAIN",
    "LOCALES_DIR",
    "N_",
    "SUPPORTED_LOCALES",
    "LocaleMiddleware",
    "_",
    "__",
    "ngettext",
]


def N_(message: str) -> str:
    """Mark a string for the catalog without translating it here."""
    return message


class TranslationsNotCompiledError(RuntimeError):
    """The `.po` catalogs exist but their `.mo` files were not built."""


def create_i18n(default_locale: str, path: Path = LOCALES_DIR) -> I18n:
    missing = [
        locale
        for locale in SUPPORTED_LOCALES
        if not (path / locale / "LC_MESSAGES" / f"{DOMAIN}.mo").exists()
    ]
    if missing:
        raise TranslationsNotCompiledError(
            f"translations for {', '.join(missing)} are not compiled: run `make locales` "
            "(or `pybabel compile -d locales -D messages`)"
        )
    return I18n(path=path, default_locale=default_locale, domain=DOMAIN)


def choose_locale(person: Person | None, user: User | None, default: str) -> str:
    """The person's saved language, else Telegram's language when we speak it, else default."""
    if person is not None and person.language in SUPPORTED_LOCALES:
        return person.language
    if user is not None and user.language_code:
        code = user.language_code.split("-")[0].lower()
        if code in SUPPORTED_LOCALES:
            return code
    return default


class LocaleMiddleware(I18nMiddleware):
    """Sets the locale of every update from the `person` the person middleware loaded."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        return choose_locale(
            data.get("person"), data.get("event_from_user"), self.i18n.default_locale
        )


def translate(i18n: I18n, locale: str, message: str) -> str:
    """Translate outside an update (scheduler, sender), for a person's own language."""
    return i18n.gettext(message, locale=locale)
