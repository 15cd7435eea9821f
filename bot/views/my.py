"""/my: the person's registrations, one registration, and cancelling it."""

from __future__ import annotations

from html import escape

from bot.callbacks import EventCard, MyAction, MyActionKind
from bot.i18n import _
from bot.views import Buttons, Screen, one_per_row
from bot.views.kinds import Case, named_html, quoted
from bot.views.online import join_line
from bot.views.text import (
    MESSAGE_LIMIT,
    pick_label,
    status_banner,
    utf16_len,
    when,
    when_short,
)
from db.registrations import PersonRegistration, Registration, RegistrationStatus

# Enough for anyone's real plans; the rest is still reachable from the event cards.
LIST_LIMIT = 20


def status_line(item: PersonRegistration) -> str:
    registration = item.registration
    if registration.status == RegistrationStatus.confirmed:
        return _("✅ Confirmed · ticket code {code}").format(code=registration.short_code)
    if registration.status == RegistrationStatus.waitlisted:
        return _("⏳ Waitlist, position {position}").format(position=item.position)
    return _("✖️ Cancelled")


def colleague_line(item: PersonRegistration) -> str | None:
    """Whose registration it is, when the member registered a colleague."""
    if not item.registration.is_colleague:
        return None
    return _("👥 Colleague: {name}").format(name=escape(item.registration.guest_name or ""))


def my_list(items: list[PersonRegistration], now: float) -> Screen:
    if not items:
        return Screen(_("You have no upcoming registrations. /events shows what is coming up."))
    lines = ["<b>" + _("My registrations") + "</b>"]
    builder = Buttons()
    for number, item in enumerate(items[:LIST_LIMIT], start=1):
        block = [
            "",
            f"{number}. <b>{quoted(escape(item.event.title))}</b>",
            "🗓 " + when_short(item.event, now),
        ]
        colleague = colleague_line(item)
        if colleague:
            block.append(colleague)
        block.append(status_line(item))
        banner = status_banner(item.event)
        if banner:
            block.append(banner)
        if utf16_len("\n".join([*lines, *block])) > MESSAGE_LIMIT - 100:
            break
        lines += block
        builder.button(
            text=pick_label(number, item.event),
            callback_data=MyAction(action=MyActionKind.open, registration_id=item.registration.id),
        )
    builder.adjust(1)
    return Screen("\n".join(lines), builder.as_markup())


def registration_view(item: PersonRegistration, now: float) -> Screen:
    event = item.event
    lines = [f"<b>{quoted(escape(event.title))}</b>", "🗓 " + when(event, now)]
    place = ", ".join(escape(part) for part in (event.venue, event.address) if part)
    if place:
        lines.append("📍 " + place)
    banner = status_banner(event)
    if banner:
        lines += ["", banner]
    lines.append("")
    colleague = colleague_line(item)
    if colleague:
        lines.append(colleague)
    lines.append(status_line(item))
    join = join_line(event)
    if join and item.registration.status == RegistrationStatus.confirmed:
        lines.append("💻 " + join)
    builder = Buttons()
    builder.button(text=_("📄 Event card"), callback_data=EventCard(event_id=event.id))
    if item.registration.is_live:
        add_registration_buttons(builder, item.registration)
    builder.button(text=_("⬅️ My registrations"), callback_data=MyAction(action=MyActionKind.list))
    builder.adjust(1)
    return Screen("\n".join(lines), builder.as_markup())


def add_registration_buttons(builder: Buttons, registration: Registration) -> None:
    """The ticket (once the seat is confirmed) and the cancel button of a live registration."""
    if registration.status == RegistrationStatus.confirmed:
        builder.button(
            text=_("🎫 Ticket"),
            callback_data=MyAction(action=MyActionKind.ticket, registration_id=registration.id),
        )
    builder.button(
        text=_("✖️ Cancel registration"),
        callback_data=MyAction(action=MyActionKind.cancel, registration_id=registration.id),
    )


def cancel_question(item: PersonRegistration, now: float) -> Screen:
    if item.registration.is_colleague:
        text = _(
            "Cancel the registration for the {event} — {when}? Colleague: {name}. "
            "The seat will go to the next person on the waitlist."
        ).format(
            event=named_html(item.event, Case.accusative),
            when=when(item.event, now),
            name=escape(item.registration.guest_name or ""),
        )
    else:
        text = _(
            "Cancel your registration for the {event} — {when}? "
            "Your seat will go to the next person on the waitlist."
        ).format(event=named_html(item.event, Case.accusative), when=when(item.event, now))
    registration_id = item.registration.id
    return one_per_row(
        text,
        (
            _("Yes, cancel it"),
            MyAction(action=MyActionKind.cancel_confirmed, registration_id=registration_id),
        ),
        (_("No, keep it"), MyAction(action=MyActionKind.open, registration_id=registration_id)),
    )


def cancelled(item: PersonRegistration) -> Screen:
    if item.registration.is_colleague:
        text = _(
            "The registration for the {event} is cancelled (colleague: {name}). The seat has "
            "gone to the next person on the waitlist, if anyone was waiting."
        ).format(
            event=named_html(item.event, Case.accusative),
            name=escape(item.registration.guest_name or ""),
        )
    else:
        text = _(
            "Your registration for the {event} is cancelled. If your plans change, "
            "you can register again while registration is open."
        ).format(event=named_html(item.event, Case.accusative))
    return one_per_row(
        text,
        (_("📄 Event card"), EventCard(event_id=item.event.id)),
        (_("⬅️ My registrations"), MyAction(action=MyActionKind.list)),
    )


def not_yours() -> str:
    return _("This registration is no longer active.")


def ticket_unavailable() -> str:
    return _("A ticket is issued once your seat is confirmed.")
