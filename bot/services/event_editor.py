"""The event editor as a pure step machine: the draft, its steps and the rules for each field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, HttpUrl, TypeAdapter, ValidationError

from bot.services import geography, moments, places, spoken_dates
from bot.services.moments import (
    MAX_EVENT_DAYS,
    city_zone,
    from_local,
    local_text,
    parse_zone,
    to_local,
)
from bot.services.problems import InvalidInput, Problem
from bot.services.spoken_dates import DateProblem
from bot.services.validation import clean_line, clean_text
from db.events import Event, EventFormat, EventKind, EventStatus, NewEvent, Question

TITLE_LIMIT = 150
DESCRIPTION_LIMIT = 3000
ORGANIZER_LIMIT = 200
CITY_LIMIT = 60
VENUE_LIMIT = 200
ADDRESS_LIMIT = 300
CONTACT_LIMIT = 200
JOIN_URL_LIMIT = 1000
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
    "contact",
    "city",
    "timezone",
    "format",
    "venue",
    "address",
    "location",
    "join_url",
    "start",
    "end",
    "capacity",
    "deadline",
    "questions",
    "reminders",
)
QUESTION_STEPS: tuple[str, ...] = ("question_text", "question_kind", "question_options")
# Fields an organizer can pick in the edit menu (each is the step that asks it).
# «companions» and «colleagues» are asked only from the edit menu: the creation dialog stays
# as short as it was.
EDITABLE: tuple[str, ...] = (
    *(step for step in STEPS if step != "end"),
    "companions",
    "colleagues",
)


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
    confirm = "confirm"  # «Да, верно»: the date as the bot read it
    retype = "retype"  # «Нет, ввести заново»
    companions_yes = "companions_yes"
    companions_no = "companions_no"
    colleagues_yes = "colleagues_yes"
    colleagues_no = "colleagues_no"


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer of the organizer: typed text, a pin, a button's meaning, or a kind."""

    text: str | None = None
    location: tuple[float, float] | None = None
    choice: Choice | None = None
    kind: EventKind | None = None
    event_format: EventFormat | None = None


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
    city: str | None = None  # the name shown: a town of the list, one typed, or the region
    region_code: str | None = None
    settlement_id: str | None = None
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
    format: EventFormat | None = None  # None until asked: counted as in person
    new_date: bool = False  # a duplicate: its start must be typed anew, «Keep» is not offered
    join_url: str = ""
    # A date step's reading, echoed back before it is stored (start, end or deadline).
    pending_local: str | None = None
    pending_end_local: str | None = None  # «14:00–17:00» at the start sets the end too
    companions_allowed: bool = False  # members may bring one companion each
    colleagues_allowed: bool = False  # members may register colleagues who are not on Telegram
    organizer_contact: str = ""  # the operator's contact named in the consent


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


_URL = TypeAdapter(HttpUrl)


def parse_join_url(text: str) -> str:
    """The link to join an online event: an http(s) address with a real host, kept as typed."""
    url = text.strip()
    if not url or any(character.isspace() for character in url):
        raise InvalidInput(Problem.join_url)
    try:
        parsed = _URL.validate_python(url)
    except ValidationError:
        raise InvalidInput(Problem.join_url) from None
    if parsed.scheme not in ("http", "https") or "." not in (parsed.host or ""):
        raise InvalidInput(Problem.join_url)
    return url


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


def _spans_zones(draft: EventDraft) -> bool:
    """A region of several zones named without a town of the list: which zone is not known."""
    if draft.region_code is None:
        return draft.city is not None and city_zone(draft.city) is None
    return places.region(draft.region_code).spans_zones and draft.settlement_id is None


def needs_zone(draft: EventDraft) -> bool:
    """The zone step is asked only where the region spans several zones."""
    return draft.city is None or _spans_zones(draft)


VENUE_STEPS = frozenset({"venue", "address", "location"})


def format_of(draft: EventDraft) -> EventFormat:
    return draft.format or EventFormat.in_person


def asked_for_format(draft: EventDraft, step: str) -> bool:
    """An online event has no venue to ask about; only online and hybrid ones have a link."""
    event_format = format_of(draft)
    if step in VENUE_STEPS:
        return event_format != EventFormat.online
    if step == "join_url":
        return event_format != EventFormat.in_person
    return True


def asked_for_contact(draft: EventDraft, step: str) -> bool:
    """The organizer's contact is asked only once there is an organizer to reach."""
    return step != "contact" or bool(draft.organizer_name)


