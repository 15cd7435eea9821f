"""Registering a colleague who is not on Telegram: the questions, the summary, the outcome."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardMarkup

from bot.callbacks import ColleagueAction, ColleagueStep, EventCard, MyAction, MyActionKind
from bot.i18n import _
from bot.services.validation import phone_display
from bot.views import Buttons, Screen
from bot.views.kinds import Case, named_html
from bot.views.organizer import change_lines
from bot.views.registration import consent
from bot.views.text import when
from db.events import Event, EventStatus
from db.registrations import Registered, Registration, RegistrationStatus


def colleague_consent(event: Event) -> Screen:
    """The member's own consent, asked before the first thing they type is stored."""
    builder = Buttons()
    builder.button(
        text=_("✅ I agree"),
        callback_data=ColleagueAction(step=ColleagueStep.agree, event_id=event.id),
    )
    builder.button(
        text=_("✖️ I do not agree"),
        callback_data=ColleagueAction(step=ColleagueStep.disagree, event_id=event.id),
    )
    builder.adjust(1)
    return Screen(consent(event).text, builder.as_markup())


def ask_name(event: Event) -> str:
    return _(
        "Registering a colleague for the {event}. Your colleague gets a seat and a ticket of "
        "their own; the ticket comes to you, to forward or print.\n\n"
        "Your colleague's full name, e.g. <i>Петров Иван Сергеевич</i>? /cancel stops."
    ).format(event=named_html(event, Case.accusative))


def ask_phone(name: str) -> str:
    return _(
        "{name}: the phone number, e.g. <i>+7 912 345-67-89</i>. The organizers call it if "
        "something changes."
    ).format(name=escape(name))


def summary(event: Event, name: str, phone: str, now: float) -> Screen:
    text = "\n".join(
        [
            "<b>" + _("Check the details") + "</b>",
            "",
            _("Event: {event}").format(event=named_html(event, Case.nominative)),
            "🗓 " + when(event, now),
            _("Colleague: {name}").format(name=escape(name)),
            _("Phone: {phone}").format(phone=escape(phone_display(phone))),
            "",
            _(
                "By registering a colleague you confirm that they agree to give the organizers "
                "their name and phone number."
            ),
        ]
    )
    return Screen(text, summary_keyboard(event.id))


def summary_keyboard(event_id: int) -> InlineKeyboardMarkup:
    builder = Buttons()
    builder.button(
        text=_("✅ Register the colleague"),
        callback_data=ColleagueAction(step=ColleagueStep.confirm, event_id=event_id),
    )
    builder.button(
        text=_("✖️ Do not register"),
        callback_data=ColleagueAction(step=ColleagueStep.cancel, event_id=event_id),
    )
    builder.adjust(1)
    return builder.as_markup()


def outcome(event: Event, registered: Registered) -> Screen:
    registration = registered.registration
    name = escape(registration.guest_name or "")
    if not registered.created:
        text = _(
            "{name} is already registered for the {event}, ticket code <b>{code}</b>. "
            "/my shows the registration."
        ).format(name=name, event=named_html(event, Case.accusative), code=registration.short_code)
    elif registration.status == RegistrationStatus.confirmed:
        text = _(
            "✅ {name} is registered for the {event}, ticket code <b>{code}</b>. The ticket comes "
            "in the next message: forward it to your colleague or print it. /my shows the "
            "registration; you can cancel it there."
        ).format(name=name, event=named_html(event, Case.accusative), code=registration.short_code)
    else:
        text = _(
            "⏳ No seats are left, so {name} is on the waitlist: number {position}. When a seat "
            "frees up, the ticket comes to you. /my shows the registration."
        ).format(name=name, position=registered.position)
    builder = Buttons()
    builder.button(text=_("My registrations"), callback_data=MyAction(action=MyActionKind.list))
    return Screen(text, builder.as_markup())


def stopped() -> str:
    return _("Stopped: your colleague is not registered, nothing was saved.")


def consent_declined() -> str:
    return _(
        "Understood: nothing has been saved. Registering a colleague needs your consent, but "
        "you can still browse events with /events."
    )


def not_a_button() -> str:
    return _("Please press one of the buttons under the summary, or /cancel to stop.")


# -- news of the event, to the member who holds the colleague's registration ---------------------


def registered_line(registration: Registration) -> str:
    """Whom a message to the member is about: the colleague they registered."""
    return _("👥 You registered your colleague: {name}.").format(
        name=escape(registration.guest_name or "")
    )


def change_notice(before: Event, after: Event, registration: Registration, now: float) -> Screen:
    """The event moved, changed its place or was cancelled: the member hears it about their
    colleague, with what to do next (the new ticket follows when the seat is confirmed)."""
    if after.status == EventStatus.cancelled:
        lines = [
            _("❌ The {event} — {when} — is cancelled.").format(
                event=named_html(after), when=when(after, now)
            ),
            registered_line(registration),
        ]
        if after.cancel_reason:
            lines.append(_("Reason: {reason}").format(reason=escape(after.cancel_reason)))
        lines += ["", _("Please let your colleague know. /events shows other upcoming events.")]
        return Screen("\n".join(lines), None)
    lines = [
        _("🕑 The time or place of the {event} has changed.").format(
            event=named_html(after, Case.genitive)
        ),
        registered_line(registration),
        "",
        *change_lines(before, after, now),
        "",
    ]
    if registration.status == RegistrationStatus.confirmed:
        lines.append(
            _("Your colleague's new ticket is in the next message: forward it to them or print it.")
        )
    lines.append(
        _(
            "If your colleague can no longer come, cancel their registration in /my so the seat "
            "goes to someone on the waitlist."
        )
    )
    builder = Buttons()
    builder.button(text=_("📄 Event card"), callback_data=EventCard(event_id=after.id))
    builder.button(text=_("🎫 My registrations"), callback_data=MyAction(action=MyActionKind.list))
    builder.adjust(1)
    return Screen("\n".join(lines), builder.as_markup())
