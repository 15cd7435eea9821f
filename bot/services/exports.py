"""Attendee exports as files: CSV (UTF-8 with BOM), XLSX, and the pass list for the venue."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Self
from zoneinfo import ZoneInfo

from db.events import Event
from db.organizer import Attendee

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

Cell = str | int | float | datetime | None

# Spreadsheets run a cell that starts like a formula (CSV injection); such text gets a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
SHEET_TITLE_LIMIT = 31
# Column widths in characters: a datetime shows as «2026-11-27 14:00»; text wraps beyond 50.
DATETIME_WIDTH = 16
MIN_WIDTH, MAX_WIDTH = 6, 50


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
    registered_by: str = "Registered by"  # the column of who registered a colleague


def local_time(timestamp: float | None, zone: str) -> datetime | None:
    """A UTC timestamp as the event's local wall time, the way people read it in a sheet."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, ZoneInfo(zone)).replace(tzinfo=None)


def attendee_headers(event: Event, labels: AttendeeLabels) -> list[str]:
    """Profile fields, status, ticket code, times in the event's zone, and every question."""
    zone_note = f" ({event.timezone})"
    return [
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
        *([labels.companions] if event.companions_allowed else []),
        *([labels.registered_by] if event.colleagues_allowed else []),
    ]


def attendee_rows(
    event: Event, attendees: Iterable[Attendee], labels: AttendeeLabels, first_number: int = 1
) -> Iterator[list[Cell]]:
    """One row per registration, numbered from `first_number` (exports come in chunks)."""
    for number, attendee in enumerate(attendees, start=first_number):
        registration = attendee.registration
        name = attendee.full_name
        if attendee.person_id is None and not registration.is_colleague:
            name = labels.erased
        yield [
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
            # Events that allow companions get the column: other sheets stay as they were.
            *([registration.companions] if event.companions_allowed else []),
            *([attendee.registered_by_name] if event.colleagues_allowed else []),
        ]


def attendee_table(event: Event, attendees: Sequence[Attendee], labels: AttendeeLabels) -> Table:
    """Every registration as one table (small exports; big ones stream through the writers)."""
    return Table(
        event.title,
        attendee_headers(event, labels),
        list(attendee_rows(event, attendees, labels)),
    )


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


class CsvWriter:
    """CSV written as rows arrive: UTF-8 with a BOM and «;» between fields, what Excel in
    Russian opens without a wizard. Only the finished file is held, never the rows."""

    def __init__(self, headers: Sequence[str]) -> None:
        self._buffer = io.BytesIO()
        self._text = io.TextIOWrapper(self._buffer, encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._text, delimiter=";", lineterminator="\r\n")
        self._writer.writerow([_csv_cell(header) for header in headers])

    def add(self, rows: Iterable[Sequence[Cell]]) -> None:
        self._writer.writerows([_csv_cell(value) for value in row] for row in rows)

    def finish(self) -> bytes:
        self._text.flush()
        return self._buffer.getvalue()


def to_csv(table: Table) -> bytes:
    writer = CsvWriter(table.headers)
    writer.add(table.rows)
    return writer.finish()


def sheet_title(text: str) -> str:
    """Excel's rules for sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", text).strip() or "Sheet"
    return cleaned[:SHEET_TITLE_LIMIT]


@dataclass(slots=True)
class _Formats:
    bold: Format
    header: Format
    moment: Format
    percent: Format


class XlsxBook:
    """A workbook written row by row (XlsxWriter's constant-memory mode): each finished row
    goes to a temporary file, so a sheet of 100,000 rows costs megabytes, not hundreds.

    Use it as a context manager: leaving it removes the temporary files, finished or not.
    """

    def __init__(self) -> None:
        # Imported here: the library is needed only when someone exports.
        import xlsxwriter

        self._folder = tempfile.TemporaryDirectory(prefix="xlsx-")
        self._buffer = io.BytesIO()
        self._book: Workbook = xlsxwriter.Workbook(
            self._buffer,
            {
                "constant_memory": True,
                "tmpdir": self._folder.name,
                # Every value is written by type; text never becomes a formula or a link.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self._formats = _Formats(
            bold=self._book.add_format({"bold": True}),
            header=self._book.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
            moment=self._book.add_format({"num_format": DATETIME_FORMAT}),
            percent=self._book.add_format({"num_format": PERCENT_FORMAT}),
        )
        self._sheets: list[SheetWriter] = []

    def sheet(
        self,
        title: str,
        headers: Sequence[str],
        heading: Sequence[str] = (),
        *,
        percent_column: int | None = None,
        printable: bool = False,
    ) -> SheetWriter:
        """A new sheet; fill it before starting the next one (rows go to disk in order)."""
        sheet = SheetWriter(
            self._book.add_worksheet(sheet_title(title)),
            self._formats,
            headers,
            heading,
            percent_column=percent_column,
            printable=printable,
        )
        self._sheets.append(sheet)
        return sheet

    def finish(self) -> bytes:
        for sheet in self._sheets:
            sheet.fit_columns()
        self._book.close()
        self._folder.cleanup()
        return self._buffer.getvalue()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._folder.cleanup()


@dataclass(slots=True)
class SheetWriter:
    """One sheet: optional heading lines, a bold frozen header row, then typed rows."""

    sheet: Worksheet
    formats: _Formats
    headers: Sequence[str]
    heading: Sequence[str] = ()
    percent_column: int | None = None
    printable: bool = False
    next_row: int = 0
    widths: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for index, line in enumerate(self.heading):
            self.sheet.write_string(index, 0, line, self.formats.bold if index == 0 else None)
        header_row = len(self.heading) + 1 if self.heading else 0
        for column, header in enumerate(self.headers):
            self.sheet.write_string(header_row, column, header, self.formats.header)
        self.widths = [len(header) for header in self.headers]
        self.sheet.freeze_panes(header_row + 1, 0)
        if self.printable:
            # Printed at the door: one page wide, the header row repeated on every page.
            self.sheet.fit_to_pages(1, 0)
            self.sheet.repeat_rows(header_row)
        self.next_row = header_row + 1

    def add(self, rows: Iterable[Sequence[Cell]]) -> None:
        widths = self.widths
        for row in rows:
            index = self.next_row
            for column, value in enumerate(row):
                width = self._write(index, column, value)
                if width > widths[column]:
                    widths[column] = width
            self.next_row += 1

    def _write(self, row: int, column: int, value: Cell) -> int:
        """Writes one cell by its type; returns the width it needs."""
        if value is None:
            return 0
        if isinstance(value, str):
            self.sheet.write_string(row, column, value)  # "=..." typed by a person stays text
            return len(value)
        if isinstance(value, datetime):
            self.sheet.write_datetime(row, column, value, self.formats.moment)
            return DATETIME_WIDTH
        cell_format = self.formats.percent if column == self.percent_column else None
        self.sheet.write_number(row, column, value, cell_format)
        return len(str(value))

    def fit_columns(self) -> None:
        for column, width in enumerate(self.widths):
            self.sheet.set_column(column, column, max(min(width + 2, MAX_WIDTH), MIN_WIDTH))


def to_xlsx(table: Table, heading: Sequence[str] = (), *, printable: bool = True) -> bytes:
    with XlsxBook() as book:
        book.sheet(table.title, table.headers, heading, printable=printable).add(table.rows)
        return book.finish()


def file_stem(event: Event, kind: str) -> str:
    """A file name that survives every OS: «event-12-attendees»."""
    return f"event-{event.id}-{kind}"
