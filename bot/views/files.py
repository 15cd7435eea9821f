"""The files a member gets, as outbox contents: the QR ticket and the event's calendar files."""

from __future__ import annotations

from html import escape

from bot.delivery.content import DocumentContent
from bot.i18n import _
from bot.services.calendar import cancellation_ics, event_ics, ics_filename
from bot.views import registration as views
from db.events import Event
from db.registrations import Registration, RegistrationStatus


def ticket(
    event: Event, registration: Registration, bot_username: str, now: float, name: str = ""
) -> DocumentContent:
    """The ticket that describes itself (QR, name, event, moment, place, code) as a photo with
    the same words in its caption; draws an image, so callers run it in a thread."""
    # Imported on first use: qrcode and Pillow are not needed until someone has a seat.
    from bot.services.tickets import ticket_link, ticket_png

    link = ticket_link(bot_username, registration.ticket_token)
    image = ticket_png(link, views.ticket_text(event, registration, name, now))
    return DocumentContent(
        data=image,
        filename=f"ticket-{registration.short_code}.png",
        caption=views.ticket_caption(event, registration, name, now),
        as_photo=True,
    )


def calendar(
    event: Event, registration: Registration | None, bot_username: str, now: float
) -> DocumentContent:
    """The event's `.ics`; with a confirmed seat it carries the ticket code."""
    code = join = None
    if registration is not None and registration.status == RegistrationStatus.confirmed:
        code = _("Ticket code: {code}").format(code=registration.short_code)
        # The join link only with a confirmed seat, never in a file anyone else could get.
        if event.is_online and event.join_url:
            join = _("Link to join online: {link}").format(link=event.join_url)
    data = event_ics(
        event,
        bot_username=bot_username,
        now=now,
        alarm_text=views.alarm_text(event),
        ticket_code=code,
        join_url=join,
    )
    return DocumentContent(
        data=data, filename=ics_filename(event), caption=views.calendar_caption()
    )


def cancelled_calendar(event: Event, bot_username: str, now: float) -> DocumentContent:
    """After a person cancels: the file that takes the event off their calendar."""
    caption = _(
        "Your registration for <b>«{title}»</b> is cancelled. "
        "Open this file to remove the event from your calendar."
    ).format(title=escape(event.title))
    return DocumentContent(
        data=cancellation_ics(event, bot_username=bot_username, now=now),
        filename=ics_filename(event),
        caption=caption,
    )
