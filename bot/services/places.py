"""Places people know: Russia's federal subjects and towns in both languages, zones, cases."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer
    from pymorphy3.analyzer import Parse

MOSCOW = "Europe/Moscow"
MINUS = "\u2212"  # a real minus sign: «МСК−1» reads better than a hyphen


@dataclass(frozen=True, slots=True)
class Settlement:
    """A town of the reference list; `id` is stable (region code and an English slug)."""

    id: str
    name_ru: str
    name_en: str
    region_code: str
    zone: str
    in_ru: str  # «в Тюмени», «во Владивостоке»

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_ru


@dataclass(frozen=True, slots=True)
class Region:
    """A federal subject: names, the Russian cases, its zones (main first) and its towns."""

    code: str
    name_ru: str
    name_en: str
    genitive_ru: str  # «Тюменской области»
    in_ru: str  # «в Тюменской области»
    zones: tuple[str, ...]
    aliases: tuple[str, ...]
    settlements: tuple[Settlement, ...]  # the administrative centre first

    @property
    def centre(self) -> Settlement:
        return self.settlements[0]

    @property
    def zone(self) -> str:
        return self.zones[0]

    @property
    def spans_zones(self) -> bool:
        return len(self.zones) > 1

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_ru

    def zone_settlement(self, zone: str) -> Settlement:
        """The main town of one of the region's zones (the first listed in it)."""
        return next(s for s in self.settlements if s.zone == zone)


@dataclass(frozen=True, slots=True)
class Place:
    """What an organizer meant: a region, and a town in it when they named one."""

    region: Region
    settlement: Settlement | None = None

    @property
    def zone(self) -> str:
        return self.settlement.zone if self.settlement else self.region.zone

    @property
    def zone_is_certain(self) -> bool:
        """False for a region alone that spans several zones: ask which one."""
        return self.settlement is not None or not self.region.spans_zones

    def name(self, locale: str) -> str:
        return (self.settlement or self.region).name(locale)

    def where(self, locale: str) -> str:
        """«в Ишиме» / «в Тюменской области»; "in Ishim" / "in Tyumen Oblast"."""
        if locale == "en":
            return f"in {self.name('en')}"
        return (self.settlement or self.region).in_ru


# --- Russian cases -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _morph() -> MorphAnalyzer:
    # Loading the dictionaries takes a quarter of a second: only when a form is first needed.
    from pymorphy3 import MorphAnalyzer

    return MorphAnalyzer(lang="ru")


def dictionary_form(word: str) -> str:
    """A Russian word in its dictionary form, «ё» as «е»: «Тюмени» → «тюмень»."""
    return str(_morph().parse(word)[0].normal_form).replace("ё", "е")


def _nominative(word: str) -> Parse | None:
    """The reading of a word as a nominative name: a place first, then any noun or adjective."""
    parses = [p for p in _morph().parse(word) if "nomn" in p.tag and "Infr" not in p.tag]
    for parse in parses:
        if "Geox" in parse.tag:
            return parse
    for parse in parses:
        if parse.tag.POS in ("NOUN", "ADJF"):
            return parse
    return None


def _keep_case(original: str, inflected: str) -> str:
    if original.isupper() and len(original) > 1:
        return inflected.upper()
    if original[:1].isupper():
        return inflected[:1].upper() + inflected[1:]
    return inflected


def _inflect_word(word: str, case: str, *, unknown_too: bool = True) -> str:
    parse = _nominative(word)
    if parse is None:
        if not unknown_too:
            return word
        # A name the dictionary lacks: let pymorphy guess from its ending.
        guesses = [p for p in _morph().parse(word) if "nomn" in p.tag]
        if not guesses or "UNKN" in guesses[0].tag or "Fixd" in guesses[0].tag:
            return word
        parse = guesses[0]
    if "Fixd" in parse.tag:
        return word
    inflected = parse.inflect({case})
    return _keep_case(word, inflected.word) if inflected else word


def _inflect_hyphenated(word: str, case: str) -> str:
    parts = word.split("-")
    if len(parts) == 1:
        return _inflect_word(word, case)
    if "на" in parts:
        # «Ростов-на-Дону», «Комсомольск-на-Амуре»: only the town itself changes.
        at = parts.index("на")
        return "-".join([_inflect_hyphenated("-".join(parts[:at]), case), *parts[at:]])
    # «Петропавловск-Камчатский» changes both halves, as a noun with its adjective does; in
    # «Южно-Сахалинск», «Кабардино-Балкарская», «Улан-Удэ», «Санкт-Петербург» only the last.
    last = _nominative(parts[-1])
    agrees = last is not None and last.tag.POS == "ADJF"
    head = [
        _inflect_word(part, case, unknown_too=False) if agrees and part[-1:] not in "оеи" else part
        for part in parts[:-1]
    ]
    return "-".join([*head, _inflect_word(parts[-1], case)])


