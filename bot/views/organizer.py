"""Organizer screens: /manage, notices to attendees, attendee lists, exports and statistics."""

from __future__ import annotations

from html import escape, unescape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import (
    CancelEventAnswer,
    DoorAction,
    DoorActionKind,
    EventCard,
    ManageAction,
    ManageActionKind,
    MyAction,
    MyActionKind,
    StatsAction,
)
from bot.deeplinks import link
from bot.i18n import _
from bot.services.attendees import AttendeesPage
from bot.services.checkin import is_on_day
from bot.services.exports import AttendeeLabels
from bot.services.organizer import PAGE_SIZE, EventsPage, ManagedEvent
from bot.services.places import moscow_offset_of, offset_words
from bot.services.stats import ChartLabels, EventStats, ReportLabels
from bot.services.validation import phone_display
from bot.views import Buttons, Screen, one_per_row
from bot.views.kinds import Case, named_html, quoted
from bot.views.text import (
    KIND_NAMES,
    MESSAGE_LIMIT,
    kind_name,
    local,
    locale,
    moment_in,
    pick_label,
    utf16_len,
    when,
    when_short,
)
from db.events import Event, EventStatus
from db.organizer import Attendee, EventCounts
from db.registrations import RegistrationStatus


def status_name(event: Event) -> str:
    if event.status == EventStatus.draft:
        return _("📝 Draft")
    if event.status == EventStatus.cancelled:
        return _("❌ Cancelled")
    if event.status == EventStatus.finished:
        return _("🏁 Finished")
    if event.registration_closed:
        return _("🔒 Published, registration closed")
    return _("📣 Published")


def status_names() -> dict[str, str]:
    return {
        str(EventStatus.draft): _("Draft"),
        str(EventStatus.published): _("Published"),
        str(EventStatus.finished): _("Finished"),
        str(EventStatus.cancelled): _("Cancelled"),
    }


def counts_line(counts: EventCounts, capacity: int | None) -> str:
    seats = (
        str(counts.confirmed)
        if capacity is None
        else _("{confirmed} of {capacity}").format(confirmed=counts.confirmed, capacity=capacity)
    )
    return _(
        "confirmed {seats}, on the waitlist {waitlisted}, cancelled {cancelled}, came {came}"
    ).format(
        seats=seats,
        waitlisted=counts.waitlisted,
        cancelled=counts.cancelled,
        came=counts.checked_in,
    )


def rate_text(counts: EventCounts) -> str:
    rate = counts.show_rate
    return "—" if rate is None else f"{rate:.0%}"


# -- /manage ------------------------------------------------------------------------------------


def events_list(page: EventsPage, now: float) -> Screen:
    if page.total == 0:
        return Screen(_("You have no events yet. /new_event creates one."))
    lines = ["<b>" + _("My events") + "</b>"]
    if page.pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=page.page + 1, pages=page.pages))
    builder = Buttons()
    for number, item in enumerate(page.items, start=page.page * PAGE_SIZE + 1):
        event = item.event
        lines += [
            "",
            f"{number}. <b>{quoted(escape(event.title))}</b>",
            when_short(event, now) + " · " + status_name(event),
            counts_line(item.counts, event.capacity),
        ]
        builder.row(
            InlineKeyboardButton(
                text=pick_label(number, event),
                callback_data=ManageAction(
                    action=ManageActionKind.open, event_id=event.id, page=page.page
                ).pack(),
            )
        )
    nav = []
    if page.page > 0:
        nav.append(
            InlineKeyboardButton(
                text=_("Back"),
                callback_data=ManageAction(action=ManageActionKind.list, page=page.page - 1).pack(),
            )
        )
    if page.page < page.pages - 1:
        nav.append(
            InlineKeyboardButton(
                text=_("Next"),
                callback_data=ManageAction(action=ManageActionKind.list, page=page.page + 1).pack(),
            )
        )
    if nav:
        builder.row(*nav)
    lines += ["", _("/new_event creates an event.")]
    return Screen("\n".join(lines), builder.as_markup())


