"""/new_event and the step-by-step editor it shares with /manage (edit, reschedule, duplicate)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot.callbacks import DraftAction, DraftActionKind, EditEventField
from bot.services import Services
from bot.services import event_editor as editor
from bot.services.event_editor import EventDraft, Reply
from bot.services.organizer import Applied
from bot.services.problems import InvalidInput, Problem
from bot.services.refusals import Refusal
from bot.services.roles import Access
from bot.states import EventEditor
from bot.ui import edit_or_send
from bot.views import Screen
from bot.views import event_editor as views
from bot.views import organizer as organizer_views
from bot.views.problems import problem_text
from bot.views.refusals import refusal_text
from db.events import Event
from db.people import Person
from handlers.organizer.common import NOT_A_COMMAND, Desk, load_draft, save_draft, send_event_screen


def _defaults(services: Services) -> tuple[int, ...]:
    return services.settings.reminder_offsets


async def ask(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    services: Services,
    access: Access,
    draft: EventDraft,
    prefix: str | None = None,
) -> None:
    """Ask the draft's step; at the end show the preview, or save an edited event."""
    if draft.step == editor.PREVIEW:
        if draft.event_id is None:
            await show_preview(bot, chat_id, state, services, draft, prefix)
        else:
            await save_edit(bot, chat_id, state, services, access, draft)
        return
    await state.set_state(EventEditor.answering)
    await save_draft(state, draft)
    screen = views.prompt(draft, services.clock.timestamp(), _defaults(services))
    text = f"{prefix}\n\n{screen.text}" if prefix else screen.text
    await bot.send_message(chat_id, text, reply_markup=screen.reply_markup)


async def show_preview(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    services: Services,
    draft: EventDraft,
    prefix: str | None = None,
) -> None:
    draft = draft.model_copy(update={"step": editor.PREVIEW, "editing": False})
    await state.set_state(EventEditor.preview)
    await save_draft(state, draft)
    facts, card = views.preview(draft, services.clock.timestamp(), _defaults(services))
    text = f"{prefix}\n\n{facts.text}" if prefix else facts.text
    await bot.send_message(chat_id, text, reply_markup=ReplyKeyboardRemove())
    await bot.send_message(chat_id, card.text, reply_markup=card.reply_markup)


async def save_edit(
    bot: Bot, chat_id: int, state: FSMContext, services: Services, access: Access, draft: EventDraft
) -> None:
    """An existing event's field was answered: save it (people are told of a new time/place)."""
    assert draft.event_id is not None
    managed = await services.organizer.managed(access, draft.event_id)
    before = managed.event if managed is not None else None
    now = services.clock.timestamp()

    def notice(after: Event) -> Screen:
        assert before is not None
        return organizer_views.change_notice(before, after, now)

    outcome = await services.organizer.apply(access, draft, notice)
    if isinstance(outcome, InvalidInput):
        # E.g. fewer seats than people confirmed: the same step again, with the reason.
        back = draft.model_copy(update={"step": _edited_step(outcome)})
        await ask(bot, chat_id, state, services, access, back, problem_text(outcome))
        return
    await state.clear()
    if isinstance(outcome, Refusal):
        await bot.send_message(chat_id, refusal_text(outcome), reply_markup=ReplyKeyboardRemove())
        return
    assert isinstance(outcome, Applied)
    text = (
        organizer_views.saved_changes(outcome.notified)
        if outcome.changed
        else organizer_views.nothing_changed()
    )
    await bot.send_message(chat_id, text, reply_markup=ReplyKeyboardRemove())
    await send_event_screen(bot, chat_id, services, access, draft.event_id)


def _edited_step(error: InvalidInput) -> str:
    return "capacity" if error.problem == Problem.capacity_below_confirmed else "start"


# -- /new_event -------------------------------------------------------------------------------


async def on_new_event(
    message: Message,
    state: FSMContext,
    services: Services,
    bot: Bot,
    access: Access,
    person: Person | None,
) -> None:
    # The organizer's own organization is the likely host: offered as «Keep».
    draft = EventDraft(organizer_name=(person.organization or "") if person else "")
    await state.clear()
    await ask(bot, message.chat.id, state, services, access, draft)


# -- answering a step -------------------------------------------------------------------------


