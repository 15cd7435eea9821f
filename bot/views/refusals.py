"""Every refusal in words: the one place a `Refusal` or a `RegistrationRefusal` becomes text."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.services.refusals import Refusal
from db.registrations import RegistrationRefusal

# A press that belongs to an announcement dialog which has moved on.
DIALOG_OVER = N_("This announcement dialog is over. Start a new one with /announce.")

# The values of the two enums never coincide, so one table holds both.
WORDS: dict[Refusal | RegistrationRefusal, str] = {
    # registering and cancelling a seat
    RegistrationRefusal.not_found: N_("This event was not found. It may have been removed."),
    RegistrationRefusal.cancelled: N_("This event has been cancelled, registration is closed."),
    RegistrationRefusal.started: N_("This event has already started, registration is closed."),
    RegistrationRefusal.closed: N_("Registration for this event is closed."),
    RegistrationRefusal.not_yours: N_("This registration is no longer active."),
    RegistrationRefusal.no_companion: N_(
        "A companion cannot be registered for this event: the organizers do not allow it, "
        "or there are fewer seats in all than the two of you need. You can register alone."
    ),
    RegistrationRefusal.no_colleague: N_(
        "The organizers of this event do not take registrations of colleagues: each "
        "person registers in this bot themselves."
    ),
    RegistrationRefusal.colleague_taken: N_(
        "Someone with this phone number is already registered for this event."
    ),
    # managing an event
    Refusal.event_not_found: N_("This event was not found among yours."),
    Refusal.event_cancelled: N_("This event is cancelled: it cannot be changed any more."),
    Refusal.event_finished: N_("This event is over: it cannot be changed any more."),
    Refusal.already: N_("Already done."),
    Refusal.not_published: N_("Registration can be closed only for a published event."),
    Refusal.past: N_(
        "The start (or the registration deadline) has passed: please reschedule the "
        "event before publishing it."
    ),
    Refusal.not_draft: N_("Only a draft can be deleted. A published event is cancelled instead."),
    # announcements
    Refusal.forbidden: N_("You can address the people of your own events only."),
    Refusal.announcement_not_found: N_("This announcement no longer exists."),
    Refusal.not_your_announcement: N_("This announcement belongs to another organizer."),
    Refusal.sending_started: N_("It has already started. Use «Stop» on its progress message."),
    Refusal.sending_finished: N_("The sending has already finished."),
    Refusal.city_gone: N_("This city is no longer in the list. Please choose again."),
    Refusal.over: DIALOG_OVER,
    Refusal.no_audience: DIALOG_OVER,
    Refusal.empty: DIALOG_OVER,
}


def refusal_text(reason: Refusal | RegistrationRefusal) -> str:
    """Why it was not done, in words the person understands."""
    return _(WORDS[reason])
