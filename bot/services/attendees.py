"""Attendee lists of one event: pages for the chat, rows for the exports, the pass list."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack, aclosing
from dataclasses import dataclass

from bot.services import exports
from db import Database
from db import organizer as organizer_repo
from db.events import Event
from db.organizer import Attendee, EventCounts
from db.registrations import RegistrationStatus

PAGE_SIZE = 15
# Registrations read and written per step of an export: memory stays flat at any size.
EXPORT_CHUNK = 1000


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


@dataclass(frozen=True, slots=True)
class ExportFile:
    data: bytes
    rows: int


async def export_everyone(
    db: Database,
    event: Event,
    labels: exports.AttendeeLabels,
    *,
    xlsx: bool,
    chunk: int = EXPORT_CHUNK,
) -> ExportFile | None:
    """Every registration as XLSX or CSV; None when there is nobody to export.

    Streamed: the database hands over `chunk` rows at a time and a worker thread writes each
    chunk out, so neither the rows nor the workbook are ever all in memory and the event
    loop keeps answering other chats while a 100,000-row file is built.
    """
    headers = exports.attendee_headers(event, labels)
    add: Callable[[Iterable[Sequence[exports.Cell]]], None]
    finish: Callable[[], bytes]
    with ExitStack() as cleanup:
        if xlsx:
            book = cleanup.enter_context(await asyncio.to_thread(exports.XlsxBook))
            sheet = book.sheet(event.title, headers, printable=True)
            add, finish = sheet.add, book.finish
        else:
            writer = exports.CsvWriter(headers)
            add, finish = writer.add, writer.finish
        count = 0
        async with aclosing(organizer_repo.attendee_chunks(db, event.id, chunk)) as chunks:
            async for attendees in chunks:
                rows = exports.attendee_rows(event, attendees, labels, count + 1)
                await asyncio.to_thread(add, rows)
                count += len(attendees)
        if not count:
            return None
        return ExportFile(await asyncio.to_thread(finish), count)
