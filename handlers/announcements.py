"""/announce (compose, audience, preview, send now or schedule), /scheduled, Stop, publish hook."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n

from bot.callbacks import (
    AnnounceEvent,
    AnnouncementControl,
    AnnouncementControlKind,
    AnnounceStep,
    AnnounceStepKind,
)
from bot.deeplinks import link
from bot.filters import IsOrganizer
from bot.services import Services
from bot.services import event_editor as editor
from bot.services.announcements import Changed, Refusal
from bot.services.roles import Access
from bot.states import Announce, AnnounceDraft
from bot.views import Screen
from bot.views import announcements as views
from bot.views import event_editor as editor_views
from db import announcements as repo
from db.announcements import Announcement, Audience, AudienceKind

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


def actor_of(user_id: int, is_organizer: bool, is_admin: bool) -> Access:
    return Access(user_id=user_id, is_organizer=is_organizer or is_admin, is_admin=is_admin)


def refusal_text(refusal: Refusal) -> str:
    match refusal:
        case Refusal.not_yours:
            return views.not_yours()
        case Refusal.forbidden:
            return views.event_not_allowed()
        case Refusal.not_found:
            return views.not_found()
        case Refusal.started:
            return views.already_started()
        case Refusal.finished:
            return views.already_finished()
        case _:
            return views.dialog_over()


async def _draft_data(state: FSMContext) -> AnnounceDraft:
    return AnnounceDraft.model_validate(await state.get_data())


async def _show(bot: Bot, query: CallbackQuery, screen: Screen) -> int:
    """Replace the pressed message; returns the id of the message that shows the screen now."""
    message = query.message
    if isinstance(message, Message) and message.text is not None:
        try:
            await message.edit_text(screen.text, reply_markup=screen.inline)
        except TelegramBadRequest as error:
            if "not modified" in error.message:
                return message.message_id
        else:
            return message.message_id
    sent = await bot.send_message(query.from_user.id, screen.text, reply_markup=screen.reply_markup)
    return sent.message_id


# -- composing --------------------------------------------------------------------------------


async def on_announce(message: Message, state: FSMContext) -> None:
    await state.set_state(Announce.composing)
    await state.set_data(AnnounceDraft().model_dump())
    await message.answer(views.compose_prompt(), reply_markup=views.compose_keyboard())


async def on_composed(
    message: Message,
    state: FSMContext,
    services: Services,
    is_organizer: bool,
    is_admin: bool,
) -> None:
    assert message.from_user is not None
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
    actor = actor_of(message.from_user.id, is_organizer, is_admin)
    created = await services.announcements.create_draft(actor, message.chat.id, message.message_id)
    if isinstance(created, Refusal):
        await state.clear()
        await message.answer(refusal_text(created))
        return
    await state.set_state(Announce.choosing)
    await state.set_data(AnnounceDraft(announcement_id=created.id).model_dump())
    screen = await _audience_menu(services, created.id)
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def _audience_menu(
    services: Services, announcement_id: int, note: str | None = None
) -> Screen:
    subscribers = await services.announcements.audience.count(Audience(AudienceKind.subscribers))
    return views.audience_menu(announcement_id, subscribers, note)


async def on_use_buttons(message: Message) -> None:
    await message.answer(views.use_buttons())


# -- the dialog's buttons ---------------------------------------------------------------------


async def on_step(
    query: CallbackQuery,
    callback_data: AnnounceStep,
    state: FSMContext,
    services: Services,
    bot: Bot,
    i18n: I18n,
    callback_answer: CallbackAnswer,
    is_organizer: bool,
    is_admin: bool,
) -> None:
    actor = actor_of(query.from_user.id, is_organizer, is_admin)
    if not actor.is_organizer:
        callback_answer.text = views.dialog_over()
        return
    data = await _draft_data(state)
    announcement_id = callback_data.announcement_id
    action = callback_data.action
    current_state = await state.get_state()
    in_dialog = current_state is not None and current_state.startswith(Announce.__name__)
    if action == AnnounceStepKind.cancel and announcement_id == 0:
        # «Cancel» before any message was given: there is no draft yet.
        if current_state == Announce.composing.state:
            await state.clear()
        await _show(bot, query, Screen(views.cancelled()))
        return
    if not in_dialog or data.announcement_id != announcement_id:
        # An old dialog's button, a dialog left with /cancel, or forged data.
        callback_answer.text = views.dialog_over()
        callback_answer.show_alert = True
        return
    service = services.announcements
    found = await service.draft(actor, announcement_id)
    if isinstance(found, Refusal):
        callback_answer.text = refusal_text(found)
        callback_answer.show_alert = True
        return
    if action == AnnounceStepKind.cancel:
        await service.discard(actor, announcement_id)
        await state.clear()
        await _show(bot, query, Screen(views.cancelled()))
        return
    handler = STEP_HANDLERS.get(action)
    if handler is None:
        callback_answer.text = views.dialog_over()
        return
    await handler(
        StepContext(
            query, callback_data, state, services, bot, i18n, callback_answer, actor, found, data
        )
    )


class StepContext:
    """Everything a step needs, checked already: the actor may continue this draft."""

    def __init__(
        self,
        query: CallbackQuery,
        callback_data: AnnounceStep,
        state: FSMContext,
        services: Services,
        bot: Bot,
        i18n: I18n,
        callback_answer: CallbackAnswer,
        actor: Access,
        announcement: Announcement,
        data: AnnounceDraft,
    ) -> None:
        self.query = query
        self.callback_data = callback_data
        self.state = state
        self.services = services
        self.bot = bot
        self.i18n = i18n
        self.callback_answer = callback_answer
        self.actor = actor
        self.announcement = announcement
        self.data = data

    @property
    def id(self) -> int:
        return self.announcement.id

    def refuse(self, text: str) -> None:
        self.callback_answer.text = text
        self.callback_answer.show_alert = True


async def step_audience_menu(ctx: StepContext) -> None:
    await ctx.state.set_state(Announce.choosing)
    await ctx.state.update_data(send_at=None, not_after=None)
    await _show(ctx.bot, ctx.query, await _audience_menu(ctx.services, ctx.id))


async def step_everyone(ctx: StepContext) -> None:
    await _choose(ctx, Audience(AudienceKind.subscribers))


async def step_cities(ctx: StepContext) -> None:
    options = await ctx.services.announcements.audience.cities()
    await _show(ctx.bot, ctx.query, views.city_menu(ctx.id, options))


async def step_city(ctx: StepContext) -> None:
    city = await ctx.services.announcements.audience.city_by_key(ctx.callback_data.value)
    if city is None:
        ctx.refuse(views.city_gone())
        return
    await _choose(ctx, Audience(AudienceKind.city, city=city))


async def step_events(ctx: StepContext) -> None:
    events = await ctx.services.announcements.audience.events_for(ctx.actor)
    await _show(ctx.bot, ctx.query, views.event_menu(ctx.id, events))


async def step_event(ctx: StepContext) -> None:
    audience = ctx.services.announcements.audience
    event = await audience.event_for(ctx.actor, ctx.callback_data.value)
    if event is None:
        ctx.refuse(views.event_not_allowed())
        return
    counts = await audience.segment_counts(event.id)
    now = ctx.services.clock.timestamp()
    await _show(ctx.bot, ctx.query, views.segment_menu(ctx.id, event, counts, now))


async def step_segment(ctx: StepContext) -> None:
    segment = ctx.callback_data.segment
    if segment is None:
        ctx.refuse(views.dialog_over())
        return
    await _choose(
        ctx, Audience(AudienceKind.event, event_id=ctx.callback_data.value, segment=segment)
    )


async def _choose(ctx: StepContext, audience: Audience) -> None:
    chosen = await ctx.services.announcements.choose_audience(ctx.actor, ctx.id, audience)
    if isinstance(chosen, Refusal):
        ctx.refuse(refusal_text(chosen))
        return
    announcement, count = chosen
    description = await ctx.services.announcements.describe(announcement)
    await _show(ctx.bot, ctx.query, Screen(views.audience_chosen(description)))
    await send_preview(ctx.bot, ctx.services, ctx.i18n, ctx.query.from_user.id, announcement, count)


async def send_preview(
    bot: Bot,
    services: Services,
    i18n: I18n,
    chat_id: int,
    announcement: Announcement,
    count: int,
    *,
    copy: bool = True,
) -> None:
    """The copy exactly as recipients get it (with their buttons), then the choice."""
    if copy:
        markup = services.announcements.recipient_markup(announcement, i18n.current_locale)
        try:
            await bot.copy_message(
                chat_id, announcement.from_chat_id, announcement.message_id, reply_markup=markup
            )
        except TelegramBadRequest:
            # E.g. a quiz, or the message was deleted meanwhile: nobody could get a copy either.
            await bot.send_message(chat_id, views.copy_failed())
            return
    description = await services.announcements.describe(announcement)
    screen = views.preview(announcement, description, count)
    await bot.send_message(chat_id, screen.text, reply_markup=screen.reply_markup)


async def step_send(ctx: StepContext) -> None:
    service = ctx.services.announcements
    outcome = await service.send_now(ctx.actor, ctx.id)
    if isinstance(outcome, Refusal):
        ctx.refuse(refusal_text(outcome))
        return
    if isinstance(outcome, Changed):
        await _show_changed(ctx, outcome)
        return
    await ctx.state.clear()
    progress = await ctx.services.delivery.progress(outcome.announcement.source)
    message_id = await _show(ctx.bot, ctx.query, views.status(ctx.id, progress))
    await service.attach_status(ctx.id, ctx.query.from_user.id, message_id, progress)


async def _show_changed(ctx: StepContext, changed: Changed) -> None:
    """The audience moved since it was shown: show the new number, ask again."""
    announcement = await repo.get(ctx.services.db, ctx.id)
    assert announcement is not None
    description = await ctx.services.announcements.describe(announcement)
    note = views.audience_changed(changed.count)
    if ctx.data.send_at is not None and await ctx.state.get_state() == Announce.confirming.state:
        await _show(
            ctx.bot, ctx.query, await _confirmation(ctx.services, announcement, ctx.data, note)
        )
        return
    await _show(ctx.bot, ctx.query, views.preview(announcement, description, changed.count, note))


async def step_schedule(ctx: StepContext) -> None:
    await ctx.state.set_state(Announce.send_time)
    zone = await _zone_label(ctx.services, ctx.announcement)
    await _show(ctx.bot, ctx.query, views.ask_send_time(ctx.id, zone))


async def step_not_after(ctx: StepContext) -> None:
    if ctx.data.send_at is None:
        ctx.refuse(views.dialog_over())
        return
    await ctx.state.set_state(Announce.not_after)
    send_at = await ctx.services.announcements.moment(ctx.announcement, ctx.data.send_at)
    await _show(ctx.bot, ctx.query, views.ask_not_after(ctx.id, send_at))


async def step_no_not_after(ctx: StepContext) -> None:
    data = ctx.data.model_copy(update={"not_after": None})
    await ctx.state.update_data(not_after=None)
    await ctx.state.set_state(Announce.confirming)
    await _show(ctx.bot, ctx.query, await _confirmation(ctx.services, ctx.announcement, data))


async def step_back(ctx: StepContext) -> None:
    """From typing a time: to the confirmation when a time is set, else to the preview."""
    if ctx.data.send_at is not None:
        await ctx.state.set_state(Announce.confirming)
        screen = await _confirmation(ctx.services, ctx.announcement, ctx.data)
        await _show(ctx.bot, ctx.query, screen)
        return
    await ctx.state.set_state(Announce.choosing)
    recounted = await ctx.services.announcements.recount(ctx.actor, ctx.id)
    if isinstance(recounted, Refusal):
        ctx.refuse(refusal_text(recounted))
        return
    announcement, count = recounted
    description = await ctx.services.announcements.describe(announcement)
    await _show(ctx.bot, ctx.query, views.preview(announcement, description, count))


async def step_confirm(ctx: StepContext) -> None:
    data = ctx.data
    if data.send_at is None:
        ctx.refuse(views.dialog_over())
        return
    service = ctx.services.announcements
    if data.send_at <= ctx.services.clock.timestamp():
        # The organizer waited past the time they chose: ask for a new one.
        await ctx.state.set_state(Announce.send_time)
        await ctx.state.update_data(send_at=None)
        zone = await _zone_label(ctx.services, ctx.announcement)
        screen = views.ask_send_time(ctx.id, zone)
        past = editor_views.problem(editor.InvalidInput(editor.Problem.past))
        await _show(ctx.bot, ctx.query, Screen(past + "\n\n" + screen.text, screen.reply_markup))
        return
    outcome = await service.schedule(ctx.actor, ctx.id, data.send_at, data.not_after)
    if isinstance(outcome, Refusal):
        ctx.refuse(refusal_text(outcome))
        return
    if isinstance(outcome, Changed):
        await _show_changed(ctx, outcome)
        return
    await ctx.state.clear()
    moment = await service.moment(outcome.announcement, data.send_at)
    await _show(ctx.bot, ctx.query, Screen(views.scheduled_done(moment, outcome.total)))


STEP_HANDLERS = {
    AnnounceStepKind.audience: step_audience_menu,
    AnnounceStepKind.everyone: step_everyone,
    AnnounceStepKind.cities: step_cities,
    AnnounceStepKind.city: step_city,
    AnnounceStepKind.events: step_events,
    AnnounceStepKind.event: step_event,
    AnnounceStepKind.segment: step_segment,
    AnnounceStepKind.send: step_send,
    AnnounceStepKind.schedule: step_schedule,
    AnnounceStepKind.not_after: step_not_after,
    AnnounceStepKind.no_not_after: step_no_not_after,
    AnnounceStepKind.back: step_back,
    AnnounceStepKind.confirm: step_confirm,
}


# -- typed times ------------------------------------------------------------------------------


async def _zone(services: Services, announcement: Announcement) -> ZoneInfo:
    return ZoneInfo(await services.announcements.audience.timezone_for(announcement.audience))


async def _zone_label(services: Services, announcement: Announcement) -> str:
    zone = await services.announcements.audience.timezone_for(announcement.audience)
    place = await services.announcements.audience.place_for(announcement.audience)
    return views.zone_label(services.clock.timestamp(), zone, place)


async def _confirmation(
    services: Services, announcement: Announcement, data: AnnounceDraft, note: str | None = None
) -> Screen:
    assert data.send_at is not None
    service = services.announcements
    # The moment is shown in the zone the organizer typed it in.
    shown = announcement
    zone = await service.audience.timezone_for(announcement.audience)
    if zone != announcement.timezone:
        shown = _with_zone(announcement, zone)
    send_at = await service.moment(shown, data.send_at)
    not_after = None if data.not_after is None else await service.moment(shown, data.not_after)
    description = await service.describe(announcement)
    count = announcement.shown_count or 0
    screen = views.schedule_confirmation(
        announcement.id, send_at=send_at, not_after=not_after, description=description, count=count
    )
    if note:
        return Screen(note + "\n\n" + screen.text, screen.reply_markup)
    return screen


def _with_zone(announcement: Announcement, zone: str) -> Announcement:
    return replace(announcement, timezone=zone)


async def _typed_moment(
    message: Message, services: Services, announcement: Announcement
) -> datetime | None:
    """The typed moment, or None after telling why it is not accepted (the step repeats)."""
    zone = await _zone(services, announcement)
    try:
        return editor.parse_future(message.text or "", zone.key, services.clock.timestamp())
    except editor.InvalidInput as error:
        await message.answer(editor_views.problem(error))
        return None


async def _typing_draft(
    message: Message, state: FSMContext, services: Services, is_organizer: bool, is_admin: bool
) -> tuple[Announcement, AnnounceDraft] | None:
    assert message.from_user is not None
    data = await _draft_data(state)
    actor = actor_of(message.from_user.id, is_organizer, is_admin)
    found = await services.announcements.draft(actor, data.announcement_id)
    if isinstance(found, Refusal):
        await state.clear()
        await message.answer(refusal_text(found))
        return None
    return found, data


async def on_send_time(
    message: Message, state: FSMContext, services: Services, is_organizer: bool, is_admin: bool
) -> None:
    found = await _typing_draft(message, state, services, is_organizer, is_admin)
    if found is None:
        return
    announcement, data = found
    moment = await _typed_moment(message, services, announcement)
    if moment is None:
        return
    send_at = moment.timestamp()
    not_after = data.not_after if data.not_after is not None and data.not_after > send_at else None
    data = data.model_copy(update={"send_at": send_at, "not_after": not_after})
    await _to_confirmation(message, state, services, is_organizer, is_admin, data)


async def on_not_after(
    message: Message, state: FSMContext, services: Services, is_organizer: bool, is_admin: bool
) -> None:
    found = await _typing_draft(message, state, services, is_organizer, is_admin)
    if found is None:
        return
    announcement, data = found
    if data.send_at is None:
        await message.answer(views.use_buttons())
        return
    moment = await _typed_moment(message, services, announcement)
    if moment is None:
        return
    if moment.timestamp() <= data.send_at:
        zone = await services.announcements.audience.timezone_for(announcement.audience)
        shown = await services.announcements.moment(_with_zone(announcement, zone), data.send_at)
        await message.answer(views.not_after_too_early(shown))
        return
    data = data.model_copy(update={"not_after": moment.timestamp()})
    await _to_confirmation(message, state, services, is_organizer, is_admin, data)


async def _to_confirmation(
    message: Message,
    state: FSMContext,
    services: Services,
    is_organizer: bool,
    is_admin: bool,
    data: AnnounceDraft,
) -> None:
    assert message.from_user is not None
    actor = actor_of(message.from_user.id, is_organizer, is_admin)
    recounted = await services.announcements.recount(actor, data.announcement_id)
    if isinstance(recounted, Refusal):
        await state.clear()
        await message.answer(refusal_text(recounted))
        return
    announcement, _count = recounted
    await state.set_data(data.model_dump())
    await state.set_state(Announce.confirming)
    screen = await _confirmation(services, announcement, data)
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def on_not_a_time(message: Message) -> None:
    await message.answer(editor_views.problem(editor.InvalidInput(editor.Problem.date_format)))


# -- /scheduled and the controls of a running or planned one ----------------------------------


async def scheduled_screen(services: Services, actor: Access) -> Screen:
    service = services.announcements
    items = []
    for announcement in await service.scheduled_for(actor):
        assert announcement.send_at is not None
        moment = await service.moment(announcement, announcement.send_at)
        items.append((announcement, moment, await service.describe(announcement)))
    return views.scheduled_list(items)


async def on_scheduled(
    message: Message, services: Services, is_organizer: bool, is_admin: bool
) -> None:
    assert message.from_user is not None
    actor = actor_of(message.from_user.id, is_organizer, is_admin)
    screen = await scheduled_screen(services, actor)
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def on_control(
    query: CallbackQuery,
    callback_data: AnnouncementControl,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
    is_organizer: bool,
    is_admin: bool,
) -> None:
    actor = actor_of(query.from_user.id, is_organizer, is_admin)
    service = services.announcements
    if callback_data.action == AnnouncementControlKind.stop:
        stopped = await service.stop(actor, callback_data.announcement_id)
        if isinstance(stopped, Refusal):
            callback_answer.text = refusal_text(stopped)
            callback_answer.show_alert = True
            return
        callback_answer.text = views.stop_toast(stopped)
        announcement = await repo.get(services.db, callback_data.announcement_id)
        if announcement is not None:
            await service.refresh(bot, announcement)
        return
    dropped = await service.cancel_scheduled(actor, callback_data.announcement_id)
    if isinstance(dropped, Refusal):
        callback_answer.text = refusal_text(dropped)
        callback_answer.show_alert = True
        return
    callback_answer.text = views.scheduled_cancelled()
    await _show(bot, query, await scheduled_screen(services, actor))


# -- the publish hook -------------------------------------------------------------------------


async def on_announce_event(
    query: CallbackQuery,
    callback_data: AnnounceEvent,
    state: FSMContext,
    services: Services,
    bot: Bot,
    i18n: I18n,
    callback_answer: CallbackAnswer,
    is_organizer: bool,
    is_admin: bool,
) -> None:
    """One tap after publishing: the event's announcement, previewed, for its city."""
    actor = actor_of(query.from_user.id, is_organizer, is_admin)
    service = services.announcements
    event = await service.audience.event_for(actor, callback_data.event_id)
    if event is None:
        callback_answer.text = views.event_not_allowed()
        callback_answer.show_alert = True
        return
    if await service.publish_offer(event) is None or not services.bot_username:
        callback_answer.text = views.event_unavailable()
        callback_answer.show_alert = True
        return
    url = link(services.bot_username, "ev", event.id)
    text = views.event_announcement(event, services.clock.timestamp(), url)
    chat_id = query.from_user.id
    # The message recipients get a copy of; shown with their buttons, it is the preview too.
    source = await bot.send_message(
        chat_id, text, reply_markup=views.recipient_markup(unsubscribe=True, register_url=url)
    )
    created = await service.create_draft(actor, chat_id, source.message_id, link_event_id=event.id)
    if isinstance(created, Refusal):
        callback_answer.text = refusal_text(created)
        return
    chosen = await service.choose_audience(
        actor, created.id, Audience(AudienceKind.city, city=event.city)
    )
    if isinstance(chosen, Refusal):
        callback_answer.text = refusal_text(chosen)
        return
    await state.set_state(Announce.choosing)
    await state.set_data(AnnounceDraft(announcement_id=created.id).model_dump())
    announcement, count = chosen
    await send_preview(bot, services, i18n, chat_id, announcement, count, copy=False)


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
    router.message.register(on_send_time, StateFilter(Announce.send_time), F.text, not_command)
    router.message.register(on_not_after, StateFilter(Announce.not_after), F.text, not_command)
    router.message.register(
        on_not_a_time, StateFilter(Announce.send_time, Announce.not_after), not_command
    )
    router.message.register(
        on_use_buttons, StateFilter(Announce.choosing, Announce.confirming), not_command
    )
    router.callback_query.register(on_step, AnnounceStep.filter())
    router.callback_query.register(on_control, AnnouncementControl.filter())
    router.callback_query.register(on_announce_event, AnnounceEvent.filter())
    return router
