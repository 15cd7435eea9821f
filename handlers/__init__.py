"""The router tree, the map of the bot: who may reach which handlers, in which order."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    accessibility,
    catalog,
    colleagues,
    common,
    errors,
    fallback,
    menu,
    my_registrations,
    organizer,
    privacy,
    registration,
    reminders,
    start,
    status,
    subscriptions,
)
from handlers.deeplinks import DeepLinkOpeners


def build_routers() -> list[Router]:
    """Routers in matching order: groups first, stale buttons and stray text last."""
    return [
        fallback.build_group_router(),
        common.build_router(),
        start.build_router(),
        accessibility.build_router(),
        # Before the member routers and their catch-alls: organizers' dialogs come first.
        status.build_router(),
        organizer.build_router(),
        organizer.build_refusals(),
        catalog.build_router(),
        registration.build_router(),
        colleagues.build_router(),
        my_registrations.build_router(),
        privacy.build_router(),
        subscriptions.build_router(),
        reminders.build_router(),
        menu.build_router(),
        fallback.build_router(),
        errors.build_router(),
    ]


def build_deep_links() -> DeepLinkOpeners:
    """Which feature opens which `t.me/<bot>?start=<kind>_<value>` link."""
    openers = DeepLinkOpeners()
    openers.register("ev", catalog.open_event_link)
    openers.register("ci", organizer.open_ticket_link)
    return openers