def _steps(draft: EventDraft, *, with_zone: bool) -> list[str]:
    return [
        step
        for step in STEPS
        if (step != "timezone" or with_zone)
        and asked_for_format(draft, step)
        and asked_for_contact(draft, step)
    ]


def _order(draft: EventDraft) -> list[str]:
    return _steps(draft, with_zone=needs_zone(draft))


def numbered_steps(draft: EventDraft) -> list[str]:
    """The steps as counted for «step N of M»: the zone only once a city needs it."""
    return _steps(draft, with_zone=_spans_zones(draft))


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
        if step == "organizer" and draft.organizer_name and not draft.organizer_contact:
            return "contact"
        # A new format may need what the old one did not: a link, or a venue.
        if step == "format" and asked_for_format(draft, "join_url") and not draft.join_url:
            return "join_url"
        if step in ("format", "join_url") and asked_for_format(draft, "venue") and not draft.venue:
            return "venue"
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
        if step == "join_url":
            return "format"
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
        "format": draft.format,
        "join_url": draft.join_url or None,
        "companions": draft.companions_allowed,
        "colleagues": draft.colleagues_allowed,
        "contact": draft.organizer_contact or None,
    }
    if step == "start" and draft.new_date:
        return False
    return values.get(step) is not None


def _new_question_key(draft: EventDraft) -> str:
    taken = {question.key for question in draft.questions}
    number = len(draft.questions) + 1
    while f"q{number}" in taken:
        number += 1
    return f"q{number}"


def _shift_with_start(draft: EventDraft, new_start: datetime) -> dict[str, Any]:
    """A moved start keeps the event's length and the deadline's distance from the start."""
    update: dict[str, Any] = {"starts_local": local_text(new_start), "new_date": False}
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
        case "contact":
            if reply.choice == Choice.skip:
                return draft.model_copy(update={"organizer_contact": ""})
            contact = clean_line(text, CONTACT_LIMIT)
            return draft.model_copy(update={"organizer_contact": contact})
        case "city":
            typed = clean_line(text, CITY_LIMIT)
            located = geography.locate(typed)
            if located is None:
                raise InvalidInput(
                    Problem.place_unknown,
                    text=typed,
                    suggestions=places.suggest_places(typed, limit=3),
                )
            # A region of several zones without its town keeps no zone: the next step asks.
            return draft.model_copy(
                update={
                    "city": located.city,
                    "region_code": located.region.code,
                    "settlement_id": located.settlement_id,
                    "timezone": located.place.zone if located.zone_is_certain else None,
                }
            )
        case "timezone":
            at = datetime.fromtimestamp(now, UTC)
            answer = clean_line(text, 80)
            picked = geography.zone_of_answer(answer, draft.region_code, at)
            return draft.model_copy(update={"timezone": picked or parse_zone(answer, at)})
        case "format":
            if reply.event_format is None:
                raise InvalidInput(Problem.format_unknown)
            return draft.model_copy(update={"format": reply.event_format})
        case "join_url":
            url = parse_join_url(clean_line(text, JOIN_URL_LIMIT))
            return draft.model_copy(update={"join_url": url})
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
        case "start" | "end" | "deadline" if reply.choice in (Choice.confirm, Choice.retype):
            return _confirm_date(draft, reply.choice == Choice.confirm)
        case "start":
            spoken = moments.read_future(clean_line(text, 60), zone, now)
            pending_end = None if spoken.end is None else local_text(spoken.end)
            return draft.model_copy(
                update={"pending_local": local_text(spoken.start), "pending_end_local": pending_end}
            )
        case "end":
            began = start_of(draft)
            assert began is not None, "the end is asked after the start"
            end = spoken_dates.read_end(clean_line(text, 60), began)
            if isinstance(end, DateProblem):
                raise moments.refusal(end, start=began)
            if end - began > timedelta(days=MAX_EVENT_DAYS):
                raise InvalidInput(Problem.too_long_event, days=MAX_EVENT_DAYS)
            return draft.model_copy(update={"pending_local": local_text(end)})
        case "capacity":
            if reply.choice == Choice.no_limit:
                return draft.model_copy(update={"capacity": None})
            return draft.model_copy(update={"capacity": parse_capacity(clean_line(text, 20))})
        case "deadline":
            if reply.choice == Choice.same_as_start:
                return draft.model_copy(update={"deadline_local": None})
            starts = start_of(draft)
            day = starts.date() if starts is not None else None
            deadline = moments.read_future(clean_line(text, 60), zone, now, day=day).start
            if starts is not None and deadline > starts:
                raise InvalidInput(Problem.deadline_after_start, start=starts)
            return draft.model_copy(update={"pending_local": local_text(deadline)})
        case "questions":
            return _accept_questions(draft, reply)
        case "companions":
            if reply.choice not in (Choice.companions_yes, Choice.companions_no):
                raise InvalidInput(Problem.choice)
            allowed = reply.choice == Choice.companions_yes
            return draft.model_copy(update={"companions_allowed": allowed})
        case "colleagues":
            if reply.choice not in (Choice.colleagues_yes, Choice.colleagues_no):
                raise InvalidInput(Problem.choice)
            allowed = reply.choice == Choice.colleagues_yes
            return draft.model_copy(update={"colleagues_allowed": allowed})
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
            if reply.choice == Choice.done:
                options = parse_options("\n".join(pending.options))
            elif text is None:
                raise InvalidInput(Problem.not_text)
            elif len([line for line in re.split(r"\n|;", text) if line.strip()]) > 1:
                options = parse_options("\n".join([*pending.options, text]))
            else:
                # One option a message (easier on a phone): kept until «Done».
                gathered = _add_option(pending.options, text)
                return draft.model_copy(
                    update={"pending_question": pending.model_copy(update={"options": gathered})}
                )
            added = pending.model_copy(update={"options": options, "required": True})
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


