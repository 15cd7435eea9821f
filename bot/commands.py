"""The commands menu: per language, and per chat for organizers and admins."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n

from bot.i18n import N_, SUPPORTED_LOCALES


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str  # source string, translated per locale


MEMBER_COMMANDS: tuple[Command, ...] = (
    Command("start", N_("Start and main menu")),
    Command("events", N_("Upcoming events")),
    Command("my", N_("My registrations and tickets")),
    Command("subscribe", N_("Announcements of new events")),
    Command("mydata", N_("What the bot stores about me")),
    Command("forget", N_("Erase my personal data")),
    Command("help", N_("What the bot can do")),
    Command("language", N_("Change language")),
    Command("cancel", N_("Leave the current dialog")),
)
ORGANIZER_COMMANDS: tuple[Command, ...] = (
    Command("new_event", N_("Create an event")),
    Command("manage", N_("My events: edit, publish, attendees")),
    Command("checkin", N_("Check in a guest by ticket code")),
    Command("stats", N_("Statistics and the attendance report")),
    Command("announce", N_("Send an announcement now or later")),
    Command("scheduled", N_("Scheduled announcements")),
)
ADMIN_COMMANDS: tuple[Command, ...] = (
    Command("organizers", N_("Grant or revoke the organizer role")),
    Command("status", N_("Bot status: version, queue, errors, backups")),
)


def menu(i18n: I18n, locale: str, commands: tuple[Command, ...]) -> list[BotCommand]:
    return [
        BotCommand(command=c.name, description=i18n.gettext(c.description, locale=locale))
        for c in commands
    ]


def commands_for(*, is_organizer: bool, is_admin: bool) -> tuple[Command, ...]:
    commands = MEMBER_COMMANDS
    if is_organizer or is_admin:
        commands += ORGANIZER_COMMANDS
    if is_admin:
        commands += ADMIN_COMMANDS
    return commands


async def set_default_commands(bot: Bot, i18n: I18n) -> None:
    """Members' menu for everyone: one per supported language plus the fallback."""
    for locale in SUPPORTED_LOCALES:
        await bot.set_my_commands(
            menu(i18n, locale, MEMBER_COMMANDS),
            scope=BotCommandScopeDefault(),
            language_code=locale,
        )
    await bot.set_my_commands(
        menu(i18n, i18n.default_locale, MEMBER_COMMANDS), scope=BotCommandScopeDefault()
    )


async def set_chat_commands(
    bot: Bot, i18n: I18n, chat_id: int, *, is_organizer: bool, is_admin: bool
) -> bool:
    """A role's menu in that person's own chat only; False when Telegram refuses the chat."""
    commands = commands_for(is_organizer=is_organizer, is_admin=is_admin)
    scope = BotCommandScopeChat(chat_id=chat_id)
    try:
        if commands == MEMBER_COMMANDS:
            # Back to the default menu: drop the chat's own lists.
            for locale in (*SUPPORTED_LOCALES, None):
                await bot.delete_my_commands(scope=scope, language_code=locale)
            return True
        for locale in SUPPORTED_LOCALES:
            await bot.set_my_commands(
                menu(i18n, locale, commands), scope=scope, language_code=locale
            )
        await bot.set_my_commands(menu(i18n, i18n.default_locale, commands), scope=scope)
    except TelegramAPIError:
        # An admin who never opened the bot has no chat yet; their menu is set on /start.
        return False
    return True
