"""What /announce, /scheduled and the progress of a broadcast look like; subscription buttons."""

from __future__ import annotations

import csv
import io
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from babel.numbers import format_decimal

from bot.callbacks import (
    AnnounceEvent,
    AnnouncementControl,
    AnnouncementControlKind,
    AnnounceStep,
    AnnounceStepKind,
    AnnounceTown,
    Resubscribe,
    Unsubscribe,
)
from bot.i18n import N_, _, ngettext
from bot.services.audience import CityOption, TownOption
from bot.services.catalog import city_key
from bot.services.geography import town_key
from bot.services.places import moscow_offset_of, offset_words
from bot.views import Screen
from bot.views.kinds import quoted
from bot.views.places import audience_where, region_name, region_where, town_name
from bot.views.subscriptions import all_towns_label
from bot.views.text import (
    CAPTION_LIMIT,
    button_text,
    escaped_within,
    kind_name,
    local,
    locale,
    moment_in,
    pick_label,
    when,
)
from db.announcements import Announcement, Audience, AudienceKind, Segment
from db.events import Event, EventStatus
from db.outbox import Progress, Undelivered

SEGMENT_NAMES: dict[Segment, str] = {
    Segment.confirmed: N_("confirmed participants"),
    Segment.waitlisted: N_("people on the waitlist"),
    Segment.checked_in: N_("people who checked in"),
    Segment.not_checked_in: N_("confirmed people who have not checked in"),
}
SEGMENT_BUTTONS: dict[Segment, str] = {
    Segment.confirmed: N_("✅ Confirmed — {count}"),
    Segment.waitlisted: N_("⏳ On the waitlist — {count}"),
    Segment.checked_in: N_("🎫 Checked in — {count}"),
    Segment.not_checked_in: N_("🚶 Confirmed, not checked in — {count}"),
}
# The event card in an announcement of a new event: room left for the rest of the text.
DESCRIPTION_BUDGET = 700


def number(value: int) -> str:
    """«1 200» in Russian, «1,200» in English."""
    return format_decimal(value, locale=locale())


def _step(action: AnnounceStepKind, announcement_id: int, **fields: object) -> str:
    return AnnounceStep(action=action, announcement_id=announcement_id, **fields).pack()


def _button(text: str, data: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=button_text(text), callback_data=data)]


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _cancel_row(announcement_id: int) -> list[InlineKeyboardButton]:
    return _button(_("✖️ Cancel"), _step(AnnounceStepKind.cancel, announcement_id))


def _back_row(action: AnnounceStepKind, announcement_id: int) -> list[InlineKeyboardButton]:
    return _button(_("◀️ Back"), _step(action, announcement_id))


# -- composing --------------------------------------------------------------------------------


def compose_prompt() -> str:
    return _(
        "📣 <b>New announcement</b>\n\n"
        "Send me the message exactly as people should see it: text with formatting, a photo, "
        "a video or a document with a caption. It is copied as it is.\n\n"
        "Before anything is sent you will see a preview and the number of recipients. "
        "/cancel leaves without sending."
    )


def compose_keyboard() -> InlineKeyboardMarkup:
    """Only «Cancel» while the message is awaited (there is no draft yet: id 0)."""
    return _markup([_cancel_row(0)])


def not_copyable() -> str:
    return _(
        "This kind of message cannot be copied to other people. Please send text, a photo, "
        "a video, a document, audio or a voice message."
    )


def copy_failed() -> str:
    return _(
        "Telegram refused to copy this message (was it deleted?). Please press «Cancel» and "
        "send /announce again with another message."
    )


def album_refused() -> str:
    return _(
        "An album cannot go out as one announcement. Please send a single photo or document "
        "with a caption."
    )


def use_buttons() -> str:
    return _("Please use the buttons above, or /cancel to leave without sending.")


def cancelled() -> str:
    return _("Cancelled: nothing was sent.")


# -- audiences --------------------------------------------------------------------------------


def describe(audience: Audience, event: Event | None = None) -> str:
    """«all subscribers», «subscribers in Тюмень», «confirmed participants of «…»» (escaped)."""
    if audience.kind == AudienceKind.subscribers:
        return _("all subscribers")
    if audience.kind == AudienceKind.city:
        return _("subscribers {where} (and those subscribed to all regions)").format(
            where=escape(audience_where(audience.city, audience.town))
        )
    who = _(SEGMENT_NAMES[audience.segment]) if audience.segment else ""
    title = escape(event.title) if event is not None else "—"
    return _("{who} of the event «{title}»").format(who=who, title=title)


