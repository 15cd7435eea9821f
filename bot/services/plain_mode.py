"""Who is in plain mode, and which chats have a keyboard remembered: read once at start-up,
kept in memory, written through."""

from __future__ import annotations

from bot.clock import Clock
from db import Database, plain_mode


class PlainModeService:
    """The set of people in plain mode, for the checks made on every request the bot sends.

    One process owns the bot token, and a toggle is the only change to `plain_mode` rows
    (erasure keeps the preference, like the language), so the set loaded at start-up and
    updated here after each committed toggle stays what the database says.

    The same goes for the chats with a row in `plain_keyboards`: a chat is added before its
    row is written, so the set is never missing a chat that has one, and a chat never
    added costs no read when its person types and no write when a keyboard is removed.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._people: set[int] = set()
        self._keyboards: set[int] = set()

    async def load(self) -> None:
        self._people = await plain_mode.people_on(self.db)
        self._keyboards = await plain_mode.chats_with_keyboard(self.db)

    def has_keyboard(self, chat_id: int) -> bool:
        """Whether the chat may have a remembered keyboard (False: it surely has none)."""
        return chat_id in self._keyboards

    def keyboard_kept(self, chat_id: int) -> None:
        """Call before writing a chat's keyboard row."""
        self._keyboards.add(chat_id)

    def is_on(self, person_id: int) -> bool:
        return person_id in self._people

    async def turn(self, person_id: int, on: bool) -> None:
        """Turn plain mode on or off; the person's row must exist."""
        await plain_mode.turn(self.db, person_id, on, self.clock.timestamp())
        # After the commit: a failed write leaves the set as the database is.
        if on:
            self._people.add(person_id)
        else:
            self._people.discard(person_id)
