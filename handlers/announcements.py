"""/announce (compose, audience, preview, send now or schedule), /scheduled, Stop, publish hook."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import F, Router
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message

from bot.callbacks import (
    AnnounceEvent,
    AnnouncementControl,
    AnnouncementControlKind,
    AnnounceStep,
    AnnounceStepKind,
    AnnounceTown,
)
from bot.deeplinks import link
from bot.filters import IsOrganizer
from bot.services.announce_dialog import AnnounceDialog, Chosen, Open, Refused, Sending, Stage, Step
from bot.services.announcements import region_audience
from bot.services.problems import InvalidInput, Problem
from bot.services.refusals import Refusal
from bot.states import Announce, AnnounceDraft
from bot.ui import edit_or_send
from bot.views import Screen
from bot.views import announcements as views
from bot.views.announce_dialog import dialog_screen
from bot.views.problems import problem_text
from bot.views.refusals import refusal_text
from db import announcements as repo
from db.announcements import Announcement, Audience, AudienceKind
from handlers.organizer.common import Desk

# What copy_message reproduces for someone else; stories, service messages, invoices and
# giveaways it cannot. Anything else it refuses shows up at the preview copy, before any row.
COPYABLE = frozenset(
    {
        ContentType.TEXT,
        ContentType.PHOTO,
        ContentType.VIDEO,
        ContentType.DOCUMENT,
        ContentType.AUDIO,
        ContentType.VOICE,
        ContentType.ANIMATION,
        ContentType.VIDEO_NOTE,
        ContentType.STICKER,
        ContentType.LOCATION,
        ContentType.VENUE,
        ContentType.CONTACT,
        ContentType.DICE,
        ContentType.POLL,
    }
)


def dialog_of(desk: Desk) -> AnnounceDialog:
    services = desk.services
    return AnnounceDialog(services.announcements, services.delivery, services.clock)


async def send_preview(
    desk: Desk, announcement: Announcement, count: int, *, copy: bool = True
) -> None:
    """The copy exactly as recipients get it (with their buttons), then the choice."""
    bot, chat_id, service = desk.bot, desk.chat_id, desk.services.announcements
    if copy:
        markup = service.recipient_markup(announcement, desk.services.i18n.current_locale)
        try:
            await bot.copy_message(
                chat_id, announcement.from_chat_id, announcement.message_id, reply_markup=markup
            )
        except TelegramBadRequest:
            # E.g. a quiz, or the message was deleted meanwhile: nobody could get a copy either.
            await bot.send_message(chat_id, views.copy_failed())
            return
    description = await service.describe(announcement)
    screen = views.preview(announcement, description, count)
    await bot.send_message(chat_id, screen.text, reply_markup=screen.reply_markup)


async def scheduled_screen(desk: Desk) -> Screen:
    """The organizer's scheduled announcements, with their times and audiences."""
    service = desk.services.announcements
    items = []
    for announcement in await service.scheduled_for(desk.access):
        assert announcement.send_at is not None
        moment = await service.moment(announcement, announcement.send_at)
        items.append((announcement, moment, await service.describe(announcement)))
    return views.scheduled_list(items)


STATE_OF: dict[Stage, State] = {
    Stage.composing: Announce.composing,
    Stage.choosing: Announce.choosing,
    Stage.send_time: Announce.send_time,
    Stage.not_after: Announce.not_after,
    Stage.confirming: Announce.confirming,
}
STAGE_OF = {state.state: stage for stage, state in STATE_OF.items()}


async def _draft_data(state: FSMContext) -> AnnounceDraft:
    return AnnounceDraft.model_validate(await state.get_data())


async def _keep(state: FSMContext, step: Step) -> None:
    """Where the step machine says the dialog goes next."""
    if step.stage == Stage.done:
        await state.clear()
        return
    if step.draft is not None:
        await state.set_data(step.draft.model_dump())
    if step.stage is not None:
        await state.set_state(STATE_OF[step.stage])


# -- composing --------------------------------------------------------------------------------


async def on_announce(message: Message, state: FSMContext) -> None:
    await state.set_state(Announce.composing)
    await state.set_data(AnnounceDraft().model_dump())
    await message.answer(views.compose_prompt(), reply_markup=views.compose_keyboard())


async def on_composed(message: Message, state: FSMContext, desk: Desk) -> None:
    data = await _draft_data(state)
    if message.media_group_id is not None:
        # Each part of an album arrives as its own message: refuse the album once.
        if data.album != message.media_group_id:
            await state.update_data(album=message.media_group_id)
            await message.answer(views.album_refused())
        return
    if message.content_type not in COPYABLE:
        await message.answer(views.not_copyable())
        return
    service = desk.services.announcements
    created = await service.create_draft(desk.access, message.chat.id, message.message_id)
    if isinstance(created, Refusal):
        await state.clear()
        await message.answer(refusal_text(created))
        return
    await state.set_state(Announce.choosing)
    await state.set_data(AnnounceDraft(announcement_id=created.id).model_dump())
    subscribers = await service.audience.count(Audience(AudienceKind.subscribers))
    screen = views.audience_menu(created.id, subscribers)
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def on_use_buttons(message: Message) -> None:
    await message.answer(views.use_buttons())


