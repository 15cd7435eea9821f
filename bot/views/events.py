"""The catalog of upcoming events and the event card."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import (
    CatalogNav,
    CityMenu,
    EventAction,
    EventActionKind,
    EventCard,
    TownMenu,
)
from bot.i18n import _
from bot.services.catalog import PAGE_SIZE, CatalogPage, EventView, city_key
from bot.services.geography import Town
from bot.views import Buttons, Screen
from bot.views.kinds import quoted
from bot.views.my import add_registration_buttons
from bot.views.online import format_line, format_name, link_promise
from bot.views.places import by_name, region_name, region_where, town_name, town_where
from bot.views.refusals import refusal_text
from bot.views.text import (
    MESSAGE_LIMIT,
    button_text,
    escaped_within,
    kind_name,
    moment_in,
    pick_label,
    status_banner,
    visible_len,
    when,
    when_short,
)
from db.events import Event
from db.registrations import RegistrationRefusal, RegistrationStatus, Seats

# Room left for Telegram's own counting quirks when a description is cut to fit.
SAFETY_MARGIN = 16


def seats_line(seats: Seats) -> str:
    if seats.left is None:
        return _("Seats: no limit")
    if seats.left > 0:
        return _("Seats left: {left} of {capacity}").format(
            left=seats.left, capacity=seats.capacity
        )
    if seats.waitlisted:
        return _("No seats left; waitlist: {count}").format(count=seats.waitlisted)
    return _("No seats left; you can join the waitlist")


def _filter_where(page: CatalogPage) -> str:
    """«в Ишиме», «в Тюменской области»: where the filter looks (escaped)."""
    if page.town is not None:
        return escape(town_where(page.town.key))
    return escape(region_where(page.city))


def catalog(page: CatalogPage, now: float) -> Screen:
    if page.total == 0:
        text = _("There are no upcoming events yet. Please look in again later.")
        if page.city is not None:
            text = _("There are no upcoming events {where}.").format(where=_filter_where(page))
        builder = Buttons()
        if page.city is not None:
            builder.button(text=_("All regions"), callback_data=CatalogNav(page=0, city=0))
        return Screen(text, builder.as_markup() if page.city is not None else None)

    title = _("Upcoming events")
    if page.city is not None:
        title = _("Upcoming events {where}").format(where=_filter_where(page))
    lines = [f"<b>{title}</b>"]
    if page.pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=page.page + 1, pages=page.pages))
    builder = Buttons()
    for number, item in enumerate(page.items, start=page.page * PAGE_SIZE + 1):
        event = item.event
        lines.append("")
        lines.append(f"{number}. <b>{escape(event.title)}</b>")
        kind = kind_name(event.kind)
        if event.is_online:
            kind += " · " + format_name(event.format)
        lines.append(f"{kind} · {when_short(event, now)}")
        lines.append(seats_line(item.seats))
        builder.row(
            InlineKeyboardButton(
                text=pick_label(number, event),
                callback_data=EventCard(
                    event_id=event.id, page=page.page, city=page.filter_id
                ).pack(),
            )
        )
    if page.pages > 1:
        nav = []
        if page.page > 0:
            nav.append(
                InlineKeyboardButton(
                    text=_("Back"),
                    callback_data=CatalogNav(page=page.page - 1, city=page.filter_id).pack(),
                )
            )
        # The page number is in the text ("Page 1 of 2"): no button that does nothing.
        if page.page < page.pages - 1:
            nav.append(
                InlineKeyboardButton(
                    text=_("Next"),
                    callback_data=CatalogNav(page=page.page + 1, city=page.filter_id).pack(),
                )
            )
        builder.row(*nav)
    if len(page.cities) > 1 or page.city is not None or page.several_towns:
        if page.town is not None:
            label = _("🗺 Town: {town}").format(town=town_name(page.town.key))
        elif page.city:
            label = _("🗺 Region: {region}").format(region=region_name(page.city))
        else:
            label = _("🗺 All regions")
        builder.row(InlineKeyboardButton(text=button_text(label), callback_data=CityMenu().pack()))
    return Screen("\n".join(lines), builder.as_markup())


def city_menu(cities: list[tuple[str, int]], several_towns: set[str] | None = None) -> Screen:
    """Regions to filter by; a region with events in several towns asks for the town next."""
    builder = Buttons()
    builder.button(text=_("All regions"), callback_data=CatalogNav(page=0, city=0))
    for code, count in by_name(cities):
        key = city_key(code)
        builder.button(
            text=f"{region_name(code)} ({count})",
            callback_data=TownMenu(city=key)
            if code in (several_towns or set())
            else CatalogNav(page=0, city=key),
        )
    builder.adjust(1)  # region names are long: one a row, never cut short
    return Screen(_("Choose a region:"), builder.as_markup())


def town_menu(region: str, total: int, towns: list[tuple[Town, int]]) -> Screen:
    """«Все города» of the region first (`total`: all its events), then each town."""
    builder = Buttons()
    builder.button(
        text=_("All towns ({count})").format(count=total),
        callback_data=CatalogNav(page=0, city=city_key(region)),
    )
    for town, count in sorted(towns, key=lambda item: town_name(item[0].key).casefold()):
        builder.button(
            text=f"{town_name(town.key)} ({count})",
            callback_data=CatalogNav(page=0, city=city_key(town.key)),
        )
    builder.button(text=_("Other regions"), callback_data=CityMenu())
    builder.adjust(1)
    text = _("Which town {where}?").format(where=escape(region_where(region)))
    return Screen(text, builder.as_markup())


def registration_line(view: EventView) -> str | None:
    if view.registration is None:
        return None
    if view.registration.status == RegistrationStatus.confirmed:
        line = _("✅ You are registered. Ticket code: {code}").format(
            code=view.registration.short_code
        )
        if view.registration.companions:
            line += " " + _("A seat for your companion is held too.")
        return line
    return _("⏳ You are on the waitlist, position {position}.").format(position=view.position)


def event_card(view: EventView, now: float, *, page: int = 0, city: int = 0) -> Screen:
    event = view.event
    head = [f"<b>{escape(kind_name(event.kind))}</b>", f"<b>{quoted(escape(event.title))}</b>"]
    banner = status_banner(event)
    if banner:
        head += ["", f"<b>{banner}</b>"]
    head += ["", "🗓 " + when(event, now)]
    online = format_line(event)
    if online:
        head.append(online)
    place = ", ".join(escape(part) for part in (event.venue, event.address) if part)
    if place and event.has_venue:
        head.append("📍 " + place)
    if event.organizer_name:
        head.append("👥 " + _("Organizer: {name}").format(name=escape(event.organizer_name)))

    tail = ["", "🎟 " + seats_line(view.seats)]
    promise = link_promise(event)
    if promise and not (view.registration and view.registration.is_live):
        tail.append(promise)
    if view.refusal is None and event.registration_deadline is None:
        tail.append(_("Registration is open until the event starts."))
    elif view.refusal is None:
        tail.append(
            _("Registration is open until {moment}").format(
                moment=moment_in(event.registration_closes_at, event.timezone, now, event.city)
            )
        )
    elif view.registration is None and view.refusal != RegistrationRefusal.cancelled:
        tail.append(refusal_text(view.refusal))
    mine = registration_line(view)
    if mine:
        tail += ["", f"<b>{mine}</b>"]

    text = "\n".join(head)
    ending = "\n".join(tail)
    if event.description.strip():
        budget = MESSAGE_LIMIT - visible_len(text) - visible_len(ending) - 2 - SAFETY_MARGIN
        text += "\n\n" + escaped_within(event.description.strip(), budget)
    text += "\n" + ending
    return Screen(text, card_keyboard(view, page=page, city=city))


def card_keyboard(view: EventView, *, page: int, city: int) -> InlineKeyboardMarkup:
    event = view.event
    builder = Buttons()
    if view.registration is not None:
        add_registration_buttons(builder, view.registration)
    elif view.refusal is None:
        label = _("✅ Register")
        if view.seats.left == 0:
            label = _("⏳ Join the waitlist")
        builder.button(
            text=label,
            callback_data=EventAction(action=EventActionKind.register, event_id=event.id),
        )
        if event.companions_allowed and (event.capacity is None or event.capacity >= 2):
            builder.button(
                text=_("Register with a companion"),
                callback_data=EventAction(
                    action=EventActionKind.register_companion, event_id=event.id
                ),
            )
    if view.refusal is None and event.colleagues_allowed:
        # Offered whether or not the member registered themselves: they may not be coming.
        builder.button(
            text=_("Register a colleague"),
            callback_data=EventAction(action=EventActionKind.register_colleague, event_id=event.id),
        )
    builder.button(
        text=_("📅 Add to calendar"),
        callback_data=EventAction(action=EventActionKind.calendar, event_id=event.id),
    )
    if event.has_location:
        builder.button(
            text=_("🗺 Show on map"),
            callback_data=EventAction(action=EventActionKind.map, event_id=event.id),
        )
    builder.button(text=_("⬅️ Back"), callback_data=CatalogNav(page=page, city=city))
    builder.adjust(1)
    return builder.as_markup()


def not_found() -> str:
    return _("This event was not found: it may have been removed, or the link is mistyped.")


def event_title(event: Event) -> str:
    return f"{quoted(escape(event.title))}"
