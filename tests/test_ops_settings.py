"""Settings of backups and webhook mode: defaults, and one clear line for each bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings
from tests.kit.mocked_bot import TOKEN


def settings(**values: object) -> object:
    return load_settings(bot_token=TOKEN, _env_file=None, **values)


def test_defaults_are_polling_and_seven_daily_backups_beside_the_database() -> None:
    s = load_settings(bot_token=TOKEN, _env_file=None, database_path="/srv/bot/bot.sqlite3")
    assert s.webhook_url is None
    assert s.backups_folder == Path("/srv/bot/backups")
    assert (s.backup_keep, s.backup_hour) == (7, 3)
    assert load_settings(bot_token=TOKEN, _env_file=None, backup_dir="").backups_folder == Path(
        "data/backups"
    )


def test_webhook_path_follows_the_public_url() -> None:
    s = load_settings(
        bot_token=TOKEN,
        _env_file=None,
        webhook_url="https://bot.example.org/tg/webhook",
        webhook_secret="abc_DEF-123",
    )
    assert s.webhook_path == "/tg/webhook"
    assert s.webhook_secret is not None
    assert s.webhook_secret.get_secret_value() == "abc_DEF-123"


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ({"webhook_url": "https://bot.example.org/hook"}, "WEBHOOK_SECRET is malformed"),
        (
            {"webhook_url": "http://bot.example.org/hook", "webhook_secret": "abc"},
            "WEBHOOK_URL is malformed",
        ),
        (
            {"webhook_url": "https://bot.example.org/hook", "webhook_secret": "has spaces"},
            "WEBHOOK_SECRET is malformed",
        ),
        (
            {"webhook_url": "https://bot.example.org/hook", "webhook_secret": "x" * 257},
            "WEBHOOK_SECRET is malformed",
        ),
        ({"webhook_port": "0"}, "WEBHOOK_PORT is malformed"),
        ({"backup_keep": "-1"}, "BACKUP_KEEP is malformed"),
        ({"backup_hour": "24"}, "BACKUP_HOUR is malformed"),
    ],
    ids=[
        "url-without-secret",
        "plain-http-url",
        "secret-with-spaces",
        "secret-too-long",
        "port-zero",
        "negative-keep",
        "hour-24",
    ],
)
def test_bad_values_are_one_line_naming_the_setting(values: dict[str, object], line: str) -> None:
    with pytest.raises(ConfigError) as error:
        settings(**values)
    assert str(error.value).startswith(line)
    assert "\n" not in str(error.value)
    assert "has spaces" not in str(error.value)
