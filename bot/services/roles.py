"""Roles: who is an admin or an organizer, who may act on an event, granting and revoking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock
from db import Database, people
from db import events as events_repo
from db.events import Event
from db.people import Person

# Telegram user ids are positive and (so far) fit in 52 bits.
USER_ID = re.compile(r"^\s*(?:id\s*[:=]?\s*)?(\d{1,16})\s*$", re.IGNORECASE)


class RoleChange(StrEnum):
    granted = "granted"
    revoked = "revoked"
    already = "already"  # nothing to change
    unknown = "unknown"  # never started the bot: no chat to work in
    admin = "admin"  # admins come from ADMIN_IDS, not from the database


@dataclass(frozen=True, slots=True)
class Access:
    """Who is acting and what they may do: loaded once per update by the middleware and
    handed to handlers as `access`; the same object for members, organizers and admins.

    The rule: organizers manage (and announce to the people of) their own events, admins
    every event; an admin is always an organizer too.
    """

    user_id: int
    is_admin: bool
    is_organizer: bool

    @classmethod
    def of(cls, user_id: int, person: Person | None, admin_ids: frozenset[int]) -> Access:
        is_admin = user_id in admin_ids
        return cls(
            user_id=user_id,
            is_admin=is_admin,
            is_organizer=is_admin or (person is not None and person.is_organizer),
        )

    def may_manage(self, event: Event) -> bool:
        """Organizers manage their own events, admins every event."""
        if self.is_admin:
            return True
        return self.is_organizer and event.owner_id is not None and event.owner_id == self.user_id

    @property
    def owner_filter(self) -> int | None:
        """The owner to filter event lists by: None (all events) for an admin."""
        return None if self.is_admin else self.user_id


def parse_user_id(text: str | None) -> int | None:
    """A numeric Telegram id typed by an admin (also «id 12345»)."""
    if not text:
        return None
    match = USER_ID.match(text)
    return int(match.group(1)) if match else None


@dataclass(eq=False)
class RoleService:
    db: Database
    clock: Clock
    admin_ids: frozenset[int]

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids

    async def access(self, user_id: int) -> Access:
        """Read fresh; handlers get the middleware's `access` for the update instead."""
        return Access.of(user_id, await people.get(self.db, user_id), self.admin_ids)

    async def managed_event(self, user_id: int, event_id: int) -> Event | None:
        """The event when this person may act on it now; None for unknown or someone else's.

        Both are one answer on purpose: a forged id learns nothing about other events.
        """
        access = await self.access(user_id)
        if not access.is_organizer:
            return None
        event = await events_repo.get(self.db, event_id)
        if event is None or not access.may_manage(event):
            return None
        return event

    async def person(self, user_id: int) -> Person | None:
        return await people.get(self.db, user_id)

    async def organizers(self) -> list[Person]:
        return await people.organizers(self.db)

    async def set_organizer(self, target_id: int, organizer: bool) -> RoleChange:
        if self.is_admin(target_id):
            return RoleChange.admin
        person = await people.get(self.db, target_id)
        if person is None:
            return RoleChange.unknown
        if person.is_organizer == organizer:
            return RoleChange.already
        role = "organizer" if organizer else "member"
        await people.set_role(self.db, target_id, role, self.clock.timestamp())
        return RoleChange.granted if organizer else RoleChange.revoked