# -- the dialog's buttons ---------------------------------------------------------------------

# The buttons that carry nothing but the draft they belong to.
PLAIN_STEPS: dict[AnnounceStepKind, Callable[[AnnounceDialog, Open], Awaitable[Step]]] = {
    AnnounceStepKind.cancel: AnnounceDialog.cancel,
    AnnounceStepKind.audience: AnnounceDialog.audience_menu,
    AnnounceStepKind.everyone: AnnounceDialog.everyone,
    AnnounceStepKind.cities: AnnounceDialog.cities,
    AnnounceStepKind.events: AnnounceDialog.events,
    AnnounceStepKind.send: AnnounceDialog.send,
    AnnounceStepKind.schedule: AnnounceDialog.schedule,
    AnnounceStepKind.not_after: AnnounceDialog.ask_not_after,
    AnnounceStepKind.no_not_after: AnnounceDialog.drop_not_after,
    AnnounceStepKind.back: AnnounceDialog.back,
    AnnounceStepKind.confirm: AnnounceDialog.confirm,
}


async def on_step(
    query: CallbackQuery,
    callback_data: AnnounceStep,
    state: FSMContext,
    raw_state: str | None,
    desk: Desk,
) -> None:
    action = callback_data.action
    if (
        desk.access.is_organizer
        and action == AnnounceStepKind.cancel
        and callback_data.announcement_id == 0
    ):
        # «Cancel» before any message was given: there is no draft yet.
        if raw_state == Announce.composing.state:
            await state.clear()
        await edit_or_send(desk.bot, query, views.cancelled())
        return
    opened = await _opened(state, raw_state, desk, callback_data.announcement_id)
    if opened is None:
        return
    dialog = dialog_of(desk)
    value = callback_data.value
    match action:
        case AnnounceStepKind.city:
            step = await dialog.city(opened, value)
        case AnnounceStepKind.event:
            step = await dialog.event(opened, value)
        case AnnounceStepKind.segment:
            step = await dialog.segment(opened, value, callback_data.segment)
        case _:
            step = await PLAIN_STEPS[action](dialog, opened)
    await _show(query, state, desk, step)


async def on_town(
    query: CallbackQuery,
    callback_data: AnnounceTown,
    state: FSMContext,
    raw_state: str | None,
    desk: Desk,
) -> None:
    """The whole region or one of its towns, after a region with events in several."""
    opened = await _opened(state, raw_state, desk, callback_data.announcement_id)
    if opened is None:
        return
    step = await dialog_of(desk).town(opened, callback_data.region, callback_data.town)
    await _show(query, state, desk, step)


async def _opened(
    state: FSMContext, raw_state: str | None, desk: Desk, announcement_id: int
) -> Open | None:
    """The dialog as this press finds it, or None once the press has been refused."""
    if not desk.access.is_organizer:
        desk.answer.text = refusal_text(Refusal.over)
        return None
    stage = STAGE_OF.get(raw_state or "")
    draft = await _draft_data(state)
    opened = await dialog_of(desk).open(desk.access, stage, draft, announcement_id)
    if isinstance(opened, Refused):
        desk.alert(refusal_text(opened.reason))
        return None
    return opened


async def _show(query: CallbackQuery, state: FSMContext, desk: Desk, step: Step) -> None:
    """Keep the step's state, then show it in place of the pressed message."""
    await _keep(state, step)
    if isinstance(step.shown, Refused):
        desk.alert(refusal_text(step.shown.reason))
        return
    screen = dialog_screen(step.shown)
    message_id = await edit_or_send(desk.bot, query, screen.text, screen.inline)
    if isinstance(step.shown, Chosen):
        await send_preview(desk, step.shown.announcement, step.shown.count)
    elif isinstance(step.shown, Sending):
        sending = step.shown
        await desk.services.announcements.attach_status(
            sending.announcement_id, desk.chat_id, message_id, sending.progress
        )


# -- typed times ------------------------------------------------------------------------------


async def on_typed_time(
    message: Message, state: FSMContext, raw_state: str | None, desk: Desk
) -> None:
    """A send time or a «not after» time, read in the zone of the chosen audience."""
    stage = STAGE_OF.get(raw_state or "", Stage.send_time)
    data = await _draft_data(state)
    step = await dialog_of(desk).typed(desk.access, stage, data, message.text or "")
    await _keep(state, step)
    screen = dialog_screen(step.shown)
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def on_not_a_time(message: Message) -> None:
    await message.answer(problem_text(InvalidInput(Problem.date_format)))


