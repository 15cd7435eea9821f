"""Regions as people read them: «Тюменская область» / "Tyumen Oblast", «в Тюменской области»."""

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
