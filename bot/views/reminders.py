"""Reminders before an event, answers to their buttons, and the follow-up survey after it."""

from __future__ import annotations

from html import escape

from bot.callbacks import (
    EventCard,
    FollowupAction,
    FollowupActionKind,
    MyAction,
    MyActionKind,
    ReminderAction,
    ReminderActionKind,
)
from bot.i18n import _, ngettext
from bot.views import Buttons, Screen, one_per_row
from bot.views.kinds import Case, named_html
from bot.views.online import join_line
from bot.views.text import escaped_within, local, shorten, utf16_len, when
from db.events import Event
from db.followups import Summary
from db.registrations import Registration
from db.reminders import Answer

# Long titles and addresses are cut so a reminder always fits one message.
TITLE_BUDGET = 400
PLACE_BUDGET = 600
COMMENT_PREVIEW = 300


def _title(event: Event) -> str:
    return escaped_within(event.title, TITLE_BUDGET)


def _named(event: Event, case: Case = Case.nominative) -> str:
    return named_html(event, case, budget=TITLE_BUDGET)


def _heading(event: Event, now: float) -> str:
    """«Tomorrow» / «Today» counted on the event's own calendar, as the venue's people do."""
    days = (local(event.starts_at, event.timezone).date() - local(now, event.timezone).date()).days
    if days == 0:
        return _("🔔 Today: {event}").format(event=_named(event))
    if days == 1:
        return _("🔔 Tomorrow: {event}").format(event=_named(event))
    return _("🔔 Reminder: {event}").format(event=_named(event))


def _body(event: Event, now: float, *, join: bool = False) -> list[str]:
    """`join`: the reminder goes to a confirmed person, who may have the link to join."""
    lines = [_heading(event, now), "", "🗓 " + when(event, now)]
    place = ", ".join(part for part in (event.venue, event.address) if part)
    if place:
        lines.append("📍 " + escaped_within(place, PLACE_BUDGET))
    link = join_line(event) if join else None
    if link:
        lines.append("💻 " + link)
    return lines


def ahead(event: Event, planned_id: int, now: float) -> Screen:
    """The day-before reminder: will you come? «Can't come» asks once more, then frees the seat."""
    lines = [
        *_body(event, now, join=True),
        "",
        _(
            "Will you come? If your plans have changed, press «Can't come»: after you confirm, "
            "we will give your seat to someone else."
        ),
    ]
    builder = Buttons()
    builder.button(
        text=_("✅ I'll come"),
        callback_data=ReminderAction(action=ReminderActionKind.coming, planned_id=planned_id),
    )
    builder.button(
        text=_("✖️ Can't come"),
        callback_data=ReminderAction(action=ReminderActionKind.not_coming, planned_id=planned_id),
    )
    builder.adjust(2)
    return Screen("\n".join(lines), builder.as_markup())


def soon(event: Event, planned_id: int, now: float) -> Screen:
    """The day-of reminder: when, where, and the ticket to show at the entrance."""
    lines = [
        *_body(event, now, join=True),
        "",
        _("Show the QR code of your ticket at the entrance: press «Ticket» below."),
    ]
    builder = Buttons()
    builder.button(
        text=_("🎫 Ticket"),
        callback_data=ReminderAction(action=ReminderActionKind.ticket, planned_id=planned_id),
    )
    return Screen("\n".join(lines), builder.as_markup())


def _colleague_body(event: Event, registration: Registration, now: float) -> list[str]:
    return [
        *_body(event, now),
        _("👥 You registered your colleague: {name}.").format(
            name=escape(registration.guest_name or "")
        ),
        "",
    ]


