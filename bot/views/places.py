"""Regions and towns as people read them: «Тюменская область», «в Тюменской области», «в Ишиме»."""

from __future__ import annotations

from bot.i18n import _
from bot.services import places
from bot.views.text import locale


def _region(code: str | None) -> places.Region | None:
    if code is None:
        return None
    try:
        return places.region(code)
    except KeyError:
        return None


def region_name(code: str | None) -> str:
    """The region's name in the current language; a name kept from before regions, as is."""
    area = _region(code)
    if area is None:
        return code or ""
    return area.name(locale())


def region_where(code: str | None) -> str:
    """«в Тюменской области», "in Tyumen Oblast" (unescaped: names from our own list)."""
    area = _region(code)
    if area is None:
        return _("in {place}").format(place=code or "")
    return places.Place(area).where(locale())


def by_name(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Regions with counts sorted by their name in the current language."""
    return sorted(counts, key=lambda item: region_name(item[0]).casefold())


def town_name(town: str) -> str:
    """A town (a settlement id, or a name as typed) in the current language."""
    found = places.find_settlement(town)
    return town if found is None else found.name(locale())


def town_where(town: str) -> str:
    """«в Ишиме», "in Ishim"; a town the list lacks is declined by the morphology library."""
    found = places.find_settlement(town)
    if locale() == "en":
        return _("in {place}").format(place=town_name(town))
    return found.in_ru if found is not None else places.in_place(town)


def audience_where(region: str | None, town: str | None) -> str:
    """Whose subscribers hear of an event: «в Ишиме или в Тюменской области» (subscribers of
    the town, and of the whole region), «в Тюменской области» for an event without a town."""
    if town is None:
        return region_where(region)
    return _("{in_town} or {in_region}").format(
        in_town=town_where(town), in_region=region_where(region)
    )


def subscription_where(region: str | None, town: str | None) -> str:
    """Where a subscriber hears of events: «в Ишиме (Тюменская область)», «в Тюменской
    области», «во всех регионах»."""
    if region is None:
        return _("in all regions")
    if town is None:
        return region_where(region)
    return _("{in_town} ({region})").format(in_town=town_where(town), region=region_name(region))
