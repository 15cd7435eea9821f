"""Checking and normalizing what people type in the registration dialog."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email

NAME_LIMIT = 100
TEXT_LIMIT = 200
ANSWER_LIMIT = 500
DEFAULT_REGION = "RU"

# Letters of any alphabet, with the joiners real names have: "Анна-Мария", "O'Neil", "Jr.".
NAME_PART = re.compile(r"^[^\W\d_]+(?:[-'’.][^\W\d_]*)*$")


class Problem(StrEnum):
    """Why an answer was not accepted; the view turns it into words."""

    empty = "empty"
    too_long = "too_long"
    name_symbols = "name_symbols"
    name_one_word = "name_one_word"
    phone = "phone"
    email = "email"
    control = "control"
    choice = "choice"  # not one of the offered options
    required = "required"  # "Skip" where an answer is needed
    not_text = "not_text"  # a sticker or a photo where words are expected
    foreign_contact = "foreign_contact"  # someone else's contact instead of one's own


class InvalidAnswer(ValueError):
    def __init__(self, problem: Problem, limit: int = 0) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.limit = limit


def _clean(text: str, limit: int) -> str:
    """Collapse whitespace, refuse invisible control characters and over-long text."""
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in text if ch not in "\n\t"):
        raise InvalidAnswer(Problem.control)
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidAnswer(Problem.empty)
    if len(cleaned) > limit:
        raise InvalidAnswer(Problem.too_long, limit)
    return cleaned


def full_name(text: str) -> str:
    """A person's name: letters only, at least two words (surname and first name)."""
    name = _clean(text, NAME_LIMIT)
    words = name.split(" ")
    if not all(NAME_PART.match(word) for word in words):
        raise InvalidAnswer(Problem.name_symbols)
    if len(words) < 2:
        raise InvalidAnswer(Problem.name_one_word)
    return name


def free_text(text: str, limit: int = TEXT_LIMIT) -> str:
    """An organization, a position, an answer: any printable text within the limit."""
    return _clean(text, limit)


def phone(text: str, region: str = DEFAULT_REGION) -> str:
    """A valid phone number in E.164 (+79123456789); "8 912 ..." is read as Russian."""
    cleaned = _clean(text, 40)
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidAnswer(Problem.phone) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidAnswer(Problem.phone)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """+7 912 345-67-89: how people write numbers."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def email(text: str) -> str:
    """A syntactically valid address, normalized; no DNS lookups (they hang and leak)."""
    cleaned = _clean(text, 254)
    try:
        result = validate_email(cleaned, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidAnswer(Problem.email) from error
    return str(result.normalized)