def inflect_name(name: str, case: str) -> str:
    """A place name in a grammatical case ('loct', 'gent', ...): «Нижний Новгород» → «Нижнем
    Новгороде». Words in brackets and after a dash («— Кузбасс») are declined on their own."""
    words = name.split(" ")
    if words[0] == "Республика":
        # «Республика Татарстан»: the name after the word is an apposition and keeps its form.
        return " ".join([_inflect_word(words[0], case), *words[1:]])
    if " — " in name:
        return " — ".join(inflect_name(part, case) for part in name.split(" — "))
    return " ".join(
        word if word.startswith("(") else _inflect_hyphenated(word, case) for word in words
    )


def preposition_in(locative: str) -> str:
    """«в», or «во» before «в»/«ф» and a consonant: «во Владивостоке», «во Всеволожске»."""
    head = locative[:2].casefold()
    if len(head) == 2 and head[0] in "вф" and head[1] not in "аеёиоуыэюяь":
        return "во"
    return "в"


def in_place(name: str) -> str:
    """«в Тюмени», «в Ростове-на-Дону», «во Владивостоке» for any place name."""
    locative = inflect_name(name, "loct")
    return f"{preposition_in(locative)} {locative}"


# --- the reference list --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Atlas:
    regions: tuple[Region, ...]
    by_code: dict[str, Region]
    by_settlement: dict[str, Settlement]
    index: dict[str, tuple[Place, ...]]


def _slug(name_en: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name_en.casefold()).strip("-")


def _region(raw: dict[str, Any]) -> Region:
    code = raw["code"]
    zones = tuple(raw["zones"])
    settlements = tuple(
        Settlement(
            id=f"{code}-{_slug(item['en'])}",
            name_ru=item["ru"],
            name_en=item["en"],
            region_code=code,
            zone=item.get("zone", zones[0]),
            in_ru=item.get("ru_in") or in_place(item["ru"]),
        )
        for item in raw["settlements"]
    )
    return Region(
        code=code,
        name_ru=raw["ru"],
        name_en=raw["en"],
        genitive_ru=raw["ru_gen"],
        in_ru=raw["ru_in"],
        zones=zones,
        aliases=tuple(raw.get("aliases", ())),
        settlements=settlements,
    )


_ABBREVIATIONS = {
    "обл": "область",
    "респ": "республика",
    "р": "республика",
    "ао": "автономный округ",
    "авт": "автономный",
    "region": "oblast",
    "province": "oblast",
    "obl": "oblast",
    "oblast'": "oblast",
    "rep": "republic",
    "st": "saint",
}
# Words people put before a name that say nothing about which place it is.
_FILLER = {"г", "гор", "город", "city", "of", "the", "town", "в", "во", "in", "пос", "поселок"}
_GENERIC = ("область", "край", "республика", "oblast", "krai", "republic")


def normalize(text: str) -> str:
    """Lower case, «ё» as «е», no punctuation, abbreviations spelt out, fillers dropped."""
    cleaned = text.casefold().replace("ё", "е")
    cleaned = re.sub(r"[-‐–—]", " ", cleaned)
    cleaned = re.sub(r"[^\w' ]+", " ", cleaned)
    words = [_ABBREVIATIONS.get(word, word) for word in cleaned.split()]
    words = [word for word in words if word not in _FILLER]
    return " ".join(words)


def _lemmas(normalized: str) -> str:
    """Every word in its dictionary form: «тюменской области» → «тюменский область»."""
    result = []
    for word in normalized.split():
        if re.fullmatch(r"[а-я]+", word):
            parses = _morph().parse(word)
            geo = [p for p in parses if "Geox" in p.tag]
            word = (geo or parses)[0].normal_form.replace("ё", "е")
        result.append(word)
    return " ".join(result)


def _keys(names: list[str]) -> set[str]:
    keys = set()
    for name in names:
        key = normalize(name)
        keys.add(key)
        bare = " ".join(word for word in key.split() if word not in _GENERIC)
        if bare:
            keys.add(bare)
    return keys