def audience_menu(announcement_id: int, subscribers: int, note: str | None = None) -> Screen:
    text = _("Who should receive it?")
    if note:
        text = note + "\n\n" + text
    rows = [
        _button(
            _("📣 All subscribers — {count}").format(count=number(subscribers)),
            _step(AnnounceStepKind.everyone, announcement_id),
        ),
        _button(_("🗺 Subscribers in one region"), _step(AnnounceStepKind.cities, announcement_id)),
        _button(_("🎟 People of an event"), _step(AnnounceStepKind.events, announcement_id)),
        _cancel_row(announcement_id),
    ]
    return Screen(text, _markup(rows))


def city_menu(announcement_id: int, options: list[CityOption]) -> Screen:
    if not options:
        text = _("No subscriber has chosen a city yet, and there are no upcoming events.")
    else:
        text = _("Subscribers of which city? Those subscribed to all cities are included.")
    rows = [
        _button(
            _("{city} — {count}").format(city=region_name(option.city), count=number(option.count)),
            _step(AnnounceStepKind.city, announcement_id, value=option.key),
        )
        for option in options
    ]
    rows.append(_back_row(AnnounceStepKind.audience, announcement_id))
    return Screen(text, _markup(rows))


def town_menu(
    announcement_id: int, region: str, region_count: int, options: list[TownOption]
) -> Screen:
    """The whole region first, then each of its towns, as /subscribe offers them."""
    text = _(
        "Subscribers {where}: about the whole region, or about one town? Those subscribed to "
        "the whole region or to all regions get it either way; those subscribed to one town "
        "only when it is theirs."
    ).format(where=escape(region_where(region)))
    rows = [
        _button(
            _("{choice} — {count}").format(
                choice=all_towns_label(region), count=number(region_count)
            ),
            AnnounceTown(announcement_id=announcement_id, region=city_key(region)).pack(),
        )
    ]
    for option in sorted(options, key=lambda item: town_name(item.town.key).casefold()):
        only = _("Only {town}").format(town=town_name(option.town.key))
        rows.append(
            _button(
                _("{choice} — {count}").format(choice=only, count=number(option.count)),
                AnnounceTown(
                    announcement_id=announcement_id, region=city_key(region), town=option.key
                ).pack(),
            )
        )
    rows.append(_back_row(AnnounceStepKind.cities, announcement_id))
    return Screen(text, _markup(rows))


def event_menu(announcement_id: int, events: list[Event]) -> Screen:
    text = _("The people of which event?") if events else _("You have no published events yet.")
    rows = []
    lines = [text]
    for number, event in enumerate(events, start=1):
        day = _local_date(event.starts_at, event.timezone)
        line = f"{number}. <b>{quoted(escape(event.title))}</b>, {day}"
        label = pick_label(number, event)
        if event.status == EventStatus.cancelled:
            # Its people may still need a word (a new date, a refund), but never unmarked.
            line += " · " + _("the event is cancelled")
            label += " · " + _("called off")
        lines.append(line)
        rows.append(_button(label, _step(AnnounceStepKind.event, announcement_id, value=event.id)))
    text = "\n\n".join([lines[0], "\n".join(lines[1:])]) if events else text
    rows.append(_back_row(AnnounceStepKind.audience, announcement_id))
    return Screen(text, _markup(rows))


def _local_date(timestamp: float, timezone: str) -> str:
    return local(timestamp, timezone).strftime("%d.%m.%Y")


def segment_menu(
    announcement_id: int, event: Event, counts: dict[Segment, int], now: float
) -> Screen:
    text = "<b>{title}</b>\n{when}\n\n{question}".format(
        title=escape(event.title),
        when=when(event, now),
        question=_(
            "Which of its people? Messages about an event reach its people whether or not "
            "they subscribed to announcements."
        ),
    )
    rows = [
        _button(
            _(SEGMENT_BUTTONS[segment]).format(count=number(counts.get(segment, 0))),
            _step(AnnounceStepKind.segment, announcement_id, value=event.id, segment=segment),
        )
        for segment in Segment
    ]
    rows.append(_back_row(AnnounceStepKind.events, announcement_id))
    return Screen(text, _markup(rows))


def audience_chosen(description: str) -> str:
    return _("Audience: {audience}").format(audience=description)


