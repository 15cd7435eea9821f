"""People: who has talked to the bot, their language, role, profile and reachability."""

from __future__ import annotations

from dataclasses import dataclass
from sqlite3 import Row

import aiosqlite

from db.database import Database

PROFILE_FIELDS = ("full_name", "organization", "position", "phone", "email")


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    language: str | None
    role: str
    full_name: str | None
    organization: str | None
    position: str | None
    phone: str | None
    email: str | None
    subscribed: bool
    subscription_city: str | None
    unreachable_at: float | None
    erased_at: float | None
    created_at: float

    @property
    def is_organizer(self) -> bool:
        return self.role == "organizer"

    @property
    def has_profile(self) -> bool:
        return bool(self.full_name and (self.phone or self.email))


def _person(row: Row) -> Person:
    return Person(
        id=row["id"],
        language=row["language"],
        role=row["role"],
        full_name=row["full_name"],
        organization=row["organization"],
        position=row["position"],
        phone=row["phone"],
        email=row["email"],
        subscribed=bool(row["subscribed"]),
        subscription_city=row["subscription_city"],
        unreachable_at=row["unreachable_at"],
        erased_at=row["erased_at"],
        created_at=row["created_at"],
    )


async def get(db: Database, person_id: int) -> Person | None:
    row = await db.fetch_one("SELECT * FROM people WHERE id = ?", (person_id,))
    return None if row is None else _person(row)


async def get_in(tx: aiosqlite.Connection, person_id: int) -> Person | None:
    async with tx.execute("SELECT * FROM people WHERE id = ?", (person_id,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _person(row)


async def ensure(db: Database, person_id: int, now: float) -> Person:
    """The person's row, created on first contact (only the Telegram id: no personal fields)."""
    async with db.write() as tx:
        await tx.execute(
            "INSERT INTO people (id, created_at, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            (person_id, now, now),
        )
        async with tx.execute("SELECT * FROM people WHERE id = ?", (person_id,)) as cursor:
            row = await cursor.fetchone()
    assert row is not None
    return _person(row)


async def set_language(db: Database, person_id: int, language: str, now: float) -> None:
    async with db.write() as tx:
        await tx.execute(
            "INSERT INTO people (id, language, created_at, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET language = excluded.language,"
            " updated_at = excluded.updated_at",
            (person_id, language, now, now),
        )


async def set_role(db: Database, person_id: int, role: str, now: float) -> bool:
    """Grant or revoke the organizer role; False when the person never started the bot."""
    async with db.write() as tx:
        cursor = await tx.execute(
            "UPDATE people SET role = ?, updated_at = ? WHERE id = ?", (role, now, person_id)
        )
        return cursor.rowcount > 0


async def organizers(db: Database) -> list[Person]:
    rows = await db.fetch_all("SELECT * FROM people WHERE role = 'organizer' ORDER BY id")
    return [_person(row) for row in rows]


async def mark_unreachable(db: Database, person_id: int, now: float) -> None:
    async with db.write() as tx:
        await mark_unreachable_in(tx, person_id, now)


async def mark_unreachable_in(tx: aiosqlite.Connection, person_id: int, now: float) -> None:
    """Inside an open transaction: the delivery engine records a 403 with its outcomes."""
    await tx.execute(
        "UPDATE people SET unreachable_at = ?, updated_at = ? WHERE id = ?",
        (now, now, person_id),
    )


async def mark_reachable(db: Database, person_id: int, now: float) -> None:
    """A person who wrote to the bot again has unblocked it."""
    async with db.write() as tx:
        await tx.execute(
            "UPDATE people SET unreachable_at = NULL, updated_at = ?"
            " WHERE id = ? AND unreachable_at IS NOT NULL",
            (now, person_id),
        )


@dataclass(frozen=True, slots=True)
class Profile:
    """The personal fields asked in the registration dialog, already validated."""

    full_name: str
    organization: str | None
    position: str | None
    phone: str | None
    email: str | None


def profile_of(person: Person) -> Profile | None:
    """The saved profile, or None when it is not complete enough to reuse."""
    if not person.has_profile or person.full_name is None:
        return None
    return Profile(
        full_name=person.full_name,
        organization=person.organization,
        position=person.position,
        phone=person.phone,
        email=person.email,
    )


async def save_profile_in(
    tx: aiosqlite.Connection, person_id: int, profile: Profile, now: float
) -> None:
    """Store the profile inside the caller's transaction (with the registration it is for)."""
    await tx.execute(
        "UPDATE people SET full_name = ?, organization = ?, position = ?, phone = ?, email = ?,"
        " erased_at = NULL, updated_at = ? WHERE id = ?",
        (
            profile.full_name,
            profile.organization,
            profile.position,
            profile.phone,
            profile.email,
            now,
            person_id,
        ),
    )


async def set_subscription(
    db: Database, person_id: int, subscribed: bool, city: str | None, now: float
) -> None:
    async with db.write() as tx:
        await set_subscription_in(tx, person_id, subscribed, city, now)


async def set_subscription_in(
    tx: aiosqlite.Connection, person_id: int, subscribed: bool, city: str | None, now: float
) -> None:
    await tx.execute(
        "UPDATE people SET subscribed = ?, subscription_city = ?, updated_at = ? WHERE id = ?",
        (int(subscribed), city if subscribed else None, now, person_id),
    )


async def erase_in(tx: aiosqlite.Connection, person_id: int, now: float) -> None:
    """Wipe every personal field; the bare row stays so the chat (and its language) works."""
    await tx.execute(
        "UPDATE people SET full_name = NULL, organization = NULL, position = NULL,"
        " phone = NULL, email = NULL, subscribed = 0, subscription_city = NULL,"
        " erased_at = ?, updated_at = ? WHERE id = ?",
        (now, now, person_id),
    )