def event_link(bot_username: str, event: Event) -> str:
    return link(bot_username, "ev", event.id)


def event_screen(managed: ManagedEvent, now: float, bot_username: str) -> Screen:
    event, counts = managed.event, managed.counts
    lines = [
        f"<b>{quoted(escape(event.title))}</b>",
        kind_name(event.kind) + " · " + status_name(event),
        "🗓 " + when(event, now),
    ]
    place = ", ".join(escape(part) for part in (event.venue, event.address) if part)
    if place:
        lines.append("📍 " + place)
    lines.append(
        "🎟 "
        + (
            _("Seats: no limit")
            if event.capacity is None
            else _("Seats: {capacity}").format(capacity=event.capacity)
        )
    )
    if event.status == EventStatus.published and not event.registration_closed:
        lines.append(
            _("Registration is open until {moment}").format(
                moment=moment_in(event.registration_closes_at, event.timezone, now, event.city)
            )
        )
    if event.status == EventStatus.cancelled and event.cancel_reason:
        lines.append(_("Reason: {reason}").format(reason=escape(event.cancel_reason)))
    lines += ["", counts_line(counts, event.capacity)]
    if counts.confirmed and counts.checked_in:
        lines.append(
            _("Came {came} of {confirmed} ({rate})").format(
                came=counts.checked_in, confirmed=counts.confirmed, rate=rate_text(counts)
            )
        )
    if event.status == EventStatus.published and bot_username:
        lines += ["", _("Link for announcements:"), event_link(bot_username, event)]
    return Screen("\n".join(lines), event_keyboard(event, now))


def event_keyboard(event: Event, now: float) -> InlineKeyboardMarkup:
    builder = Buttons()

    def add(text: str, action: ManageActionKind) -> None:
        builder.button(text=text, callback_data=ManageAction(action=action, event_id=event.id))

    live = event.status in (EventStatus.draft, EventStatus.published) and event.ends_at > now
    if event.status == EventStatus.draft:
        add(_("📣 Publish"), ManageActionKind.publish)
    if live:
        add(_("✏️ Edit"), ManageActionKind.edit_menu)
        add(_("🕑 Reschedule"), ManageActionKind.reschedule)
    if event.status == EventStatus.published and live:
        if event.registration_closed:
            add(_("🔓 Reopen registration"), ManageActionKind.reopen)
        else:
            add(_("🔒 Close registration"), ManageActionKind.close)
    if event.status == EventStatus.published and is_on_day(event, now):
        builder.button(
            text=_("Check in guests"),
            callback_data=DoorAction(action=DoorActionKind.open, event_id=event.id),
        )
    add(_("👥 Attendees"), ManageActionKind.attendees)
    add(_("📊 Statistics"), ManageActionKind.stats)
    if event.status == EventStatus.published:
        add(_("🔗 Link for announcements"), ManageActionKind.link)
    add(_("📄 Duplicate"), ManageActionKind.duplicate)
    if event.status == EventStatus.draft:
        # Nobody has seen a draft: it is deleted (asked first), there is no one to notify.
        add(_("Delete the draft"), ManageActionKind.delete)
    elif live:
        add(_("❌ Cancel the event"), ManageActionKind.cancel)
    builder.button(text=_("⬅️ My events"), callback_data=ManageAction(action=ManageActionKind.list))
    builder.adjust(2)
    return builder.as_markup()


def link_message(bot_username: str, event: Event) -> str:
    url = event_link(bot_username, event)
    return _(
        "Link to «{title}» for press releases and posts: it opens the card with the "
        "Register button.\n\n{url}"
    ).format(title=escape(event.title), url=url)


def published(event: Event, bot_username: str) -> str:
    return _("📣 «{title}» is published: members see it in /events. Share the link:\n{url}").format(
        title=escape(event.title), url=event_link(bot_username, event)
    )


def saved_as_draft(event: Event) -> str:
    return _(
        "💾 «{title}» is saved as a draft: members do not see it yet. Publish it from /manage."
    ).format(title=escape(event.title))


