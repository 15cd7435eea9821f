"""Who may address whom, and how many people an audience is: the choices of /announce."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.services import places
from bot.services.catalog import city_key, region_towns
from bot.services.geography import Town
from bot.services.roles import Access
from db import Database
from db import announcements as repo
from db import events as events_repo
from db.announcements import Audience, AudienceKind, Segment
from db.events import Event, EventStatus


@dataclass(frozen=True, slots=True)
class CityOption:
    city: str
    count: int

    @property
    def key(self) -> int:
        return city_key(self.city)


@dataclass(frozen=True, slots=True)
class TownOption:
    town: Town
    count: int

    @property
    def key(self) -> int:
        return city_key(self.town.key)


class AudienceService:
    def __init__(self, db: Database, clock: Clock, default_timezone: str) -> None:
        self.db = db
        self.clock = clock
        self.default_timezone = default_timezone

    async def count(self, audience: Audience) -> int:
        return len(await repo.recipients(self.db, audience))

    async def cities(self) -> list[CityOption]:
        """Cities subscribers chose and cities with upcoming events, with audience sizes."""
        names = set(await repo.subscriber_cities(self.db))
        upcoming = await events_repo.upcoming_regions(self.db, self.clock.timestamp())
        names.update(city for city, _ in upcoming)
        options = []
        for city in sorted(names):
            count = await self.count(Audience(AudienceKind.city, city=city))
            options.append(CityOption(city, count))
        return options

    async def city_by_key(self, key: int) -> str | None:
        """The city behind a key from a button; None when no longer offered (or forged)."""
        return next((o.city for o in await self.cities() if o.key == key), None)

    async def towns(self, region: str) -> list[TownOption]:
        """The region's towns that have or had events (what /subscribe offers), each with the
        size of its audience: the town's subscribers, the whole region's and all regions'."""
        options = []
        for town in await region_towns(self.db, region):
            audience = Audience(AudienceKind.city, city=region, town=town.key)
            options.append(TownOption(town, await self.count(audience)))
        return options

    async def events_for(self, actor: Access) -> list[Event]:
        if not actor.is_organizer and not actor.is_admin:
            return []
        owner = None if actor.is_admin else actor.user_id
        ids = await repo.event_ids_for(self.db, self.clock.timestamp(), owner_id=owner)
        found = await events_repo.list_by_ids(self.db, ids)
        return [found[event_id] for event_id in ids if event_id in found]

    async def event_for(self, actor: Access, event_id: int) -> Event | None:
        """The event when the actor may address its people; None otherwise (or a draft)."""
        event = await events_repo.get(self.db, event_id)
        if event is None or event.status == EventStatus.draft or not actor.may_manage(event):
            return None
        return event

    async def segment_counts(self, event_id: int) -> dict[Segment, int]:
        return await repo.segment_counts(self.db, event_id)

    async def allowed(self, actor: Access, audience: Audience) -> bool:
        """Re-checked at every step: a forged button or a role taken away changes nothing."""
        if not actor.is_organizer and not actor.is_admin:
            return False
        if audience.kind == AudienceKind.event:
            return (
                audience.event_id is not None
                and audience.segment is not None
                and await self.event_for(actor, audience.event_id) is not None
            )
        if audience.kind == AudienceKind.city:
            return audience.city is not None
        return True

    async def timezone_for(self, audience: Audience | None) -> str:
        """The zone a send time is typed and shown in: the event's, the city's, or the default."""
        if audience is not None and audience.kind == AudienceKind.event:
            assert audience.event_id is not None
            event = await events_repo.get(self.db, audience.event_id)
            if event is not None:
                return event.timezone
        if audience is not None and audience.kind == AudienceKind.city and audience.city:
            zone = await repo.city_timezone(self.db, audience.city)
            if zone is not None:
                return zone
        return self.default_timezone

    async def place_for(self, audience: Audience | None) -> str | None:
        """A city name to label the zone with, when there is one."""
        if audience is None:
            return None
        if audience.kind == AudienceKind.city and audience.city:
            town = places.find_settlement(audience.town) if audience.town else None
            if town is not None:
                return town.name_ru
            # The town that names the region's zone: «Тюмень» for Тюменская область.
            try:
                area = places.region(audience.city)
            except KeyError:
                return audience.city  # a name kept from before regions
            return area.zone_settlement(await self.timezone_for(audience)).name_ru
        if audience.kind == AudienceKind.event and audience.event_id is not None:
            event = await events_repo.get(self.db, audience.event_id)
            return None if event is None else event.city
        return None
