"""Callback data factories: a versioned prefix and ids only; handlers re-check everything."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class LanguageChoice(CallbackData, prefix="lang1"):
    code: str


class CatalogNav(CallbackData, prefix="cat1"):
    """A page of the catalog; `city` is `city_key()` of the filter, 0 for all cities."""

    page: int
    city: int = 0


class CityMenu(CallbackData, prefix="cty1"):
    """Open the list of cities to filter the catalog by."""

    page: int = 0


class EventCard(CallbackData, prefix="ev1"):
    """Open an event card; page and city say where Back returns to."""

    event_id: int
    page: int = 0
    city: int = 0


class EventActionKind(StrEnum):
    register = "reg"
    calendar = "ics"
    map = "map"


class EventAction(CallbackData, prefix="ea1"):
    action: EventActionKind
    event_id: int


class ConsentAnswer(CallbackData, prefix="cs1"):
    agree: bool


class SubscribeChoice(CallbackData, prefix="sb1"):
    """Announcements: -1 no, 0 all cities, otherwise `city_key()` of one city."""

    city: int


class DialogStep(StrEnum):
    use_saved = "saved"
    new_details = "new"
    confirm = "ok"
    edit = "edit"
    back = "back"
    cancel = "no"


class DialogAction(CallbackData, prefix="rd1"):
    action: DialogStep
    event_id: int


class EditField(CallbackData, prefix="rf1"):
    """Change one answer from the summary: a profile field name or "q<index>"."""

    field: str
    event_id: int


class MyActionKind(StrEnum):
    list = "list"
    open = "open"
    card = "card"
    ticket = "ticket"
    cancel = "cancel"
    cancel_confirmed = "cancel!"


class MyAction(CallbackData, prefix="my1"):
    action: MyActionKind
    registration_id: int = 0


class ForgetAnswer(CallbackData, prefix="fg1"):
    confirm: bool
