"""The translation catalogs match the code, and translations keep placeholders and tags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import SUPPORTED_LOCALES

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
KEYWORDS = {**DEFAULT_KEYWORDS, "__": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")
TAG = re.compile(r"</?[a-z][a-z0-9-]*")


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _code_messages() -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for folder in ("bot", "handlers"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            forms = (message,) if isinstance(message, str) else tuple(message)
            found[forms[0]] = forms
    return found


def _catalog(locale: str | None):  # type: ignore[no-untyped-def]
    path = (
        LOCALES / "messages.pot"
        if locale is None
        else LOCALES / locale / "LC_MESSAGES" / "messages.po"
    )
    with path.open("rb") as file:
        return read_po(file, locale=locale)


@pytest.mark.parametrize("locale", [None, *SUPPORTED_LOCALES])
def test_catalog_is_up_to_date_with_the_code(locale: str | None) -> None:
    in_code = set(_code_messages())
    in_catalog = {_key(m.id) for m in _catalog(locale) if m.id}
    assert in_code - in_catalog == set(), "strings missing from the catalog: run `make catalog`"
    assert in_catalog - in_code == set(), "stale strings in the catalog: run `make catalog`"


def test_russian_is_fully_translated() -> None:
    untranslated = [
        _key(m.id)
        for m in _catalog("ru")
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert untranslated == [], "translate with tools/catalog.py (see README)"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_translations_keep_placeholders_and_tags(locale: str) -> None:
    problems = []
    for message in _catalog(locale):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        source = sources[-1]
        for target in targets:
            if not target:
                continue  # English falls back to the source string
            if set(PLACEHOLDER.findall(target)) != set(PLACEHOLDER.findall(source)):
                problems.append(f"placeholders differ: {source!r} -> {target!r}")
            if sorted(TAG.findall(target)) != sorted(TAG.findall(source)):
                problems.append(f"HTML tags differ: {source!r} -> {target!r}")
    assert problems == []


def test_plural_forms_are_complete_for_russian() -> None:
    catalog = _catalog("ru")
    assert catalog.num_plurals == 3
    for message in catalog:
        if isinstance(message.id, tuple):
            assert isinstance(message.string, tuple)
            assert len(message.string) == 3, message.id


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_catalog_header_is_not_fuzzy(locale: str) -> None:
    # pybabel compile silently skips a catalog whose header is fuzzy: the bot would fall
    # back to English for everyone.
    assert not _catalog(locale).fuzzy


# What COPY.md rules out of what people read. Russian: gender brackets, an undeclined city
# after «в городе», zones as log lines. English: guillemets (English uses “curly quotes”).
RUSSIAN_RULED_OUT = re.compile(r"\((?:а|ла|ло|ы|и)\)|в городе \{|UTC|GMT|Asia/|Europe/")
ENGLISH_RULED_OUT = re.compile(r"[«»]")


def _shown(locale: str) -> list[str]:
    """Every text a person reads in `locale`: the translation, or the source it falls back to."""
    texts = []
    for message in _catalog(locale):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        for index, target in enumerate(targets):
            texts.append(target or sources[min(index, len(sources) - 1)])
    return texts


def ruled_out(texts: list[str], pattern: re.Pattern[str]) -> list[str]:
    return [text for text in texts if pattern.search(text)]


def test_russian_copy_has_none_of_the_patterns_copy_md_rules_out() -> None:
    assert ruled_out(_shown("ru"), RUSSIAN_RULED_OUT) == []


def test_english_copy_has_no_guillemets() -> None:
    assert ruled_out(_shown("en"), ENGLISH_RULED_OUT) == []


@pytest.mark.parametrize(
    ("bad", "pattern"),
    [
        ("Приход отмечен(а).", RUSSIAN_RULED_OUT),
        ("Пришёл(ла) в 13:52", RUSSIAN_RULED_OUT),
        ("Анонсы мероприятий в городе {city}", RUSSIAN_RULED_OUT),
        ("17 декабря, 14:00 (Ишим, UTC+5)", RUSSIAN_RULED_OUT),
        ("Часовой пояс: Asia/Omsk", RUSSIAN_RULED_OUT),
        ("Registration for «{title}»", ENGLISH_RULED_OUT),
    ],
)
def test_the_rules_catch_each_ruled_out_pattern(bad: str, pattern: re.Pattern[str]) -> None:
    assert ruled_out(["Хорошо.", bad], pattern) == [bad]
