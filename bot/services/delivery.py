"""The delivery service: what handlers and the scheduler call to send later or to many."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram import Bot

from bot.clock import Clock
from bot.delivery.content import (
    Content,
    CopyContent,
    DocumentContent,
    LocationContent,
    Priority,
    SeatFileContent,
    SeatFileDrawer,
    TextContent,
    encode,
)
from bot.delivery.limiter import RateLimiter
from bot.delivery.sender import Sender, SenderConfig
from db import Database, Transaction, outbox
from db.outbox import Progress, Undelivered

__all__ = [
    "Content",
    "CopyContent",
    "DeliveryService",
    "DocumentContent",
    "LocationContent",
    "Priority",
    "Progress",
    "SeatFileContent",
    "TextContent",
    "Undelivered",
]

log = logging.getLogger(__name__)


class DeliveryService:
    """Queue messages in the outbox; one sender (started with the bot) delivers them.

    A source names what a delivery is for ("promotion:<registration id>",
    "reminder:<registration id>:24h", "announcement:<id>"); (source, recipient) is queued at
    most once, so enqueueing again after a retry or a restart is harmless. Nothing here
    waits for Telegram: a handler enqueues and returns, and reads `progress()` later.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        send_rate: float,
        config: SenderConfig | None = None,
        seat_files: SeatFileDrawer | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.send_rate = send_rate
        self.config = config or SenderConfig()
        self.seat_files = seat_files
        self.sender: Sender | None = None

    async def enqueue(
        self,
        source: str,
        recipients: Sequence[int],
        content: Content,
        *,
        priority: Priority = Priority.BULK,
        due_at: float | None = None,
    ) -> int:
        """Queue `content` for each recipient in one transaction; returns the rows queued.

        Duplicates of (source, recipient) are ignored; recipients known to be unreachable
        get an `unreachable` row instead and are not counted.
        """
        async with self.db.write() as tx:
            queued = await self.enqueue_in(
                tx, source, recipients, content, priority=priority, due_at=due_at
            )
        self.wake()
        return queued

    async def enqueue_in(
        self,
        tx: Transaction,
        source: str,
        recipients: Sequence[int],
        content: Content,
        *,
        priority: Priority = Priority.BULK,
        due_at: float | None = None,
    ) -> int:
        """`enqueue` inside the caller's open `db.write()` transaction (transactional outbox):
        the notice commits or rolls back with the change it announces. Call `wake()` after
        the commit to send without waiting for the sender's next poll."""
        stored = encode(content)
        now = self.clock.timestamp()
        return await outbox.enqueue(
            tx,
            source=source,
            recipients=recipients,
            kind=stored.kind,
            payload=stored.payload,
            attachment=stored.attachment,
            priority=int(priority),
            due_at=now if due_at is None else due_at,
            now=now,
        )

    async def store_in(self, tx: Transaction, content: Content) -> int:
        """A message body in the outbox, for recipients queued later (`db.announcements`'s
        chunked freeze); returns its id."""
        stored = encode(content)
        return await outbox.store_message(
            tx,
            kind=stored.kind,
            payload=stored.payload,
            attachment=stored.attachment,
            now=self.clock.timestamp(),
        )

    def wake(self) -> None:
        """Tell the sender there is new work (harmless when it is not running)."""
        if self.sender is not None:
            self.sender.wake()

    async def cancel(self, source: str) -> int:
        """Cancel what of `source` is still queued; returns how many rows. A message already
        handed to Telegram cannot be called back."""
        async with self.db.write() as tx:
            cancelled = await outbox.cancel(tx, source, self.clock.timestamp())
            if self.sender is not None:
                # Inside the transaction: no claim can slip between the update and the mark.
                self.sender.note_cancelled(source)
        return cancelled

    async def progress(self, source: str) -> Progress:
        """Counts per state, total, and the first and last send times; poll it for a live
        progress message."""
        return await outbox.progress(self.db, source)

    async def undelivered(self, source: str, limit: int = 1000) -> list[Undelivered]:
        """Who did not get the message of `source`, and why (for an organizer's report)."""
        return await outbox.undelivered(self.db, source, limit)

    # -- the sender -----------------------------------------------------------------------

    def sender_for(self, bot: Bot) -> Sender:
        """The one sender of this process, made on first use for `bot`."""
        if self.sender is None:
            limiter = RateLimiter(self.send_rate)
            self.sender = Sender(self.db, bot, self.clock, limiter, self.config, self.seat_files)
        elif self.sender.bot is not bot:
            raise RuntimeError("the delivery sender already sends through another Bot")
        return self.sender

    async def start(self, bot: Bot) -> None:
        """Start-up hook: requeue rows a crash left in flight, then send in the background."""
        await self.sender_for(bot).start()

    async def stop(self) -> None:
        """Shutdown hook, before the database closes: finish and record the sends in flight."""
        if self.sender is not None:
            await self.sender.stop()

    async def drain(self, bot: Bot) -> None:
        """Send and record everything due now, without the background task (tests, scripts)."""
        await self.sender_for(bot).drain()
