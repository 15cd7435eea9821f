"""Retention: after RETENTION_DAYS finished deliveries, file bytes, updates and idle dialogs go."""

from __future__ import annotations

import json

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.clock import ManualClock
from bot.delivery.content import DocumentContent, Priority, TextContent
from bot.services import Services
from bot.services.retention import JOB_ID, Cleared
from bot.settings import ConfigError, load_settings
from db import dialogs, inbox, outbox
from db.inbox import Received
from tests.kit.mocked_bot import TOKEN, MockedBot

DAY = 24 * 3600.0
TICKET = b"%PDF ticket bytes of person 801"
DIALOG_KEY = "fsm:42:801:801:default"


async def seed(services: Services, bot: MockedBot) -> None:
    """A ticket sent to 801, a notice to 802 queued for later, updates, a dialog in progress."""
    now = services.clock.timestamp()
    ticket = DocumentContent(TICKET, "ticket.pdf", caption="Билет: Иванова Анна")
    await services.delivery.enqueue("ticket:1", [801], ticket, priority=Priority.PERSONAL)
    later = TextContent("Напоминание через 40 дней")
    await services.delivery.enqueue("later:1", [802], later, due_at=now + 40 * DAY)
    await services.delivery.drain(bot)
    payload = json.dumps({"update_id": 1, "message": {"text": "Иванова Анна"}})
    await inbox.record(services.db, [Received(1, 801, payload), Received(2, 802, payload)], now)
    await inbox.finish(services.db, [1], now)
    await dialogs.set_data(services.db, DIALOG_KEY, {"full_name": "Иванова Анна"}, now)


async def test_nothing_younger_than_the_period_is_touched(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    await seed(services, bot)
    clock.advance(29 * DAY)
    assert await services.retention.run() == Cleared(0, 0, 0, 0)
    sent = await services.db.fetch_one(
        "SELECT recipient_id FROM deliveries WHERE source = ?", ("ticket:1",)
    )
    assert sent is not None
    assert sent["recipient_id"] == 801
    assert await dialogs.get_data(services.db, DIALOG_KEY) == {"full_name": "Иванова Анна"}


async def test_after_the_period_finished_work_loses_its_person_and_content(
    services: Services, clock: ManualClock, bot: MockedBot
) -> None:
    await seed(services, bot)
    clock.advance(31 * DAY)
    assert await services.retention.run() == Cleared(deliveries=1, messages=1, updates=1, dialogs=1)

    row = await services.db.fetch_one(
        "SELECT recipient_id, telegram_message_id, state, message_id FROM deliveries"
        " WHERE source = 'ticket:1'"
    )
    assert row is not None
    assert row["recipient_id"] < outbox.ANONYMOUS_BELOW
    assert (row["telegram_message_id"], row["state"]) == (None, "sent")
    wiped = await outbox.message(services.db, row["message_id"])
    assert wiped is not None
    assert (wiped.payload, wiped.attachment, wiped.file_id) == ("{}", None, None)
    assert (await outbox.progress(services.db, "ticket:1")).sent == 1  # counts stay
    # Still queued work is not finished work: the notice due later keeps all it needs.
    queued = await services.db.fetch_one(
        "SELECT recipient_id, state, message_id FROM deliveries WHERE source = 'later:1'"
    )
    assert queued is not None
    assert (queued["recipient_id"], queued["state"]) == (802, "pending")
    kept = await outbox.message(services.db, queued["message_id"])
    assert kept is not None
    assert "40 дней" in kept.payload
    # The handled update is gone, the unfinished one waits to be handled.
    assert [u.update_id for u in await inbox.unfinished(services.db)] == [2]
    assert await inbox.states(services.db) == {"pending": 1}
    assert await dialogs.get_data(services.db, DIALOG_KEY) == {}
    raw = services.settings.database_path.read_bytes()
    assert TICKET not in raw
    # A second pass finds nothing more to clear.
    assert await services.retention.run() == Cleared(0, 0, 0, 0)


async def test_the_daily_job_is_scheduled_in_the_default_zone(services: Services) -> None:
    services.retention.schedule()
    job = services.scheduler.get_job(JOB_ID)
    assert job is not None
    assert isinstance(job.trigger, CronTrigger)
    assert str(job.trigger.timezone) == "Europe/Moscow"
    assert services.scheduler.get_job(f"{JOB_ID}-startup") is not None


@pytest.mark.parametrize("days", ["0", "-5", "thirty"])
def test_a_bad_retention_period_stops_start_up_with_one_line(days: str) -> None:
    with pytest.raises(ConfigError, match=r"^RETENTION_DAYS is malformed: set RETENTION_DAYS"):
        load_settings(bot_token=TOKEN, retention_days=days, _env_file=None)