def registration_toggled(event: Event) -> str:
    if event.registration_closed:
        return _("Registration is closed.")
    return _("Registration is open again.")


def saved_changes(notified: int) -> str:
    if notified:
        return _("Saved. {count} registered people will be told about the change.").format(
            count=notified
        )
    return _("Saved.")


def nothing_changed() -> str:
    return _("Nothing changed.")


def duplicate_intro(event: Event) -> str:
    return _(
        "A copy of «{title}»: everything is taken over, only the date is new. "
        "Type the date and time of the new event."
    ).format(title=escape(event.title))


def reschedule_intro(event: Event, now: float) -> str:
    return _(
        "Rescheduling «{title}», now {when}. Registered people will be told about the new "
        "time, and their reminders will follow it."
    ).format(title=escape(event.title), when=when(event, now))


# -- deleting a draft ---------------------------------------------------------------------------


def delete_question(event: Event) -> Screen:
    text = _(
        "Delete the draft «{title}»? Members have never seen it. "
        "A deleted draft cannot be restored."
    ).format(title=escape(event.title))
    return one_per_row(
        text,
        (
            _("Yes, delete it"),
            ManageAction(action=ManageActionKind.delete_confirmed, event_id=event.id),
        ),
        (_("No, keep it"), ManageAction(action=ManageActionKind.open, event_id=event.id)),
    )


def draft_deleted(event: Event) -> Screen:
    text = _("The draft «{title}» is deleted. /new_event creates a new event.").format(
        title=escape(event.title)
    )
    builder = Buttons()
    builder.button(text=_("⬅️ My events"), callback_data=ManageAction(action=ManageActionKind.list))
    return Screen(text, builder.as_markup())


# -- cancelling ---------------------------------------------------------------------------------


def cancel_reason_prompt(event: Event, counts: EventCounts) -> str:
    people = counts.confirmed + counts.waitlisted
    return _(
        "Cancelling «{title}». {people} registered people will receive a notice. "
        "Please write the reason in one or two sentences: it goes into the notice.\n\n"
        "/cancel keeps the event."
    ).format(title=escape(event.title), people=people)


def cancel_question(event: Event, reason: str, counts: EventCounts) -> Screen:
    text = _("Cancel «{title}» and notify {people} people?\n\nReason: {reason}").format(
        title=escape(event.title),
        people=counts.confirmed + counts.waitlisted,
        reason=escape(reason),
    )
    return one_per_row(
        text,
        (_("❌ Yes, cancel the event"), CancelEventAnswer(confirm=True, event_id=event.id)),
        (_("No, keep it"), CancelEventAnswer(confirm=False, event_id=event.id)),
    )


def cancelled_done(notified: int) -> str:
    return _("The event is cancelled and registration is closed. Notices queued: {count}.").format(
        count=notified
    )


def question_over() -> str:
    return _("This question is no longer active. Open the event again in /manage.")


def cancel_kept() -> str:
    return _("The event is kept as it was.")


def cancel_notice(event: Event, now: float) -> Screen:
    """To everyone with a seat or waiting: the event will not take place, and why."""
    lines = [
        _("❌ The {event} — {when} — is cancelled.").format(
            event=named_html(event), when=when(event, now)
        )
    ]
    if event.cancel_reason:
        lines.append(_("Reason: {reason}").format(reason=escape(event.cancel_reason)))
    lines += ["", _("We are sorry. /events shows other upcoming events.")]
    return Screen("\n".join(lines), None)


def change_notice(before: Event, after: Event, now: float) -> Screen:
    """To everyone with a seat or waiting: the new time and/or place."""
    lines = [
        _("🕑 The time or place of the {event} has changed.").format(
            event=named_html(after, Case.genitive)
        ),
        "",
        *change_lines(before, after, now),
        "",
        _(
            "Your registration stays valid. If you can no longer come, please cancel it in /my "
            "so the seat goes to someone on the waitlist."
        ),
    ]
    return one_per_row(
        "\n".join(lines),
        (_("📄 Event card"), EventCard(event_id=after.id)),
        (_("🎫 My registrations"), MyAction(action=MyActionKind.list)),
    )


