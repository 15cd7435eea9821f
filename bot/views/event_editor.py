"""The event editor's messages: a prompt per step, the reasons for refusals, the preview."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.callbacks import DraftAction, DraftActionKind, EditEventField
from bot.i18n import _
from bot.services import event_editor as editor
from bot.services import geography, moments, places
from bot.services.catalog import EventView
from bot.services.event_editor import Choice, EventDraft
from bot.views import Buttons, Screen
from bot.views.events import event_card
from bot.views.moments import moment_text
from bot.views.online import format_name
from bot.views.text import KIND_NAMES, kind_name, locale, moment_in, shorten
from db.events import EventFormat, EventKind
from db.registrations import Seats

CURRENT_VALUE_LIMIT = 300


# -- button labels ----------------------------------------------------------------------------


def back_label() -> str:
    return _("⬅️ Back")


def hours_text(offsets: list[int] | tuple[int, ...]) -> str:
    return ", ".join(_("{hours} h").format(hours=hours) for hours in offsets)


def choice_labels(default_offsets: tuple[int, ...]) -> dict[Choice, str]:
    return {
        Choice.skip: _("⏭ Skip"),
        Choice.keep: _("✔️ Keep as it is"),
        Choice.no_limit: _("♾ No limit"),
        Choice.same_as_start: _("⏱ Until the start"),
        Choice.default_reminders: _("🔔 As usual: {hours} before").format(
            hours=hours_text(default_offsets)
        ),
        Choice.no_reminders: _("🔕 No reminders"),
        Choice.add_question: _("➕ Add a question"),
        Choice.remove_question: _("🗑 Remove the last question"),
        Choice.done: _("✅ Done"),
        Choice.free_text: _("✍️ Free answer"),
        Choice.options: _("🔘 Choice of options"),
        Choice.confirm: _("Yes, correct"),
        Choice.retype: _("No, type it again"),
        Choice.companions_yes: _("Yes, with a companion"),
        Choice.companions_no: _("No, alone only"),
        Choice.colleagues_yes: _("Yes, colleagues may be registered"),
        Choice.colleagues_no: _("No, each person for themselves"),
    }


def choice_of(text: str | None, default_offsets: tuple[int, ...]) -> Choice | None:
    """Which button was pressed (its label comes back as text), if any."""
    if text is None:
        return None
    wanted = text.strip()
    for choice, label in choice_labels(default_offsets).items():
        if label == wanted:
            return choice
    return None


def kind_of(text: str | None) -> EventKind | None:
    """A kind from its button, or typed by name in either language."""
    if text is None:
        return None
    wanted = " ".join(text.split()).casefold()
    for kind, source in KIND_NAMES.items():
        if wanted in (_(source).casefold(), source.casefold(), kind.value):
            return kind
    return None


def format_labels() -> dict[EventFormat, str]:
    return {event_format: format_name(event_format) for event_format in EventFormat}


def format_of(text: str | None) -> EventFormat | None:
    """A format from its button, or typed by name in either language."""
    if text is None:
        return None
    wanted = " ".join(text.split()).casefold()
    for event_format, label in format_labels().items():
        if wanted in (label.casefold(), event_format.value):
            return event_format
    return None


def zone_label(draft: EventDraft, at: datetime) -> str:
    """«Тюмень · МСК+2»: the zone as its button reads."""
    assert draft.timezone is not None
    for zone, label in geography.zone_options(draft.region_code, at, locale()):
        if zone == draft.timezone:
            return label
    return places.msk_offset(draft.timezone, at, locale())


def place_name(draft: EventDraft) -> str:
    """The draft's place in the organizer's language: «Omsk» for «Омск»."""
    if draft.settlement_id is not None:
        return places.settlement(draft.settlement_id).name(locale())
    if draft.region_code is not None:
        area = places.region(draft.region_code)
        if draft.city == area.name_ru:
            return area.name(locale())
    return draft.city or ""


def place_where(draft: EventDraft) -> str:
    """«в Омске», "in Omsk": the draft's place after «in»."""
    if locale() == "en" or draft.region_code is None:
        return _("in {place}").format(place=place_name(draft))
    if draft.settlement_id is not None:
        return places.settlement(draft.settlement_id).in_ru
    area = places.region(draft.region_code)
    return area.in_ru if draft.city == area.name_ru else places.in_place(draft.city or "")


