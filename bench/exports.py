"""Exports at 1,000 / 10,000 / 100,000 registrations: time and peak memory, old vs streamed."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import resource
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import aclosing
from datetime import datetime
from pathlib import Path

from bot.services import attendees as attendees_service
from bot.services import exports
from db import Database
from db import events as events_repo
from db import organizer as organizer_repo
from db.events import Event

# Each measurement runs in a fresh process: peak RSS only ever grows, so one process per
# figure is the only honest way to read it. The process opens the database and imports
# everything first; "extra" is the peak RSS during the export minus the RSS just before it.
#
#   old-xlsx   what the bot did before: every row read into a list, an in-memory openpyxl
#              workbook, saved at the end (the baseline of the ratios)
#   wo-xlsx    openpyxl's write-only mode fed chunk by chunk (the alternative considered)
#   new-xlsx   the bot now: XlsxWriter's constant-memory mode fed chunk by chunk
#   old-csv    every row in a list, then one CSV string
#   new-csv    the bot now: CSV written chunk by chunk

VARIANTS = ("old-xlsx", "wo-xlsx", "new-xlsx", "old-csv", "new-csv")
SIZES = (1_000, 10_000, 100_000)
EVENT_ID = 1
START = 1_790_000_000.0

LABELS = exports.AttendeeLabels(
    number="№",
    full_name="ФИО",
    organization="Организация",
    position="Должность",
    phone="Телефон",
    email="E-mail",
    status="Статус",
    ticket_code="Код билета",
    registered_at="Зарегистрирован(а)",
    checked_in_at="Пришёл(ла)",
    statuses={"confirmed": "подтверждена", "waitlisted": "лист ожидания", "cancelled": "отменена"},
    erased="(данные удалены)",
)


def build(path: Path, count: int) -> None:
    """An event with `count` registrations, half confirmed, a quarter each waitlisted/cancelled."""
    conn = sqlite3.connect(path)
    questions = json.dumps(
        [{"key": "topic", "text": "Какая тема вам ближе?", "options": ["Образование", "Спорт"]}]
    )
    conn.execute(
        "INSERT INTO events (id, title, kind, city, timezone, starts_at, ends_at, questions,"
        " status, created_at, updated_at) VALUES (?, ?, 'conference', 'Тюмень',"
        " 'Asia/Yekaterinburg', ?, ?, ?, 'published', ?, ?)",
        (EVENT_ID, "Форум НКО Тюменской области", START, START + 7200, questions, START, START),
    )
    people = [
        (
            100_000 + i,
            f"Участникова{i} Мария Ивановна",
            f"АНО «Ресурсный центр НКО №{i % 500}»",
            "руководитель проектов",
            f"+7912{i:07d}",
            f"person{i}@example.org",
            START - 86400,
            START - 86400,
        )
        for i in range(count)
    ]
    conn.executemany(
        "INSERT INTO people (id, full_name, organization, position, phone, email, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        people,
    )
    registrations = []
    for i in range(count):
        status = ("confirmed", "confirmed", "waitlisted", "cancelled")[i % 4]
        registrations.append(
            (
                EVENT_ID,
                100_000 + i,
                status,
                i if status == "waitlisted" else None,
                json.dumps({"topic": "Образование"}, ensure_ascii=False),
                secrets.token_urlsafe(16),
                f"{i:06d}",
                START - 3600 if i % 3 == 0 else None,
                START - 86400 + i,
                START - 86400 + i,
                START - 3600 if status == "cancelled" else None,
            )
        )
    conn.executemany(
        "INSERT INTO registrations (event_id, person_id, status, waitlist_seq, answers,"
        " ticket_token, short_code, checked_in_at, created_at, updated_at, cancelled_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        registrations,
    )
    conn.commit()
    conn.close()


def old_xlsx(table: exports.Table) -> bytes:
    """The bot's workbook before streaming: openpyxl, every cell an object in memory."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = exports.sheet_title(table.title)
    for column, header in enumerate(table.headers, start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.data_type = "s"
    for row_index, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column, value=value)
            if isinstance(value, datetime):
                cell.number_format = exports.DATETIME_FORMAT
            elif isinstance(value, str):
                cell.data_type = "s"
    sheet.freeze_panes = sheet.cell(row=2, column=1)
    for column, header in enumerate(table.headers, start=1):
        values = [len(str(header))]
        values += [
            16 if isinstance(row[column - 1], datetime) else len(str(row[column - 1] or ""))
            for row in table.rows
        ]
        width = min(max(values) + 2, 50)
        sheet.column_dimensions[get_column_letter(column)].width = max(width, 6)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def write_only_xlsx(db: Database, event: Event) -> bytes:
    """openpyxl's write-only mode, fed the same chunks as the bot's writer."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(exports.sheet_title(event.title))
    sheet.freeze_panes = "A2"
    sheet.append(exports.attendee_headers(event, LABELS))
    count = 0

    def add(rows: Sequence[Sequence[exports.Cell]]) -> None:
        for row in rows:
            sheet.append(row)

    async with aclosing(organizer_repo.attendee_chunks(db, event.id)) as chunks:
        async for attendees in chunks:
            rows = list(exports.attendee_rows(event, attendees, LABELS, count + 1))
            await asyncio.to_thread(add, rows)
            count += len(attendees)
    buffer = io.BytesIO()
    await asyncio.to_thread(workbook.save, buffer)
    return buffer.getvalue()


async def export(db: Database, event: Event, variant: str) -> bytes:
    if variant.startswith("old-"):
        everyone = await organizer_repo.attendees(db, event.id)
        table = exports.attendee_table(event, everyone, LABELS)
        writer = old_xlsx if variant == "old-xlsx" else exports.to_csv
        return await asyncio.to_thread(writer, table)
    if variant == "wo-xlsx":
        return await write_only_xlsx(db, event)
    result = await attendees_service.export_everyone(db, event, LABELS, xlsx=variant == "new-xlsx")
    assert result is not None
    return result.data


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def measure(path: Path, variant: str) -> dict[str, float]:
    """One export in this process: seconds, extra peak RSS, file size."""
    db = Database(path)
    await db.connect()
    try:
        event = await events_repo.get(db, EVENT_ID)
        assert event is not None
        # Warm the imports and the page cache, so neither counts against the export.
        tiny = exports.Table("warm-up", ["x"], [["y"]])
        exports.to_xlsx(tiny)
        old_xlsx(tiny)
        await db.fetch_all("SELECT * FROM registrations")
        before = rss_mb()
        started = time.perf_counter()
        data = await export(db, event, variant)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        await db.close()
    return {"seconds": seconds, "extra_mb": peak - before, "size_mb": len(data) / 2**20}


def run_child(path: Path, variant: str) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.exports", "--child", variant, "--db", str(path)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(measure(args.db, args.child))))
        return
    print("rows      variant    seconds  ÷ old-xlsx  extra peak RSS  file     load average")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"exports-{size}.sqlite3"
            asyncio.run(_create(path))
            build(path, size)
            baseline: float | None = None
            for variant in args.variants:
                figures = run_child(path, variant)
                if variant == "old-xlsx":
                    baseline = figures["seconds"]
                ratio = f"{figures['seconds'] / baseline:9.2f}" if baseline else "        –"
                print(
                    f"{size:<9,} {variant:<9} {figures['seconds']:8.2f} {ratio}  "
                    f"{figures['extra_mb']:+10.1f} MB  {figures['size_mb']:5.1f} MB  {load()}",
                    flush=True,
                )
    print("targets at 100,000: new-xlsx extra <= +60 MB and <= 0.6 × old-xlsx time")


async def _create(path: Path) -> None:
    db = Database(path)
    await db.connect()  # runs the migrations
    await db.close()


if __name__ == "__main__":
    main()
