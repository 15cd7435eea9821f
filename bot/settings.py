"""Settings read from the environment or `.env`, validated once at start-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Telegram tokens look like "123456789:AA...": a numeric bot id, a colon, 30+ url-safe characters.
TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")

Locale = Literal["ru", "en"]

# What to tell a person for each setting when it is missing or malformed: one line, actionable.
SETTING_HINTS: dict[str, str] = {
    "DEMO_CLOCK_SHIFT": (
        "leave DEMO_CLOCK_SHIFT unset; make demo sets it, with TELEGRAM_API_URL on 127.0.0.1"
    ),
    "BOT_TOKEN": (
        "set BOT_TOKEN in the environment or in .env to the token @BotFather gave you "
        "(open https://t.me/BotFather, send /newbot; it looks like 123456789:AAE...)"
    ),
    "ADMIN_IDS": "set ADMIN_IDS to comma-separated numeric Telegram ids, e.g. 12345,67890",
    "DATABASE_PATH": "set DATABASE_PATH to a writable file path, e.g. data/bot.sqlite3",
    "TELEGRAM_API_URL": "set TELEGRAM_API_URL to a base URL such as http://127.0.0.1:8081",
    "DEFAULT_TIMEZONE": "set DEFAULT_TIMEZONE to an IANA zone such as Europe/Moscow",
    "DEFAULT_LOCALE": "set DEFAULT_LOCALE to ru or en",
    "LOG_LEVEL": "set LOG_LEVEL to DEBUG, INFO, WARNING or ERROR",
    "POLLING_TIMEOUT": "set POLLING_TIMEOUT to whole seconds between 1 and 60",
    "SEND_RATE": "set SEND_RATE to messages per second, between 0 (no limit) and 30",
    "REMINDER_OFFSETS": "set REMINDER_OFFSETS to hours before the start, e.g. 24,2",
    "FOLLOWUP_AFTER_HOURS": "set FOLLOWUP_AFTER_HOURS to hours after the end, between 0 and 72",
}


class Settings(BaseSettings):
    """Everything the bot can be configured with; see `.env.example`."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    bot_token: SecretStr
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database_path: Path = Path("data/bot.sqlite3")
    telegram_api_url: str | None = None
    default_timezone: str = "Europe/Moscow"
    default_locale: Locale = "ru"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Long-polling timeout in seconds: short in tests so the process stops fast.
    polling_timeout: int = Field(default=30, ge=1, le=60)
    # Bulk messages per second through the delivery engine; 0 turns the limiter off.
    send_rate: float = Field(default=25.0, ge=0, le=30)
    # Reminder plan by default: hours before the start.
    reminder_offsets: Annotated[tuple[int, ...], NoDecode] = (24, 2)
    # Follow-up survey after the event ends, in hours.
    followup_after_hours: float = Field(default=2.0, ge=0, le=72)
    # `make demo` only: seconds the bot's clock runs ahead; refused unless the API is local.
    demo_clock_shift: float = Field(default=0.0, ge=0)

    @field_validator("demo_clock_shift")
    @classmethod
    def _demo_clock_only_against_a_local_api(cls, value: float, info: ValidationInfo) -> float:
        url = info.data.get("telegram_api_url") or ""
        if value and not url.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise ValueError("only for the local emulator (TELEGRAM_API_URL on 127.0.0.1)")
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not TOKEN_PATTERN.match(value.get_secret_value().strip()):
            raise ValueError("malformed token")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            return frozenset(int(part) for part in parts if part)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _split_offsets(cls, value: object) -> object:
        if isinstance(value, str):
            offsets = tuple(int(part) for part in value.split(",") if part.strip())
            if any(offset <= 0 or offset > 24 * 30 for offset in offsets):
                raise ValueError("offsets must be between 1 and 720 hours")
            return tuple(sorted(set(offsets), reverse=True))
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("unknown time zone") from error
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _url_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not re.match(r"^https?://[^\s/]+", value.strip()):
            raise ValueError("not an http(s) URL")
        return value.strip().rstrip("/")

    @property
    def token(self) -> str:
        return self.bot_token.get_secret_value()

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line meant for a person."""


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings, turning pydantic's report into one actionable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        problem = "is missing" if first["type"] == "missing" else "is malformed"
        hint = SETTING_HINTS.get(name, f"check {name}")
        raise ConfigError(f"{name} {problem}: {hint}.") from None
