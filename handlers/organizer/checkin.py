"""Check-in at the door: the scanned QR (`ci_<token>` link), the Check in button, /checkin."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import deeplinks
from bot.callbacks import CheckInAction
from bot.deeplinks import DeepLink
from bot.services import Services
from bot.services.checkin import TicketOutcome, normalize_code
from bot.services.roles import Access
from bot.ui import edit_or_send
from bot.views import checkin as views

MEMBER_OUTCOMES = {TicketOutcome.own_ticket, TicketOutcome.not_allowed}


async def open_ticket_link(
    *,
    bot: Bot,
    chat_id: int,
    link: DeepLink,
    services: Services,
    state: FSMContext,
    access: Access,
) -> None:
    """`t.me/<bot>?start=ci_<token>`: the organizer of the event sees the person, others don't.

    Reached through /start, outside the guarded organizer router: the role and the event are
    checked here, for this very person.
    """
    ticket = await services.checkin.by_token(link.value, access)
    now = services.clock.timestamp()
    if ticket.outcome in MEMBER_OUTCOMES or (
        not access.is_organizer and ticket.outcome == TicketOutcome.not_found
    ):
        screen = views.member_message(ticket, now)
    else:
        screen = views.ticket_screen(ticket, now)
    await bot.send_message(chat_id, screen.text, reply_markup=screen.reply_markup)


async def on_check_in(
    query: CallbackQuery,
    callback_data: CheckInAction,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
    access: Access,
) -> None:
    if callback_data.show:
        ticket = await services.checkin.by_registration(callback_data.registration_id, access)
    else:
        ticket = await services.checkin.check_in(callback_data.registration_id, access)
    now = services.clock.timestamp()
    if ticket.outcome == TicketOutcome.not_found:
        callback_answer.text = views.not_found()
        callback_answer.show_alert = True
        return
    if ticket.outcome == TicketOutcome.checked_in:
        callback_answer.text = views.came_line(ticket.counts) if ticket.counts else None
    elif ticket.outcome != TicketOutcome.ready:
        # Someone else at the door was quicker, or the registration was cancelled meanwhile.
        callback_answer.show_alert = True
        callback_answer.text = views.state_line(ticket, now)
    screen = views.ticket_screen(ticket, now)
    await edit_or_send(bot, query, screen.text, screen.inline)


async def on_checkin_command(
    message: Message, command: CommandObject, services: Services, access: Access
) -> None:
    assert message.from_user is not None
    args = (command.args or "").strip()
    if not args:
        await message.answer(views.code_usage())
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


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_checkin_command, Command("checkin"))
    router.callback_query.register(on_check_in, CheckInAction.filter())
    return router
