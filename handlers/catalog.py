"""/events: the catalog with pages, a region and town filter, cards, calendar files, map pins."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callbacks import CatalogNav, CityMenu, EventAction, EventActionKind, EventCard, TownMenu
from bot.i18n import _
from bot.outgoing import send_calendar
from bot.services import Services
from bot.ui import edit_or_send
from bot.views import Screen
from bot.views import events as views
from bot.views.refusals import refusal_text
from db.events import Event
from db.registrations import RegistrationRefusal
from handlers.deeplinks import LinkOpening


async def catalog_screen(services: Services, page: int = 0, city: int = 0) -> Screen:
    listing = await services.catalog.page(page, city)
    return views.catalog(listing, services.clock.timestamp())


async def on_events(message: Message, services: Services) -> None:
    screen = await catalog_screen(services)
    await message.answer(screen.text, reply_markup=screen.reply_markup)


async def on_catalog_page(
    query: CallbackQuery, callback_data: CatalogNav, services: Services, bot: Bot
) -> None:
    screen = await catalog_screen(services, callback_data.page, callback_data.city)
    await edit_or_send(bot, query, screen.text, screen.inline)


async def on_city_menu(query: CallbackQuery, services: Services, bot: Bot) -> None:
    several = await services.catalog.regions_with_several_towns()
    screen = views.city_menu(await services.catalog.cities(), several)
    await edit_or_send(bot, query, screen.text, screen.inline)


async def on_town_menu(
    query: CallbackQuery, callback_data: TownMenu, services: Services, bot: Bot
) -> None:
    region = await services.catalog.city_by_key(callback_data.city)
    towns = await services.catalog.towns(region) if region is not None else []
    if region is None or len(towns) < 2:
        # No events there any more, or only in one town: the region's page says it all.
        screen = await catalog_screen(services, 0, callback_data.city)
    else:
        total = dict(await services.catalog.cities()).get(region, 0)
        screen = views.town_menu(region, total, towns)
    await edit_or_send(bot, query, screen.text, screen.inline)


async def on_event_card(
    query: CallbackQuery,
    callback_data: EventCard,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    view = await services.catalog.view(callback_data.event_id, query.from_user.id)
    if view is None:
        callback_answer.text = refusal_text(RegistrationRefusal.not_found)
        callback_answer.show_alert = True
        screen = await catalog_screen(services)
    else:
        screen = views.event_card(
            view, services.clock.timestamp(), page=callback_data.page, city=callback_data.city
        )
    await edit_or_send(bot, query, screen.text, screen.inline)


async def on_card_extra(
    query: CallbackQuery,
    callback_data: EventAction,
    services: Services,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    """The card's calendar file and map pin, for an event still listed."""
    view = await services.catalog.view(callback_data.event_id, query.from_user.id)
    if view is None:
        callback_answer.text = refusal_text(RegistrationRefusal.not_found)
        callback_answer.show_alert = True
    elif callback_data.action == EventActionKind.calendar:
        await send_calendar(bot, query.from_user.id, services, view.event, view.registration)
    else:
        await _send_pin(bot, query.from_user.id, view.event, callback_answer)


async def _send_pin(bot: Bot, chat_id: int, event: Event, callback_answer: CallbackAnswer) -> None:
    if event.latitude is None or event.longitude is None:
        callback_answer.text = _("The organizers have not put this venue on the map.")
        return
    await bot.send_venue(
        chat_id,
        latitude=event.latitude,
        longitude=event.longitude,
        title=event.venue or event.title,
        address=", ".join(part for part in (event.address, event.city) if part),
    )


async def open_event_link(opening: LinkOpening) -> None:
    """`t.me/<bot>?start=ev_<id>`: the card straight away, or the catalog when it is gone."""
    services, event_id = opening.services, opening.link.event_id
    view = None
    if event_id is not None:
        view = await services.catalog.view(event_id, opening.access.user_id)
    if view is None:
        screen = await catalog_screen(services)
        text = views.not_found() + "\n\n" + screen.text
    else:
        screen = views.event_card(view, services.clock.timestamp())
        text = screen.text
    await opening.bot.send_message(opening.chat_id, text, reply_markup=screen.reply_markup)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_events, Command("events"))
    router.callback_query.register(on_catalog_page, CatalogNav.filter())
    router.callback_query.register(on_city_menu, CityMenu.filter())
    router.callback_query.register(on_town_menu, TownMenu.filter())
    router.callback_query.register(on_event_card, EventCard.filter())
    router.callback_query.register(
        on_card_extra,
        EventAction.filter(F.action.in_({EventActionKind.calendar, EventActionKind.map})),
    )
    return router
