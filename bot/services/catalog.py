"""The catalog of upcoming events: pages, the city filter, and what a card shows a person."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from bot.clock import Clock
from db import Database
from db import events as events_repo
from db import registrations as registrations_repo
from db.events import Event, EventStatus
from db.registrations import Registration, RegistrationRefusal, Seats

PAGE_SIZE = 5


def city_key(city: str) -> int:
    """A small stable number for a city: callback data carry ids, never free text."""
    return zlib.crc32(city.casefold().encode("utf-8")) & 0x7FFFFFFF or 1


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

    @property
    def city_id(self) -> int:
        return 0 if self.city is None else city_key(self.city)


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

    async def page(self, page: int, city_id: int = 0) -> CatalogPage:
        now = self.clock.timestamp()
        cities = await events_repo.upcoming_regions(self.db, now)
        city = next((name for name, _ in cities if city_key(name) == city_id), None)
        total = await events_repo.count_upcoming(self.db, now, region=city)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        events = await events_repo.list_upcoming(
            self.db, now, region=city, limit=PAGE_SIZE, offset=page * PAGE_SIZE
        )
        items = [Listed(event, await registrations_repo.seats(self.db, event)) for event in events]
        return CatalogPage(items, page, pages, total, city, cities)

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
