"""The words for every refused answer: what was wrong and how to give one that is accepted."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.i18n import N_, _, ngettext
from bot.services.places import Place
from bot.services.problems import InvalidInput, Problem
from bot.views.kinds import quoted
from bot.views.text import locale

# The problems whose words need no details: one line each.
PLAIN: dict[Problem, str] = {
    Problem.empty: N_("The answer is empty. Please write it in words."),
    Problem.control: N_("The text contains invisible characters. Please type it again."),
    Problem.not_text: N_("Please answer with text or with the buttons below."),
    Problem.name_symbols: N_(
        "Please write the name in letters only: no emoji, digits, tags or symbols "
        "(a hyphen or an apostrophe is fine)."
    ),
    Problem.name_one_word: N_("Please write at least your surname and first name."),
    Problem.phone: N_(
        "This does not look like a phone number. Please type it with the area code, "
        "e.g. +7 912 345-67-89, or press «Share my phone number»."
    ),
    Problem.email: N_(
        "This does not look like an e-mail address. Please check it, e.g. anna@example.org."
    ),
    Problem.choice: N_("Please choose one of the answers with the buttons below."),
    Problem.required: N_("This question cannot be skipped, please answer it."),
    Problem.foreign_contact: N_("Please share your own contact, not someone else's."),
    Problem.zone_unknown: N_(
        "I don't know this time zone. Choose one below or type it like <i>Asia/Omsk</i>."
    ),
    Problem.date_format: N_(
        "I can't read this date. Please type the date and time like <i>17.04 14:00</i>, "
        "<i>17.04.2027 14:00</i> or <i>2027-04-17 14:00</i>."
    ),
    Problem.time_format: N_(
        "I can't read this time. Please type it like <i>17:00</i>, or a date and time "
        "like <i>18.04 12:00</i>."
    ),
    Problem.date_invalid: N_(
        "There is no such date in the calendar. Please check the day and month."
    ),
    Problem.no_time: N_("Please add the time, for example «17 December 14:00» or «17.12 14:00»."),
    Problem.kind_unknown: N_("Please choose the kind with the buttons below."),
    Problem.format_unknown: N_("Please choose one of the buttons: in person, online, or both."),
    Problem.join_url: N_(
        "This does not look like a link. Please send the full address starting with "
        "https://, e.g. https://meet.example.org/round-table."
    ),
    Problem.location_expected: N_("I need a map pin here (📎 → Location), or press «Skip»."),
    Problem.capacity_format: N_(
        "Please type the number of seats in digits, e.g. <i>50</i>, or «No limit»."
    ),
    Problem.reminders_format: N_(
        "Please type hours before the start as numbers, e.g. <i>48, 24, 2</i>."
    ),
    Problem.nothing_to_keep: N_("There is nothing to keep yet: please answer the question."),
    Problem.nothing_to_remove: N_("There are no questions to remove."),
}


# The problems whose words take their details as they are: «{limit}» is details["limit"].
FILLED: dict[Problem, str] = {
    Problem.too_long: N_("That is too long: {length} characters. Please keep it within {limit}."),
    Problem.too_far: N_("That is more than {years} years ahead. Please check the year."),
    Problem.too_long_event: N_("An event can last at most {days} days. Please check the end."),
    Problem.capacity_range: N_("The number of seats must be from 1 to {limit}."),
    Problem.capacity_below_confirmed: N_(
        "{confirmed} people already have a confirmed seat: the capacity cannot be "
        "smaller than that."
    ),
    Problem.too_many_questions: N_("At most {limit} questions: that keeps registration short."),
    Problem.options_count: N_("A choice needs from 2 to {limit} options, one per line."),
    Problem.option_too_long: N_(
        "Each option must fit in {limit} characters (it becomes a button)."
    ),
    Problem.reminders_range: N_(
        "Each reminder must be from 1 to {limit} hours before the start, at most {count} of them."
    ),
}


def problem_text(error: InvalidInput) -> str:
    """Why an answer was not accepted, and how to give one that is."""
    if error.problem in PLAIN:
        return _(PLAIN[error.problem])
    if error.problem in FILLED:
        return _(FILLED[error.problem]).format(**error.details)
    details = error.details
    match error.problem:
        case Problem.past:
            moment = details.get("moment")
            if isinstance(moment, datetime):
                return _("{moment} has already passed. Please give a date in the future.").format(
                    moment=_typed_moment(moment)
                )
            return _("This moment has already passed. Please give a date in the future.")
        case Problem.end_before_start:
            return _(
                "The end must be after the start ({start}). For an event past midnight type the "
                "date too, e.g. <i>18.04 01:00</i>."
            ).format(start=_typed_moment(details.get("start")))
        case Problem.no_such_date:
            days = details["days"]
            return ngettext(
                "There is no such date: {month} has {days} day. Type, for example, «{example}».",
                "There is no such date: {month} has {days} days. Type, for example, «{example}».",
                days,
            ).format(
                month=_month_name(details["month"]),
                days=days,
                example=f"{days:02d}.{details['month']:02d} 14:00",
            )
        case Problem.place_unknown:
            return _place_unknown(details["text"], details.get("suggestions") or [])
        case Problem.deadline_after_start:
            return _(
                "Registration has to close no later than the start ({start}). Please give an "
                "earlier moment, or press «Until the start»."
            ).format(start=_typed_moment(details.get("start")))
    return _("Please check the answer.")


def _typed_moment(value: object) -> str:
    """A moment as organizers type it back, e.g. 17.04.2027 14:00; empty when unknown."""
    return value.strftime("%d.%m.%Y %H:%M") if isinstance(value, datetime) else ""


def _month_name(month: int) -> str:
    """«в феврале» in Russian, "February" in English: the month a day is missing from."""
    names = (
        _("January"),
        _("February"),
        _("March"),
        _("April"),
        _("May"),
        _("June"),
        _("July"),
        _("August"),
        _("September"),
        _("October"),
        _("November"),
        _("December"),
    )
    return names[month - 1]


def _place_unknown(text: str, suggestions: list[Place]) -> str:
    lines = [_("I don't know the place «{text}».").format(text=escape(text))]
    if suggestions:
        names = ", ".join(quoted(escape(place.name(locale()))) for place in suggestions)
        lines.append(_("Did you mean {names}?").format(names=names))
    lines.append(
        _(
            "Type a town or a region, e.g. «Ishim» or «Tyumen Oblast». A town that is not in "
            "the list: type it with its region, e.g. «Zavodoukovsk, Tyumen Oblast»."
        )
    )
    return " ".join(lines)
