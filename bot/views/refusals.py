"""Every refusal in words: the one place a `Refusal` or a `RegistrationRefusal` becomes text."""

from __future__ import annotations

from bot.i18n import _
from bot.services.refusals import Refusal
from bot.views import announcements as announcement_views
from db.registrations import RegistrationRefusal


def refusal_text(reason: Refusal | RegistrationRefusal) -> str:
    """Why it was not done, in words the person understands."""
    if isinstance(reason, RegistrationRefusal):
        return _registration(reason)
    match reason:
        case Refusal.event_cancelled:
            return _("This event is cancelled: it cannot be changed any more.")
        case Refusal.event_finished:
            return _("This event is over: it cannot be changed any more.")
        case Refusal.already:
            return _("Already done.")
        case Refusal.not_published:
            return _("Registration can be closed only for a published event.")
        case Refusal.past:
            return _(
                "The start (or the registration deadline) has passed: please reschedule the "
                "event before publishing it."
            )
        case Refusal.not_draft:
            return _("Only a draft can be deleted. A published event is cancelled instead.")
        case Refusal.event_not_found:
            return _("This event was not found among yours.")
        case Refusal.not_your_announcement:
            return announcement_views.not_yours()
        case Refusal.forbidden:
            return announcement_views.event_not_allowed()
        case Refusal.announcement_not_found:
            return announcement_views.not_found()
        case Refusal.sending_started:
            return announcement_views.already_started()
        case Refusal.sending_finished:
            return announcement_views.already_finished()
        case Refusal.city_gone:
            return announcement_views.city_gone()
    # over, no_audience, empty: the press belongs to a dialog that has moved on.
    return announcement_views.dialog_over()


def _registration(reason: RegistrationRefusal) -> str:
    """Why a registration (or its cancellation) is impossible."""
    match reason:
        case RegistrationRefusal.cancelled:
            return _("This event has been cancelled, registration is closed.")
        case RegistrationRefusal.started:
            return _("This event has already started, registration is closed.")
        case RegistrationRefusal.closed:
            return _("Registration for this event is closed.")
        case RegistrationRefusal.not_yours:
            return _("This registration is no longer active.")
        case RegistrationRefusal.no_companion:
            return _(
                "A companion cannot be registered for this event: the organizers do not allow "
                "it, or there are fewer seats in all than the two of you need. You can register "
                "alone."
            )
    return _("This event was not found. It may have been removed.")
