"""/subscribe's second step: all towns of the chosen region, or only one of them."""

from __future__ import annotations

from html import escape

from bot.callbacks import Resubscribe, SubscribeTown
from bot.i18n import _
from bot.services import places
from bot.services.catalog import city_key
from bot.services.geography import Town
from bot.views import Buttons, Screen
from bot.views.places import region_where, town_name
from bot.views.text import locale

# What the region is called inside «Все города …»: the kind word of its name, in the genitive.
_KIND_GENITIVE = (
    ("область", "области"),
    ("край", "края"),
    ("республика", "республики"),
    ("округ", "округа"),
)


def all_towns_label(region: str) -> str:
    """«Все города области», «Все города края», «Все города республики»."""
    try:
        name = places.region(region).name_ru.casefold()
    except KeyError:
        name = ""
    if locale() == "ru":
        # Grammar, not wording: the region's own kind word, declined, from the table above.
        for word, genitive in _KIND_GENITIVE:
            if word in name.split():
                return f"Все города {genitive}"
    return _("All towns of the region")


def town_choice(region: str, towns: list[Town]) -> Screen:
    """Every town of the region first, then each town that has (or had) events there."""
    text = _(
        "Announcements of events {where}: from every town there, or only from one of them?"
    ).format(where=escape(region_where(region)))
    region_key = city_key(region)
    builder = Buttons()
    builder.button(text=all_towns_label(region), callback_data=SubscribeTown(city=region_key))
    for town in sorted(towns, key=lambda item: town_name(item.key).casefold()):
        builder.button(
            text=_("Only {town}").format(town=town_name(town.key)),
            callback_data=SubscribeTown(city=region_key, town=city_key(town.key)),
        )
    builder.button(text=_("Other regions"), callback_data=Resubscribe())
    builder.adjust(1)
    return Screen(text, builder.as_markup())