@lru_cache(maxsize=1)
def _atlas() -> _Atlas:
    raw = json.loads(
        resources.files("bot").joinpath("data/regions.json").read_text(encoding="utf-8")
    )
    regions = tuple(_region(item) for item in raw["regions"])
    index: dict[str, list[Place]] = {}

    def add(keys: set[str], place: Place) -> None:
        for key in keys:
            places = index.setdefault(key, [])
            if place not in places:
                places.append(place)

    # Towns first: «Москва», «Тюмень» mean the town more often than the region.
    for region in regions:
        for town in region.settlements:
            add(_keys([town.name_ru, town.name_en]), Place(region, town))
    for region in regions:
        add(_keys([region.name_ru, region.name_en, *region.aliases]), Place(region))
    return _Atlas(
        regions=regions,
        by_code={region.code: region for region in regions},
        by_settlement={town.id: town for region in regions for town in region.settlements},
        index={key: tuple(places) for key, places in index.items()},
    )


@lru_cache(maxsize=1)
def _lemma_index() -> dict[str, tuple[Place, ...]]:
    index: dict[str, list[Place]] = {}
    for key, places in _atlas().index.items():
        for place in places:
            bucket = index.setdefault(_lemmas(key), [])
            if place not in bucket:
                bucket.append(place)
    return {key: tuple(places) for key, places in index.items()}


def regions() -> tuple[Region, ...]:
    """All 89 federal subjects, in the order the Constitution lists them by kind."""
    return _atlas().regions


def region(code: str) -> Region:
    """The region with this code («72»); KeyError for an unknown one."""
    return _atlas().by_code[code]


def settlement(settlement_id: str) -> Settlement:
    """The town with this id («72-ishim»); KeyError for an unknown one."""
    return _atlas().by_settlement[settlement_id]


def region_of(town: Settlement) -> Region:
    return region(town.region_code)


def find_settlement(settlement_id: str) -> Settlement | None:
    """The town with this id, or None for a town the list lacks (then the id is its name)."""
    return _atlas().by_settlement.get(settlement_id)


def _lookup(text: str) -> tuple[Place, ...]:
    key = normalize(text)
    if not key:
        return ()
    found = _atlas().index.get(key)
    if found:
        return found
    return _lemma_index().get(_lemmas(key), ())


def find_place(text: str) -> Place | None:
    """The one place an organizer means by «Omsk», «омск», «Тюменская обл», «в Ишиме»; None
    when nothing matches or the words fit several towns (then offer `suggest_places`)."""
    found = _lookup(text)
    towns = {place.settlement for place in found if place.settlement}
    if len(towns) > 1:
        return None
    return found[0] if found else None


def suggest_places(text: str, limit: int = 5) -> list[Place]:
    """Places that match or nearly match (typos like «Тюмен»), best first."""
    found = list(_lookup(text))
    key = normalize(text)
    if key and len(found) < limit:
        index = _atlas().index
        for near in difflib.get_close_matches(key, index, n=limit, cutoff=0.75):
            found.extend(place for place in index[near] if place not in found)
    return found[:limit]


# --- Moscow offsets ------------------------------------------------------------------------


def moscow_offset(zone: str, at: datetime) -> timedelta:
    """How far the zone is ahead of Moscow at that moment."""
    return moscow_offset_of(at.astimezone(ZoneInfo(zone)))


def moscow_offset_of(moment: datetime) -> timedelta:
    """How far an aware moment's own clock is ahead of Moscow's."""
    moscow = moment.astimezone(ZoneInfo(MOSCOW)).utcoffset() or timedelta(0)
    return (moment.utcoffset() or timedelta(0)) - moscow


def offset_words(offset: timedelta, locale: str = "ru") -> str:
    """«МСК+2», «МСК», «МСК−1» (English: "Moscow +2", "Moscow time", "Moscow −1")."""
    minutes = int(offset.total_seconds()) // 60
    base = "Moscow" if locale == "en" else "МСК"
    if minutes == 0:
        return "Moscow time" if locale == "en" else base
    hours, rest = divmod(abs(minutes), 60)
    amount = f"{hours}:{rest:02d}" if rest else str(hours)
    sign = "+" if minutes > 0 else MINUS
    return f"{base} {sign}{amount}" if locale == "en" else f"{base}{sign}{amount}"


def msk_offset(zone: str, at: datetime, locale: str = "ru") -> str:
    """The zone's Moscow offset at that moment in words: «МСК+2», «МСК», «МСК−1»."""
    return offset_words(moscow_offset(zone, at), locale)


def zone_label(place_name: str, zone: str, at: datetime, locale: str = "ru") -> str:
    """«Тюмень · МСК+2» — how a zone choice reads on a button."""
    return f"{place_name} · {msk_offset(zone, at, locale)}"


def zone_choices(area: Region, at: datetime, locale: str = "ru") -> list[tuple[str, str]]:
    """(zone, label) for each zone of a region, labelled by its main town: «Якутск · МСК+6»."""
    return [
        (zone, zone_label(area.zone_settlement(zone).name(locale), zone, at, locale))
        for zone in area.zones
    ]
