"""Dialog states; their data lives in the SQLite FSM storage and survives restarts."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class Onboarding(StatesGroup):
    choosing_language = State()
