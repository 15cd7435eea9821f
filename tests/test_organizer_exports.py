"""Attendee lists, exports read back (csv, openpyxl) against the database, /stats and its files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from PIL import Image

from bot.clock import ManualClock
from bot.services import Services, exports
from bot.services import attendees as attendees_service
from bot.views import organizer as organizer_views
from db import organizer as organizer_repo
from db import registrations as registrations_repo
from db.events import Event, Question
from db.registrations import Cancelled
from tests.conftest import NOW
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import Sent
from tests.organizer_kit import ORGANIZER_ID, make_organizer, owned_event, register_person

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PEOPLE = [
    (5001, "Яковлева Юлия Андреевна", '=HYPERLINK("http://evil")'),
    (5002, "Ёлкин Егор Петрович", "АНО «Дом НКО»"),
    (5003, "Алексеева Анна Ивановна", "Фонд «Вера»"),
    (5004, "Борисов Борис Борисович", None),
]


@pytest.fixture
async def exported(
    services: Services, make_client: Callable[..., ChatClient], clock: ManualClock
) -> tuple[ChatClient, Event]:
    organizer = await make_organizer(services, make_client)
    question = Question(key="topic", text="Какая тема вам ближе?", options=("Образование", "Спорт"))
    event = await owned_event(services, ORGANIZER_ID, capacity=3, questions=(question,))
    for offset, (person_id, name, organization) in enumerate(PEOPLE):
        await register_person(
            services,
            event,
            person_id,
            full_name=name,
            organization=organization,
            answers={"topic": "Образование"},
            at=NOW.timestamp() + offset * 86400,
        )
    clock.advance(5 * 86400)
    # Борисов is on the waitlist (capacity 3); Алексеева cancels, Борисов gets her seat.
    cancelled = await registrations_repo.cancel(services.db, 3, 5003, clock.timestamp())
    assert isinstance(cancelled, Cancelled)
    first = await registrations_repo.get(services.db, 1)
    assert first is not None
    [card] = await organizer.send(f"/start ci_{first.ticket_token}")
    await organizer.click("Отметить приход", card)
    return organizer, event


async def open_attendees(organizer: ChatClient, event: Event) -> Sent:
    [listing] = await organizer.send("/manage")
    await organizer.pick(event.title, listing)
    await organizer.click("Участники")
    return organizer.last


async def download(exported: tuple[ChatClient, Event], label: str) -> tuple[Event, Sent]:
    """The exported event and the file its attendee screen's `label` button sends."""
    organizer, event = exported
    [document] = await organizer.click(label, await open_attendees(organizer, event))
    return event, document


async def test_the_list_in_chat_with_statuses(
    exported: tuple[ChatClient, Event],
) -> None:
    organizer, event = exported
    screen = await open_attendees(organizer, event)
    body = screen.body
    assert "Участники «" in body
    assert "подтверждено 3 из 3, в листе ожидания 0, отменили 1, пришли 1" in body
    assert "1. <b>Яковлева Юлия Андреевна</b>" in body
    assert "🚪 приход отмечен: пятница, 27 ноября, 14:00 по местному времени (МСК+2)" in body
    assert "✖️ отменена" in body
    assert "=HYPERLINK(&quot;http://evil&quot;)" in body  # escaped, not interpreted
    assert screen.buttons() == [
        "CSV ⬇️",
        "Excel ⬇️",
        "Список для охраны 🛂",
        "К мероприятию ⬅️",
    ]


async def test_csv_reads_back_and_matches_the_database(
    exported: tuple[ChatClient, Event], services: Services
) -> None:
    event, document = await download(exported, "CSV")
    assert document.filename == f"event-{event.id}-attendees.csv"
    # The caption names the event with its kind and the zone by its Moscow offset.
    assert document.caption == (
        "Круглый стол «<b>Роль СО НКО в реализации приоритетных национальных проектов</b>»:"
        " регистраций — 4. Время в файле местное, МСК+2."
    )
    assert document.document is not None
    assert document.document.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Cyrillic
    rows = list(csv.reader(io.StringIO(document.document.decode("utf-8-sig")), delimiter=";"))
    header, *lines = rows
    assert header[:8] == [
        "№",
        "ФИО",
        "Организация",
        "Должность",
        "Телефон",
        "E-mail",
        "Статус",
        "Код билета",
    ]
    assert header[8] == "Дата регистрации (Asia/Yekaterinburg)"
    assert header[10] == "Какая тема вам ближе?"
    stored = await organizer_repo.attendees(services.db, event.id)
    assert len(lines) == len(stored) == 4
    for line, attendee in zip(lines, stored, strict=True):
        registration = attendee.registration
        assert line[1] == attendee.full_name
        assert (
            line[6] == {"confirmed": "подтверждена", "cancelled": "отменена"}[registration.status]
        )
        assert line[7] == registration.short_code
        created = datetime.fromtimestamp(registration.created_at, ZoneInfo(event.timezone))
        assert line[8] == created.strftime("%Y-%m-%d %H:%M")
        assert line[10] == "Образование"
    # A formula typed as an organization stays text in the spreadsheet.
    assert lines[0][2] == '\'=HYPERLINK("http://evil")'
    assert lines[0][4] == "'+79123456789"
    assert lines[0][9] == "2026-11-27 14:00"  # checked in, local time
    assert lines[1][9] == ""