async def on_answer(
    message: Message, state: FSMContext, services: Services, bot: Bot, access: Access
) -> None:
    draft = await load_draft(state)
    chat_id = message.chat.id
    if draft is None:
        await state.clear()
        await message.answer(views.not_in_dialog(), reply_markup=ReplyKeyboardRemove())
        return
    text = message.text
    if text is not None and text.strip() == views.back_label():
        await go_back(bot, chat_id, state, services, access, draft)
        return
    choice = views.choice_of(text, _defaults(services))
    location = None
    if message.location is not None:
        location = (message.location.latitude, message.location.longitude)
    reply = Reply(
        text=None if choice is not None else text,
        location=location,
        choice=choice,
        kind=views.kind_of(text) if draft.step == "kind" else None,
        event_format=views.format_of(text) if draft.step == "format" else None,
    )
    try:
        answered = editor.accept(draft, reply, services.clock.timestamp())
    except InvalidInput as error:
        screen = views.prompt(draft, services.clock.timestamp(), _defaults(services))
        await message.answer(
            problem_text(error) + "\n\n" + screen.text, reply_markup=screen.reply_markup
        )
        return
    step = editor.step_after(draft, answered, reply)
    await ask(bot, chat_id, state, services, access, answered.model_copy(update={"step": step}))


async def go_back(
    bot: Bot, chat_id: int, state: FSMContext, services: Services, access: Access, draft: EventDraft
) -> None:
    if draft.pending_local is not None:
        # «Back» at a date read back to the organizer asks for that date again.
        cleared = draft.model_copy(update={"pending_local": None, "pending_end_local": None})
        await ask(bot, chat_id, state, services, access, cleared)
        return
    previous = editor.previous_step(draft, draft.step)
    if previous is not None:
        update: dict[str, object] = {"step": previous}
        if previous == "questions":
            update["pending_question"] = None  # a half-made question is dropped
        await ask(bot, chat_id, state, services, access, draft.model_copy(update=update))
        return
    if draft.new_date:
        # «Back» from a copy's new date: the copy has no date yet, so it is dropped.
        await state.clear()
        await bot.send_message(chat_id, views.discarded(), reply_markup=ReplyKeyboardRemove())
        return
    if draft.editing and draft.event_id is None:
        await show_preview(bot, chat_id, state, services, draft)
        return
    if draft.editing:
        await state.clear()
        await bot.send_message(
            chat_id, organizer_views.nothing_changed(), reply_markup=ReplyKeyboardRemove()
        )
        await send_event_screen(bot, chat_id, services, access, draft.event_id)
        return
    screen = views.prompt(draft, services.clock.timestamp(), _defaults(services))
    await bot.send_message(
        chat_id, views.first_step() + "\n\n" + screen.text, reply_markup=screen.reply_markup
    )


# -- the preview ------------------------------------------------------------------------------


async def on_draft_action(
    query: CallbackQuery, callback_data: DraftAction, state: FSMContext, desk: Desk
) -> None:
    draft = await load_draft(state)
    if draft is None or await state.get_state() != EventEditor.preview.state:
        desk.alert(views.not_in_dialog())
        return
    services, bot, access, chat_id = desk.services, desk.bot, desk.access, desk.chat_id
    action = callback_data.action
    if action == DraftActionKind.cancel:
        await state.clear()
        await edit_or_send(bot, query, views.discarded())
        return
    if action == DraftActionKind.edit:
        await bot.send_message(chat_id, views.edit_menu_text(), reply_markup=views.edit_menu(0))
        return
    if action == DraftActionKind.preview:
        await show_preview(bot, chat_id, state, services, draft)
        return
    outcome = await services.organizer.create(
        draft, access, publish=action == DraftActionKind.publish
    )
    if isinstance(outcome, Refusal):
        desk.alert(views.stale_draft())
        await bot.send_message(chat_id, views.stale_draft(), reply_markup=views.edit_menu(0))
        return
    await state.clear()
    # The card stays in the chat as it was saved; its preview buttons go.
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    if action == DraftActionKind.publish:
        text = organizer_views.published(outcome, services.bot_username)
    else:
        text = organizer_views.saved_as_draft(outcome)
    await bot.send_message(chat_id, text)
    await send_event_screen(bot, chat_id, services, access, outcome.id)
    if action == DraftActionKind.publish:
        # Optional: one tap announces it to the subscribers of its city.
        await services.announcements.offer_for_published_event(bot, chat_id, outcome)


async def on_edit_draft_field(
    _query: CallbackQuery, callback_data: EditEventField, state: FSMContext, desk: Desk
) -> None:
    """A field of the new event's draft, from the preview's edit menu."""
    draft = await load_draft(state)
    if (
        draft is None
        or draft.event_id is not None
        or callback_data.field not in editor.EDITABLE
        or await state.get_state() not in (EventEditor.preview.state, EventEditor.answering.state)
    ):
        desk.alert(views.not_in_dialog())
        return
    edited = draft.model_copy(update={"step": callback_data.field, "editing": True})
    await ask(desk.bot, desk.chat_id, state, desk.services, desk.access, edited)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_new_event, Command("new_event"))
    router.message.register(
        on_answer,
        StateFilter(EventEditor.answering),
        NOT_A_COMMAND,
    )
    router.callback_query.register(on_draft_action, DraftAction.filter())
    router.callback_query.register(on_edit_draft_field, EditEventField.filter(F.event_id == 0))
    return router
