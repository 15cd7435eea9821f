"""Check-in at the door: the ticket as the organizer sees it, and what everyone else sees."""

from __future__ import annotations

from html import escape, unescape

from bot.callbacks import CheckInAction, DoorAction, DoorActionKind, MyAction, MyActionKind
from bot.i18n import _
from bot.services.checkin import Ticket, TicketOutcome
from bot.services.validation import phone_display
from bot.views import Buttons, Screen
from bot.views.kinds import Case, named_html, quoted
from bot.views.organizer import answer_lines, attendee_name
from bot.views.text import moment_in, when_short
from db.events import Event
from db.organizer import EventCounts


def came_line(counts: EventCounts) -> str:
    """«Пришли 37 из 50»: arrivals against confirmed seats, live."""
    return _("Came {came} of {confirmed}").format(
        came=counts.checked_in, confirmed=counts.confirmed
    )


def ticket_screen(ticket: Ticket, now: float) -> Screen:
    """The organizer's view of a scanned ticket: the person, the event, the state, the count."""
    if ticket.attendee is None or ticket.event is None:
        return Screen(not_found())
    attendee, event = ticket.attendee, ticket.event
    registration = attendee.registration
    lines = [f"👤 <b>{attendee_name(attendee)}</b>"]
    details = [
        escape(part)
        for part in (
            attendee.organization,
            attendee.position,
            phone_display(attendee.phone) if attendee.phone else None,
        )
        if part
    ]
    if details:
        lines.append(", ".join(details))
    lines += answer_lines(event, attendee)
    lines += [
        _("Ticket code: {code}").format(code=registration.short_code),
        "",
        f"<b>{quoted(escape(event.title))}</b>",
        when_short(event, now),
        "",
    ]
    builder = Buttons()
    if ticket.outcome == TicketOutcome.ready:
        builder.button(
            text=_("✅ Check in"),
            callback_data=CheckInAction(registration_id=registration.id),
        )
        if ticket.not_today:
            # Outside door mode another day is allowed, but only knowingly.
            lines.append(
                "<b>"
                + not_today_line(event, now)
                + "</b> "
                + _("Check in only if you are sure this guest is for this event today.")
            )
    line = state_line(ticket, now)
    if line:
        lines.append(line if ticket.outcome == TicketOutcome.ready else f"<b>{line}</b>")
    if ticket.counts is not None:
        lines += ["", "🚪 " + came_line(ticket.counts)]
    markup = builder.as_markup() if ticket.outcome == TicketOutcome.ready else None
    return Screen("\n".join(lines), markup)


def state_line(ticket: Ticket, now: float) -> str | None:
    """Where the ticket stands: may be checked in, checked in (when), or refused and why."""
    if ticket.attendee is None or ticket.event is None:
        return None
    registration, event = ticket.attendee.registration, ticket.event
    match ticket.outcome:
        case TicketOutcome.ready:
            return _("Not checked in yet.")
        case TicketOutcome.checked_in:
            # No «Welcome» here: this is the organizer's screen; the guest gets their own.
            return _("✅ Checked in.")
        case TicketOutcome.already:
            at = registration.checked_in_at or registration.updated_at
            return _("⚠️ Already checked in at {moment}.").format(
                moment=moment_in(at, event.timezone, now)
            )
        case TicketOutcome.cancelled:
            cancelled_at = registration.cancelled_at or registration.updated_at
            return _(
                "⛔ This registration was cancelled on {moment}: the ticket is not valid."
            ).format(moment=moment_in(cancelled_at, event.timezone, now))
        case TicketOutcome.waitlisted:
            return _("⛔ This person is on the waitlist: no seat has been confirmed.")
        case TicketOutcome.event_cancelled:
            return _("⛔ The event is cancelled.")
    return None


def not_found() -> str:
    return _(
        "⛔ Ticket not found: the code is mistyped or forged, or the ticket belongs to an event "
        "you do not manage."
    )


def member_message(ticket: Ticket, now: float) -> Screen:
    """A member scanning a ticket: nothing personal, only a hint about their own tickets."""
    if ticket.outcome == TicketOutcome.own_ticket and ticket.event is not None:
        builder = Buttons()
        builder.button(
            text=_("🎫 My registrations"), callback_data=MyAction(action=MyActionKind.list)
        )
        return Screen(
            _(
                "This is your own ticket for the {event} — {when}. Show this QR code at the "
                "entrance: the organizers scan it to check you in."
            ).format(
                event=named_html(ticket.event, Case.accusative),
                when=when_short(ticket.event, now),
            ),
            builder.as_markup(),
        )
    if ticket.outcome == TicketOutcome.not_found:
        return Screen(
            _("This ticket is not valid: the link is mistyped or forged. /my shows your tickets.")
        )
    return Screen(
        _(
            "This is someone's ticket to an event. Tickets are checked by the organizers at the "
            "entrance. Your own tickets are in /my."
        )
    )


def code_usage() -> str:
    return _(
        "Type the ticket code after the command, e.g. <code>/checkin K7M2QX</code>. The code is "
        "on the guest's ticket under the QR code."
    )


