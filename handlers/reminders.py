"""Buttons on reminders («I'll come», «Can't come», the ticket) and the follow-up survey."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import FollowupAction, FollowupActionKind, ReminderAction, ReminderActionKind
from bot.outgoing import send_ticket
from bot.services import Services
from bot.services.followups import COMMENT_LIMIT
from bot.states import Followup, FollowupDraft
from bot.ui import edit_or_send
from bot.views import reminders as views
from bot.views.refusals import refusal_text
from db.registrations import Cancelled, RegistrationRefusal


async def on_reminder_button(
    query: CallbackQuery,
    callback_data: ReminderAction,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    user = query.from_user
    target = await services.reminders.target(user.id, callback_data.planned_id)
    if target is None:
        # Not the person's seat: cancelled meanwhile, waitlisted, erased, or a forged id.
        callback_answer.text = views.not_active()
        callback_answer.show_alert = True
        return
    now = services.clock.timestamp()
    if callback_data.action == ReminderActionKind.ticket:
        await send_ticket(bot, user.id, services, target.event, target.registration)
        return
    if callback_data.action == ReminderActionKind.coming:
        await services.reminders.acknowledge(target)
        callback_answer.text = views.coming_toast()
        screen = views.coming(target.event, target.planned.id, now)
    elif callback_data.action == ReminderActionKind.not_coming:
        if now >= target.event.starts_at:
            callback_answer.text = views.too_late_to_cancel()
            callback_answer.show_alert = True
            return
        # Nothing changes yet: the waitlist moves only once the person is sure.
        screen = views.confirm_not_coming(target.event, target.planned.id, now)
    elif callback_data.action == ReminderActionKind.keep:
        screen = views.ahead(target.event, target.planned.id, now)
    else:
        outcome = await services.reminders.decline(user.id, target)
        if not isinstance(outcome, Cancelled):
            callback_answer.text = (
                views.too_late_to_cancel()
                if outcome == RegistrationRefusal.started
                else refusal_text(outcome)
            )
            callback_answer.show_alert = True
            return
        callback_answer.text = views.not_coming_toast()
        screen = views.not_coming(target.event, now)
    await edit_or_send(bot, query, screen.text, screen.inline)


async def on_followup_button(
    query: CallbackQuery,
    callback_data: FollowupAction,
    services: Services,
    bot: Bot,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    participant = await services.followups.participant(query.from_user.id, callback_data.event_id)
    if participant is None:
        callback_answer.text = views.not_a_participant()
        callback_answer.show_alert = True
        return
    action = callback_data.action
    current = await state.get_state()
    if action == FollowupActionKind.rate:
        if not 1 <= callback_data.rating <= 5:
            callback_answer.text = views.survey_over()
            callback_answer.show_alert = True
            return
        await services.followups.rate(participant, callback_data.rating)
        # Another dialog in progress (a registration) is not hijacked: a button offers the
        # comment instead of asking for it straight away.
        ask = current is None or current == Followup.comment.state
        if ask:
            await _ask_comment(state, participant.event.id)
        callback_answer.text = views.rating_saved()
        screen = views.rated(participant.event, callback_data.rating, ask_comment=ask)
        await edit_or_send(bot, query, screen.text, screen.inline)
        return
    if await services.followups.answer(participant) is None:
        # A comment button without a rating can only be forged: rate first.
        callback_answer.text = views.survey_over()
        callback_answer.show_alert = True
        return
    if action == FollowupActionKind.comment:
        await _ask_comment(state, participant.event.id)
        screen = views.comment_question(participant.event)
        await edit_or_send(bot, query, screen.text, screen.inline)
        return
    if current == Followup.comment.state:
        await state.clear()
    await edit_or_send(bot, query, views.rating_saved())


async def _ask_comment(state: FSMContext, event_id: int) -> None:
    await state.set_state(Followup.comment)
    await state.set_data(FollowupDraft(event_id=event_id).model_dump())


async def on_comment(message: Message, services: Services, state: FSMContext) -> None:
    assert message.from_user is not None
    assert message.text is not None
    draft = FollowupDraft.model_validate(await state.get_data())
    participant = await services.followups.participant(message.from_user.id, draft.event_id)
    if participant is None:
        await state.clear()
        await message.answer(views.survey_over())
        return
    text = message.text.strip()
    if len(text) > COMMENT_LIMIT:
        await message.answer(views.comment_too_long(COMMENT_LIMIT))
        return
    saved = await services.followups.comment(participant, text)
    await state.clear()
    await message.answer(views.comment_saved() if saved else views.survey_over())


async def on_comment_not_text(message: Message) -> None:
    await message.answer(views.comment_not_text())


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_reminder_button, ReminderAction.filter())
    router.callback_query.register(on_followup_button, FollowupAction.filter())
    router.message.register(on_comment, Followup.comment, F.text, ~F.text.startswith("/"))
    router.message.register(on_comment_not_text, Followup.comment, ~F.text)
    return router