def _pending_moment(draft: EventDraft, now: float) -> str:
    """The date just read, in full, to be confirmed: «суббота, 17 апреля 2027, 14:00 …»."""
    assert draft.pending_local is not None
    zone = draft.timezone or "Europe/Moscow"
    start = moments.from_local(draft.pending_local, zone)
    end = None
    if draft.pending_end_local is not None:
        end = moments.from_local(draft.pending_end_local, zone)
    elif draft.step == "end" and draft.starts_local is not None:
        # The end is read back with its start: «14:00–17:00» says more than «17:00».
        start, end = moments.from_local(draft.starts_local, zone), start
    return moment_text(start, end, now=datetime.fromtimestamp(now, UTC))


def location_label() -> str:
    return _("📍 I am at the venue: send my location")


# -- prompts ------------------------------------------------------------------------------------


def _keyboard(rows: list[list[str]], location: bool = False) -> ReplyKeyboardMarkup:
    keyboard = [[KeyboardButton(text=label) for label in row] for row in rows if row]
    if location:
        keyboard.insert(0, [KeyboardButton(text=location_label(), request_location=True)])
    return ReplyKeyboardMarkup(keyboard=keyboard, resize_keyboard=True, is_persistent=True)


def _moment(local: str | None, zone: str | None, now: float, city: str | None) -> str:
    if local is None or zone is None:
        return "—"
    return moment_in(moments.from_local(local, zone).timestamp(), zone, now, city)


def current_value(draft: EventDraft, step: str, now: float, defaults: tuple[int, ...]) -> str:
    """The step's present answer, escaped, for «Now: …» and the preview's field list."""
    match step:
        case "title":
            return escape(draft.title or "—")
        case "kind":
            return kind_name(draft.kind) if draft.kind else "—"
        case "description":
            return escape(shorten(draft.description, CURRENT_VALUE_LIMIT)) or _("(none)")
        case "organizer":
            return escape(draft.organizer_name) or _("(not shown)")
        case "city":
            return escape(place_name(draft) or "—")
        case "timezone":
            if draft.timezone is None:
                return "—"
            return escape(zone_label(draft, datetime.fromtimestamp(now, UTC)))
        case "format":
            return format_labels()[editor.format_of(draft)]
        case "join_url":
            return escape(draft.join_url or "—")
        case "venue":
            return escape(draft.venue or "—")
        case "address":
            return escape(draft.address or "—")
        case "location":
            if draft.latitude is None or draft.longitude is None:
                return _("(no pin)")
            return f"{draft.latitude:.5f}, {draft.longitude:.5f}"
        case "start":
            return _moment(draft.starts_local, draft.timezone, now, draft.city)
        case "end":
            return _moment(draft.ends_local, draft.timezone, now, draft.city)
        case "capacity":
            return _("no limit") if draft.capacity is None else str(draft.capacity)
        case "deadline":
            if draft.deadline_local is None:
                return _("until the start")
            return _moment(draft.deadline_local, draft.timezone, now, draft.city)
        case "questions":
            return questions_list(draft) or _("(no questions)")
        case "reminders":
            if draft.reminder_offsets is None:
                return _("as usual: {hours} before").format(hours=hours_text(defaults))
            if not draft.reminder_offsets:
                return _("no reminders")
            return _("{hours} before").format(hours=hours_text(draft.reminder_offsets))
        case "companions":
            return _("allowed") if draft.companions_allowed else _("not allowed")
        case "colleagues":
            return _("allowed") if draft.colleagues_allowed else _("not allowed")
        case "contact":
            return escape(draft.organizer_contact or "—")
    return "—"


