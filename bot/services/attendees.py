"""Attendee lists of one event: pages for the chat, rows for the exports, the pass list."""

from __future__ import annotations

from dataclasses import dataclass

from db import Database
from db import organizer as organizer_repo
from db.organizer import Attendee, EventCounts
from db.registrations import RegistrationStatus

PAGE_SIZE = 15


@dataclass(frozen=True, slots=True)
class AttendeesPage:
    items: list[Attendee]
    first_number: int  # 1-based number of the first item on the page
    page: int
    pages: int
    total: int
    counts: EventCounts


def name_key(attendee: Attendee) -> tuple[str, str]:
    """Alphabetical order as people expect it: case and «ё» do not matter."""
    name = (attendee.full_name or "").casefold().replace("ё", "е")
    organization = (attendee.organization or "").casefold().replace("ё", "е")
    return name, organization


async def page_of(db: Database, event_id: int, page: int) -> AttendeesPage:
    everyone = await organizer_repo.attendees(db, event_id)
    total = len(everyone)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    start = page * PAGE_SIZE
    return AttendeesPage(
        items=everyone[start : start + PAGE_SIZE],
        first_number=start + 1,
        page=page,
        pages=pages,
        total=total,
        counts=await organizer_repo.counts(db, event_id),
    )


async def everyone(db: Database, event_id: int) -> list[Attendee]:
    """Every registration, cancelled ones included: the export is the full record."""
    return await organizer_repo.attendees(db, event_id)


async def pass_list(db: Database, event_id: int) -> list[Attendee]:
    """People with a confirmed seat, alphabetically: what the security desk checks."""
    confirmed = await organizer_repo.attendees(db, event_id, [RegistrationStatus.confirmed])
    return sorted(confirmed, key=name_key)
