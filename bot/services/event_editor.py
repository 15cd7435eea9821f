"""The event editor as a pure step machine: the draft, its steps and the rules for each field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from bot.services.moments import (
    city_zone,
    from_local,
    local_text,
    parse_end,
    parse_future,
    parse_zone,
    to_local,
)
from bot.services.problems import InvalidInput, Problem
from bot.services.validation import clean_line, clean_text
from db.events import Event, EventKind, EventStatus, NewEvent, Question

TITLE_LIMIT = 150
DESCRIPTION_LIMIT = 3000
ORGANIZER_LIMIT = 200
CITY_LIMIT = 60
VENUE_LIMIT = 200
ADDRESS_LIMIT = 300
QUESTION_LIMIT = 200
OPTION_LIMIT = 60
MAX_QUESTIONS = 10
MAX_OPTIONS = 10
MAX_CAPACITY = 100_000
MAX_REMINDERS = 5
MAX_REMINDER_HOURS = 24 * 30
PREVIEW = "preview"
STEPS: tuple[str, ...] = (
    "title",
    "kind",
    "description",
    "organizer",
    "city",
    "timezone",
    "venue",
    "address",
    "location",
    "start",
    "end",
    "capacity",
    "deadline",
    "questions",
    "reminders",
)
QUESTION_STEPS: tuple[str, ...] = ("question_text", "question_kind", "question_options")
# Fields an organizer can pick in the edit menu (each is the step that asks it).
# «companions» is asked only from the edit menu: the creation dialog stays as short as it was.
EDITABLE: tuple[str, ...] = (*(step for step in STEPS if step != "end"), "companions")


class Choice(StrEnum):
    """What a button of the dialog means, whatever the language of its label."""

    skip = "skip"
    keep = "keep"
    no_limit = "no_limit"
    same_as_start = "same_as_start"
    default_reminders = "default_reminders"
    no_reminders = "no_reminders"
    add_question = "add_question"
    remove_question = "remove_question"
    done = "done"
    free_text = "free_text"
    options = "options"
    companions_yes = "companions_yes"
    companions_no = "companions_no"


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer of the organizer: typed text, a pin, a button's meaning, or a kind."""

    text: str | None = None
    location: tuple[float, float] | None = None
    choice: Choice | None = None
    kind: EventKind | None = None


class QuestionDraft(BaseModel):
    key: str
    text: str
    options: list[str] = Field(default_factory=list)
    required: bool = True


class EventDraft(BaseModel):
    """The dialog's data in the FSM storage; local times are kept as typed, in `timezone`."""

    event_id: int | None = None  # set when an existing event is being edited
    step: str = STEPS[0]
    editing: bool = False  # one field changes, then back to the preview (or saved)
    title: str | None = None
    kind: EventKind | None = None
    description: str = ""
    organizer_name: str = ""
    city: str | None = None
    timezone: str | None = None
    venue: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    starts_local: str | None = None
    ends_local: str | None = None
    capacity: int | None = None
    deadline_local: str | None = None  # None: registration is open until the start
    questions: list[QuestionDraft] = Field(default_factory=list)
    pending_question: QuestionDraft | None = None
    reminder_offsets: list[int] | None = None  # None: the settings' default plan
    companions_allowed: bool = False  # members may bring one companion each


# -- small parsers --------------------------------------------------------------------------


def parse_capacity(text: str) -> int:
    digits = re.sub(r"[\s\u00a0]", "", text)
    if not digits.isdigit():
        raise InvalidInput(Problem.capacity_format)
    value = int(digits)
    if not 1 <= value <= MAX_CAPACITY:
        raise InvalidInput(Problem.capacity_range, limit=MAX_CAPACITY)
    return value


def parse_reminders(text: str) -> list[int]:
    """Hours before the start: «48, 24, 2» or «24ч 2ч»."""
    parts = [part for part in re.split(r"[,;\s]+", text.strip()) if part]
    hours: set[int] = set()
    for part in parts:
        number = re.fullmatch(r"(\d{1,4})\s*(?:ч|час|часа|часов|h|hours?)?\.?", part, re.I)
        if number is None:
            raise InvalidInput(Problem.reminders_format)
        hours.add(int(number.group(1)))
    if not hours:
        raise InvalidInput(Problem.reminders_format)
    if any(not 1 <= value <= MAX_REMINDER_HOURS for value in hours) or len(hours) > MAX_REMINDERS:
        raise InvalidInput(Problem.reminders_range, limit=MAX_REMINDER_HOURS, count=MAX_REMINDERS)
    return sorted(hours, reverse=True)