def questions_list(draft: EventDraft) -> str:
    lines = []
    for number, question in enumerate(draft.questions, start=1):
        line = f"{number}. {escape(question.text)}"
        if question.options:
            line += " — " + escape(" / ".join(question.options))
        else:
            line += " — " + _("free answer")
        lines.append(line)
    return "\n".join(lines)


def step_question(step: str, draft: EventDraft) -> str:
    """What the step asks, with an example in the organizers' world."""
    match step:
        case "title":
            return _(
                "What is the event called? E.g. <i>Роль СО НКО в реализации национальных "
                "проектов</i>."
            )
        case "kind":
            return _("What kind of event is it?")
        case "description":
            return _(
                "Describe the event for members: the goal, the programme, who is invited. "
                "Several paragraphs are fine. Or press «Skip»."
            )
        case "organizer":
            return _(
                "Which organization holds it? It is shown on the card, e.g. <i>Альянс СО НКО "
                "Тюменской области</i>. Or press «Skip»."
            )
        case "contact":
            return _(
                "How can people reach {organizer}: a phone, an e-mail or a postal address? "
                "The consent to personal data processing names the organizer and this contact, "
                "e.g. <i>+7 3452 12-34-56, info@alliance72.ru</i>. Or press «Skip»."
            ).format(organizer=escape(draft.organizer_name))
        case "city":
            return _(
                "In which city? Choose one below or type a town or a region in Russian or "
                "English, e.g. <i>Ишим</i> or <i>Tyumen Oblast</i>: the place sets the time zone "
                "of every time you enter."
            )
        case "timezone":
            return _("{place} spans several time zones. Which one is the event in?").format(
                place=escape(place_name(draft))
            )
        case "format":
            return _(
                "How will people take part: in person at a venue, online, or both? "
                "For an online event I will not ask for a venue."
            )
        case "join_url":
            return _(
                "The link to join online, e.g. <i>https://meet.example.org/round-table</i>. "
                "Only people with a confirmed registration receive it: in the confirmation, "
                "the reminders and /my. It is never shown on the card."
            )
        case "venue":
            return _("The venue, e.g. <i>«Точка кипения»</i>.")
        case "address":
            return _("The address, e.g. <i>ул. Республики 142, 2 этаж</i>.")
        case "location":
            return _(
                "Send the venue's pin so members can open the map: 📎 → Location, move the map "
                "to the venue and send it. Or press «Skip»."
            )
        case "start":
            return _(
                "When does it start? Local time {where}, e.g. <i>17 December 14:00</i>, "
                "<i>tomorrow at 14</i>, <i>on Friday 10:00</i> or <i>17.04 14:00</i>. "
                "With the end: <i>17.04 14:00–17:00</i>."
            ).format(where=escape(place_where(draft)))
        case "end":
            return _(
                "When does it end? A time on the same day, e.g. <i>17:00</i>, "
                "or a date and time for a longer event."
            )
        case "capacity":
            return _("How many seats are there? A number, or «No limit».")
        case "deadline":
            return _(
                "Until when is registration open? A date and time, e.g. <i>16.04 18:00</i>, "
                "or «Until the start»."
            )
        case "questions":
            return _(
                "Questions to ask people who register, besides their name and contacts "
                "(e.g. <i>Which topic is closest to you?</i>). Type a question, press «Add a "
                "question», or «Done» when there are none (more)."
            )
        case "question_text":
            return _("Type the question.")
        case "question_kind":
            pending = draft.pending_question
            text = escape(pending.text) if pending else ""
            return _("«{question}»: a free answer, or a choice of options?").format(question=text)
        case "question_options":
            pending = draft.pending_question
            if pending is not None and pending.options:
                return _("Options so far: {options}. Send the next one, or press «Done».").format(
                    options=escape(" / ".join(pending.options))
                )
            return _(
                "Type the options (from 2 to {limit}): one per message, then press «Done», "
                "or all at once, one per line, e.g.:\n"
                "<i>Образование\nЗдравоохранение\nДемография</i>"
            ).format(limit=editor.MAX_OPTIONS)
        case "reminders":
            return _(
                "Reminders to registered people: as usual, none, or type hours before the "
                "start, e.g. <i>48, 24, 2</i>."
            )
        case "companions":
            return _(
                "May a member come with a companion (for example, a guide of a blind "
                "participant)? The companion takes a seat of their own."
            )
        case "colleagues":
            return _(
                "May a member register a colleague who is not on Telegram, by name and phone? "
                "The colleague takes a seat of their own; the ticket goes to the member who "
                "registered them."
            )
    return ""


