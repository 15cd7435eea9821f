"""Where an event is: what an organizer typed read as a region and a town of the list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services import places
from bot.services.moments import RUSSIAN_ZONES
from bot.services.places import Place, Region
from db import events as events_repo
from db import people as people_repo
from db.database import Queries


@dataclass(frozen=True, slots=True)
class Located:
    """A place of the list, and the town's name as typed when the list lacks it."""

    place: Place
    town: str | None = None  # «Заводоуковск, Тюменская область»: a town the list lacks

    @property
    def region(self) -> Region:
        return self.place.region

    @property
    def settlement_id(self) -> str | None:
        return self.place.settlement.id if self.place.settlement else None

    @property
    def city(self) -> str:
        """The name shown on the card: the town (in Russian, as members read it) or region."""
        return self.town or self.place.name("ru")

    @property
    def zone_is_certain(self) -> bool:
        return self.place.zone_is_certain


def locate(text: str) -> Located | None:
    """«Omsk», «Ишим», «Тюменская область», «Заводоуковск, Тюменская обл» → one place; None
    when the words match nothing (or several towns)."""
    found = places.find_place(text)
    if found is not None:
        return Located(found)
    town, comma, area = text.rpartition(",")
    if comma and town.strip():
        region_place = places.find_place(area)
        if region_place is not None:
            return Located(Place(region_place.region), " ".join(town.split()))
    return None


def popular() -> list[Place]:
    """The towns offered as buttons: the largest centres, west to east."""
    names = (
        "Москва",
        "Санкт-Петербург",
        "Казань",
        "Нижний Новгород",
        "Самара",
        "Екатеринбург",
        "Тюмень",
        "Омск",
        "Новосибирск",
        "Красноярск",
        "Иркутск",
        "Владивосток",
    )
    found = (places.find_place(name) for name in names)
    return [place for place in found if place is not None]


def known_region(code: str) -> bool:
    try:
        places.region(code)
    except KeyError:
        return False
    return True


async def backfill(db: Queries) -> int:
    """Match rows saved before regions existed to the list by their city; how many matched.

    Events get their region and town; a subscription to «Омск» becomes one to Омская область.
    """
    matched = 0
    for person_id, city in await people_repo.subscription_places(db):
        if known_region(city):
            continue
        found = locate(city)
        if found is not None:
            await people_repo.set_subscription_place(db, person_id, found.region.code)
            matched += 1
    for event_id, city in await events_repo.unplaced(db):
        located = locate(city)
        if located is None:
            continue
        await events_repo.set_place(
            db, event_id, located.region.code, located.settlement_id, located.city
        )
        matched += 1
    return matched


def zone_options(region_code: str | None, at: datetime, locale: str) -> list[tuple[str, str]]:
    """(zone, «Якутск · МСК+6») to choose from: the region's zones, or every Russian zone."""
    if region_code is not None:
        return places.zone_choices(places.region(region_code), at, locale)
    options = []
    for zone in RUSSIAN_ZONES:
        town = next((t for r in places.regions() for t in r.settlements if t.zone == zone), None)
        if town is not None:
            options.append((zone, places.zone_label(town.name(locale), zone, at, locale)))
    return options


def zone_of_answer(text: str, region_code: str | None, at: datetime) -> str | None:
    """The zone an organizer picked: a button's label in either language, or a town's name."""
    wanted = " ".join(text.split())
    for locale in ("ru", "en"):
        for zone, label in zone_options(region_code, at, locale):
            if label == wanted:
                return zone
    found = places.find_place(wanted)
    if (
        found is not None
        and found.zone_is_certain
        and (region_code is None or found.region.code == region_code)
    ):
        return found.zone
    return None


# --- towns inside a region: the refinement of subscriptions and the catalog filter ---------


@dataclass(frozen=True, slots=True)
class Town:
    """A town of a region that has events: a settlement id of the list, or a name as typed."""

    region_code: str
    key: str  # what people.subscription_town and the filters hold
    city: str  # the name events show (Russian)

    @property
    def settlement(self) -> places.Settlement | None:
        return places.find_settlement(self.key)


def town_key(event: events_repo.Event) -> str | None:
    """The town an event is in, as subscriptions name it; None for an event placed in a whole
    region («Тюменская область») or never matched to the list."""
    if event.region_code is None:
        return None
    key = event.settlement_id or event.city
    return key if is_town(event.region_code, key) else None


def is_town(region_code: str, key: str) -> bool:
    """False for the name of the region itself: an event placed in the region, not a town."""
    try:
        area = places.region(region_code)
    except KeyError:
        return True
    return key not in (area.name_ru, area.name_en)
