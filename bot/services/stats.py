"""Statistics: counts per event, a chart of registrations over time, the attendance report."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.exports import Table, XlsxBook, local_time
from db.events import Event
from db.organizer import AttendanceRow, EventCounts, RegistrationTimes
from db.registrations import RegistrationStatus


@dataclass(frozen=True, slots=True)
class EventStats:
    event: Event
    counts: EventCounts


@dataclass(frozen=True, slots=True)
class ChartLabels:
    title: str
    total: str  # everyone who ever signed up, cancellations included
    confirmed: str  # signed up and hold a confirmed seat now
    waitlisted: str  # signed up and are on the waitlist now
    axis: str  # the y axis: people


@dataclass(frozen=True, slots=True)
class Series:
    """Cumulative counts at each moment someone signed up or cancelled, by today's status."""

    moments: list[float]
    total: list[int]
    confirmed: list[int]
    waitlisted: list[int]


def series(times: Sequence[RegistrationTimes]) -> Series:
    """Moments and, at each, how many signed up in total, and of those who hold a confirmed seat
    now and who wait on the waitlist now (a registration counts from its sign-up time)."""
    changes: list[tuple[float, int, int, int]] = []
    for item in times:
        confirmed = int(item.status == RegistrationStatus.confirmed)
        waitlisted = int(item.status == RegistrationStatus.waitlisted)
        changes.append((item.created_at, 1, confirmed, waitlisted))
    changes.sort()
    result = Series([], [], [], [])
    total = confirmed_now = waitlisted_now = 0
    for moment, signed, confirmed, waitlisted in changes:
        total += signed
        confirmed_now += confirmed
        waitlisted_now += waitlisted
        result.moments.append(moment)
        result.total.append(total)
        result.confirmed.append(confirmed_now)
        result.waitlisted.append(waitlisted_now)
    return result


DAY = 24 * 3600


def date_format(span: float) -> str:
    """Axis labels that differ: hours within two days, day and month beyond."""
    return "%d.%m %H:%M" if span < 2 * DAY else "%d.%m"


def chart_png(event: Event, times: Sequence[RegistrationTimes], labels: ChartLabels) -> bytes:
    """A step chart of registrations over time in the event's zone, as PNG bytes.

    The object API with the Agg canvas (no pyplot): no GUI, no global state, safe in a thread.
    Callers run it in a worker thread: drawing takes a noticeable moment.
    """
    # Imported on first use: matplotlib costs ~55 MB and a second at start-up otherwise.
    from matplotlib.dates import AutoDateLocator, DateFormatter, date2num
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    zone = ZoneInfo(event.timezone)
    data = series(times)
    figure = Figure(figsize=(8, 4.5), dpi=100)
    axes = figure.add_subplot()
    if data.moments:
        x = date2num(  # type: ignore[no-untyped-call]
            [datetime.fromtimestamp(moment, zone) for moment in data.moments]
        )
        axes.step(x, data.confirmed, where="post", label=labels.confirmed, linewidth=2)
        axes.step(x, data.waitlisted, where="post", label=labels.waitlisted, linewidth=2)
        # Drawn last and dashed: the total stays visible where it meets another line.
        axes.step(
            x, data.total, where="post", label=labels.total, linewidth=2, linestyle="--", zorder=3
        )
        span = data.moments[-1] - data.moments[0]
        locator = AutoDateLocator(tz=zone, maxticks=8)  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(
            DateFormatter(date_format(span), tz=zone)  # type: ignore[no-untyped-call]
        )
        axes.legend(loc="upper left")
    axes.set_title(labels.title[:90])
    axes.set_ylabel(labels.axis)
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(visible=True, alpha=0.3)
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class ReportLabels:
    """Sheet and column names of the attendance report, in the organizer's language."""

    events_sheet: str
    organizations_sheet: str
    cities_sheet: str
    title: str
    kind: str
    city: str
    date: str
    status: str
    organization: str
    events: str
    registered: str
    waitlisted: str
    cancelled: str
    checked_in: str
    rate: str
    no_organization: str
    statuses: dict[str, str]
    kinds: dict[str, str]


def _rate(came: int, confirmed: int) -> float | None:
    return None if confirmed == 0 else round(came / confirmed, 4)


def attendance_report(
    stats: Sequence[EventStats], rows: Sequence[AttendanceRow], labels: ReportLabels
) -> bytes:
    """For grant reports: every event, then counts by organization and by city, with rates."""
    events_table = Table(
        labels.events_sheet,
        [
            labels.title,
            labels.kind,
            labels.city,
            labels.date,
            labels.status,
            labels.registered,
            labels.waitlisted,
            labels.cancelled,
            labels.checked_in,
            labels.rate,
        ],
        [
            [
                item.event.title,
                labels.kinds.get(str(item.event.kind), str(item.event.kind)),
                item.event.city,
                local_time(item.event.starts_at, item.event.timezone),
                labels.statuses.get(str(item.event.status), str(item.event.status)),
                item.counts.confirmed,
                item.counts.waitlisted,
                item.counts.cancelled,
                item.counts.checked_in,
                _rate(item.counts.checked_in, item.counts.confirmed),
            ]
            for item in stats
        ],
    )
    by_organization: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        name = " ".join((row.organization or "").split()) or labels.no_organization
        by_organization[name][0] += 1
        by_organization[name][1] += int(row.checked_in)
    organizations_table = Table(
        labels.organizations_sheet,
        [labels.organization, labels.registered, labels.checked_in, labels.rate],
        [
            [name, confirmed, came, _rate(came, confirmed)]
            for name, (confirmed, came) in sorted(
                by_organization.items(), key=lambda item: (-item[1][0], item[0].casefold())
            )
        ],
    )
    by_city: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for item in stats:
        by_city[item.event.city][0] += 1
        by_city[item.event.city][1] += item.counts.confirmed
        by_city[item.event.city][2] += item.counts.checked_in
    cities_table = Table(
        labels.cities_sheet,
        [labels.city, labels.events, labels.registered, labels.checked_in, labels.rate],
        [
            [city, count, confirmed, came, _rate(came, confirmed)]
            for city, (count, confirmed, came) in sorted(by_city.items())
        ],
    )
    with XlsxBook() as book:
        for table in (events_table, organizations_table, cities_table):
            rate_column = len(table.headers) - 1
            book.sheet(table.title, table.headers, percent_column=rate_column).add(table.rows)
        return book.finish()
