"""Checking and normalizing what people type: lines, paragraphs, names, phones, e-mails."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot.services.problems import InvalidInput, Problem

NAME_LIMIT = 100
TEXT_LIMIT = 200
ANSWER_LIMIT = 500
DEFAULT_REGION = "RU"

# Letters of any alphabet, with the joiners real names have: "Анна-Мария", "O'Neil", "Jr.".
NAME_PART = re.compile(r"^[^\W\d_]+(?:[-'’.][^\W\d_]*)*$")


def _refuse_control(text: str) -> None:
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in text if ch not in "\n\t"):
        raise InvalidInput(Problem.control)


def _within(cleaned: str, limit: int) -> str:
    if not cleaned:
        raise InvalidInput(Problem.empty)
    if len(cleaned) > limit:
        raise InvalidInput(Problem.too_long, limit=limit, length=len(cleaned))
    return cleaned


def clean_line(text: str | None, limit: int) -> str:
    """One line of text: whitespace collapsed, invisible characters refused, length checked."""
    if text is None:
        raise InvalidInput(Problem.not_text)
    _refuse_control(text)
    return _within(" ".join(text.split()), limit)


def clean_text(text: str | None, limit: int) -> str:
    """Several paragraphs: line breaks kept, spaces inside lines collapsed."""
    if text is None:
        raise InvalidInput(Problem.not_text)
    _refuse_control(text)
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    return _within(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), limit)


def full_name(text: str) -> str:
    """A person's name: letters only, at least two words (surname and first name)."""
    name = clean_line(text, NAME_LIMIT)
    words = name.split(" ")
    if not all(NAME_PART.match(word) for word in words):
        raise InvalidInput(Problem.name_symbols)
    if len(words) < 2:
        raise InvalidInput(Problem.name_one_word)
    return name


def free_text(text: str, limit: int = TEXT_LIMIT) -> str:
    """An organization, a position, an answer: any printable text within the limit."""
    return clean_line(text, limit)


def phone(text: str, region: str = DEFAULT_REGION) -> str:
    """A valid phone number in E.164 (+79123456789); "8 912 ..." is read as Russian."""
    cleaned = clean_line(text, 40)
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidInput(Problem.phone) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(Problem.phone)
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
    cleaned = clean_line(text, 254)
    try:
        result = validate_email(cleaned, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(Problem.email) from error
    return str(result.normalized)