def change_lines(before: Event, after: Event, now: float) -> list[str]:
    """What changed: the new time over the old one struck through, the new place."""
    lines = []
    if (before.starts_at, before.ends_at, before.timezone) != (
        after.starts_at,
        after.ends_at,
        after.timezone,
    ):
        lines.append(_("New time: {when}").format(when=when(after, now)))
        lines.append(_("<s>Was: {when}</s>").format(when=when(before, now)))
    place = ", ".join(escape(part) for part in (after.venue, after.address, after.city) if part)
    before_place = ", ".join(part for part in (before.venue, before.address, before.city) if part)
    after_place = ", ".join(part for part in (after.venue, after.address, after.city) if part)
    if before_place != after_place:
        lines.append(_("New place: {place}").format(place=place))
    return lines


# -- attendees ----------------------------------------------------------------------------------


def attendee_status(attendee: Attendee, event: Event, now: float) -> str:
    registration = attendee.registration
    if registration.status == RegistrationStatus.cancelled:
        return _("✖️ cancelled")
    if registration.status == RegistrationStatus.waitlisted:
        return _("⏳ waitlist")
    if registration.checked_in_at is not None:
        return _("🚪 came at {time}").format(
            time=moment_in(registration.checked_in_at, event.timezone, now)
        )
    return _("✅ confirmed")


def attendee_name(attendee: Attendee) -> str:
    if attendee.person_id is None and not attendee.registration.is_colleague:
        return _("(data erased at the person's request)")
    return escape(attendee.full_name or _("(no name)"))


def answer_lines(event: Event, attendee: Attendee) -> list[str]:
    """The guest's answers to the event's own questions («Нужно ли сопровождение: Да»): what
    the people at the door may need to know; unanswered questions are left out. A colleague
    registered by a member comes with that member's name first."""
    answers = attendee.registration.answers
    colleague = []
    if attendee.registration.is_colleague and attendee.registered_by_name:
        colleague.append(
            _("Registered by: {name}").format(name=escape(attendee.registered_by_name))
        )
    return colleague + [
        f"{escape(question.text)}: <b>{escape(answers[question.key])}</b>"
        for question in event.questions
        if answers.get(question.key, "").strip()
    ]


def attendees_screen(event: Event, page: AttendeesPage, now: float) -> Screen:
    lines = [
        "<b>" + _("Attendees of «{title}»").format(title=escape(event.title)) + "</b>",
        counts_line(page.counts, event.capacity),
    ]
    if page.pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=page.page + 1, pages=page.pages))
    if not page.items:
        lines += ["", _("Nobody has registered yet.")]
    for number, attendee in enumerate(page.items, start=page.first_number):
        block = [
            "",
            f"{number}. <b>{attendee_name(attendee)}</b> · {attendee.registration.short_code}",
        ]
        details = [
            escape(part)
            for part in (
                attendee.organization,
                attendee.position,
                phone_display(attendee.phone) if attendee.phone else None,
                attendee.email,
            )
            if part
        ]
        if details:
            block.append(", ".join(details))
        block += answer_lines(event, attendee)
        block.append(attendee_status(attendee, event, now))
        if attendee.registration.companions:
            block.append(_("With a companion: two seats."))
        if utf16_len("\n".join([*lines, *block])) > MESSAGE_LIMIT - 200:
            break
        lines += block
    builder = Buttons()
    nav = []
    if page.page > 0:
        nav.append(
            InlineKeyboardButton(
                text=_("Back"),
                callback_data=ManageAction(
                    action=ManageActionKind.attendees, event_id=event.id, page=page.page - 1
                ).pack(),
            )
        )
    if page.page < page.pages - 1:
        nav.append(
            InlineKeyboardButton(
                text=_("Next"),
                callback_data=ManageAction(
                    action=ManageActionKind.attendees, event_id=event.id, page=page.page + 1
                ).pack(),
            )
        )
    if nav:
        builder.row(*nav)

    def button(text: str, action: ManageActionKind) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=text, callback_data=ManageAction(action=action, event_id=event.id).pack()
        )

    builder.row(
        button(_("⬇️ CSV"), ManageActionKind.export_csv),
        button(_("⬇️ Excel"), ManageActionKind.export_xlsx),
    )
    builder.row(button(_("🛂 Pass list for security"), ManageActionKind.pass_list))
    builder.row(button(_("⬅️ Back to the event"), ManageActionKind.open))
    return Screen("\n".join(lines), builder.as_markup())


