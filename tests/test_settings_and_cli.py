"""Start-up configuration: clear one-line errors, exit code 2, the token never logged."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.logs import RedactingFormatter
from bot.settings import ConfigError, load_settings
from tests.kit.process import clean_environment
from tests.kit.process import run_bot as kit_run_bot

GOOD_TOKEN = "123456789:AAE-test_token_with_enough_characters"


def run_bot(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Run from an empty folder so a developer's own .env is not read.
    return kit_run_bot(tmp_path, clean_environment() | env)


def test_missing_token_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    result = run_bot(tmp_path, {})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "BOT_TOKEN is missing" in lines[0]
    assert "@BotFather" in lines[0]
    assert "Traceback" not in result.stderr


def test_malformed_token_is_refused_without_echoing_it(tmp_path: Path) -> None:
    result = run_bot(tmp_path, {"BOT_TOKEN": "not-a-token-secret-value"})
    assert result.returncode == 2
    assert "BOT_TOKEN is malformed" in result.stderr
    assert "not-a-token-secret-value" not in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_other_setting_names_it(tmp_path: Path) -> None:
    result = run_bot(tmp_path, {"BOT_TOKEN": GOOD_TOKEN, "DEFAULT_TIMEZONE": "Mars/Olympus"})
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE is malformed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_settings_parse_lists_and_defaults() -> None:
    settings = load_settings(
        bot_token=GOOD_TOKEN, admin_ids="1, 2;3", reminder_offsets="2,24,24", _env_file=None
    )
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.reminder_offsets == (24, 2)
    assert settings.default_locale == "ru"
    assert str(settings.database_path) == "data/bot.sqlite3"
    assert settings.bot_id == 123456789
    assert GOOD_TOKEN not in repr(settings)


@pytest.mark.parametrize(
    ("field", "value", "name"),
    [
        ("admin_ids", "alice", "ADMIN_IDS"),
        ("default_locale", "de", "DEFAULT_LOCALE"),
        ("telegram_api_url", "ftp://x", "TELEGRAM_API_URL"),
        ("send_rate", "100", "SEND_RATE"),
        ("reminder_offsets", "-1", "REMINDER_OFFSETS"),
        ("followup_after_hours", "100", "FOLLOWUP_AFTER_HOURS"),
        ("polling_timeout", "0", "POLLING_TIMEOUT"),
        ("max_updates_in_flight", "0", "MAX_UPDATES_IN_FLIGHT"),
    ],
)
def test_each_malformed_setting_is_named(field: str, value: str, name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings(bot_token=GOOD_TOKEN, _env_file=None, **{field: value})


def test_the_demo_clock_shift_needs_the_local_emulator() -> None:
    with pytest.raises(ConfigError, match="DEMO_CLOCK_SHIFT"):
        load_settings(bot_token=GOOD_TOKEN, _env_file=None, demo_clock_shift="86400")
    with pytest.raises(ConfigError, match="DEMO_CLOCK_SHIFT"):
        load_settings(
            bot_token=GOOD_TOKEN,
            _env_file=None,
            telegram_api_url="https://api.example.org",
            demo_clock_shift="86400",
        )
    settings = load_settings(
        bot_token=GOOD_TOKEN,
        _env_file=None,
        telegram_api_url="http://127.0.0.1:8081",
        demo_clock_shift="86400",
    )
    assert settings.demo_clock_shift == 86400
    assert load_settings(bot_token=GOOD_TOKEN, _env_file=None).demo_clock_shift == 0


def test_token_is_redacted_from_log_lines_and_tracebacks() -> None:
    formatter = RedactingFormatter("%(message)s", [GOOD_TOKEN])
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{GOOD_TOKEN}/getMe failed")
    except RuntimeError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "url %s", (f"/bot{GOOD_TOKEN}/x",), sys.exc_info()
        )
    text = formatter.format(record)
    assert GOOD_TOKEN not in text
    assert "<redacted>" in text