def colleague_ahead(event: Event, registration: Registration, now: float) -> Screen:
    """The day-before reminder of a colleague's seat, to the member who registered them: its
    button cancels that registration (after a confirmation), never the member's own seat."""
    lines = [
        *_colleague_body(event, registration, now),
        _(
            "If your colleague can't come, press «Colleague can't come»: after you confirm, "
            "we will give the seat to someone else."
        ),
    ]
    return one_per_row(
        "\n".join(lines),
        (
            _("Colleague can't come"),
            MyAction(action=MyActionKind.cancel, registration_id=registration.id),
        ),
    )


def colleague_soon(event: Event, registration: Registration, now: float) -> Screen:
    """The day-of reminder of a colleague's seat: the colleague shows the ticket at the door."""
    lines = [
        *_colleague_body(event, registration, now),
        _(
            "Your colleague shows the QR code of their ticket at the entrance. If they do not "
            "have it yet, press «Colleague's ticket» and forward it."
        ),
    ]
    return one_per_row(
        "\n".join(lines),
        (
            _("Colleague's ticket"),
            MyAction(action=MyActionKind.ticket, registration_id=registration.id),
        ),
    )


def pin_title(event: Event) -> str:
    return shorten(event.venue or event.title, 100)


def pin_address(event: Event) -> str:
    return shorten(event.address or event.city, 200)


def coming(event: Event, planned_id: int, now: float) -> Screen:
    """The day-before reminder after «I'll come»: the answer instead of the question."""
    lines = [*_body(event, now, join=True), "", _("✅ Thank you! We look forward to seeing you.")]
    builder = Buttons()
    builder.button(
        text=_("🎫 Ticket"),
        callback_data=ReminderAction(action=ReminderActionKind.ticket, planned_id=planned_id),
    )
    return Screen("\n".join(lines), builder.as_markup())


def confirm_not_coming(event: Event, planned_id: int, now: float) -> Screen:
    """«Can't come» asks first: the seat goes to the waitlist and cannot be taken back."""
    lines = [
        *_body(event, now),
        "",
        _(
            "Cancel your registration? Your seat will go to the next person on the waitlist, "
            "and you may not get it back."
        ),
    ]
    builder = Buttons()
    builder.button(
        text=_("Yes, cancel registration"),
        callback_data=ReminderAction(
            action=ReminderActionKind.not_coming_sure, planned_id=planned_id
        ),
    )
    builder.button(
        text=_("No, keep my seat"),
        callback_data=ReminderAction(action=ReminderActionKind.keep, planned_id=planned_id),
    )
    builder.adjust(1)
    return Screen("\n".join(lines), builder.as_markup())


def not_coming(event: Event, now: float) -> Screen:
    lines = [
        *_body(event, now),
        "",
        _(
            "✖️ Your registration is cancelled. Thank you for letting us know! If your plans "
            "change again, you can register anew while registration is open."
        ),
    ]
    builder = Buttons()
    builder.button(text=_("📄 Event card"), callback_data=EventCard(event_id=event.id))
    return Screen("\n".join(lines), builder.as_markup())


def coming_toast() -> str:
    return _("Thank you, see you soon!")


def not_coming_toast() -> str:
    return _("Registration cancelled.")


def not_active() -> str:
    return _("This reminder is for a registration that is no longer active.")


def too_late_to_cancel() -> str:
    return _(
        "The event has already started, so the registration can no longer be cancelled. "
        "Thank you for letting us know!"
    )


# -- the follow-up survey ---------------------------------------------------------------------


def followup(event: Event) -> Screen:
    text = _(
        "🙏 Thank you for coming to the {event}!\n\n"
        "How did you like it? Please rate it from 1 to 5 (5 is excellent): your "
        "answer helps the organizers make the next events better."
    ).format(event=_named(event, Case.accusative))
    builder = Buttons()
    for rating in range(1, 6):
        builder.button(
            text=_("Rating {rating}").format(rating=rating),
            callback_data=FollowupAction(
                action=FollowupActionKind.rate, event_id=event.id, rating=rating
            ),
        )
    builder.adjust(5)
    return Screen(text, builder.as_markup())


