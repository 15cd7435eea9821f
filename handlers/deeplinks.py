"""The deep-link registry: which handler module opens which kind of `t.me/<bot>?start=` link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aiogram import Bot
from aiogram.fsm.context import FSMContext

from bot.deeplinks import DeepLink
from bot.services import Services
from bot.services.roles import Access


@dataclass(frozen=True, slots=True)
class LinkOpening:
    """One deep link to open for the person of `access`, answering in `chat_id`."""

    bot: Bot
    chat_id: int
    link: DeepLink
    services: Services
    state: FSMContext
    access: Access


class Opener(Protocol):
    """Opens one kind of deep link."""

    async def __call__(self, opening: LinkOpening) -> None: ...


class DeepLinkOpeners:
    """Which feature opens which kind of link; features register themselves at wiring time."""

    def __init__(self) -> None:
        self._openers: dict[str, Opener] = {}

    def register(self, kind: str, opener: Opener) -> None:
        self._openers[kind] = opener

    def get(self, kind: str) -> Opener | None:
        return self._openers.get(kind)