def _add_option(options: list[str], text: str) -> list[str]:
    cleaned = " ".join(text.split()).strip(" -•·")
    if not cleaned:
        raise InvalidInput(Problem.empty)
    if len(cleaned) > OPTION_LIMIT:
        raise InvalidInput(Problem.option_too_long, limit=OPTION_LIMIT)
    if cleaned.casefold() in {option.casefold() for option in options}:
        return options
    if len(options) >= MAX_OPTIONS:
        raise InvalidInput(Problem.options_count, limit=MAX_OPTIONS)
    return [*options, cleaned]


def _confirm_date(draft: EventDraft, confirmed: bool) -> EventDraft:
    """«Да, верно» stores the date read; «Нет, ввести заново» forgets it and asks again."""
    cleared = {"pending_local": None, "pending_end_local": None}
    if draft.pending_local is None:
        raise InvalidInput(Problem.nothing_to_keep)
    if not confirmed:
        return draft.model_copy(update=cleared)
    zone = draft.timezone or "Europe/Moscow"
    match draft.step:
        case "start":
            update = _shift_with_start(draft, from_local(draft.pending_local, zone))
            if draft.pending_end_local is not None:
                update["ends_local"] = draft.pending_end_local
        case "end":
            update = {"ends_local": draft.pending_local}
        case _:
            update = {"deadline_local": draft.pending_local}
    return draft.model_copy(update={**update, **cleared})


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
    if after.pending_local is not None or reply.choice == Choice.retype:
        return step  # the date read is echoed back, or asked again
    if step == "start" and reply.choice == Choice.confirm and before.pending_end_local:
        return next_step(after, "end")  # «14:00–17:00» gave the end as well
    if step == "question_options" and after.pending_question is not None:
        return step  # options one a message, until «Done»
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
    event_format = format_of(draft)
    online = event_format == EventFormat.online
    return {
        "format": event_format,
        # A venue typed before the event went online is not kept: the card would show it.
        "join_url": "" if event_format == EventFormat.in_person else draft.join_url,
        "title": draft.title,
        "kind": draft.kind,
        "city": draft.city,
        "region_code": draft.region_code,
        "settlement_id": draft.settlement_id,
        "timezone": draft.timezone,
        "starts_at": from_local(draft.starts_local, draft.timezone).timestamp(),
        "ends_at": from_local(draft.ends_local, draft.timezone).timestamp(),
        "description": draft.description,
        "organizer_name": draft.organizer_name,
        "venue": "" if online else draft.venue,
        "address": "" if online else draft.address,
        "latitude": None if online else draft.latitude,
        "longitude": None if online else draft.longitude,
        "capacity": draft.capacity,
        "registration_deadline": None if deadline is None else deadline.timestamp(),
        "questions": _questions(draft),
        "reminder_offsets": None
        if draft.reminder_offsets is None
        else tuple(draft.reminder_offsets),
        "companions_allowed": draft.companions_allowed,
        "colleagues_allowed": draft.colleagues_allowed,
        "organizer_contact": draft.organizer_contact if draft.organizer_name else "",
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
        region_code=event.region_code,
        settlement_id=event.settlement_id,
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
        format=event.format,
        join_url=event.join_url,
        companions_allowed=event.companions_allowed,
        colleagues_allowed=event.colleagues_allowed,
        organizer_contact=event.organizer_contact,
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
