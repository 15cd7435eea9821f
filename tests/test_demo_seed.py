"""`python -m bot seed-demo`: future-dated demo events in their own zones, idempotent."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.__main__ import main
from bot.demo import load_fixture, seed_demo
from bot.services import Services
from db import events
from tests.conftest import NOW
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import TOKEN
from tests.member_kit import delivered, register_new


async def test_seed_is_idempotent_and_future_dated(services: Services) -> None:
    first = await seed_demo(services.db, NOW.timestamp())
    assert len(first.created) == len(load_fixture()) == 5
    again = await seed_demo(services.db, NOW.timestamp())
    assert again.created == []
    assert len(again.kept) == 5
    upcoming = await events.list_upcoming(services.db, NOW.timestamp(), limit=50)
    assert len(upcoming) == 5
    zones = {event.city: event.timezone for event in upcoming}
    assert zones == {
        "Тюмень": "Asia/Yekaterinburg",
        "Курск": "Europe/Moscow",
        "Омск": "Asia/Omsk",
        "Кемерово": "Asia/Novokuznetsk",
    }
    tyumen = await events.get_by_slug(services.db, "demo-tyumen-round-table")
    assert tyumen is not None
    start = datetime.fromtimestamp(tyumen.starts_at, ZoneInfo("Asia/Yekaterinburg"))
    assert (start.month, start.day, start.hour) == (12, 6, 14)  # 14 days after 22 November
    assert tyumen.address == "Тюменский Технопарк, ул. Республики 142, 2 этаж"
    assert tyumen.registration_deadline is not None
    assert tyumen.registration_deadline < tyumen.starts_at
    assert all(event.starts_at > NOW.timestamp() for event in upcoming)


async def test_demo_events_work_in_the_bot(member: ChatClient, services: Services) -> None:
    await seed_demo(services.db, NOW.timestamp())
    [catalog] = await member.send("/events")
    assert "Роль СО НКО" in catalog.body
    assert "Все регионы 🗺" in catalog.buttons()
    kursk = await events.get_by_slug(services.db, "demo-kursk-strategic-session")
    assert kursk is not None
    [card] = await member.send(f"/start ev_{kursk.id}")
    assert "по московскому времени" in card.body
    assert "«Точка кипения – ЮЗГУ»" in card.body
    await register_new(member, kursk)
    assert "Вы зарегистрированы!" in member.last.body
    ticket, ics = await delivered(member, services)  # the ticket and .ics come by the outbox
    assert (ticket.method, ics.method) == ("SendPhoto", "SendDocument")


def test_cli_seeds_and_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "demo.sqlite3"))
    assert main(["seed-demo"]) == 0
    assert "Demo events: 5 added, 0 already there" in capsys.readouterr().out
    assert main(["seed-demo"]) == 0
    assert "Demo events: 0 added, 5 already there" in capsys.readouterr().out