def attendee_labels() -> AttendeeLabels:
    return AttendeeLabels(
        number="№",
        full_name=_("Full name"),
        organization=_("Organization"),
        position=_("Position"),
        phone=_("Phone"),
        email=_("E-mail"),
        status=_("Status"),
        ticket_code=_("Ticket code"),
        registered_at=_("Registered at"),
        checked_in_at=_("Checked in at"),
        statuses={
            str(RegistrationStatus.confirmed): _("confirmed"),
            str(RegistrationStatus.waitlisted): _("waitlist"),
            str(RegistrationStatus.cancelled): _("cancelled"),
        },
        erased=_("(data erased at the person's request)"),
        companions=_("Companions"),
        companion_of=_("Companion of {name}"),
        registered_by=_("Registered by"),
    )


def export_caption(event: Event, rows: int) -> str:
    zone = offset_words(moscow_offset_of(local(event.starts_at, event.timezone)), locale())
    return _("{event}: {rows} registrations. Times in the file are local, {zone}.").format(
        event=named_html(event, capital=True), rows=rows, zone=zone
    )


def pass_heading(event: Event, now: float) -> list[str]:
    place = ", ".join(part for part in (event.venue, event.address) if part)
    return [
        _("Pass list: {title}").format(title=event.title),
        unescape(when(event, now)),  # a sheet is plain text, not HTML
        place,
    ]


def pass_caption(event: Event, rows: int) -> str:
    return _("🛂 Pass list for «{title}»: {rows} people with a confirmed seat, A to Z.").format(
        title=escape(event.title), rows=rows
    )


def nothing_to_export() -> str:
    return _("Nobody has registered yet: there is nothing to export.")


# -- statistics ---------------------------------------------------------------------------------


def stats_line(counts: EventCounts, started: bool = True) -> str:
    """The counts of one event or of several; the show rate only once the event has begun,
    so an event still ahead never reads «явка 0%»."""
    if not started:
        return _("registered {confirmed} · waitlist {waitlisted} · cancelled {cancelled}").format(
            confirmed=counts.confirmed,
            waitlisted=counts.waitlisted,
            cancelled=counts.cancelled,
        ) + (" · " + _("came {came}").format(came=counts.checked_in) if counts.checked_in else "")
    return _(
        "registered {confirmed} · waitlist {waitlisted} · cancelled {cancelled} · "
        "came {came} · show rate {rate}"
    ).format(
        confirmed=counts.confirmed,
        waitlisted=counts.waitlisted,
        cancelled=counts.cancelled,
        came=counts.checked_in,
        rate=rate_text(counts),
    )


def _summed(items: list[EventStats]) -> EventCounts:
    return EventCounts(
        confirmed=sum(item.counts.confirmed for item in items),
        waitlisted=sum(item.counts.waitlisted for item in items),
        cancelled=sum(item.counts.cancelled for item in items),
        checked_in=sum(item.counts.checked_in for item in items),
    )


STATS_LIST_LIMIT = 15


def no_statistics() -> str:
    return _("No published events yet: statistics appear after the first one.")


