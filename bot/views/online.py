"""Online and hybrid events in messages: the format on the card, the link for confirmed people."""

from __future__ import annotations

from html import escape

from bot.i18n import N_, _
from db.events import Event, EventFormat

FORMAT_NAMES: dict[EventFormat, str] = {
    EventFormat.in_person: N_("In person"),
    EventFormat.online: N_("Online"),
    EventFormat.hybrid: N_("Online and in person"),
}


def format_name(event_format: EventFormat) -> str:
    return _(FORMAT_NAMES[event_format])


def format_line(event: Event) -> str | None:
    """«Онлайн» / «Онлайн и очно» for the card and lists; nothing for an event at a venue."""
    if not event.is_online:
        return None
    return "💻 " + format_name(event.format)


def link_promise(event: Event) -> str | None:
    """On the public card: where the link will come from (the link itself is never there)."""
    if not event.is_online:
        return None
    return _("The link to join comes with a confirmed registration.")


def join_line(event: Event) -> str | None:
    """The link to join, only for messages to a person whose seat is confirmed."""
    if not event.is_online or not event.join_url:
        return None
    # Plain text: Telegram makes it a link, and a screen reader reads it as typed.
    return _("Link to join online: {link}").format(link=escape(event.join_url))
