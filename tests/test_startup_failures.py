"""Start-up failures of the real process: one line, exit code 2, the HTTP session closed."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from emulator import FakeTelegram
from tests.kit.process import clean_environment, run_bot

TOKEN = "123456789:AAE-test_token_with_enough_characters"


def start_bot(tmp_path: Path, api_url: str) -> subprocess.CompletedProcess[str]:
    env = clean_environment() | {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        # Only warnings and errors: the person sees what went wrong and nothing else.
        "LOG_LEVEL": "WARNING",
    }
    return run_bot(tmp_path, env)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_one_clear_line(result: subprocess.CompletedProcess[str], says: str) -> None:
    assert result.returncode == 2, result.stderr
    output = (result.stdout + result.stderr).strip().splitlines()
    assert len(output) == 1, result.stderr  # no "Unclosed client session" / "Unclosed connector"
    assert output[0].startswith("Start-up error: ")
    assert says in output[0]


def test_closed_port_is_one_line(tmp_path: Path) -> None:
    result = start_bot(tmp_path, f"http://127.0.0.1:{closed_port()}")
    assert_one_clear_line(result, "cannot reach the Telegram Bot API")


def test_bad_host_is_one_line(tmp_path: Path) -> None:
    result = start_bot(tmp_path, "http://no-such-host.invalid")
    assert_one_clear_line(result, "cannot reach the Telegram Bot API")


@pytest.fixture
def other_bot_api() -> FakeTelegram:
    # A Bot API that knows another token: it answers 401 Unauthorized, like Telegram.
    with FakeTelegram(token="111111111:AAE-another-bot-token-for-this-test") as fake:
        yield fake  # type: ignore[misc]


def test_rejected_token_is_one_line(tmp_path: Path, other_bot_api: FakeTelegram) -> None:
    result = start_bot(tmp_path, other_bot_api.base_url)
    assert_one_clear_line(result, "Telegram rejected BOT_TOKEN")
    assert TOKEN not in result.stderr
