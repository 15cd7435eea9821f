"""/start with or without a deep link, the first-start language choice, and /language."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot import deeplinks
from bot.callbacks import LanguageChoice
from bot.commands import ADMIN_COMMANDS, ORGANIZER_COMMANDS, set_chat_commands
from bot.commands import Command as MenuCommand
from bot.i18n import SUPPORTED_LOCALES, _
from bot.keyboards import language_keyboard
from bot.services import Services
from bot.services.roles import Access
from bot.states import Onboarding
from bot.ui import edit_or_send
from bot.views import events as event_views
from bot.views import menu as menu_views
from bot.views.accessibility import plain_mode_hint, with_plain_mode_button
from db import people
from db.people import Person
from handlers.deeplinks import DeepLinkOpeners, LinkOpening


def welcome_text(*, is_organizer: bool = False, is_admin: bool = False) -> str:
    text = (
        _(
            "Welcome! I help members of socially oriented NGOs find round tables, seminars and "
            "meetings, register in a minute, and get a ticket and reminders.\n\n"
            "/help lists everything I can do."
        )
        + "\n\n"
        + _("📅 /events — upcoming events\n🎫 /my — your registrations and tickets")
    )
    # Organizers and admins meet their own commands in the greeting, not only in /help.
    if is_organizer or is_admin:
        text += "\n\n" + _("<b>Your organizer commands</b>") + "\n" + _commands(ORGANIZER_COMMANDS)
    if is_admin:
        text += "\n\n" + _("<b>Your admin commands</b>") + "\n" + _commands(ADMIN_COMMANDS)
    return text


def _commands(commands: tuple[MenuCommand, ...]) -> str:
    return "\n".join(f"/{command.name} — {_(command.description)}" for command in commands)


async def on_start(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    services: Services,
    person: Person | None,
    is_admin: bool,
    is_organizer: bool,
    deep_links: DeepLinkOpeners,
    bot: Bot,
    i18n: I18n,
    access: Access,
) -> None:
    assert message.from_user is not None
    user = message.from_user
    spoken = telegram_language(user.language_code)
    if (person is None or person.language is None) and spoken is not None:
        # Telegram has told us the language: no gate, the link (or the greeting) comes first.
        now = services.clock.timestamp()
        await people.ensure(services.db, user.id, now)
        await people.set_language(services.db, user.id, spoken, now)
        if is_organizer:
            await set_chat_commands(bot, i18n, user.id, is_organizer=True, is_admin=is_admin)
        if command.args:
            await open_link(bot, message.chat.id, command.args, deep_links, services, state, access)
        await message.answer(welcome_text(), reply_markup=menu_views.main_menu())
        # Offered once, never a gate: nothing waits for this answer.
        await message.answer(language_offer(), reply_markup=language_keyboard())
        return
    if person is None or person.language is None:
        await people.ensure(services.db, user.id, services.clock.timestamp())
        # The very first start: choose a language, then open whatever link brought them here.
        await state.set_state(Onboarding.choosing_language)
        await state.set_data({"payload": command.args} if command.args else {})
        await message.answer(
            welcome_text(is_organizer=is_organizer, is_admin=is_admin)
            + "\n\n"
            + _("Please choose your language:"),
            reply_markup=language_keyboard(),
        )
        if is_organizer:
            # Their chat exists only now, so this is the first moment their menu can be set.
            await set_chat_commands(bot, i18n, user.id, is_organizer=True, is_admin=is_admin)
        return
    if command.args:
        await open_link(bot, message.chat.id, command.args, deep_links, services, state, access)
        return
    await message.answer(
        welcome_text(is_organizer=is_organizer, is_admin=is_admin),
        reply_markup=menu_views.main_menu(),
    )


def telegram_language(code: str | None) -> str | None:
    """The language Telegram reports for the person, when it is one we speak."""
    spoken = (code or "").split("-")[0].lower()
    return spoken if spoken in SUPPORTED_LOCALES else None


def language_offer() -> str:
    # The Russian text names English in English: whoever can't read Russian finds the switch.
    return _("I write in English. If another language suits you better, choose your language:")


async def open_link(
    bot: Bot,
    chat_id: int,
    payload: str,
    deep_links: DeepLinkOpeners,
    services: Services,
    state: FSMContext,
    access: Access,
) -> None:
    """Open a deep link with the feature that owns its kind; garbage gets a friendly answer."""
    link = deeplinks.parse(payload)
    opener = deep_links.get(link.kind) if link else None
    if link is None or opener is None:
        # Something brought them here, most likely an event: the catalog is the best guess.
        listing = await services.catalog.page(0)
        screen = event_views.catalog(listing, services.clock.timestamp())
        await bot.send_message(
            chat_id,
            _("This link is not recognised — it may be mistyped or outdated.")
            + "\n\n"
            + screen.text,
            reply_markup=screen.reply_markup,
        )
        return
    await opener(LinkOpening(bot, chat_id, link, services, state, access))


async def on_language(message: Message, plain_mode: bool) -> None:
    await message.answer(
        _("Please choose your language:") + "\n\n" + plain_mode_hint(),
        reply_markup=with_plain_mode_button(language_keyboard(), plain_mode),
    )


async def on_language_chosen(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    state: FSMContext,
    services: Services,
    i18n: I18n,
    bot: Bot,
    deep_links: DeepLinkOpeners,
    access: Access,
    is_admin: bool,
    is_organizer: bool,
) -> None:
    user = query.from_user
    before = await people.get(services.db, user.id)
    changed = before is None or before.language != callback_data.code
    await people.set_language(services.db, user.id, callback_data.code, services.clock.timestamp())
    payload: str | None = None
    onboarding = await state.get_state() == Onboarding.choosing_language.state
    if onboarding:
        payload = (await state.get_data()).get("payload")
        await state.clear()
    with i18n.use_locale(callback_data.code):
        text = _("Language: English") if callback_data.code == "en" else _("Language: Russian")
        await edit_or_send(bot, query, text)
        if payload:
            await open_link(bot, user.id, payload, deep_links, services, state, access)
        elif onboarding or changed:
            # The greeting (and the menu's labels) in the language just chosen; the same
            # language again needs no second greeting.
            await bot.send_message(
                user.id,
                welcome_text(is_organizer=is_organizer, is_admin=is_admin),
                reply_markup=menu_views.main_menu(),
            )


async def on_onboarding_text(message: Message) -> None:
    await message.answer(
        _("Please choose your language with the buttons below."), reply_markup=language_keyboard()
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_start, CommandStart())
    router.message.register(on_language, Command("language"))
    router.callback_query.register(
        on_language_chosen, LanguageChoice.filter(F.code.in_(SUPPORTED_LOCALES))
    )
    router.message.register(
        on_onboarding_text, StateFilter(Onboarding.choosing_language), ~F.text.startswith("/")
    )
    return router
