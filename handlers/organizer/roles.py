"""/organizers (admins only): grant or revoke the organizer role, and update the person's menu."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    Message,
    MessageOriginHiddenUser,
    MessageOriginUser,
)
from aiogram.utils.i18n import I18n

from bot.callbacks import RoleAction, RoleActionKind
from bot.commands import set_chat_commands
from bot.filters import IsAdmin
from bot.i18n import choose_locale
from bot.services import Services
from bot.services.roles import RoleChange, parse_user_id
from bot.states import OrganizerRoles
from bot.ui import edit_or_send
from bot.views import roles as views
from handlers.organizer.common import NOT_A_COMMAND, Desk

log = logging.getLogger(__name__)


async def show_organizers(bot: Bot, chat_id: int, state: FSMContext, services: Services) -> None:
    await state.set_state(OrganizerRoles.person)
    await state.set_data({})
    screen = views.organizers_screen(await services.roles.organizers())
    await bot.send_message(chat_id, screen.text, reply_markup=screen.reply_markup)


async def on_organizers(message: Message, state: FSMContext, services: Services, bot: Bot) -> None:
    await show_organizers(bot, message.chat.id, state, services)


def target_of(message: Message) -> int | str:
    """The Telegram id the admin points at, or the reason it cannot be known."""
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        return origin.sender_user.id
    if isinstance(origin, MessageOriginHiddenUser):
        return views.hidden_forward()
    if origin is not None:
        return views.not_a_person()  # a channel's or a group's post
    if message.contact is not None:
        if message.contact.user_id is None:
            return views.contact_without_id()
        return message.contact.user_id
    person_id = parse_user_id(message.text)
    return views.not_a_person() if person_id is None else person_id


async def on_person(message: Message, state: FSMContext, services: Services) -> None:
    target = target_of(message)
    if isinstance(target, str):
        await message.answer(target)
        return
    person = await services.roles.person(target)
    if person is None:
        await message.answer(views.unknown_person())
        return
    await state.clear()
    screen = views.person_screen(person)
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def on_role_action(
    query: CallbackQuery, callback_data: RoleAction, state: FSMContext, i18n: I18n, desk: Desk
) -> None:
    bot, services = desk.bot, desk.services
    if callback_data.action == RoleActionKind.list:
        await show_organizers(bot, desk.chat_id, state, services)
        return
    grant = callback_data.action == RoleActionKind.grant
    person_id = callback_data.person_id
    change = await services.roles.set_organizer(person_id, grant)
    person = await services.roles.person(person_id)
    await edit_or_send(bot, query, views.role_changed(change, person), views.back_to_list())
    if change in (RoleChange.granted, RoleChange.revoked):
        await tell_person(bot, services, i18n, person_id, grant)


async def tell_person(
    bot: Bot, services: Services, i18n: I18n, person_id: int, organizer: bool
) -> None:
    """Their commands menu follows the role; a short note in their language says why."""
    await set_chat_commands(bot, i18n, person_id, is_organizer=organizer, is_admin=False)
    person = await services.roles.person(person_id)
    with i18n.use_locale(choose_locale(person, None, i18n.default_locale)):
        text = views.granted_notice() if organizer else views.revoked_notice()
    try:
        await bot.send_message(person_id, text)
    except TelegramAPIError as error:
        log.info("could not tell %s about their role: %s", person_id, error)


def build_router() -> Router:
    """Admins only, inside the organizer area: its own filter on top of the parent's."""
    router = Router(name=__name__)
    router.message.filter(IsAdmin())
    router.callback_query.filter(IsAdmin())
    router.message.register(on_organizers, Command("organizers"))
    router.message.register(
        on_person,
        StateFilter(OrganizerRoles.person),
        NOT_A_COMMAND,
    )
    router.callback_query.register(on_role_action, RoleAction.filter())
    return router