def rated(event: Event, rating: int, *, ask_comment: bool) -> Screen:
    """After a rating: ask for a comment now, or offer a button when another dialog is on."""
    lines = [
        _("Thank you! Your rating of the {event}: {rating} of 5.").format(
            event=_named(event, Case.genitive), rating=rating
        )
    ]
    builder = Buttons()
    if ask_comment:
        lines += ["", comment_prompt()]
        builder.button(
            text=_("No comment"),
            callback_data=FollowupAction(action=FollowupActionKind.skip, event_id=event.id),
        )
    else:
        builder.button(
            text=_("💬 Add a comment"),
            callback_data=FollowupAction(action=FollowupActionKind.comment, event_id=event.id),
        )
    return Screen("\n".join(lines), builder.as_markup())


def comment_prompt() -> str:
    return _(
        "If you like, write a few words for the organizers in one message, or press "
        "«No comment». /cancel leaves this question."
    )


def comment_question(event: Event) -> Screen:
    builder = Buttons()
    builder.button(
        text=_("No comment"),
        callback_data=FollowupAction(action=FollowupActionKind.skip, event_id=event.id),
    )
    return Screen(comment_prompt(), builder.as_markup())


def comment_saved() -> str:
    return _("Thank you! Your comment has been passed to the organizers.")


def rating_saved() -> str:
    return _("Thank you for your rating!")


def comment_not_text() -> str:
    return _("Please write the comment as a text message, or press «No comment».")


def comment_too_long(limit: int) -> str:
    return _("That is too long: please keep it within {limit} characters.").format(limit=limit)


def not_a_participant() -> str:
    return _("This survey is for the participants of the event.")


def survey_over() -> str:
    return _("This question is no longer active. Thank you!")


def summary_lines(summary: Summary, comment_limit: int = 10) -> list[str]:
    """The follow-up results for an organizer's /stats: rating, spread, latest comments."""
    if summary.count == 0 or summary.average is None:
        return [_("⭐ No ratings from participants yet.")]
    average = f"{summary.average:.1f}"
    lines = [
        ngettext(
            "⭐ Rating {average} of 5 from {count} participant",
            "⭐ Rating {average} of 5 from {count} participants",
            summary.count,
        ).format(average=average, count=summary.count),
        " · ".join(f"{rating}: {summary.ratings.get(rating, 0)}" for rating in range(5, 0, -1)),
    ]
    return lines + comment_lines(summary, comment_limit)


def comment_lines(summary: Summary, limit: int = 10) -> list[str]:
    """The latest comments under a heading, each on one line, escaped; [] when none."""
    if not summary.comments or limit <= 0:
        return []
    comments = [
        "— " + escape(shorten(" ".join(c.split()), COMMENT_PREVIEW))
        for c in summary.comments[:limit]
    ]
    return ["", "<b>" + _("Comments") + "</b>", *comments]


def stats_block(
    event: Event, summary: Summary, answers: dict[Answer, int], now: float, budget: int
) -> str:
    """What /stats adds for one event: answers to the reminders, and after the event the
    participants' ratings with as many of the latest comments as fit `budget` ("" if none)."""
    lines: list[str] = []
    if answers:
        lines.append(
            _("🔔 Answers to the reminder: coming {coming} · can't come {not_coming}").format(
                coming=answers.get(Answer.coming, 0), not_coming=answers.get(Answer.not_coming, 0)
            )
        )
    if summary.count or now >= event.ends_at:
        lines += summary_lines(summary, comment_limit=0)
    if not lines:
        return ""
    text = "\n\n" + "\n".join(lines)
    comments = comment_lines(summary) if now >= event.ends_at or summary.count else []
    # As many of the latest comments as fit; the heading only with at least one of them.
    for shown in range(len(comments), 2, -1):
        candidate = text + "\n" + "\n".join(comments[:shown])
        if utf16_len(candidate) <= budget:
            return candidate
    return text if utf16_len(text) <= budget else ""