async def test_xlsx_reads_back_and_matches_the_database(
    exported: tuple[ChatClient, Event], services: Services
) -> None:
    event, document = await download(exported, "Excel")
    assert document.filename == f"event-{event.id}-attendees.xlsx"
    assert document.document is not None
    sheet = openpyxl.load_workbook(io.BytesIO(document.document)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header, *lines = rows
    assert header[1] == "ФИО"
    stored = await organizer_repo.attendees(services.db, event.id)
    assert [line[1] for line in lines] == [a.full_name for a in stored]
    assert [line[7] for line in lines] == [a.registration.short_code for a in stored]
    assert lines[0][2] == '=HYPERLINK("http://evil")'  # a string, not a formula
    assert sheet.cell(row=2, column=3).data_type == "s"
    assert lines[0][9] == datetime(2026, 11, 27, 14, 0)
    assert lines[0][8] == datetime(2026, 11, 22, 14, 0)
    assert lines[0][10] == "Образование"
    assert sheet.freeze_panes == "A2"


async def test_the_pass_list_is_alphabetical_and_minimal(
    exported: tuple[ChatClient, Event],
) -> None:
    event, document = await download(exported, "Список для охраны")
    assert "по алфавиту" in document.body
    assert document.document is not None
    sheet = openpyxl.load_workbook(io.BytesIO(document.document)).active
    assert sheet is not None
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    assert rows[0][0] == f"Список на проход: {event.title}"
    header_index = next(i for i, row in enumerate(rows) if row[0] == "№")
    assert rows[header_index] == ("№", "ФИО", "Организация")
    names = [row[1] for row in rows[header_index + 1 :]]
    # Confirmed only, А to Я with «Ё» next to «Е»; Алексеева cancelled.
    assert names == [
        "Борисов Борис Борисович",
        "Ёлкин Егор Петрович",
        "Яковлева Юлия Андреевна",
    ]
    assert rows[header_index + 1][2] is None
    assert len(rows[header_index + 1]) == 3


async def stats_before_and_after(
    organizer: ChatClient,
    event: Event,
    clock: ManualClock,
    *,
    counts: str,
    rate: str,
    chart: str,
    rate_later: str,
    totals: str,
) -> tuple[Sent, Sent, Sent, Sent]:
    """/stats and its chart before the event (no show rate anywhere) and after it (33%).
    Returns the overview before, the one after, and the chart's text and picture after."""
    [before] = await organizer.send("/stats")
    assert f"{counts}\n" in before.body + "\n"
    assert rate.lower() not in before.body.lower()
    text, _chart = await organizer.click(f"{chart} 1", before)
    assert f"{rate}:" not in text.body
    assert rate_later in text.body
    clock.set(event.ends_at + 3600)
    [after] = await organizer.send("/stats")
    assert f"{counts} · {rate.lower()} 33%" in after.body
    text, picture = await organizer.click(f"{chart} 1", after)
    assert f"{rate}: 33%" in text.body
    assert totals in picture.body
    return before, after, text, picture


async def test_stats_counts_chart_and_attendance_report(
    exported: tuple[ChatClient, Event], services: Services, clock: ManualClock
) -> None:
    organizer, event = exported
    # Before the event: no show rate at all, never «явка 0%» or a rate of a day not yet come.
    # After it, the chart's figures are in its caption too.
    before, overview, text, chart = await stats_before_and_after(
        organizer,
        event,
        clock,
        counts="зарегистрировано 3 · в ожидании 0 · отменили 1 · пришли 1",
        rate="Явка",
        chart="График",
        rate_later="Явка появится, когда мероприятие начнётся.",
        totals="Всего записались: 4; сейчас с подтверждённым местом: 3",
    )
    assert "1. <b>«" in before.body
    assert "Зарегистрировано: 3" in text.body
    assert chart.method == "SendPhoto"
    assert chart.document is not None
    assert chart.document.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(chart.document))
    image.verify()
    assert image.format == "PNG"
    assert image.size == (800, 450)
    [report] = await organizer.click("Отчёт о посещаемости", overview)
    assert report.filename == "attendance-report.xlsx"
    assert report.document is not None
    workbook = openpyxl.load_workbook(io.BytesIO(report.document))
    assert workbook.sheetnames == ["Мероприятия", "По организациям", "По городам"]
    events_rows = list(workbook["Мероприятия"].iter_rows(values_only=True))
    assert events_rows[1][0] == event.title
    assert events_rows[1][1] == "Круглый стол"
    assert events_rows[1][5:10] == (3, 0, 1, 1, pytest.approx(0.3333, abs=1e-4))
    organizations = {
        row[0]: row[1:] for row in list(workbook["По организациям"].iter_rows(values_only=True))[1:]
    }
    assert organizations["АНО «Дом НКО»"] == (1, 0, 0)
    assert organizations["(не указана)"] == (1, 0, 0)
    assert organizations['=HYPERLINK("http://evil")'] == (1, 1, 1)
    cities = list(workbook["По городам"].iter_rows(values_only=True))
    assert cities[1][:4] == ("Тюмень", 1, 3, 1)