def parse_options(text: str) -> list[str]:
    """Answer options of a choice question: one per line (or separated by «;»)."""
    raw = re.split(r"\n|;", text)
    options: list[str] = []
    for item in raw:
        cleaned = " ".join(item.split()).strip(" -•·")
        if not cleaned:
            continue
        if len(cleaned) > OPTION_LIMIT:
            raise InvalidInput(Problem.option_too_long, limit=OPTION_LIMIT)
        if cleaned.casefold() not in {option.casefold() for option in options}:
            options.append(cleaned)
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise InvalidInput(Problem.options_count, limit=MAX_OPTIONS)
    return options


# -- local times of the draft ----------------------------------------------------------------


def start_of(draft: EventDraft) -> datetime | None:
    if draft.starts_local is None or draft.timezone is None:
        return None
    return from_local(draft.starts_local, draft.timezone)


def end_of(draft: EventDraft) -> datetime | None:
    if draft.ends_local is None or draft.timezone is None:
        return None
    return from_local(draft.ends_local, draft.timezone)


def deadline_of(draft: EventDraft) -> datetime | None:
    if draft.deadline_local is None or draft.timezone is None:
        return None
    return from_local(draft.deadline_local, draft.timezone)


# -- the step machine -------------------------------------------------------------------------


def needs_zone(draft: EventDraft) -> bool:
    """The zone step is asked only for a city that is not in the list."""
    return draft.city is None or city_zone(draft.city) is None


def _order(draft: EventDraft) -> list[str]:
    return [step for step in STEPS if step != "timezone" or needs_zone(draft)]


def numbered_steps(draft: EventDraft) -> list[str]:
    """The steps as counted for «step N of M»: the zone only once a city needs it."""
    unknown_city = draft.city is not None and city_zone(draft.city) is None
    return [step for step in STEPS if step != "timezone" or unknown_city]


def next_step(draft: EventDraft, step: str) -> str:
    """Where the dialog goes once `step` is answered."""
    if step == "question_text":
        return "question_kind"
    if step in ("question_kind", "question_options"):
        return "questions"
    if draft.editing:
        # Linked fields: a new city may need its zone, a new start needs its end.
        if step == "city" and needs_zone(draft):
            return "timezone"
        if step == "start":
            return "end"
        return PREVIEW
    order = _order(draft)
    index = order.index(step) if step in order else len(order) - 1
    return order[index + 1] if index + 1 < len(order) else PREVIEW


def previous_step(draft: EventDraft, step: str) -> str | None:
    """Where «Back» goes from `step`; None at the first step (or back to the preview)."""
    if step == "question_text":
        return "questions"
    if step == "question_kind":
        return "question_text"
    if step == "question_options":
        return "question_kind"
    if draft.editing:
        if step == "end":
            return "start"
        if step == "timezone":
            return "city"
        return None
    order = _order(draft)
    if step not in order:
        return None
    index = order.index(step)
    return order[index - 1] if index > 0 else None


def has_value(draft: EventDraft, step: str) -> bool:
    """Whether «Keep» makes sense: the step already has an answer."""
    values: dict[str, Any] = {
        "title": draft.title,
        "kind": draft.kind,
        "description": draft.description or None,
        "organizer": draft.organizer_name or None,
        "city": draft.city,
        "timezone": draft.timezone,
        "venue": draft.venue or None,
        "address": draft.address or None,
        "location": draft.latitude,
        "start": draft.starts_local,
        "end": draft.ends_local,
        "capacity": draft.capacity,
        "deadline": draft.deadline_local,
        "reminders": draft.reminder_offsets,
        "companions": draft.companions_allowed,
    }
    return values.get(step) is not None


def _new_question_key(draft: EventDraft) -> str:
    taken = {question.key for question in draft.questions}
    number = len(draft.questions) + 1
    while f"q{number}" in taken:
        number += 1
    return f"q{number}"


def _shift_with_start(draft: EventDraft, new_start: datetime) -> dict[str, Any]:
    """A moved start keeps the event's length and the deadline's distance from the start."""
    update: dict[str, Any] = {"starts_local": local_text(new_start)}
    old_start = start_of(draft)
    if old_start is None:
        return update
    delta = new_start - old_start
    end = end_of(draft)
    if end is not None:
        update["ends_local"] = local_text(end + delta)
    deadline = deadline_of(draft)
    if deadline is not None:
        update["deadline_local"] = local_text(deadline + delta)
    return update


