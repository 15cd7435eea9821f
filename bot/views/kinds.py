"""Each event kind's word in every case a message needs, and titles named with their kind."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from html import escape

from bot.views.moments import locale
from bot.views.text import escaped_within
from db.events import Event, EventKind


class Case(IntEnum):
    """The Russian case a sentence puts the kind in; English has one form for all."""

    nominative = 0  # «круглый стол «…» отменяется»
    genitive = 1  # «участники круглого стола «…»»
    accusative = 2  # «регистрация на круглый стол «…»»
    prepositional = 3  # «освободилось место на круглом столе «…»»


@dataclass(frozen=True, slots=True)
class KindWords:
    ru: tuple[str, str, str, str]  # in the order of `Case`
    en: str


# The one table of kinds' forms (COPY.md: never scattered through strings). A grammatical
# table rather than catalog entries: one English word stands for four Russian forms.
KIND_WORDS: dict[EventKind, KindWords] = {
    EventKind.round_table: KindWords(
        ("круглый стол", "круглого стола", "круглый стол", "круглом столе"), "round table"
    ),
    EventKind.seminar: KindWords(("семинар", "семинара", "семинар", "семинаре"), "seminar"),
    EventKind.meeting: KindWords(("встреча", "встречи", "встречу", "встрече"), "meeting"),
    EventKind.strategic_session: KindWords(
        (
            "стратегическая сессия",
            "стратегической сессии",
            "стратегическую сессию",
            "стратегической сессии",
        ),
        "strategic session",
    ),
    EventKind.conference: KindWords(
        ("конференция", "конференции", "конференцию", "конференции"), "conference"
    ),
    EventKind.other: KindWords(
        ("мероприятие", "мероприятия", "мероприятие", "мероприятии"), "event"
    ),
}


def kind_word(kind: EventKind, case: Case = Case.nominative) -> str:
    """«круглого стола» (genitive), "round table" — lowercase, in the current language."""
    words = KIND_WORDS[kind]
    return words.en if locale() == "en" else words.ru[case]


def quoted(title: str) -> str:
    """A title in the language's quotes: «…» in Russian, “…” in English. Plain text."""
    return f"“{title}”" if locale() == "en" else f"«{title}»"


def named(event: Event, case: Case = Case.nominative, *, capital: bool = False) -> str:
    """The event named with its kind, as plain text: «круглый стол «Роль СО НКО…»»."""
    word = kind_word(event.kind, case)
    if capital:
        word = word[:1].upper() + word[1:]
    return f"{word} {quoted(event.title)}"


def named_html(
    event: Event,
    case: Case = Case.nominative,
    *,
    capital: bool = False,
    budget: int | None = None,
) -> str:
    """`named` for HTML messages: the title escaped and in bold (cut to `budget` visible
    characters when given), the kind word plain."""
    word = kind_word(event.kind, case)
    if capital:
        word = word[:1].upper() + word[1:]
    shown = escape(event.title) if budget is None else escaped_within(event.title, budget)
    title = f"<b>{shown}</b>"
    return f"{word} {quoted(title)}"