# -- preview and confirmation -----------------------------------------------------------------


def recipient_markup(*, unsubscribe: bool, register_url: str | None) -> InlineKeyboardMarkup | None:
    """The buttons under every copy, in the current language: what recipients will see."""
    rows: list[list[InlineKeyboardButton]] = []
    if register_url is not None:
        rows.append([InlineKeyboardButton(text=_("📝 Register"), url=register_url)])
    if unsubscribe:
        rows.append(
            [InlineKeyboardButton(text=_("🔕 Unsubscribe"), callback_data=Unsubscribe().pack())]
        )
    return _markup(rows) if rows else None


def preview(
    announcement: Announcement, description: str, count: int, note: str | None = None
) -> Screen:
    lines = []
    if note:
        lines += [note, ""]
    lines += [
        _("👆 This is exactly what the recipients will see."),
        "",
        _("Audience: {audience}").format(audience=description),
        _("Recipients: <b>{count}</b>").format(count=number(count)),
    ]
    aid = announcement.id
    if count == 0:
        lines += ["", _("Nobody is in this audience right now. Please choose another one.")]
        rows = [_back_row(AnnounceStepKind.audience, aid), _cancel_row(aid)]
        return Screen("\n".join(lines), _markup(rows))
    lines += ["", _("Send it now or schedule it?")]
    rows = [
        _button(_("🚀 Send now"), _step(AnnounceStepKind.send, aid)),
        _button(_("🕒 Schedule"), _step(AnnounceStepKind.schedule, aid)),
        _button(_("◀️ Change audience"), _step(AnnounceStepKind.audience, aid)),
        _cancel_row(aid),
    ]
    return Screen("\n".join(lines), _markup(rows))


def audience_changed(count: int) -> str:
    return ngettext(
        "⚠️ The audience has changed since you looked: now {count} recipient. "
        "Please check and confirm again.",
        "⚠️ The audience has changed since you looked: now {count} recipients. "
        "Please check and confirm again.",
        count,
    ).format(count=number(count))


def zone_label(timestamp: float, timezone: str, place: str | None) -> str:
    """«Тюмень, МСК+2» or «Europe/Moscow, МСК»: the zone times are typed in."""
    offset = offset_words(moscow_offset_of(local(timestamp, timezone)), locale())
    return f"{escape(place or timezone)}, {offset}"


def ask_send_time(announcement_id: int, zone: str) -> Screen:
    text = _(
        "🕒 When should it go out? Send the date and time, for example <i>17.04 14:00</i> "
        "or <i>2027-04-17 14:00</i>.\n\nTime zone: {zone}."
    ).format(zone=zone)
    return Screen(text, _markup([_back_row(AnnounceStepKind.back, announcement_id)]))


def ask_not_after(announcement_id: int, send_at: str) -> Screen:
    text = _(
        "⏱ If the bot is not running at the set time, until when may the announcement still "
        "go out late? Send a date and time after {send_at}, in the same format."
    ).format(send_at=send_at)
    return Screen(text, _markup([_back_row(AnnounceStepKind.back, announcement_id)]))


def not_after_too_early(send_at: str) -> str:
    return _("The “not after” time must be later than the send time ({send_at}).").format(
        send_at=send_at
    )


def schedule_confirmation(
    announcement_id: int,
    *,
    send_at: str,
    not_after: str | None,
    description: str,
    count: int,
) -> Screen:
    lines = [
        _("🕒 <b>Scheduled sending</b>"),
        _("When: {moment}").format(moment=send_at),
        _("Audience: {audience}").format(audience=description),
        _("Recipients: <b>{count}</b>").format(count=number(count)),
        _("Not after: {moment}").format(moment=not_after or _("no limit")),
        "",
        _(
            "If the bot is not running at that moment, it sends the announcement as soon as it "
            "is back, unless the “not after” time has passed by then."
        ),
    ]
    rows = [_button(_("✅ Confirm"), _step(AnnounceStepKind.confirm, announcement_id))]
    if not_after is None:
        rows.append(
            _button(_("⏱ Set “not after”"), _step(AnnounceStepKind.not_after, announcement_id))
        )
    else:
        rows.append(
            _button(
                _("✖️ Remove “not after”"), _step(AnnounceStepKind.no_not_after, announcement_id)
            )
        )
    rows.append(_button(_("◀️ Change time"), _step(AnnounceStepKind.schedule, announcement_id)))
    rows.append(_cancel_row(announcement_id))
    return Screen("\n".join(lines), _markup(rows))


