"""The event editor's messages: a prompt per step, the reasons for refusals, the preview."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import DraftAction, DraftActionKind, EditEventField
from bot.i18n import _
from bot.services import event_editor as editor
from bot.services import moments
from bot.services.catalog import EventView
from bot.services.event_editor import Choice, EventDraft
from bot.services.moments import CITY_ZONES, RUSSIAN_ZONES
from bot.views import Screen
from bot.views.events import event_card
from bot.views.text import KIND_NAMES, kind_name, moment_in, shorten, utc_offset
from db.events import EventKind
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
        Choice.companions_yes: _("Yes, with a companion"),
        Choice.companions_no: _("No, alone only"),
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


def zone_label(zone: str, at: datetime) -> str:
    return f"{utc_offset(at.astimezone(ZoneInfo(zone)))} · {zone}"


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
            return escape(draft.city or "—")
        case "timezone":
            if draft.timezone is None:
                return "—"
            return escape(zone_label(draft.timezone, datetime.fromtimestamp(now, UTC)))
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
        case "city":
            return _(
                "In which city? Choose one below or type its name: the city sets the time zone "
                "of every time you enter."
            )
        case "timezone":
            return _(
                "I don't know the time zone of {city}. Choose it below, or type an IANA zone "
                "such as <i>Asia/Omsk</i>, or an offset such as <i>UTC+6</i>."
            ).format(city=escape(draft.city or ""))
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
                "When does it start? Local time in {city}, e.g. <i>17.04 14:00</i>, "
                "<i>17.04.2027 14:00</i> or <i>2027-04-17 14:00</i>."
            ).format(city=escape(draft.city or ""))
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
            return _(
                "Type the options, one per line (from 2 to {limit}), e.g.:\n"
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
        case "description" | "organizer":
            rows.append([labels[Choice.skip]])
        case "city":
            names = [name for name, _zone in CITY_ZONES]
            rows += [names[index : index + 3] for index in range(0, len(names), 3)]
        case "timezone":
            at = datetime.fromtimestamp(now, UTC)
            zones = [zone_label(zone, at) for zone in RUSSIAN_ZONES]
            rows += [zones[index : index + 2] for index in range(0, len(zones), 2)]
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
    if editor.has_value(draft, step) and step not in ("questions",):
        rows.insert(0, [labels[Choice.keep]])
    rows.append([back_label()])
    return _keyboard(rows, location=location)


def prompt(draft: EventDraft, now: float, defaults: tuple[int, ...]) -> Screen:
    step = draft.step
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
        "city": _("City"),
        "timezone": _("Time zone"),
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
    ]
    if draft.latitude is not None:
        facts.append(fact("location"))
    builder = InlineKeyboardBuilder()
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
    builder = InlineKeyboardBuilder()
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
