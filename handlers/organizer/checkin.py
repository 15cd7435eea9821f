"""Check-in at the door: the scanned QR (`ci_<token>` link), the Check in button, /checkin."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import deeplinks
from bot.callbacks import CheckInAction, DoorAction, DoorActionKind
from bot.services import Services
from bot.services.checkin import TicketOutcome, is_on_day, normalize_code
from bot.services.roles import Access
from bot.states import DoorMode
from bot.ui import edit_or_send
from bot.views import checkin as views
from handlers.deeplinks import LinkOpening
from handlers.organizer.common import NOT_A_COMMAND, Desk

MEMBER_OUTCOMES = {TicketOutcome.own_ticket, TicketOutcome.not_allowed}


async def open_ticket_link(opening: LinkOpening) -> None:
    """`t.me/<bot>?start=ci_<token>`: the organizer of the event sees the person, others don't.

    Reached through /start, outside the guarded organizer router: the role and the event are
    checked here, for this very person.
    """
    bot, chat_id, services, access = opening.bot, opening.chat_id, opening.services, opening.access
    link, state = opening.link, opening.state
    door_event_id = await _door_event_id(state)
    if door_event_id is not None and access.is_organizer:
        # In door mode a scan checks the guest in at once: the queue keeps moving.
        await _at_door(bot, chat_id, services, access, door_event_id, f"ci_{link.value}")
        return
    ticket = await services.checkin.by_token(link.value, access)
    now = services.clock.timestamp()
    if ticket.outcome in MEMBER_OUTCOMES or (
        not access.is_organizer and ticket.outcome == TicketOutcome.not_found
    ):
        screen = views.member_message(ticket, now)
    else:
        screen = views.ticket_screen(ticket, now)
    await bot.send_message(chat_id, screen.text, reply_markup=screen.reply_markup)


async def on_check_in(query: CallbackQuery, callback_data: CheckInAction, desk: Desk) -> None:
    checkin, access = desk.services.checkin, desk.access
    if callback_data.show:
        ticket = await checkin.by_registration(callback_data.registration_id, access)
    else:
        ticket = await checkin.check_in(callback_data.registration_id, access)
    now = desk.services.clock.timestamp()
    if ticket.outcome == TicketOutcome.not_found:
        desk.alert(views.not_found())
        return
    if ticket.outcome == TicketOutcome.checked_in:
        desk.answer.text = views.came_line(ticket.counts) if ticket.counts else None
    elif ticket.outcome != TicketOutcome.ready:
        # Someone else at the door was quicker, or the registration was cancelled meanwhile.
        desk.answer.show_alert = True
        desk.answer.text = views.state_line(ticket, now)
    screen = views.ticket_screen(ticket, now)
    await edit_or_send(desk.bot, query, screen.text, screen.inline)


async def on_checkin_command(
    message: Message,
    command: CommandObject,
    services: Services,
    access: Access,
    state: FSMContext,
    bot: Bot,
) -> None:
    assert message.from_user is not None
    args = (command.args or "").strip()
    door_event_id = await _door_event_id(state)
    if door_event_id is not None and args:
        await _at_door(bot, message.chat.id, services, access, door_event_id, args)
        return
    if not args:
        await _open_door(bot, message.chat.id, services, access, state)
        return
    now = services.clock.timestamp()
    # A ticket link pasted in full works too (e.g. read by a scanner app that shows text).
    link = deeplinks.parse(args.rsplit("start=", 1)[-1]) if "ci_" in args else None
    if link is not None and link.kind == "ci":
        ticket = await services.checkin.by_token(link.value, access)
        screen = views.ticket_screen(ticket, now)
        await message.answer(screen.text, reply_markup=screen.reply_markup)
        return
    code = normalize_code(args)
    if code is None:
        await message.answer(views.code_malformed(args) + "\n\n" + views.code_usage())
        return
    tickets = await services.checkin.by_code(code, access)
    if not tickets:
        await message.answer(views.code_not_found(code))
        return
    if len(tickets) > 1:
        screen = views.choose_event(code, tickets, now)
    else:
        screen = views.ticket_screen(tickets[0], now)
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def _door_event_id(state: FSMContext) -> int | None:
    if await state.get_state() != DoorMode.open.state:
        return None
    value = (await state.get_data()).get("door_event_id")
    return int(value) if value else None


async def _open_door(
    bot: Bot,
    chat_id: int,
    services: Services,
    access: Access,
    state: FSMContext,
    event_id: int | None = None,
) -> None:
    """Door mode for `event_id`, or for today's event when there is only one."""
    now = services.clock.timestamp()
    if event_id is None:
        events = await services.checkin.door_events(access)
        if not events:
            await bot.send_message(chat_id, views.door_no_events())
            return
        if len(events) > 1:
            screen = views.door_choose(events, now)
            await bot.send_message(chat_id, screen.text, reply_markup=screen.inline)
            return
        event = events[0]
    else:
        found = await services.checkin.door_event(event_id, access)
        if found is None:
            await bot.send_message(chat_id, views.not_found())
            return
        event = found
        if not is_on_day(event, now):
            await bot.send_message(chat_id, views.door_not_today(event, now))
            return
    await state.set_state(DoorMode.open)
    await state.set_data({"door_event_id": event.id})
    counts = await services.checkin.counts(event.id)
    screen = views.door_opened(event, counts, now)
    await bot.send_message(chat_id, screen.text, reply_markup=screen.inline)


async def _at_door(
    bot: Bot, chat_id: int, services: Services, access: Access, event_id: int, text: str
) -> None:
    ticket = await services.checkin.at_door(event_id, text, access)
    if ticket is None:
        await bot.send_message(chat_id, views.door_not_understood(text))
        return
    screen = views.door_line(ticket, event_id, services.clock.timestamp())
    await bot.send_message(chat_id, screen.text, reply_markup=screen.inline)


async def on_door_text(
    message: Message, services: Services, access: Access, state: FSMContext, bot: Bot
) -> None:
    event_id = await _door_event_id(state)
    assert event_id is not None
    await _at_door(bot, message.chat.id, services, access, event_id, message.text or "")


async def on_door_action(
    query: CallbackQuery, callback_data: DoorAction, state: FSMContext, desk: Desk
) -> None:
    bot, chat_id, services, access = desk.bot, desk.chat_id, desk.services, desk.access
    match callback_data.action:
        case DoorActionKind.open:
            await _open_door(bot, chat_id, services, access, state, callback_data.event_id)
        case DoorActionKind.undo:
            ticket = await services.checkin.undo(callback_data.registration_id, access)
            screen = views.door_line(ticket, callback_data.event_id, services.clock.timestamp())
            await edit_or_send(bot, query, screen.text, screen.inline)
        case DoorActionKind.close:
            if await _door_event_id(state) is not None:
                await state.clear()
            event = await services.checkin.door_event(callback_data.event_id, access)
            counts = None if event is None else await services.checkin.counts(event.id)
            await bot.send_message(chat_id, views.door_closed(counts))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_checkin_command, Command("checkin"))
    router.message.register(
        on_door_text,
        StateFilter(DoorMode.open),
        F.text,
        NOT_A_COMMAND,
    )
    router.callback_query.register(on_check_in, CheckInAction.filter())
    router.callback_query.register(on_door_action, DoorAction.filter())
    return router
