"""/my: upcoming registrations, a registration's card, its ticket, and cancelling it."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import MyAction, MyActionKind
from bot.i18n import _
from bot.outgoing import send_ticket
from bot.services import Services
from bot.ui import edit_or_send
from bot.views import my as views
from bot.views.refusals import refusal_text
from db.registrations import Cancelled, RegistrationStatus


async def on_my(message: Message, services: Services) -> None:
    assert message.from_user is not None
    items = await services.registrations.upcoming(message.from_user.id)
    screen = views.my_list(items, services.clock.timestamp())
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def on_list(query: CallbackQuery, services: Services, bot: Bot) -> None:
    items = await services.registrations.upcoming(query.from_user.id)
    screen = views.my_list(items, services.clock.timestamp())
    await edit_or_send(bot, query, screen.text, screen.inline)


async def on_registration_action(
    query: CallbackQuery,
    callback_data: MyAction,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    user = query.from_user
    item = await services.registrations.own(user.id, callback_data.registration_id)
    if item is None or not item.registration.is_live:
        # Someone else's id, a forged one, or a registration cancelled since.
        callback_answer.text = views.not_yours()
        callback_answer.show_alert = True
        return
    now = services.clock.timestamp()
    action = callback_data.action
    if action == MyActionKind.ticket:
        if item.registration.status != RegistrationStatus.confirmed:
            callback_answer.text = views.ticket_unavailable()
            callback_answer.show_alert = True
            return
        await send_ticket(bot, user.id, services, item.event, item.registration)
        return
    if action == MyActionKind.cancel:
        screen = views.cancel_question(item, now)
    elif action == MyActionKind.cancel_confirmed:
        outcome = await services.registrations.cancel(user.id, item.registration.id)
        if not isinstance(outcome, Cancelled):
            callback_answer.text = refusal_text(outcome)
            callback_answer.show_alert = True
            return
        callback_answer.text = _("Registration cancelled.")
        screen = views.cancelled(item)
    else:
        screen = views.registration_view(item, now)
    await edit_or_send(bot, query, screen.text, screen.inline)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_my, Command("my"))
    router.callback_query.register(on_list, MyAction.filter(F.action == MyActionKind.list))
    router.callback_query.register(on_registration_action, MyAction.filter())
    return router