def scheduled_done(send_at: str, count: int) -> str:
    return ngettext(
        "✅ Scheduled for {moment}: {count} recipient.\n\n"
        "/scheduled lists scheduled announcements; each can be cancelled until it starts.",
        "✅ Scheduled for {moment}: {count} recipients.\n\n"
        "/scheduled lists scheduled announcements; each can be cancelled until it starts.",
        count,
    ).format(moment=send_at, count=number(count))


# -- progress and report ----------------------------------------------------------------------


def progress_line(progress: Progress) -> str:
    return _("Sent {sent} of {total} · not delivered {failed}").format(
        sent=number(progress.sent),
        total=number(progress.total),
        failed=number(progress.unreachable + progress.failed),
    )


def status(announcement_id: int, progress: Progress) -> Screen:
    text = _("📤 <b>Sending the announcement</b>") + "\n" + progress_line(progress)
    stop = AnnouncementControl(
        action=AnnouncementControlKind.stop, announcement_id=announcement_id
    ).pack()
    return Screen(text, _markup([_button(_("⏹ Stop"), stop)]))


def status_final(progress: Progress, stopped: bool) -> str:
    if stopped:
        title = _("⏹ <b>Sending stopped</b>")
    else:
        title = _("✅ <b>The announcement has been sent</b>")
    return title + "\n" + progress_line(progress)


def duration(seconds: float) -> str:
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    if minutes:
        return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=secs)
    return _("{seconds} s").format(seconds=secs)


def report(
    announcement: Announcement,
    progress: Progress,
    description: str,
    *,
    took: float,
    late_since: str | None,
    with_file: bool,
) -> str:
    """The organizer's report; short enough for a document caption."""
    lines = [
        _("📊 <b>Announcement report</b>"),
        _("Audience: {audience}").format(audience=description),
        _("Recipients: {count}").format(count=number(progress.total)),
        _("Sent: {count}").format(count=number(progress.sent)),
        _("Unreachable (blocked the bot): {count}").format(count=number(progress.unreachable)),
        _("Failed: {count}").format(count=number(progress.failed)),
        _("Cancelled before sending: {count}").format(count=number(progress.cancelled)),
        _("Duration: {duration}").format(duration=duration(took)),
    ]
    if announcement.stopped_at is not None:
        lines.append(_("⏹ Stopped by the organizer."))
    if late_since is not None:
        lines.append(
            _("⚠️ Sent late: it was due at {moment}, but the bot was not running then.").format(
                moment=late_since
            )
        )
    if with_file:
        lines.append(_("Why each message was not delivered is in the attached file."))
    text = "\n".join(lines)
    return text if len(text) <= CAPTION_LIMIT else text[:CAPTION_LIMIT]