def accept(draft: EventDraft, reply: Reply, now: float) -> EventDraft:
    """The draft with its current step answered; raises InvalidInput with the reason.

    The step does not move here: `next_step` decides where to go, so the same answer works in
    the creation dialog and when one field is edited.
    """
    step = draft.step
    if reply.choice == Choice.keep:
        if not has_value(draft, step):
            raise InvalidInput(Problem.nothing_to_keep)
        return draft
    text = reply.text
    zone = draft.timezone or "Europe/Moscow"
    match step:
        case "title":
            return draft.model_copy(update={"title": clean_line(text, TITLE_LIMIT)})
        case "kind":
            if reply.kind is None:
                raise InvalidInput(Problem.kind_unknown)
            return draft.model_copy(update={"kind": reply.kind})
        case "description":
            if reply.choice == Choice.skip:
                return draft.model_copy(update={"description": ""})
            return draft.model_copy(update={"description": clean_text(text, DESCRIPTION_LIMIT)})
        case "organizer":
            if reply.choice == Choice.skip:
                return draft.model_copy(update={"organizer_name": ""})
            return draft.model_copy(update={"organizer_name": clean_line(text, ORGANIZER_LIMIT)})
        case "city":
            city = clean_line(text, CITY_LIMIT)
            known = city_zone(city)
            if known is not None:
                return draft.model_copy(update={"city": known[0], "timezone": known[1]})
            # An unknown city keeps no zone: the next step asks for it.
            return draft.model_copy(update={"city": city, "timezone": None})
        case "timezone":
            at = datetime.fromtimestamp(now, UTC)
            return draft.model_copy(update={"timezone": parse_zone(clean_line(text, 80), at)})
        case "venue":
            return draft.model_copy(update={"venue": clean_line(text, VENUE_LIMIT)})
        case "address":
            return draft.model_copy(update={"address": clean_line(text, ADDRESS_LIMIT)})
        case "location":
            if reply.choice == Choice.skip:
                return draft.model_copy(update={"latitude": None, "longitude": None})
            if reply.location is None:
                raise InvalidInput(Problem.location_expected)
            latitude, longitude = reply.location
            return draft.model_copy(update={"latitude": latitude, "longitude": longitude})
        case "start":
            new_start = parse_future(clean_line(text, 40), zone, now)
            return draft.model_copy(update=_shift_with_start(draft, new_start))
        case "end":
            began = start_of(draft)
            assert began is not None, "the end is asked after the start"
            end = parse_end(clean_line(text, 40), began, zone)
            return draft.model_copy(update={"ends_local": local_text(end)})
        case "capacity":
            if reply.choice == Choice.no_limit:
                return draft.model_copy(update={"capacity": None})
            return draft.model_copy(update={"capacity": parse_capacity(clean_line(text, 20))})
        case "deadline":
            if reply.choice == Choice.same_as_start:
                return draft.model_copy(update={"deadline_local": None})
            deadline = parse_future(clean_line(text, 40), zone, now)
            starts = start_of(draft)
            if starts is not None and deadline > starts:
                raise InvalidInput(Problem.deadline_after_start, start=starts)
            return draft.model_copy(update={"deadline_local": local_text(deadline)})
        case "questions":
            return _accept_questions(draft, reply)
        case "companions":
            if reply.choice not in (Choice.companions_yes, Choice.companions_no):
                raise InvalidInput(Problem.choice)
            allowed = reply.choice == Choice.companions_yes
            return draft.model_copy(update={"companions_allowed": allowed})
        case "question_text":
            question = QuestionDraft(
                key=_new_question_key(draft), text=clean_line(text, QUESTION_LIMIT)
            )
            return draft.model_copy(update={"pending_question": question})
        case "question_kind":
            pending = draft.pending_question
            assert pending is not None, "the kind is asked after the text"
            if reply.choice == Choice.free_text:
                added = pending.model_copy(update={"required": False})
                return draft.model_copy(
                    update={"questions": [*draft.questions, added], "pending_question": None}
                )
            if reply.choice == Choice.options:
                return draft
            raise InvalidInput(Problem.not_text)
        case "question_options":
            pending = draft.pending_question
            assert pending is not None, "the options are asked after the text"
            if text is None:
                raise InvalidInput(Problem.not_text)
            added = pending.model_copy(update={"options": parse_options(text), "required": True})
            return draft.model_copy(
                update={"questions": [*draft.questions, added], "pending_question": None}
            )
        case "reminders":
            if reply.choice == Choice.default_reminders:
                return draft.model_copy(update={"reminder_offsets": None})
            if reply.choice == Choice.no_reminders:
                return draft.model_copy(update={"reminder_offsets": []})
            return draft.model_copy(
                update={"reminder_offsets": parse_reminders(clean_line(text, 60))}
            )
    raise ValueError(f"unknown step {step!r}")