def code_malformed(text: str) -> str:
    return _("«{code}» is not a ticket code: a code has 6 letters and digits, e.g. K7M2QX.").format(
        code=escape(text[:40])
    )


def code_not_found(code: str) -> str:
    return _(
        "No ticket with the code {code} among your current events. Please check the code."
    ).format(code=escape(code))


def choose_event(code: str, tickets: list[Ticket], now: float) -> Screen:
    builder = Buttons()
    for ticket in tickets:
        assert ticket.event is not None
        assert ticket.attendee is not None
        label = f"{ticket.event.title[:40]} · {unescape(when_short(ticket.event, now))}"
        builder.button(
            text=label[:60],
            callback_data=CheckInAction(registration_id=ticket.attendee.registration.id, show=True),
        )
    builder.adjust(1)
    return Screen(
        _("The code {code} is on tickets of several of your events. Which event?").format(
            code=escape(code)
        ),
        builder.as_markup(),
    )


def not_today_line(event: Event, now: float) -> str:
    return _("The event is not today: {when}.").format(when=when_short(event, now))


def guest_welcome(event: Event) -> str:
    """What the guest receives when checked in at the door."""
    return _("Welcome! Your arrival at the event «{title}» is noted. Have a good event!").format(
        title=escape(event.title)
    )


def _door_keyboard(event_id: int, undo_registration: int | None = None) -> Screen:
    builder = Buttons()
    if undo_registration is not None:
        builder.button(
            text=_("Undo the check-in"),
            callback_data=DoorAction(
                action=DoorActionKind.undo, event_id=event_id, registration_id=undo_registration
            ),
        )
    builder.button(
        text=_("Stop checking in"),
        callback_data=DoorAction(action=DoorActionKind.close, event_id=event_id),
    )
    builder.adjust(1)
    return Screen("", builder.as_markup())


def door_opened(event: Event, counts: EventCounts, now: float) -> Screen:
    text = "\n".join(
        [
            _("Checking in guests at «{title}», {when}.").format(
                title=escape(event.title), when=when_short(event, now)
            ),
            _(
                "Scan a ticket's QR code with the phone camera or type the ticket code: each "
                "guest is checked in at once. Send as many as you like, one after another."
            ),
            "",
            came_line(counts),
        ]
    )
    return Screen(text, _door_keyboard(event.id).inline)


def door_line(ticket: Ticket, event_id: int, now: float) -> Screen:
    """One line per guest at the door: who, what matters about them, the count; or why not."""
    if ticket.attendee is None or ticket.event is None:
        return Screen(not_found(), _door_keyboard(event_id).inline)
    attendee, event = ticket.attendee, ticket.event
    name = attendee_name(attendee)
    undo: int | None = None
    match ticket.outcome:
        case TicketOutcome.checked_in:
            head = _("✅ {name}: checked in.").format(name=name)
            undo = attendee.registration.id
        case TicketOutcome.undone:
            head = _("{name}: check-in taken back.").format(name=name)
        case TicketOutcome.another_event:
            head = _("⛔ {name}: this ticket is for another event, «{title}», {when}.").format(
                name=name, title=escape(event.title), when=when_short(event, now)
            )
        case TicketOutcome.not_today:
            head = _("⛔ {name}: not checked in. {reason}").format(
                name=name, reason=not_today_line(event, now)
            )
        case TicketOutcome.already:
            head = f"{name}: " + (state_line(ticket, now) or "")
            undo = attendee.registration.id
        case _:
            head = f"{name}: " + (state_line(ticket, now) or "")
    lines = [head]
    if ticket.outcome in (TicketOutcome.checked_in, TicketOutcome.already):
        lines += answer_lines(event, attendee)
    if ticket.counts is not None and ticket.outcome != TicketOutcome.another_event:
        lines.append(came_line(ticket.counts))
    return Screen("\n".join(lines), _door_keyboard(event_id, undo).inline)


def door_choose(events: list[Event], now: float) -> Screen:
    builder = Buttons()
    lines = [_("Several of your events are today. Which one are you checking guests in for?")]
    for number, event in enumerate(events, start=1):
        lines.append(f"{number}. {quoted(escape(event.title))}, {when_short(event, now)}")
        builder.button(
            text=_("Event {number}").format(number=number),
            callback_data=DoorAction(action=DoorActionKind.open, event_id=event.id),
        )
    builder.adjust(1)
    return Screen("\n".join(lines), builder.as_markup())


def door_no_events() -> str:
    return _(
        "None of your events is today, so there is no door to open. To check one guest in, "
        "type the code after the command, e.g. <code>/checkin K7M2QX</code>."
    )


def door_not_today(event: Event, now: float) -> str:
    return _("Checking in guests opens on the day of the event. «{title}» is {when}.").format(
        title=escape(event.title), when=when_short(event, now)
    )


def door_not_understood(text: str) -> str:
    return _(
        "«{text}» is not a ticket code: a code has 6 letters and digits, e.g. K7M2QX. Scan the "
        "QR code or type the code; to finish, press «Stop checking in»."
    ).format(text=escape(text[:40]))


def door_closed(counts: EventCounts | None) -> str:
    text = _("Checking in is over.")
    if counts is not None:
        text += " " + came_line(counts) + "."
    return text
