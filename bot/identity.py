"""Who the bot is on Telegram: learned from getMe at start-up, read when building links."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class BotIdentity:
    username: str = ""  # empty until start-up asked Telegram (and in tests without a bot)
