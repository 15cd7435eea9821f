"""The members' main menu: its labels (tapped or typed) and a useful answer to stray messages."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from bot.i18n import SUPPORTED_LOCALES
from bot.labels import label_key
from bot.services import Services
from bot.views import menu as views
from bot.views.menu import MENU_LABELS, MenuItem
from handlers import catalog, common, my_registrations


async def menu_item(message: Message, i18n: I18n) -> dict[str, MenuItem] | bool:
    """A filter: the message is a menu label, in either language, however it was typed."""
    typed = label_key(message.text or "")
    if not typed:
        return False
    for item, label in MENU_LABELS.items():
        if any(typed == label_key(i18n.gettext(label, locale=lang)) for lang in SUPPORTED_LOCALES):
            return {"item": item}
    return False


async def on_menu_item(
    message: Message,
    item: MenuItem,
    services: Services,
    i18n: I18n,
    is_organizer: bool,
    is_admin: bool,
    plain_mode: bool,
) -> None:
    match item:
        case MenuItem.events:
            await catalog.on_events(message, services)
        case MenuItem.my:
            await my_registrations.on_my(message, services)
        case MenuItem.help:
            await common.on_help(message, i18n, is_organizer, is_admin, plain_mode)


async def on_stray(message: Message, services: Services) -> None:
    """Text outside any dialog: events it names, or the menu and a hint. Stickers, photos and
    the like get the hint and the menu too."""
    if message.text:
        events = await services.search.find(message.text)
        if events:
            screen = views.found(events, services.clock.timestamp())
            await message.answer(screen.text, reply_markup=screen.reply_markup)
            return
    screen = views.not_understood()
    await message.answer(screen.text, reply_markup=screen.reply_markup)


def build_router() -> Router:
    """Menu labels come before the catch-all; dialogs (earlier in the tree) take text first."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_menu_item, F.text, menu_item)
    return router
