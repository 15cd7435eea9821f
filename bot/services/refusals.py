"""Why a service did not do what was asked: one type for all services, worded in views/refusals."""

from __future__ import annotations

from enum import StrEnum


class Refusal(StrEnum):
    """What stood in the way. Registering and cancelling a seat have their own reasons,
    `db.registrations.RegistrationRefusal`, checked inside the seat's transaction; the values
    of the two never coincide, so one view words both."""

    # an event an organizer manages (OrganizerService)
    event_not_found = "event_not_found"  # unknown, or not this organizer's event
    event_cancelled = "event_cancelled"  # the event is cancelled: nothing more to do
    event_finished = "event_finished"  # the event is over
    already = "already"  # already in the wanted state
    not_published = "not_published"  # only a published event can close registration
    past = "past"  # the start (or the deadline) has passed: cannot publish like that
    not_draft = "not_draft"  # only a draft is deleted; a published event is cancelled
    # an announcement (AnnouncementService, AnnounceDialog)
    forbidden = "forbidden"  # not an organizer, or an audience they may not address
    announcement_not_found = "announcement_not_found"
    not_your_announcement = "not_your_announcement"  # another organizer's announcement
    over = "over"  # not in the state the button was for (sent, cancelled, double press)
    no_audience = "no_audience"
    empty = "empty"  # nobody to send to
    sending_started = "sending_started"  # a scheduled one has started: stop it, not cancel
    sending_finished = "sending_finished"  # nothing left to stop
    city_gone = "city_gone"  # the chosen city is no longer among the subscribers' cities
