"""/manage: the organizer's events and every action on one, each re-checked on the server."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot.callbacks import (
    CancelEventAnswer,
    EditEventField,
    ManageAction,
    ManageActionKind,
)
from bot.services import Services
from bot.services import event_editor as editor
from bot.services.organizer import Applied
from bot.services.problems import InvalidInput
from bot.services.refusals import Refusal
from bot.services.roles import Access
from bot.services.validation import clean_line
from bot.states import EventCancellation
from bot.ui import edit_or_send
from bot.views import Screen
from bot.views import event_editor as editor_views
from bot.views import organizer as views
from bot.views.problems import problem_text
from bot.views.refusals import refusal_text
from db.events import Event, EventStatus
from handlers.organizer.common import NOT_A_COMMAND, Desk
from handlers.organizer.new_event import ask

REASON_LIMIT = 300


async def on_manage(message: Message, services: Services, access: Access) -> None:
    assert message.from_user is not None
    page = await services.organizer.events_page(access)
    screen = views.events_list(page, services.clock.timestamp())
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def on_list(query: CallbackQuery, callback_data: ManageAction, desk: Desk) -> None:
    page = await desk.services.organizer.events_page(desk.access, callback_data.page)
    screen = views.events_list(page, desk.services.clock.timestamp())
    await edit_or_send(desk.bot, query, screen.text, screen.inline)


async def on_event_action(
    query: CallbackQuery, callback_data: ManageAction, state: FSMContext, desk: Desk
) -> None:
    """Every action on one event: the event is looked up again and must be this person's."""
    managed = await desk.managed(callback_data.event_id)
    if managed is None:
        return
    services, bot, access, user_id = desk.services, desk.bot, desk.access, desk.chat_id
    event = managed.event
    now = services.clock.timestamp()
    action = callback_data.action
    outcome: Event | Refusal | None = None
    match action:
        case ManageActionKind.open:
            pass
        case ManageActionKind.publish:
            outcome = await services.organizer.publish(access, event.id)
            if not isinstance(outcome, Refusal):
                await bot.send_message(user_id, views.published(outcome, services.bot_username))
                # Optional: one tap announces it to the subscribers of its city.
                await services.announcements.offer_for_published_event(bot, user_id, outcome)
        case ManageActionKind.close | ManageActionKind.reopen:
            closed = action == ManageActionKind.close
            outcome = await services.organizer.set_registration_closed(access, event.id, closed)
            if not isinstance(outcome, Refusal):
                desk.answer.text = views.registration_toggled(outcome)
        case ManageActionKind.link:
            if not services.bot_username or event.status != EventStatus.published:
                outcome = Refusal.not_published
            else:
                await bot.send_message(user_id, views.link_message(services.bot_username, event))
                return
        case ManageActionKind.edit_menu:
            await bot.send_message(
                user_id,
                editor_views.edit_menu_text(),
                reply_markup=editor_views.edit_menu(event.id),
            )
            return
        case ManageActionKind.reschedule:
            if event.ends_at <= now:
                outcome = Refusal.event_finished
            else:
                draft = editor.from_event(event).model_copy(
                    update={"step": "start", "editing": True}
                )
                await state.clear()
                await ask(
                    bot, user_id, state, services, access, draft, views.reschedule_intro(event, now)
                )
                return
        case ManageActionKind.duplicate:
            draft = editor.from_event(event).model_copy(
                update={"event_id": None, "step": "start", "editing": True, "new_date": True}
            )
            await state.clear()
            await ask(bot, user_id, state, services, access, draft, views.duplicate_intro(event))
            return
        case ManageActionKind.delete:
            screen = views.delete_question(event)
            await edit_or_send(bot, query, screen.text, screen.inline)
            return
        case ManageActionKind.delete_confirmed:
            deleted = await services.organizer.delete_draft(access, event.id)
            if isinstance(deleted, Refusal):
                await edit_or_send(bot, query, refusal_text(deleted))
                return
            screen = views.draft_deleted(deleted)
            await edit_or_send(bot, query, screen.text, screen.inline)
            return
        case ManageActionKind.cancel if event.status == EventStatus.draft:
            # An old «Cancel» button on a draft: a draft is deleted, asked first.
            screen = views.delete_question(event)
            await edit_or_send(bot, query, screen.text, screen.inline)
            return
        case ManageActionKind.cancel:
            if event.ends_at <= now:
                outcome = Refusal.event_finished
            else:
                await state.set_state(EventCancellation.reason)
                await state.set_data({"event_id": event.id})
                await bot.send_message(
                    user_id,
                    views.cancel_reason_prompt(event, managed.counts),
                    reply_markup=ReplyKeyboardRemove(),
                )
                return
        case _:
            return
    if isinstance(outcome, Refusal):
        desk.refuse(outcome)
    fresh = await services.organizer.managed(access, event.id)
    assert fresh is not None
    screen = views.event_screen(fresh, now, services.bot_username)
    await edit_or_send(bot, query, screen.text, screen.inline)