# -- /scheduled and the controls of a running or planned one ----------------------------------


async def on_scheduled(message: Message, desk: Desk) -> None:
    screen = await scheduled_screen(desk)
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def on_control(query: CallbackQuery, callback_data: AnnouncementControl, desk: Desk) -> None:
    service, access = desk.services.announcements, desk.access
    wanted_id = callback_data.announcement_id
    match callback_data.action:
        case AnnouncementControlKind.stop:
            stopped = await service.stop(access, wanted_id)
            if isinstance(stopped, Refusal):
                desk.alert(refusal_text(stopped))
                return
            desk.answer.text = views.stop_toast(stopped)
            announcement = await repo.get(desk.services.db, wanted_id)
            if announcement is not None:
                await service.refresh(desk.bot, announcement)
            return
        case AnnouncementControlKind.keep:
            screen = await scheduled_screen(desk)
            await edit_or_send(desk.bot, query, screen.text, screen.inline)
            return
        case AnnouncementControlKind.ask_drop:
            mine = {item.id: item for item in await service.scheduled_for(access)}
            wanted = mine.get(wanted_id)
            if wanted is None or wanted.send_at is None:
                screen = await scheduled_screen(desk)
                text = refusal_text(Refusal.announcement_not_found) + "\n\n" + screen.text
                await edit_or_send(desk.bot, query, text, screen.inline)
                return
            moment = await service.moment(wanted, wanted.send_at)
            question = views.drop_question(wanted, moment, await service.describe(wanted))
            await edit_or_send(desk.bot, query, question.text, question.inline)
            return
    dropped = await service.cancel_scheduled(access, wanted_id)
    if isinstance(dropped, Refusal):
        desk.alert(refusal_text(dropped))
    screen = await scheduled_screen(desk)
    # The outcome is in the message itself: a toast alone is missed by screen readers.
    outcome = refusal_text(dropped) if isinstance(dropped, Refusal) else views.scheduled_cancelled()
    await edit_or_send(desk.bot, query, outcome + "\n\n" + screen.text, screen.inline)


# -- the publish hook -------------------------------------------------------------------------


async def on_announce_event(
    query: CallbackQuery, callback_data: AnnounceEvent, state: FSMContext, desk: Desk
) -> None:
    """One tap after publishing: the event's announcement, previewed, for its city."""
    services, service, access = desk.services, desk.services.announcements, desk.access
    event = await service.audience.event_for(access, callback_data.event_id)
    if event is None:
        desk.alert(refusal_text(Refusal.forbidden))
        return
    audience = region_audience(event)
    offered = await service.publish_offer(event)
    if offered is None or not await service.audience.count(audience) or not services.bot_username:
        desk.alert(views.event_unavailable())
        return
    url = link(services.bot_username, "ev", event.id)
    text = views.event_announcement(event, services.clock.timestamp(), url)
    # The message recipients get a copy of; shown with their buttons, it is the preview too.
    source = await desk.bot.send_message(
        desk.chat_id, text, reply_markup=views.recipient_markup(unsubscribe=True, register_url=url)
    )
    created = await service.create_draft(
        access, desk.chat_id, source.message_id, link_event_id=event.id
    )
    if isinstance(created, Refusal):
        desk.answer.text = refusal_text(created)
        return
    chosen = await service.choose_audience(access, created.id, audience)
    if isinstance(chosen, Refusal):
        desk.answer.text = refusal_text(chosen)
        return
    await state.set_state(Announce.choosing)
    await state.set_data(AnnounceDraft(announcement_id=created.id).model_dump())
    announcement, count = chosen
    await send_preview(desk, announcement, count, copy=False)


def build_router() -> Router:
    """Organizers and admins only, on the same guard as the organizer area; every handler
    re-checks the author and the audience on the server."""
    router = Router(name=__name__)
    router.message.filter(IsOrganizer())
    router.callback_query.filter(IsOrganizer())
    router.message.register(on_announce, Command("announce"))
    router.message.register(on_scheduled, Command("scheduled"))
    not_command = ~F.text.startswith("/")
    router.message.register(on_composed, StateFilter(Announce.composing), not_command)
    typing_time = StateFilter(Announce.send_time, Announce.not_after)
    router.message.register(on_typed_time, typing_time, F.text, not_command)
    router.message.register(on_not_a_time, typing_time, not_command)
    router.message.register(
        on_use_buttons, StateFilter(Announce.choosing, Announce.confirming), not_command
    )
    router.callback_query.register(on_step, AnnounceStep.filter())
    router.callback_query.register(on_town, AnnounceTown.filter())
    router.callback_query.register(on_control, AnnouncementControl.filter())
    router.callback_query.register(on_announce_event, AnnounceEvent.filter())
    return router
