"""The organizer area: one parent router guarded by role, and polite refusals for everyone else."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import ADMIN_PREFIXES, ORGANIZER_PREFIXES
from bot.commands import ADMIN_COMMANDS, ORGANIZER_COMMANDS
from bot.filters import IsOrganizer
from bot.i18n import _
from handlers import announcements
from handlers.organizer import attendees, checkin, manage, new_event, roles, stats
from handlers.organizer.checkin import open_ticket_link
from handlers.organizer.common import with_desk

__all__ = ["build_refusals", "build_router", "open_ticket_link"]


def build_router() -> Router:
    """Everything organizers do. The role is checked here once for every message and button;
    each handler checks again that the event it touches is this person's."""
    organizer = Router(name=__name__)
    organizer.message.filter(IsOrganizer())
    organizer.callback_query.filter(IsOrganizer())
    organizer.message.middleware(with_desk)
    organizer.callback_query.middleware(with_desk)
    organizer.include_routers(
        roles.build_router(),
        new_event.build_router(),
        manage.build_router(),
        attendees.build_router(),
        checkin.build_router(),
        stats.build_router(),
        announcements.build_router(),
    )
    return organizer


def _prefixed(prefixes: tuple[str, ...]) -> F:  # type: ignore[valid-type]
    return F.data.func(lambda data: data.split(":", 1)[0] in prefixes)


async def on_organizer_command(message: Message) -> None:
    await message.answer(
        _(
            "This command is for event organizers. If you organize events, ask an "
            "administrator of the bot to give you the organizer role."
        )
    )


async def on_admin_command(message: Message) -> None:
    await message.answer(_("This command is for administrators of the bot only."))


async def on_organizer_button(
    query: CallbackQuery, callback_answer: CallbackAnswer, is_organizer: bool
) -> None:
    # A forged or stale organizer button from someone without the role: nothing is done.
    # An organizer's own button that no handler took is malformed (e.g. a forged id).
    callback_answer.text = (
        _("This button is outdated. Send /start to begin again.")
        if is_organizer
        else _("Only organizers can do this.")
    )
    callback_answer.show_alert = True


async def on_admin_button(
    query: CallbackQuery, callback_answer: CallbackAnswer, is_admin: bool
) -> None:
    callback_answer.text = (
        _("This button is outdated. Send /start to begin again.")
        if is_admin
        else _("Only administrators can do this.")
    )
    callback_answer.show_alert = True


def build_refusals() -> Router:
    """Right after the organizer area: what it did not take from a member is refused clearly."""
    router = Router(name=__name__ + ".refusals")
    router.message.register(
        on_organizer_command, Command(*(command.name for command in ORGANIZER_COMMANDS))
    )
    router.message.register(
        on_admin_command, Command(*(command.name for command in ADMIN_COMMANDS))
    )
    router.callback_query.register(on_organizer_button, _prefixed(ORGANIZER_PREFIXES))
    router.callback_query.register(on_admin_button, _prefixed(ADMIN_PREFIXES))
    return router
