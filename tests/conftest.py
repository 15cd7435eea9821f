"""Shared fixtures: real settings, a real SQLite file per test, the real Dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiogram import Dispatcher

from bot.app import create_dispatcher, create_services
from bot.clock import ManualClock
from bot.plain import install
from bot.services import Services
from bot.settings import Settings
from db import Database
from tests.kit.client import ChatClient
from tests.kit.mocked_bot import BOT_USERNAME, TOKEN, MockedBot

ADMIN_ID = 1
# A fixed "now" for in-process tests; event fixtures are dated after it.
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        bot_token=TOKEN,  # type: ignore[arg-type]
        admin_ids=frozenset({ADMIN_ID}),
        database_path=tmp_path / "bot.sqlite3",
        send_rate=0,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def services(settings: Settings, clock: ManualClock) -> AsyncIterator[Services]:
    services = await create_services(settings, clock=clock)
    services.bot_username = BOT_USERNAME
    yield services
    if services.db.is_open:
        await services.db.close()


@pytest.fixture
def bot(services: Services) -> MockedBot:
    bot = MockedBot()
    # As on_startup does: every request passes the accessibility middleware.
    install(bot, services.db, services.clock, services.plain_mode)
    return bot


@pytest.fixture
def dp(services: Services) -> Dispatcher:
    return create_dispatcher(services)


@pytest.fixture
def make_client(dp: Dispatcher, bot: MockedBot) -> Callable[..., ChatClient]:
    def make(user_id: int = 1001, language_code: str | None = "ru", **kwargs: object) -> ChatClient:
        return ChatClient(dp, bot, user_id, language_code=language_code, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
async def member(make_client: Callable[..., ChatClient]) -> ChatClient:
    """A Russian-speaking member who has started the bot and chosen Russian."""
    client = make_client(2001, "ru")
    await client.send("/start")
    await client.click("Русский")
    return client


@pytest.fixture
async def services_db(services: Services) -> Database:
    return services.db
