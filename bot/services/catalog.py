"""The catalog of upcoming events: pages, the region and town filter, what a card shows."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.services.geography import Town, is_town
from db import Database, Queries
from db import events as events_repo
from db import registrations as registrations_repo
from db.events import Event, EventStatus
from db.registrations import Registration, RegistrationRefusal, Seats

PAGE_SIZE = 5


def city_key(city: str) -> int:
    """A small stable number for a city: callback data carry ids, never free text."""
    return zlib.crc32(city.casefold().encode("utf-8")) & 0x7FFFFFFF or 1


async def region_towns(db: Queries, region: str) -> list[Town]:
    """Towns of the region that have or had events: what a subscription (and an
    announcement to subscribers) may narrow to."""
    rows = await events_repo.region_towns(db, region)
    return [Town(region, key, city) for key, city in rows if is_town(region, key)]


@dataclass(frozen=True, slots=True)
class Listed:
    event: Event
    seats: Seats


@dataclass(frozen=True, slots=True)
class CatalogPage:
    items: list[Listed]
    page: int  # 0-based, clamped into range
    pages: int
    total: int
    city: str | None  # the filter: a region's code, None for all regions
    cities: list[tuple[str, int]]  # every region with upcoming events (codes), and how many
    town: Town | None = None  # the filter inside the region; None for all its towns
    towns: list[tuple[Town, int]] = field(default_factory=list)  # the region's, when several
    several_towns: bool = False  # some region has upcoming events in more than one town

    @property
    def city_id(self) -> int:
        return 0 if self.city is None else city_key(self.city)

    @property
    def filter_id(self) -> int:
        """The key of the filter as a whole: the town's when there is one, else the region's."""
        return self.city_id if self.town is None else city_key(self.town.key)


@dataclass(frozen=True, slots=True)
class EventView:
    """An event as one person sees it: seats, their registration, whether they may register."""

    event: Event
    seats: Seats
    registration: Registration | None
    position: int | None
    refusal: (
        RegistrationRefusal | None
    )  # why a new registration is impossible now; None when it is open


class Catalog:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def cities(self) -> list[tuple[str, int]]:
        """Regions (codes) with upcoming events, and how many each."""
        return await events_repo.upcoming_regions(self.db, self.clock.timestamp())

    async def city_by_key(self, key: int) -> str | None:
        """The city behind a key from a button; None for "all" or a city with no events left."""
        if key <= 0:
            return None
        return next((city for city, _ in await self.cities() if city_key(city) == key), None)

    async def towns(self, region: str) -> list[tuple[Town, int]]:
        """Towns of the region with upcoming events, and how many each (events placed in the
        region as a whole are in none of them)."""
        return [
            (town, count)
            for town, count in await self._upcoming_towns()
            if town.region_code == region
        ]

    async def regions_with_several_towns(self) -> set[str]:
        """Regions whose upcoming events are in more than one town: the filter asks which."""
        per_region: dict[str, int] = {}
        for town, _count in await self._upcoming_towns():
            per_region[town.region_code] = per_region.get(town.region_code, 0) + 1
        return {region for region, count in per_region.items() if count > 1}

    async def _upcoming_towns(self) -> list[tuple[Town, int]]:
        rows = await events_repo.upcoming_towns(self.db, self.clock.timestamp())
        return [
            (Town(region, key, city), count)
            for region, key, city, count in rows
            if is_town(region, key)
        ]

    async def subscription_towns(self, region: str) -> list[Town]:
        """Towns of the region that have or had events: what a subscriber may narrow to."""
        return await region_towns(self.db, region)

    async def page(self, page: int, city_id: int = 0) -> CatalogPage:
        """A page of upcoming events; `city_id` is the key of a region or of a town in one."""
        now = self.clock.timestamp()
        cities = await events_repo.upcoming_regions(self.db, now)
        all_towns = await self._upcoming_towns()
        city = next((name for name, _ in cities if city_key(name) == city_id), None)
        town = None
        if city is None and city_id:
            town = next((t for t, _ in all_towns if city_key(t.key) == city_id), None)
            city = None if town is None else town.region_code
        towns = [item for item in all_towns if item[0].region_code == city]
        if len(towns) < 2:
            towns = []  # one town: the region's filter already says it all
        key = None if town is None else town.key
        total = await events_repo.count_upcoming(self.db, now, region=city, town=key)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        events = await events_repo.list_upcoming(
            self.db, now, region=city, town=key, limit=PAGE_SIZE, offset=page * PAGE_SIZE
        )
        items = [Listed(event, await registrations_repo.seats(self.db, event)) for event in events]
        several = bool(await self.regions_with_several_towns())
        return CatalogPage(items, page, pages, total, city, cities, town, towns, several)

    async def view(self, event_id: int, person_id: int) -> EventView | None:
        """The card of a visible event; None for an unknown id or a draft."""
        event = await events_repo.get(self.db, event_id)
        if event is None or event.status == EventStatus.draft:
            return None
        registration = await registrations_repo.live(self.db, event_id, person_id)
        position = None
        if registration is not None:
            position = await registrations_repo.position(self.db, registration)
        return EventView(
            event=event,
            seats=await registrations_repo.seats(self.db, event),
            registration=registration,
            position=position,
            refusal=registrations_repo.refusal_for(event, self.clock.timestamp()),
        )