async def test_stats_in_english_before_and_after_the_event(
    exported: tuple[ChatClient, Event], clock: ManualClock
) -> None:
    organizer, event = exported
    await organizer.send("/language")
    await organizer.click("English")
    await stats_before_and_after(
        organizer,
        event,
        clock,
        counts="registered 3 · waitlist 0 · cancelled 1 · came 1",
        rate="Show rate",
        chart="Chart",
        rate_later="The show rate appears once the event begins.",
        totals="Signed up in total: 4; a confirmed seat now: 3",
    )


async def test_empty_events_have_nothing_to_export(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    organizer = await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID)
    screen = await open_attendees(organizer, event)
    assert "Пока никто не зарегистрировался." in screen.body
    for label in ("CSV", "Excel", "Список для охраны"):
        replies = await organizer.click(label, screen)
        assert "выгружать нечего" in (organizer.last_answer.text or "")
        assert [r.body for r in replies] == [organizer.last_answer.text]
    # A chart with nobody registered yet is still a valid picture.
    [overview] = await organizer.send("/stats")
    _text, chart = await organizer.click("График 1", overview)
    assert chart.document is not None
    Image.open(io.BytesIO(chart.document)).verify()


@pytest.mark.parametrize("xlsx", [False, True], ids=["csv", "xlsx"])
async def test_exports_streamed_in_chunks_match_one_read(
    exported: tuple[ChatClient, Event], services: Services, xlsx: bool
) -> None:
    """Chunks of 1 and 3 rows (4 registrations): the numbering carries on across chunks."""
    _, event = exported
    with services.i18n.context(), services.i18n.use_locale("ru"):
        labels = organizer_views.attendee_labels()
    stored = await organizer_repo.attendees(services.db, event.id)
    files = []
    for chunk in (1, 3, 1000):
        result = await attendees_service.export_everyone(
            services.db, event, labels, xlsx=xlsx, chunk=chunk
        )
        assert result is not None
        assert result.rows == len(stored) == 4
        files.append(read_back(result.data, xlsx=xlsx))
    assert files[0] == files[1] == files[2]
    header, *lines = files[0]
    assert header[0] == "№"
    assert [line[0] for line in lines] == ["1", "2", "3", "4"]
    assert [line[1] for line in lines] == [a.full_name for a in stored]


async def test_an_event_nobody_registered_for_exports_nothing(
    services: Services, make_client: Callable[..., ChatClient]
) -> None:
    await make_organizer(services, make_client)
    event = await owned_event(services, ORGANIZER_ID)
    with services.i18n.context(), services.i18n.use_locale("ru"):
        labels = organizer_views.attendee_labels()
    for xlsx in (False, True):
        nothing = await attendees_service.export_everyone(services.db, event, labels, xlsx=xlsx)
        assert nothing is None


def test_the_workbook_leaves_no_temporary_files_behind() -> None:
    """Constant-memory mode writes rows to temporary files; finished or abandoned, they go."""
    finished = exports.XlsxBook()
    finished.sheet("A", ["x"]).add([["row"]])
    finished.finish()
    with exports.XlsxBook() as abandoned:
        abandoned.sheet("B", ["y"]).add([["half-written"]])
        folders = [Path(book._folder.name) for book in (finished, abandoned)]
        assert folders[1].is_dir()
    assert not any(folder.exists() for folder in folders)


def read_back(data: bytes, *, xlsx: bool) -> list[list[str]]:
    """Every cell as text, from either format."""
    if not xlsx:
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [
        ["" if value is None else str(value) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
