"""Free-text search over upcoming events: words of a message matched to titles, cities, kinds."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.clock import Clock
from bot.services.places import dictionary_form
from db import Database
from db import events as events_repo
from db.events import Event, EventKind

# How people name each kind, in both languages; matched like the title's words.
KIND_WORDS: dict[EventKind, str] = {
    EventKind.round_table: "круглый стол round table",
    EventKind.seminar: "семинар вебинар seminar",
    EventKind.meeting: "собрание встреча meeting",
    EventKind.strategic_session: "стратегическая сессия strategic session",
    EventKind.conference: "конференция форум conference forum",
    EventKind.other: "",
}
# Words in almost every message about events: they would match everything.
IGNORED = frozenset(
    {
        "хотеть",
        "записаться",
        "зарегистрироваться",
        "регистрация",
        "здравствуйте",
        "добрый",
        "день",
        "привет",
        "мероприятие",
        "событие",
        "пожалуйста",
        "можно",
        "как",
        "где",
        "когда",
        "который",
        "the",
        "and",
        "for",
        "want",
        "register",
        "event",
        "events",
        "hello",
        "please",
    }
)
MIN_LENGTH = 3
SEARCH_SCOPE = 200  # upcoming events read per search; far more than a region ever has
MAX_RESULTS = 5
WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=4096)
def normal_form(word: str) -> str:
    """The dictionary form of a word (Russian through pymorphy3; others just lowercased)."""
    word = word.casefold().replace("ё", "е")
    if not re.search("[а-я]", word):
        return word
    return dictionary_form(word)


def words(text: str) -> set[str]:
    """The meaningful words of `text` in their dictionary forms."""
    found = {normal_form(w) for w in WORD.findall(text) if len(w) >= MIN_LENGTH}
    return {w for w in found if w not in IGNORED}


def event_words(event: Event) -> set[str]:
    return words(" ".join((event.title, event.city, KIND_WORDS.get(event.kind, ""))))


def best_matches(query: str, events: Iterable[Event]) -> list[Event]:
    """Events sharing words with `query`, the most shared first, then the soonest."""
    wanted = words(query)
    if not wanted:
        return []
    scored = [(len(wanted & event_words(event)), event) for event in events]
    hits = [(score, event) for score, event in scored if score > 0]
    hits.sort(key=lambda pair: (-pair[0], pair[1].starts_at, pair[1].id))
    return [event for _, event in hits[:MAX_RESULTS]]


class EventSearch:
    """Finds upcoming published events for a message typed outside any dialog."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def find(self, query: str) -> list[Event]:
        upcoming = await events_repo.list_upcoming(
            self.db, self.clock.timestamp(), limit=SEARCH_SCOPE
        )
        return best_matches(query, upcoming)