def stats_overview(items: list[EventStats], now: float) -> Screen:
    if not items:
        return Screen(no_statistics())
    lines = ["<b>" + _("Statistics") + "</b>"]
    builder = Buttons()
    # Cancelled events are listed, marked, but left out of the totals; the show rate of the
    # totals counts only events that have begun.
    held = [item for item in items if item.event.status != EventStatus.cancelled]
    begun = [item for item in held if item.event.starts_at <= now]
    lines += [
        _("All events ({count}):").format(count=len(held)),
        stats_line(_summed(held), started=False),
    ]
    if begun:
        lines.append(
            _("Show rate of the events that have begun: {rate}").format(
                rate=rate_text(_summed(begun))
            )
        )
    for number, item in enumerate(items[:STATS_LIST_LIMIT], start=1):
        event = item.event
        heading = f"{number}. <b>{quoted(escape(event.title))}</b> · {when_short(event, now)}"
        if event.status == EventStatus.cancelled:
            heading += " · " + _("the event is cancelled")
        lines += ["", heading, stats_line(item.counts, started=event.starts_at <= now)]
        # A number, not a cut title: two events with the same title stay distinct.
        builder.button(
            text=_("Chart {number}").format(number=number),
            callback_data=StatsAction(event_id=event.id),
        )
    builder.button(text=_("📊 Attendance report (Excel)"), callback_data=StatsAction(report=True))
    builder.adjust(1)
    return Screen("\n".join(lines), builder.as_markup())


def event_stats(managed: ManagedEvent, now: float) -> str:
    event, counts = managed.event, managed.counts
    lines = [
        f"<b>{quoted(escape(event.title))}</b>",
        "🗓 " + when(event, now),
    ]
    if event.status == EventStatus.cancelled:
        lines.append(status_name(event))
    lines += [
        "",
        _("Registered: {count}").format(count=counts.confirmed),
        _("On the waitlist: {count}").format(count=counts.waitlisted),
        _("Cancelled: {count}").format(count=counts.cancelled),
    ]
    if event.starts_at <= now:
        lines += [
            _("Came: {count}").format(count=counts.checked_in),
            _("Show rate: {rate}").format(rate=rate_text(counts)),
        ]
    else:
        if counts.checked_in:
            lines.append(_("Came: {count}").format(count=counts.checked_in))
        lines.append(_("The show rate appears once the event begins."))
    return "\n".join(lines)


def chart_labels(event: Event) -> ChartLabels:
    return ChartLabels(
        title=_("Registrations: {title}").format(title=event.title),
        total=_("signed up in total, cancellations included"),
        confirmed=_("of them with a confirmed seat now"),
        waitlisted=_("of them on the waitlist now"),
        axis=_("people"),
    )


def chart_caption(event: Event, counts: EventCounts, first: float | None, now: float) -> str:
    """What the chart shows, in words: a screen reader gets the same figures."""
    text = _("📈 Registrations over time, «{title}»").format(title=escape(event.title))
    text += "\n" + _(
        "Signed up in total: {total}; a confirmed seat now: {confirmed}; on the waitlist now: "
        "{waitlisted}; cancelled: {cancelled}."
    ).format(
        total=counts.total,
        confirmed=counts.confirmed,
        waitlisted=counts.waitlisted,
        cancelled=counts.cancelled,
    )
    if first is not None:
        text += " " + _("The first registration: {moment}.").format(
            moment=moment_in(first, event.timezone, now)
        )
    return text


def report_labels() -> ReportLabels:
    return ReportLabels(
        events_sheet=_("Events"),
        organizations_sheet=_("By organization"),
        cities_sheet=_("By city"),
        title=_("Event"),
        kind=_("Kind"),
        city=_("City"),
        date=_("Start (local time)"),
        status=_("Status"),
        organization=_("Organization"),
        events=_("Events"),
        registered=_("Registered"),
        waitlisted=_("Waitlist"),
        cancelled=_("Cancelled"),
        checked_in=_("Came"),
        rate=_("Show rate"),
        no_organization=_("(not given)"),
        statuses=status_names(),
        kinds={str(kind): _(name) for kind, name in KIND_NAMES.items()},
    )


def report_caption(count: int) -> str:
    return _(
        "📊 Attendance report on {count} events: counts by event, organization and city, "
        "with show rates."
    ).format(count=count)
