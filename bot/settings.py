"""Settings read from the environment or `.env`, validated once at start-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
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
    "MAX_UPDATES_IN_FLIGHT": "set MAX_UPDATES_IN_FLIGHT to a whole number between 1 and 1000",
    "BACKUP_DIR": "set BACKUP_DIR to a writable folder, or leave it empty for data/backups",
    "BACKUP_KEEP": "set BACKUP_KEEP to how many daily backups to keep, 0 to 365 (0 = none)",
    "BACKUP_HOUR": "set BACKUP_HOUR to the hour of the daily backup, 0 to 23, in DEFAULT_TIMEZONE",
    "RETENTION_DAYS": (
        "set RETENTION_DAYS to whole days finished deliveries and updates are kept, 1 to 3650"
    ),
    "WEBHOOK_URL": "set WEBHOOK_URL to the public https:// address Telegram posts updates to",
    "WEBHOOK_SECRET": (
        "set WEBHOOK_SECRET (required with WEBHOOK_URL) to 1-256 letters, digits, _ or -, "
        "e.g. the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
    ),
    "WEBHOOK_HOST": "set WEBHOOK_HOST to the address to listen on, e.g. 127.0.0.1",
    "WEBHOOK_PORT": "set WEBHOOK_PORT to the port to listen on, 1 to 65535",
}
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


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
    # Updates handled at once; more wait, recorded, in arrival order. Every one more in flight
    # delays the first answers of a rush (they share the CPU with it), while 16 still cover
    # Telegram's round trips of ~0.1 s at the ~150 updates/s one process handles.
    max_updates_in_flight: int = Field(default=16, ge=1, le=1000)
    # Reminder plan by default: hours before the start.
    reminder_offsets: Annotated[tuple[int, ...], NoDecode] = (24, 2)
    # Follow-up survey after the event ends, in hours.
    followup_after_hours: float = Field(default=2.0, ge=0, le=72)
    # Daily backups: the folder, how many to keep (0 turns them off), the hour in the default zone.
    backup_dir: Path | None = None  # default: `backups/` beside DATABASE_PATH
    backup_keep: int = Field(default=7, ge=0, le=365)
    backup_hour: int = Field(default=3, ge=0, le=23)
    # Days finished deliveries, sent messages' content, handled updates and idle dialogs are kept.
    retention_days: int = Field(default=30, ge=1, le=3650)
    # Webhook mode instead of long polling when WEBHOOK_URL is set; the secret is then required.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8088, ge=1, le=65535)
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

    @field_validator("backup_dir", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        # Telegram posts only to https addresses.
        if not re.match(r"^https://[^\s/]+(/\S*)?$", value.strip()):
            raise ValueError("not an https URL")
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_shape(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        secret = value.get_secret_value().strip() if value is not None else ""
        if not secret:
            if info.data.get("webhook_url"):
                raise ValueError("required with WEBHOOK_URL")
            return None
        if not WEBHOOK_SECRET_PATTERN.match(secret):
            raise ValueError("1-256 characters A-Z, a-z, 0-9, _ and - only")
        return SecretStr(secret)

    @property
    def backups_folder(self) -> Path:
        return self.backup_dir or self.database_path.parent / "backups"

    @property
    def webhook_path(self) -> str:
        """Where the webhook listens: the path of WEBHOOK_URL, so a proxy passes it through."""
        return urlsplit(self.webhook_url or "").path or "/"

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