def _accept_questions(draft: EventDraft, reply: Reply) -> EventDraft:
    """The questions menu: add (or type a question right away), remove the last, done."""
    if reply.choice == Choice.done:
        return draft
    if reply.choice == Choice.remove_question:
        if not draft.questions:
            raise InvalidInput(Problem.nothing_to_remove)
        return draft.model_copy(update={"questions": draft.questions[:-1]})
    if len(draft.questions) >= MAX_QUESTIONS:
        raise InvalidInput(Problem.too_many_questions, limit=MAX_QUESTIONS)
    if reply.choice == Choice.add_question:
        return draft
    # A question typed right at the menu saves a tap.
    question = QuestionDraft(
        key=_new_question_key(draft), text=clean_line(reply.text, QUESTION_LIMIT)
    )
    return draft.model_copy(update={"pending_question": question})


def step_after(before: EventDraft, after: EventDraft, reply: Reply) -> str:
    """The next step once `before.step` was answered into `after`."""
    step = before.step
    if step == "questions":
        if reply.choice == Choice.done:
            return next_step(after, "questions")
        if reply.choice == Choice.add_question:
            return "question_text"
        if reply.choice == Choice.remove_question:
            return "questions"
        return "question_kind"  # a question typed right at the menu
    if step == "question_kind" and reply.choice == Choice.options:
        return "question_options"
    return next_step(after, step)


# -- to and from the database ---------------------------------------------------------------


def is_complete(draft: EventDraft) -> bool:
    return (
        draft.title is not None
        and draft.kind is not None
        and draft.city is not None
        and draft.timezone is not None
        and draft.starts_local is not None
        and draft.ends_local is not None
    )


def _questions(draft: EventDraft) -> tuple[Question, ...]:
    return tuple(
        Question(key=q.key, text=q.text, options=tuple(q.options), required=q.required)
        for q in draft.questions
    )


def event_fields(draft: EventDraft) -> dict[str, Any]:
    """The draft as `NewEvent` keyword arguments (times in UTC)."""
    assert is_complete(draft), "only a finished draft becomes an event"
    assert draft.timezone is not None
    assert draft.starts_local is not None
    assert draft.ends_local is not None
    deadline = deadline_of(draft)
    return {
        "title": draft.title,
        "kind": draft.kind,
        "city": draft.city,
        "timezone": draft.timezone,
        "starts_at": from_local(draft.starts_local, draft.timezone).timestamp(),
        "ends_at": from_local(draft.ends_local, draft.timezone).timestamp(),
        "description": draft.description,
        "organizer_name": draft.organizer_name,
        "venue": draft.venue,
        "address": draft.address,
        "latitude": draft.latitude,
        "longitude": draft.longitude,
        "capacity": draft.capacity,
        "registration_deadline": None if deadline is None else deadline.timestamp(),
        "questions": _questions(draft),
        "reminder_offsets": None
        if draft.reminder_offsets is None
        else tuple(draft.reminder_offsets),
        "companions_allowed": draft.companions_allowed,
    }


def new_event(draft: EventDraft, owner_id: int) -> NewEvent:
    return NewEvent(**event_fields(draft), owner_id=owner_id)


def changes(draft: EventDraft, event: Event) -> dict[str, Any]:
    """Only the fields the draft changes in `event`."""
    return {
        name: value for name, value in event_fields(draft).items() if getattr(event, name) != value
    }


def from_event(event: Event) -> EventDraft:
    """A draft of an existing event: to edit one field, or to duplicate it."""
    return EventDraft(
        event_id=event.id,
        title=event.title,
        kind=event.kind,
        description=event.description,
        organizer_name=event.organizer_name,
        city=event.city,
        timezone=event.timezone,
        venue=event.venue,
        address=event.address,
        latitude=event.latitude,
        longitude=event.longitude,
        starts_local=to_local(event.starts_at, event.timezone),
        ends_local=to_local(event.ends_at, event.timezone),
        capacity=event.capacity,
        deadline_local=None
        if event.registration_deadline is None
        else to_local(event.registration_deadline, event.timezone),
        questions=[
            QuestionDraft(key=q.key, text=q.text, options=list(q.options), required=q.required)
            for q in event.questions
        ],
        reminder_offsets=None if event.reminder_offsets is None else list(event.reminder_offsets),
        companions_allowed=event.companions_allowed,
    )


def preview_event(draft: EventDraft, now: float, owner_id: int | None = None) -> Event:
    """An unsaved Event from the draft, so the preview is the very card members will see."""
    fields = event_fields(draft)
    return Event(
        id=draft.event_id or 0,
        slug=None,
        owner_id=owner_id,
        status=EventStatus.published,
        registration_closed=False,
        cancel_reason=None,
        created_at=now,
        updated_at=now,
        **fields,
    )


def problems_before_publishing(draft: EventDraft, now: float) -> Problem | None:
    """A draft left open overnight may have gone stale: its start (or deadline) has passed."""
    start = start_of(draft)
    if start is None or start.timestamp() <= now:
        return Problem.past
    deadline = deadline_of(draft)
    if deadline is not None and deadline.timestamp() <= now:
        return Problem.past
    return None