def failures_csv(undelivered: list[Undelivered]) -> bytes:
    """One row per undelivered message; semicolons and a BOM so Excel in Russia opens it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("Telegram ID"), _("Result"), _("Reason"), _("Attempts")])
    states = {"unreachable": _("unreachable"), "failed": _("failed")}
    for row in undelivered:
        writer.writerow(
            [row.recipient_id, states.get(row.state, row.state), row.error or "", row.attempts]
        )
    return buffer.getvalue().encode("utf-8-sig")


def skipped_notice(send_at: str, not_after: str, description: str) -> str:
    return _(
        "⏭ The announcement scheduled for {moment} was not sent: the bot was not running at "
        "that time, and its “not after” time ({not_after}) has passed.\nAudience: {audience}."
    ).format(moment=send_at, not_after=not_after, audience=description)


def stop_toast(count: int) -> str:
    return ngettext(
        "Stopped: {count} message will not be sent.",
        "Stopped: {count} messages will not be sent.",
        count,
    ).format(count=number(count))


# -- /scheduled -------------------------------------------------------------------------------


def scheduled_list(items: list[tuple[Announcement, str, str]]) -> Screen:
    """Items: the announcement, its send time shown, and its audience described."""
    if not items:
        return Screen(_("No announcements are scheduled. /announce creates one."))
    lines = [_("🕒 <b>Scheduled announcements</b>"), ""]
    rows = []
    for index, (announcement, moment, description) in enumerate(items, start=1):
        line = ngettext(
            "{index}. {moment} — {audience}, {count} recipient",
            "{index}. {moment} — {audience}, {count} recipients",
            announcement.total,
        ).format(index=index, moment=moment, audience=description, count=number(announcement.total))
        lines.append(line)
        data = AnnouncementControl(
            action=AnnouncementControlKind.ask_drop, announcement_id=announcement.id
        ).pack()
        rows.append(_button(_("✖️ Cancel #{index}").format(index=index), data))
    lines += ["", _("Each can be cancelled until it starts.")]
    return Screen("\n".join(lines), _markup(rows))


def drop_question(announcement: Announcement, moment: str, description: str) -> Screen:
    """Asked before a scheduled announcement is cancelled: the tap cannot be undone."""
    text = ngettext(
        "Cancel the announcement? It is scheduled for {moment} — {audience}, "
        "{count} recipient. Nothing will be sent.",
        "Cancel the announcement? It is scheduled for {moment} — {audience}, "
        "{count} recipients. Nothing will be sent.",
        announcement.total,
    ).format(moment=moment, audience=description, count=number(announcement.total))

    def control(action: AnnouncementControlKind) -> str:
        return AnnouncementControl(action=action, announcement_id=announcement.id).pack()

    rows = [
        _button(_("Yes, cancel it"), control(AnnouncementControlKind.drop)),
        _button(_("No, keep it"), control(AnnouncementControlKind.keep)),
    ]
    return Screen(text, _markup(rows))


def scheduled_cancelled() -> str:
    return _("The scheduled announcement is cancelled; nothing was sent.")


# -- the publish hook -------------------------------------------------------------------------


def publish_offer(event: Event, count: int) -> Screen:
    text = ngettext(
        "📣 Tell subscribers about it? {count} person subscribed to announcements {where} "
        "(or to all regions) would get it, with a registration link. You will see a preview "
        "first.",
        "📣 Tell subscribers about it? {count} people subscribed to announcements {where} "
        "(or to all regions) would get it, with a registration link. You will see a preview "
        "first.",
        count,
    ).format(count=number(count), where=_event_where(event))
    button = ngettext(
        "📣 Announce to {count} subscriber", "📣 Announce to {count} subscribers", count
    ).format(count=number(count))
    return Screen(text, _markup([_button(button, AnnounceEvent(event_id=event.id).pack())]))


def no_subscribers(event: Event) -> Screen:
    """Said after publishing when nobody would hear of the event: never silently nothing."""
    text = _(
        "Nobody is subscribed to announcements {where} yet (nor to all regions), so there is "
        "no one to tell about it. Members subscribe with /subscribe."
    ).format(where=_event_where(event))
    return Screen(text, None)


def _event_where(event: Event) -> str:
    """Whose subscribers hear of the event: its town's and its region's (escaped)."""
    return escape(audience_where(event.region_code or event.city, town_key(event)))


def event_announcement(event: Event, now: float, register_url: str) -> str:
    """The message a publish announcement copies: what, when, where, and the link."""
    head = f"📣 <b>{kind_name(event.kind)}: {escape(event.title)}</b>"
    lines = [head, "", "🗓 " + when(event, now)]
    place = ", ".join(part for part in (event.venue, event.address) if part)
    if place:
        lines.append("📍 " + escape(place))
    if event.description:
        lines += ["", escaped_within(event.description, DESCRIPTION_BUDGET)]
    lines += [
        "",
        _("📝 Registration: {link}").format(link=escape(register_url)),
    ]
    return "\n".join(lines)


def event_unavailable() -> str:
    return _("This event cannot be announced: it is not published or has already started.")


# -- subscriptions ----------------------------------------------------------------------------


def unsubscribed() -> str:
    return _(
        "You have unsubscribed from announcements. Messages about your own registrations will "
        "still come. /subscribe changes this."
    )


def not_subscribed() -> str:
    return _("You are not subscribed to announcements. /subscribe to subscribe.")


def resubscribe_markup(kept: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    """The copy's buttons after unsubscribing: its links stay, «Unsubscribe» turns around."""
    rows = [
        *kept,
        [InlineKeyboardButton(text=_("🔔 Subscribe again"), callback_data=Resubscribe().pack())],
    ]
    return _markup(rows)


def scheduled_moment(announcement: Announcement, now: float, place: str | None) -> str:
    assert announcement.send_at is not None
    return moment_in(announcement.send_at, announcement.timezone, now, place)
