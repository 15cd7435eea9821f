"""/mydata shows everything stored about the person; /forget erases it after a confirmation."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import ForgetAnswer
from bot.services import Services
from bot.ui import edit_or_send
from bot.views import privacy as views


async def on_mydata(message: Message, services: Services) -> None:
    assert message.from_user is not None
    data = await services.privacy.collect(message.from_user.id)
    for text in views.my_data(data, services.clock.timestamp(), services.settings.default_timezone):
        await message.answer(text)


async def on_forget(message: Message) -> None:
    screen = views.forget_question()
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def on_forget_answer(
    query: CallbackQuery,
    callback_data: ForgetAnswer,
    state: FSMContext,
    services: Services,
    bot: Bot,
) -> None:
    if not callback_data.confirm:
        await edit_or_send(bot, query, views.forget_kept())
        return
    result = await services.privacy.forget(query.from_user.id)
    await state.clear()
    await edit_or_send(bot, query, views.forgotten(result))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_mydata, Command("mydata"))
    router.message.register(on_forget, Command("forget"))
    router.callback_query.register(on_forget_answer, ForgetAnswer.filter())
    return router