def step_keyboard(
    step: str, draft: EventDraft, now: float, defaults: tuple[int, ...]
) -> ReplyKeyboardMarkup:
    labels = choice_labels(defaults)
    rows: list[list[str]] = []
    location = False
    match step:
        case "kind":
            kinds = [kind_name(kind) for kind in EventKind]
            rows += [kinds[index : index + 2] for index in range(0, len(kinds), 2)]
        case "description" | "organizer" | "contact":
            rows.append([labels[Choice.skip]])
        case "format":
            rows.append(list(format_labels().values()))
        case "city":
            names = [place.name(locale()) for place in geography.popular()]
            rows += [names[index : index + 3] for index in range(0, len(names), 3)]
        case "timezone":
            at = datetime.fromtimestamp(now, UTC)
            options = geography.zone_options(draft.region_code, at, locale())
            zones = [label for _zone, label in options]
            rows += [zones[index : index + 2] for index in range(0, len(zones), 2)]
        case "question_options":
            rows.append([labels[Choice.done]])
        case "location":
            location = True
            rows.append([labels[Choice.skip]])
        case "capacity":
            rows.append([labels[Choice.no_limit]])
        case "deadline":
            rows.append([labels[Choice.same_as_start]])
        case "questions":
            row = [labels[Choice.add_question]]
            if draft.questions:
                row.append(labels[Choice.remove_question])
            rows += [row, [labels[Choice.done]]]
        case "question_kind":
            rows.append([labels[Choice.free_text], labels[Choice.options]])
        case "reminders":
            rows += [[labels[Choice.default_reminders]], [labels[Choice.no_reminders]]]
        case "companions":
            rows += [[labels[Choice.companions_yes]], [labels[Choice.companions_no]]]
        case "colleagues":
            rows += [[labels[Choice.colleagues_yes]], [labels[Choice.colleagues_no]]]
    if editor.has_value(draft, step) and step not in ("questions",):
        rows.insert(0, [labels[Choice.keep]])
    rows.append([back_label()])
    return _keyboard(rows, location=location)


def confirm_date(draft: EventDraft, now: float, defaults: tuple[int, ...]) -> Screen:
    """The date as read, echoed back before it is stored."""
    labels = choice_labels(defaults)
    text = _("{moment} — correct?").format(moment=_pending_moment(draft, now))
    rows = [[labels[Choice.confirm], labels[Choice.retype]], [back_label()]]
    return Screen(text, _keyboard(rows))


def prompt(draft: EventDraft, now: float, defaults: tuple[int, ...]) -> Screen:
    step = draft.step
    if draft.pending_local is not None and step in ("start", "end", "deadline"):
        return confirm_date(draft, now, defaults)
    lines = []
    if draft.event_id is None and not draft.editing and step in editor.STEPS:
        position = editor.numbered_steps(draft)
        if step in position:
            lines.append(
                "<i>"
                + _("New event · step {number} of {total}").format(
                    number=position.index(step) + 1, total=len(position)
                )
                + "</i>"
            )
    lines.append(step_question(step, draft))
    if editor.has_value(draft, step) or step == "questions":
        value = current_value(draft, step, now, defaults)
        lines += ["", _("Now: {value}").format(value=value)]
    lines += ["", _("«Back» returns to the previous step, /cancel leaves without saving.")]
    return Screen("\n".join(lines), step_keyboard(step, draft, now, defaults))