async def on_edit_field(
    _query: CallbackQuery, callback_data: EditEventField, state: FSMContext, desk: Desk
) -> None:
    if callback_data.field not in editor.EDITABLE:
        desk.refuse()
        return
    managed = await desk.managed(callback_data.event_id)
    if managed is None:
        return
    services, bot, access, user_id = desk.services, desk.bot, desk.access, desk.chat_id
    event = managed.event
    cancelled = event.status == EventStatus.cancelled
    if cancelled or event.ends_at <= services.clock.timestamp():
        desk.refuse(Refusal.event_cancelled if cancelled else Refusal.event_finished)
        return
    draft = editor.from_event(event).model_copy(
        update={"step": callback_data.field, "editing": True}
    )
    await state.clear()
    await ask(bot, user_id, state, services, access, draft)


# -- cancelling -------------------------------------------------------------------------------


async def on_cancel_reason(message: Message, state: FSMContext, desk: Desk) -> None:
    event_id = int((await state.get_data()).get("event_id", 0))
    managed = await desk.services.organizer.managed(desk.access, event_id)
    if managed is None:
        await state.clear()
        await message.answer(refusal_text(Refusal.event_not_found))
        return
    try:
        reason = clean_line(message.text, REASON_LIMIT)
    except InvalidInput as error:
        await message.answer(
            problem_text(error) + "\n\n" + views.cancel_reason_prompt(managed.event, managed.counts)
        )
        return
    await state.set_state(EventCancellation.confirm)
    await state.set_data({"event_id": event_id, "reason": reason})
    screen = views.cancel_question(managed.event, reason, managed.counts)
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def on_cancel_answer(
    query: CallbackQuery, callback_data: CancelEventAnswer, state: FSMContext, desk: Desk
) -> None:
    data = await state.get_data()
    in_dialog = (
        await state.get_state() == EventCancellation.confirm.state
        and data.get("event_id") == callback_data.event_id
    )
    if not in_dialog:
        desk.alert(views.question_over())
        return
    services, bot, access = desk.services, desk.bot, desk.access
    await state.clear()
    if not callback_data.confirm:
        await edit_or_send(bot, query, views.cancel_kept())
        return
    now = services.clock.timestamp()

    def notice(event: Event) -> Screen:
        return views.cancel_notice(event, now)

    outcome = await services.organizer.cancel(
        access, callback_data.event_id, str(data.get("reason", "")), notice
    )
    if isinstance(outcome, Refusal):
        await edit_or_send(bot, query, refusal_text(outcome))
        return
    assert isinstance(outcome, Applied)
    await edit_or_send(bot, query, views.cancelled_done(outcome.notified))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_manage, Command("manage"))
    router.callback_query.register(on_list, ManageAction.filter(F.action == ManageActionKind.list))
    router.callback_query.register(
        on_event_action,
        ManageAction.filter(
            F.action.in_(
                {
                    ManageActionKind.open,
                    ManageActionKind.publish,
                    ManageActionKind.close,
                    ManageActionKind.reopen,
                    ManageActionKind.link,
                    ManageActionKind.edit_menu,
                    ManageActionKind.reschedule,
                    ManageActionKind.duplicate,
                    ManageActionKind.cancel,
                    ManageActionKind.delete,
                    ManageActionKind.delete_confirmed,
                }
            )
        ),
    )
    router.callback_query.register(on_edit_field, EditEventField.filter(F.event_id > 0))
    router.message.register(
        on_cancel_reason,
        StateFilter(EventCancellation.reason),
        NOT_A_COMMAND,
    )
    router.callback_query.register(on_cancel_answer, CancelEventAnswer.filter())
    return router
