"""/status: admins see version, uptime, outbox, the last error, database and backups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.services import Services
from bot.services.status import version
from db import backup as backups
from db import outbox
from tests.conftest import ADMIN_ID
from tests.kit.client import ChatClient
from tests.organizer_kit import make_organizer, started


async def test_admin_sees_every_figure_in_russian(
    make_client: Callable[..., ChatClient], services: Services, clock: object
) -> None:
    admin = await started(make_client, ADMIN_ID)
    async with services.db.write() as tx:
        await outbox.enqueue(
            tx,
            source="announcement:1",
            recipients=[5001, 5002, 5003],
            kind="text",
            payload='{"text": "hello"}',
            priority=10,
            due_at=services.clock.timestamp() + 3600,
            now=services.clock.timestamp(),
        )
    await services.backups.run_daily()
    services.clock.advance(2 * 3600 + 5 * 60)  # type: ignore[attr-defined]
    [reply] = await admin.send("/status")
    text = reply.body
    assert "<b>Состояние бота</b>" in text
    assert f"Версия: {version()}" in text
    assert "Обновления бот забирает сам (long polling)." in text
    # Started 22 ноября 09:00 UTC = 12:00 in Moscow (DEFAULT_TIMEZONE).
    assert "Работает 2 часа, с 22 ноября, 12:00 (МСК)." in text
    assert "Очередь рассылки: ждут отправки 3, отправляются сейчас 0." in text
    assert "База данных: " in text
    assert " КБ, её журнал -wal: " in text
    assert "Резервные копии: 1 файл в " in text
    assert "последняя — от 22 ноября, 12:00 (МСК)." in text
    assert "Копия делается каждый день в 03:00 (МСК); хранятся 7 последних." in text
    assert "С момента запуска ошибок не было." in text


async def test_an_error_in_a_handler_shows_as_the_last_error(
    make_client: Callable[..., ChatClient],
    services: Services,
    member: ChatClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("catalog <exploded>")

    monkeypatch.setattr(services.catalog, "page", broken)
    [apology] = await member.send("/events")
    assert "что-то пошло не так" in apology.body
    monkeypatch.undo()
    admin = await started(make_client, ADMIN_ID, "en")
    [reply] = await admin.send("/status")
    assert "<b>Bot status</b>" in reply.body
    assert "Last error: 22 November, 12:00 (MSK) — RuntimeError: catalog &lt;exploded&gt;" in (
        reply.body
    )
    assert "Backups: none yet." in reply.body


async def test_members_and_organizers_are_refused(
    make_client: Callable[..., ChatClient], services: Services, member: ChatClient
) -> None:
    [refusal] = await member.send("/status")
    assert refusal.body == "Эта команда — только для администраторов бота."
    organizer = await make_organizer(services, make_client, 3001)
    [refusal] = await organizer.send("/status")
    assert "только для администраторов" in refusal.body
    assert "Состояние бота" not in refusal.body


async def test_status_is_in_the_admin_help_only(
    make_client: Callable[..., ChatClient], member: ChatClient
) -> None:
    admin = await started(make_client, ADMIN_ID)
    [help_text] = await admin.send("/help")
    assert "/status — Состояние бота: версия, очередь, ошибки, копии" in help_text.body
    [member_help] = await member.send("/help")
    assert "/status" not in member_help.body


async def test_backups_off_and_a_moscow_offset_for_another_zone(
    make_client: Callable[..., ChatClient], services: Services
) -> None:
    services.settings.backup_keep = 0
    services.settings.default_timezone = "Asia/Omsk"
    folder = services.settings.backups_folder
    folder.mkdir(parents=True)
    backups.backup(
        services.settings.database_path,
        folder / backups.backup_name(datetime(2026, 11, 21, 20, 30, tzinfo=UTC)),
    )
    admin = await started(make_client, ADMIN_ID)
    [reply] = await admin.send("/status")
    assert "Ежедневные копии выключены (BACKUP_KEEP=0)." in reply.body
    assert "последняя — от 22 ноября, 02:30 (МСК+3)." in reply.body
