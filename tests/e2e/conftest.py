"""End-to-end fixtures: one fake Telegram and one bot process per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator import FakeTelegram
from tests.e2e.harness import BotProcess

E2E_TOKEN = "987654321:E2E-test-token-for-the-fake-server"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=E2E_TOKEN) as fake:
        yield fake
        assert fake.server_errors == []


@pytest.fixture(scope="module")
def bot_process(tg: FakeTelegram, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    """The real bot, started once for the module; stopped with SIGTERM at the end."""
    workdir = tmp_path_factory.mktemp("bot")
    process = BotProcess(tg, workdir / "bot.sqlite3")
    process.start()
    yield process
    code = process.stop()
    assert code == 0, process.log()
    assert process.log().rstrip().endswith("stopped cleanly"), process.log()
    assert E2E_TOKEN not in process.log()