# -- the preview --------------------------------------------------------------------------------


def field_name(step: str) -> str:
    names = {
        "title": _("Title"),
        "kind": _("Kind"),
        "description": _("Description"),
        "organizer": _("Organizer"),
        "contact": _("Organizer's contact"),
        "city": _("City"),
        "timezone": _("Time zone"),
        "format": _("Format"),
        "join_url": _("Link to join"),
        "venue": _("Venue"),
        "address": _("Address"),
        "location": _("Map pin"),
        "start": _("Date and time"),
        "end": _("End"),
        "capacity": _("Seats"),
        "deadline": _("Registration deadline"),
        "questions": _("Questions"),
        "reminders": _("Reminders"),
        "companions": _("Companions"),
        "colleagues": _("Colleagues"),
    }
    return names.get(step, step)


def preview(draft: EventDraft, now: float, defaults: tuple[int, ...]) -> list[Screen]:
    """Two messages: what the card does not show, then the very card members will see."""
    event = editor.preview_event(draft, now)
    view = EventView(
        event=event,
        seats=Seats(capacity=event.capacity, confirmed=0, waitlisted=0),
        registration=None,
        position=None,
        refusal=None,
    )
    card = event_card(view, now)

    def fact(step: str) -> str:
        return f"<b>{field_name(step)}:</b> {current_value(draft, step, now, defaults)}"

    facts = [
        "<b>" + _("Preview") + "</b>",
        _("This is how members will see the card. Not on the card:"),
        "",
        fact("questions"),
        fact("reminders"),
        fact("companions"),
        fact("colleagues"),
    ]
    if draft.organizer_name:
        facts.append(fact("contact"))
    if draft.join_url and editor.asked_for_format(draft, "join_url"):
        facts.append(fact("join_url"))
    if draft.latitude is not None:
        facts.append(fact("location"))
    builder = Buttons()
    builder.button(text=_("📣 Publish"), callback_data=DraftAction(action=DraftActionKind.publish))
    builder.button(
        text=_("💾 Save as a draft"), callback_data=DraftAction(action=DraftActionKind.save)
    )
    builder.button(text=_("✏️ Edit a field"), callback_data=DraftAction(action=DraftActionKind.edit))
    builder.button(text=_("✖️ Discard"), callback_data=DraftAction(action=DraftActionKind.cancel))
    builder.adjust(2, 1, 1)
    return [Screen("\n".join(facts)), Screen(card.text, builder.as_markup())]


def edit_menu(event_id: int) -> InlineKeyboardMarkup:
    """A button per field; `event_id` 0 edits the new event's draft."""
    builder = Buttons()
    for step in editor.EDITABLE:
        builder.button(
            text=field_name(step), callback_data=EditEventField(field=step, event_id=event_id)
        )
    if event_id == 0:
        builder.button(
            text=_("⬅️ Back to the preview"),
            callback_data=DraftAction(action=DraftActionKind.preview),
        )
    builder.adjust(2)
    return builder.as_markup()


def edit_menu_text() -> str:
    return _("What would you like to change?")


def first_step() -> str:
    return _("This is the first step. /cancel leaves without saving.")


def discarded() -> str:
    return _("The new event is discarded, nothing was saved.")


def not_in_dialog() -> str:
    return _("This preview is no longer active. /new_event starts a new event.")


def stale_draft() -> str:
    return _(
        "The start (or the registration deadline) has passed while the draft was open. "
        "Please change the date before publishing."
    )
