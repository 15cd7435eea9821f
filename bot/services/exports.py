"""Attendee exports as files: CSV (UTF-8 with BOM), XLSX, and the pass list for the venue."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from db.events import Event
from db.organizer import Attendee

Cell = str | int | float | datetime | None

# Spreadsheets run a cell that starts like a formula (CSV injection); such text gets a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SHEET_TITLE_LIMIT = 31


@dataclass(frozen=True, slots=True)
class Table:
    """Rows to export: headers and typed values (local times as naive datetimes)."""

    title: str
    headers: list[str]
    rows: list[list[Cell]]


@dataclass(frozen=True, slots=True)
class AttendeeLabels:
    """Column names and status words in the organizer's language (made by the views)."""

    number: str
    full_name: str
    organization: str
    position: str
    phone: str
    email: str
    status: str
    ticket_code: str
    registered_at: str
    checked_in_at: str
    statuses: dict[str, str]
    erased: str  # shown instead of a name wiped by /forget
    companions: str = "+1"  # the column of companions, shown only when someone brings one
    companion_of: str = "+1 ({name})"  # a companion's row on the pass list


def local_time(timestamp: float | None, zone: str) -> datetime | None:
    """A UTC timestamp as the event's local wall time, the way people read it in a sheet."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, ZoneInfo(zone)).replace(tzinfo=None)


def attendee_table(event: Event, attendees: Sequence[Attendee], labels: AttendeeLabels) -> Table:
    """Profile fields, status, ticket code, times in the event's zone, and every answer."""
    zone_note = f" ({event.timezone})"
    headers = [
        labels.number,
        labels.full_name,
        labels.organization,
        labels.position,
        labels.phone,
        labels.email,
        labels.status,
        labels.ticket_code,
        labels.registered_at + zone_note,
        labels.checked_in_at + zone_note,
        *(question.text for question in event.questions),
    ]
    # Only events where someone brings a companion get the column: other sheets stay as they were.
    with_companions = any(attendee.registration.companions for attendee in attendees)
    if with_companions:
        headers.append(labels.companions)
    rows: list[list[Cell]] = []
    for number, attendee in enumerate(attendees, start=1):
        registration = attendee.registration
        name = attendee.full_name
        if attendee.person_id is None:
            name = labels.erased
        rows.append(
            [
                number,
                name,
                attendee.organization,
                attendee.position,
                attendee.phone,
                attendee.email,
                labels.statuses.get(str(registration.status), str(registration.status)),
                registration.short_code,
                local_time(registration.created_at, event.timezone),
                local_time(registration.checked_in_at, event.timezone),
                *(registration.answers.get(question.key) for question in event.questions),
                *([registration.companions] if with_companions else []),
            ]
        )
    return Table(event.title, headers, rows)


def pass_table(
    event: Event,
    attendees: Sequence[Attendee],
    number: str,
    full_name: str,
    organization: str,
    companion_of: str = "+1 ({name})",
) -> Table:
    """№, full name, organization: nothing more than the security desk needs. A companion
    has a row of their own right under the member, so every person at the door is counted."""
    people: list[tuple[str | None, str | None]] = []
    for attendee in attendees:
        people.append((attendee.full_name, attendee.organization))
        for _ in range(attendee.registration.companions):
            people.append((companion_of.format(name=attendee.full_name or ""), None))
    rows: list[list[Cell]] = [
        [index, name, org] for index, (name, org) in enumerate(people, start=1)
    ]
    return Table(event.title, [number, full_name, organization], rows)


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int | float):
        return str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def to_csv(table: Table) -> bytes:
    """UTF-8 with a BOM and «;» between fields: what Excel in Russian opens without a wizard."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(header) for header in table.headers])
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def sheet_title(text: str) -> str:
    """Excel's rules for sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", text).strip() or "Sheet"
    return cleaned[:SHEET_TITLE_LIMIT]


def write_sheet(sheet: Worksheet, table: Table, heading: list[str] | None = None) -> None:
    """Headers in bold, frozen; text cells never become formulas; widths fit the content."""
    offset = 0
    for line in heading or []:
        offset += 1
        sheet.cell(row=offset, column=1, value=line).font = Font(bold=offset == 1)
        sheet.cell(row=offset, column=1).data_type = "s"
    if heading:
        offset += 1  # an empty line between the heading and the table
    header_row = offset + 1
    for column, header in enumerate(table.headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.data_type = "s"
    for row_index, row in enumerate(table.rows, start=header_row + 1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column, value=value)
            if isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, str):
                cell.data_type = "s"  # "=..." typed by a person stays text
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for column, header in enumerate(table.headers, start=1):
        values = [len(str(header))]
        values += [
            16 if isinstance(row[column - 1], datetime) else len(str(row[column - 1] or ""))
            for row in table.rows
        ]
        width = min(max(values) + 2, 50)
        sheet.column_dimensions[get_column_letter(column)].width = max(width, 6)


def to_xlsx(table: Table, heading: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = sheet_title(table.title)
    write_sheet(sheet, table, heading)
    # Printed at the door: one page wide, the header row repeated on every page.
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    header_row = len(heading) + 2 if heading else 1
    sheet.print_title_rows = f"{header_row}:{header_row}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_stem(event: Event, kind: str) -> str:
    """A file name that survives every OS: «event-12-attendees»."""
    return f"event-{event.id}-{kind}"
