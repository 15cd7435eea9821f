"""«Unsubscribe» under any announcement copy, «Subscribe again» after it, and the town step of
/subscribe; /subscribe itself lives with the registration dialog (handlers/registration.py),
which asks the same question."""

from __future__ import annotations

import contextlib

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import Resubscribe, SubscribeTown, Unsubscribe
from bot.services import Services
from bot.services.catalog import city_key
from bot.ui import edit_or_send
from bot.views import announcements as views
from bot.views import registration as registration_views
from db.people import Person


async def on_unsubscribe(
    query: CallbackQuery, services: Services, bot: Bot, callback_answer: CallbackAnswer
) -> None:
    # Only ever about the person pressing: forged data cannot touch anyone else.
    changed = await services.announcements.unsubscribe(query.from_user.id)
    callback_answer.text = views.unsubscribed() if changed else views.not_subscribed()
    callback_answer.show_alert = True
    message = query.message
    if not isinstance(message, Message):
        return
    markup = message.reply_markup
    kept: list[list[InlineKeyboardButton]] = []
    if markup is not None:
        # The copy's links (e.g. «Register») stay; only the subscription button turns around.
        kept = [
            [button for button in row if button.callback_data is None]
            for row in markup.inline_keyboard
        ]
        kept = [row for row in kept if row]
    # Too old to edit, or unchanged: the toast has said it all.
    with contextlib.suppress(TelegramBadRequest):
        await message.edit_reply_markup(reply_markup=views.resubscribe_markup(kept))


async def on_resubscribe(
    query: CallbackQuery, services: Services, bot: Bot, person: Person | None
) -> None:
    subscribed = person is not None and person.subscribed
    city = person.subscription_city if person is not None else None
    town = person.subscription_town if person is not None else None
    cities = [name for name, _ in await services.catalog.cities()]
    await bot.send_message(
        query.from_user.id,
        registration_views.subscription_status(subscribed, city, town),
        reply_markup=registration_views.subscription_keyboard(cities, subscribed),
    )


async def on_subscribe_town(
    query: CallbackQuery,
    callback_data: SubscribeTown,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    """All towns of the chosen region, or one of them; both re-read from the database."""
    region = await services.catalog.city_by_key(callback_data.city)
    town = None
    if region is not None and callback_data.town:
        towns = await services.catalog.subscription_towns(region)
        town = next((t.key for t in towns if city_key(t.key) == callback_data.town), None)
    if region is None or (callback_data.town and town is None):
        callback_answer.text = registration_views.city_gone()
        callback_answer.show_alert = True
        await bot.send_message(query.from_user.id, registration_views.city_gone())
        return
    await services.registrations.set_announcements(query.from_user.id, True, region, town)
    await edit_or_send(bot, query, registration_views.subscription_saved(True, region, town))


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_unsubscribe, Unsubscribe.filter())
    router.callback_query.register(on_resubscribe, Resubscribe.filter())
    router.callback_query.register(on_subscribe_town, SubscribeTown.filter())
    return router
