"""The members' main menu (a persistent reply keyboard) and answers to stray messages."""

from __future__ import annotations

from enum import StrEnum
from html import escape

from aiogram.types import InlineKeyboardButton, KeyboardButton, ReplyKeyboardMarkup

from bot.callbacks import EventCard
from bot.i18n import N_, _
from bot.views import Buttons, Screen
from bot.views.text import kind_name, when_short
from db.events import Event


class MenuItem(StrEnum):
    events = "events"
    my = "my"
    help = "help"


# Marked for the catalog here, translated where shown or matched.
MENU_LABELS: dict[MenuItem, str] = {
    MenuItem.events: N_("Events"),
    MenuItem.my: N_("My registrations"),
    MenuItem.help: N_("Help"),
}


def main_menu() -> ReplyKeyboardMarkup:
    """Always at hand in private chat; the labels also work when typed."""
    labels = [KeyboardButton(text=_(MENU_LABELS[item])) for item in MenuItem]
    return ReplyKeyboardMarkup(
        keyboard=[labels],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=_("Ask about an event or choose below"),
    )


def not_understood() -> Screen:
    return Screen(
        _(
            "I didn't understand the message. Events — /events, your registrations — /my, "
            "help — /help."
        ),
        main_menu(),
    )


def found(events: list[Event], now: float) -> Screen:
    """Events whose title, city or kind matched the words of a typed message."""
    lines = [_("Here is what I found:")]
    builder = Buttons()
    for number, event in enumerate(events, start=1):
        lines.append("")
        lines.append(f"{number}. <b>{escape(event.title)}</b>")
        lines.append(f"{kind_name(event.kind)} · {when_short(event, now)}")
        builder.row(
            InlineKeyboardButton(
                text=_("Event {number}").format(number=number),
                callback_data=EventCard(event_id=event.id).pack(),
            )
        )
    lines += ["", _("All upcoming events — /events.")]
    return Screen("\n".join(lines), builder.as_markup())
