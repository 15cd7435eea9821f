"""Why an answer was refused: one error type carrying a problem code and its details."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Problem(StrEnum):
    """Why an answer was refused; `bot.views.problems` says it in words with the details."""

    # Any typed text
    empty = "empty"
    too_long = "too_long"  # details: limit, length
    control = "control"
    not_text = "not_text"  # a sticker or a photo where words are expected
    # A person's details and answers (registration)
    name_symbols = "name_symbols"
    name_one_word = "name_one_word"
    phone = "phone"
    email = "email"
    choice = "choice"  # not one of the offered options
    required = "required"  # "Skip" where an answer is needed
    foreign_contact = "foreign_contact"  # someone else's contact instead of one's own
    # Moments and zones
    zone_unknown = "zone_unknown"
    date_format = "date_format"
    time_format = "time_format"
    date_invalid = "date_invalid"
    past = "past"  # details: moment (optional)
    too_far = "too_far"  # details: years
    end_before_start = "end_before_start"  # details: start
    too_long_event = "too_long_event"  # details: days
    no_such_date = "no_such_date"  # «30 февраля»; details: month, days
    no_time = "no_time"  # a day without the time
    place_unknown = "place_unknown"  # details: text, suggestions (Russian names)
    # An event's fields (the event editor)
    kind_unknown = "kind_unknown"
    location_expected = "location_expected"
    format_unknown = "format_unknown"
    join_url = "join_url"  # not an http(s) link
    deadline_after_start = "deadline_after_start"  # details: start
    capacity_format = "capacity_format"
    capacity_range = "capacity_range"  # details: limit
    capacity_below_confirmed = "capacity_below_confirmed"  # details: confirmed
    too_many_questions = "too_many_questions"  # details: limit
    options_count = "options_count"  # details: limit
    option_too_long = "option_too_long"  # details: limit
    reminders_format = "reminders_format"
    reminders_range = "reminders_range"  # details: limit, count
    nothing_to_keep = "nothing_to_keep"
    nothing_to_remove = "nothing_to_remove"


class InvalidInput(ValueError):
    """An answer that cannot be accepted; the step stays where it is and says why."""

    def __init__(self, problem: Problem, **details: Any) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.details = details
