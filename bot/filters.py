"""Role filters for routers: the organizer area and the admin-only corner of it."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject


class IsOrganizer(Filter):
    """Organizers and admins; `is_organizer` is read fresh per update by PersonMiddleware."""

    async def __call__(self, event: TelegramObject, is_organizer: bool = False) -> bool:
        return is_organizer


class IsAdmin(Filter):
    """Admins only: the ids in ADMIN_IDS."""

    async def __call__(self, event: TelegramObject, is_admin: bool = False) -> bool:
        return is_admin
