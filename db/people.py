"""People: who has talked to the bot, their language, role, profile and reachability."""

from __future__ import annotations

from dataclasses import dataclass
from sqlite3 import Row

from db.database import Queries
from db.rows import from_row

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
    subscription_city: str | None  # a region's code; None while subscribed: all regions
    unreachable_at: float | None
    erased_at: float | None
    created_at: float
    telegram_name: str | None = None  # first and last name in Telegram, for admins' screens
    subscription_town: str | None = None  # one town of that region; None: all its towns

    @property
    def name(self) -> str | None:
        """How to name the person to an organizer: the profile's full name, else Telegram's."""
        return self.full_name or self.telegram_name

    @property
    def is_organizer(self) -> bool:
        return self.role == "organizer"

    @property
    def has_profile(self) -> bool:
        return bool(self.full_name and (self.phone or self.email))


def _person(row: Row) -> Person:
    return from_row(Person, row, subscribed=bool(row["subscribed"]))


async def get(db: Queries, person_id: int) -> Person | None:
    row = await db.fetch_one("SELECT * FROM people WHERE id = ?", (person_id,))
    return None if row is None else _person(row)


async def add(db: Queries, person_id: int, now: float) -> None:
    """Create the person's row on first contact (only the Telegram id: no personal fields)."""
    await db.execute(
        "INSERT INTO people (id, created_at, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (id) DO NOTHING",
        (person_id, now, now),
    )


async def ensure(db: Queries, person_id: int, now: float) -> Person:
    """The person's row, created on first contact."""
    async with db.write() as tx:
        await add(tx, person_id, now)
        found = await get(tx, person_id)
    assert found is not None
    return found


async def language_of(db: Queries, person_id: int) -> str | None:
    """The person's chosen language; None when unknown or not chosen yet."""
    value = await db.fetch_value("SELECT language FROM people WHERE id = ?", (person_id,))
    return None if value is None else str(value)


async def set_language(db: Queries, person_id: int, language: str, now: float) -> None:
    await db.execute(
        "INSERT INTO people (id, language, created_at, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET language = excluded.language,"
        " updated_at = excluded.updated_at",
        (person_id, language, now, now),
    )


async def set_role(db: Queries, person_id: int, role: str, now: float) -> bool:
    """Grant or revoke the organizer role; False when the person never started the bot."""
    changed = await db.execute(
        "UPDATE people SET role = ?, updated_at = ? WHERE id = ?", (role, now, person_id)
    )
    return changed > 0


async def organizers(db: Queries) -> list[Person]:
    rows = await db.fetch_all("SELECT * FROM people WHERE role = 'organizer' ORDER BY id")
    return [_person(row) for row in rows]


async def remember_telegram_name(db: Queries, person_id: int, name: str, now: float) -> None:
    """Kept once, while nothing is stored; never after /forget (nothing is collected anew)."""
    await db.execute(
        "UPDATE people SET telegram_name = ?, updated_at = ?"
        " WHERE id = ? AND telegram_name IS NULL AND erased_at IS NULL",
        (name, now, person_id),
    )


async def mark_unreachable(db: Queries, person_id: int, now: float) -> None:
    """The person blocked the bot (the delivery engine records a 403 with its outcomes)."""
    await db.execute(
        "UPDATE people SET unreachable_at = ?, updated_at = ? WHERE id = ?",
        (now, now, person_id),
    )


async def mark_reachable(db: Queries, person_id: int, now: float) -> None:
    """A person who wrote to the bot again has unblocked it."""
    await db.execute(
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


async def save_profile(db: Queries, person_id: int, profile: Profile, now: float) -> None:
    """Store the profile (in the caller's transaction, with the registration it is for)."""
    await db.execute(
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
    db: Queries,
    person_id: int,
    subscribed: bool,
    city: str | None,
    now: float,
    town: str | None = None,
) -> None:
    """`city` is a region's code (None: all regions), `town` one of its towns (None: all)."""
    await db.execute(
        "UPDATE people SET subscribed = ?, subscription_city = ?, subscription_town = ?,"
        " updated_at = ? WHERE id = ?",
        (
            int(subscribed),
            city if subscribed else None,
            town if subscribed and city is not None else None,
            now,
            person_id,
        ),
    )


async def subscription_places(db: Queries) -> list[tuple[int, str]]:
    """(id, region) of every person who chose a place (a region, or a town in it)."""
    rows = await db.fetch_all(
        "SELECT id, subscription_city FROM people WHERE subscription_city IS NOT NULL ORDER BY id"
    )
    return [(row["id"], row["subscription_city"]) for row in rows]


async def set_subscription_place(db: Queries, person_id: int, region_code: str) -> None:
    await db.execute(
        "UPDATE people SET subscription_city = ? WHERE id = ?", (region_code, person_id)
    )


async def erase(db: Queries, person_id: int, now: float) -> None:
    """Wipe every personal field; the bare row stays so the chat (and its language) works."""
    await db.execute(
        "UPDATE people SET full_name = NULL, organization = NULL, position = NULL,"
        " phone = NULL, email = NULL, subscribed = 0, subscription_city = NULL,"
        " subscription_town = NULL,"
        " telegram_name = NULL,"
        " erased_at = ?, updated_at = ? WHERE id = ?",
        (now, now, person_id),
    )
