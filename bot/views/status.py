"""The admins' /status message: plain facts about the running bot, in their language."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from babel.dates import format_date, format_time, format_timedelta
from babel.numbers import format_decimal

from bot.i18n import _, ngettext
from bot.services.status import StatusReport
from bot.views.text import local, locale

MOSCOW_OFFSET_HOURS = 3


def size(count: int) -> str:
    """«820 КБ», «12,4 МБ»: one decimal in megabytes, whole kilobytes below."""
    if count < 1024 * 1024:
        return _("{size} KB").format(size=format_decimal(round(count / 1024), locale=locale()))
    megabytes = round(count / 1024 / 1024, 1)
    return _("{size} MB").format(size=format_decimal(megabytes, locale=locale()))


def moscow_label(offset: timedelta | None) -> str:
    """«МСК», «МСК+2», «МСК−1»: how people in Russia name a zone."""
    hours = (offset or timedelta(0)).total_seconds() / 3600 - MOSCOW_OFFSET_HOURS
    label = _("MSK")
    if hours == 0:
        return label
    amount = f"{abs(hours):g}".replace(".", ",") if locale() == "ru" else f"{abs(hours):g}"
    return f"{label}{'+' if hours > 0 else '−'}{amount}"


def moment(timestamp: float, timezone: str) -> str:
    at = local(timestamp, timezone)
    day = format_date(at, "d MMMM", locale=locale())
    return f"{day}, {format_time(at, 'HH:mm', locale=locale())} ({moscow_label(at.utcoffset())})"


def status_text(report: StatusReport) -> str:
    zone = report.timezone
    if report.commit:
        version = _("Version: {version}, commit {commit}").format(
            version=escape(report.version), commit=escape(report.commit)
        )
    else:
        version = _("Version: {version}").format(version=escape(report.version))
    uptime = format_timedelta(
        timedelta(seconds=max(0.0, report.now - report.started_at)), locale=locale()
    )
    lines = [
        "<b>" + _("Bot status") + "</b>",
        version,
        _("Updates arrive by webhook.") if report.webhook else _("Updates arrive by long polling."),
        _("Running for {duration}, since {moment}.").format(
            duration=uptime, moment=moment(report.started_at, zone)
        ),
        _("Outbox: {pending} waiting, {sending} being sent.").format(
            pending=report.queue.pending, sending=report.queue.sending
        ),
        _("Database: {size}, its -wal journal: {wal}.").format(
            size=size(report.database_bytes), wal=size(report.wal_bytes)
        ),
    ]
    folder = report.backups
    if folder.count and folder.newest is not None and folder.newest_at is not None:
        lines.append(
            ngettext(
                "Backups: {count} file in {folder}, {size} in all; the newest is from {moment}.",
                "Backups: {count} files in {folder}, {size} in all; the newest is from {moment}.",
                folder.count,
            ).format(
                count=folder.count,
                folder=escape(str(folder.newest.parent)),
                size=size(folder.total_bytes),
                moment=moment(folder.newest_at, zone),
            )
        )
    else:
        lines.append(_("Backups: none yet."))
    if report.backups_enabled:
        lines.append(
            ngettext(
                "A backup is made daily at {hour} ({zone}); the newest {keep} is kept.",
                "A backup is made daily at {hour} ({zone}); the newest {keep} are kept.",
                report.backup_keep,
            ).format(
                hour=f"{report.backup_hour:02d}:00",
                zone=moscow_label(local(report.now, zone).utcoffset()),
                keep=report.backup_keep,
            )
        )
    else:
        lines.append(_("Daily backups are off (BACKUP_KEEP=0)."))
    if report.last_error is None:
        lines.append(_("No errors since the start."))
    else:
        lines.append(
            _("Last error: {moment} — {summary}").format(
                moment=moment(report.last_error.at, zone),
                summary=escape(report.last_error.summary),
            )
        )
    return "\n".join(lines)
