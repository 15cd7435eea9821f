"""Registering a colleague who is not on Telegram: the card's button, name, phone, summary."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import ColleagueAction, ColleagueStep, EventAction, EventActionKind
from bot.services import Services, validation
from bot.services.problems import InvalidInput, Problem
from bot.states import ColleagueDraft, ColleagueForm
from bot.ui import edit_or_send
from bot.views import colleagues as views
from bot.views.problems import problem_text
from bot.views.refusals import refusal_text
from bot.views.registration import consent_given, dialog_over
from db import events as events_repo
from db.events import Event
from db.registrations import Registered


async def _draft(state: FSMContext, event_id: int | None = None) -> ColleagueDraft | None:
    raw = (await state.get_data()).get("colleague")
    if raw is None:
        return None
    draft = ColleagueDraft.model_validate(raw)
    return None if event_id is not None and draft.event_id != event_id else draft


async def _save(state: FSMContext, draft: ColleagueDraft) -> None:
    await state.set_data({"colleague": draft.model_dump()})


async def on_register_colleague(
    query: CallbackQuery,
    callback_data: EventAction,
    state: FSMContext,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    user = query.from_user
    event = await services.registrations.colleague_event(callback_data.event_id)
    if not isinstance(event, Event):
        callback_answer.text = refusal_text(event)  # also sent as a message: see middlewares
        return
    await _save(state, ColleagueDraft(event_id=event.id))
    if not await services.registrations.has_consent(user.id):
        await state.set_state(ColleagueForm.consent)
        screen = views.colleague_consent(event)
        await bot.send_message(user.id, screen.text, reply_markup=screen.reply_markup)
        return
    await state.set_state(ColleagueForm.name)
    await bot.send_message(user.id, views.ask_name(event))


async def on_action(
    query: CallbackQuery,
    callback_data: ColleagueAction,
    state: FSMContext,
    raw_state: str | None,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    user = query.from_user
    draft = await _draft(state, callback_data.event_id)
    step = callback_data.step
    wanted = (
        ColleagueForm.consent
        if step in (ColleagueStep.agree, ColleagueStep.disagree)
        else ColleagueForm.summary
    )
    if draft is None or raw_state != wanted.state:
        # A second press, or a button of a dialog that is over (or someone else's).
        callback_answer.text = dialog_over()
        return
    if step == ColleagueStep.disagree:
        await state.clear()
        await edit_or_send(bot, query, views.consent_declined())
        return
    if step == ColleagueStep.cancel:
        await state.clear()
        await edit_or_send(bot, query, views.stopped())
        return
    event = await services.registrations.colleague_event(draft.event_id)
    if not isinstance(event, Event):
        await state.clear()
        await edit_or_send(bot, query, refusal_text(event))
        return
    if step == ColleagueStep.agree:
        await services.registrations.give_consent(user.id)
        await state.set_state(ColleagueForm.name)
        await edit_or_send(bot, query, consent_given())
        await bot.send_message(user.id, views.ask_name(event))
        return
    assert draft.name is not None
    assert draft.phone is not None
    outcome = await services.registrations.register_colleague(
        user.id, event.id, draft.name, draft.phone
    )
    await state.clear()
    if outcome is None:
        await edit_or_send(bot, query, views.consent_declined())
    elif isinstance(outcome, Registered):
        screen = views.outcome(event, outcome)
        await edit_or_send(bot, query, screen.text, screen.inline)
    else:
        await edit_or_send(bot, query, refusal_text(outcome))


async def on_name(message: Message, state: FSMContext, services: Services) -> None:
    draft = await _draft(state)
    if draft is None:
        await state.clear()
        return
    try:
        name = validation.full_name(message.text or "")
    except InvalidInput as error:
        await message.answer(problem_text(error))
        return
    await _save(state, draft.model_copy(update={"name": name}))
    await state.set_state(ColleagueForm.phone)
    await message.answer(views.ask_phone(name))


async def on_phone(message: Message, state: FSMContext, services: Services) -> None:
    draft = await _draft(state)
    if draft is None or draft.name is None:
        await state.clear()
        return
    try:
        phone = validation.phone(message.text or "")
    except InvalidInput as error:
        await message.answer(problem_text(error))
        return
    event = await services.registrations.colleague_event(draft.event_id)
    if not isinstance(event, Event):
        await state.clear()
        await message.answer(refusal_text(event))
        return
    await _save(state, draft.model_copy(update={"phone": phone}))
    await state.set_state(ColleagueForm.summary)
    screen = views.summary(event, draft.name, phone, services.clock.timestamp())
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def on_not_text(message: Message) -> None:
    await message.answer(problem_text(InvalidInput(Problem.not_text)))


async def on_typed_at_a_button(
    message: Message, state: FSMContext, raw_state: str | None, services: Services
) -> None:
    """Words typed where a button is expected: the question again, with its buttons."""
    draft = await _draft(state)
    event = None if draft is None else await events_repo.get(services.db, draft.event_id)
    if draft is None or event is None:
        await state.clear()
        await message.answer(dialog_over())
        return
    if raw_state == ColleagueForm.consent.state:
        screen = views.colleague_consent(event)
        await message.answer(screen.text, reply_markup=screen.reply_markup)
        return
    await message.answer(views.not_a_button(), reply_markup=views.summary_keyboard(event.id))


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(
        on_register_colleague,
        EventAction.filter(F.action == EventActionKind.register_colleague),
    )
    router.callback_query.register(on_action, ColleagueAction.filter())
    not_command = ~F.text.startswith("/")
    router.message.register(on_name, StateFilter(ColleagueForm.name), F.text, not_command)
    router.message.register(on_phone, StateFilter(ColleagueForm.phone), F.text, not_command)
    router.message.register(
        on_not_text, StateFilter(ColleagueForm.name, ColleagueForm.phone), ~F.text
    )
    router.message.register(
        on_typed_at_a_button,
        StateFilter(ColleagueForm.consent, ColleagueForm.summary),
        not_command,
    )
    return router
