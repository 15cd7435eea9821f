"""Inbound updates at least once: recorded before acknowledged, handled in order, bounded."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

from bot.clock import Clock
from bot.flood import handling_update
from db import Database
from db import inbox as repo

log = logging.getLogger(__name__)

# aiogram's own polling backoff on network errors.
BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)
# Start-ups that may find one update unfinished before it is given up (a crash loop).
MAX_ATTEMPTS = 3


@dataclass(slots=True)
class _Item:
    update_id: int
    person_id: int | None
    payload: str
    update: Update | None = None


def person_of(update: Update) -> int | None:
    """Whose update this is: the user, else the chat; the key that keeps their order."""
    context = UserContextMiddleware.resolve_event_context(update)
    if context.user is not None:
        return context.user.id
    return context.chat.id if context.chat is not None else None


class Inbox:
    """Records updates durably, then feeds them to the Dispatcher with bounded workers.

    Arrival order is kept: one queue, and a person's updates run one after another on the
    worker that holds that person (their later updates wait in a per-person chain, not in a
    worker). At most `max_in_flight` updates are handled at once; the poller stops asking
    Telegram for more while as many wait. A handled update is marked done in a group commit;
    a crash before that mark makes it be handled again at start-up (at least once).
    """

    def __init__(
        self,
        db: Database,
        dispatcher: Dispatcher,
        bot: Bot,
        clock: Clock,
        max_in_flight: int = 64,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.db = db
        self.dp = dispatcher
        self.bot = bot
        self.clock = clock
        self.max_in_flight = max_in_flight
        self.max_attempts = max_attempts
        self._queue: asyncio.Queue[_Item | None] = asyncio.Queue()
        self._chains: dict[int, deque[_Item]] = {}
        self._unstarted = 0
        self._room = asyncio.Event()
        self._room.set()
        self._done: list[int] = []
        self._done_ready = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._stopping = False
        self.handled = 0

    # -- recording ------------------------------------------------------------------------

    async def accept(self, updates: Sequence[Update], acknowledged_below: int | None = None) -> int:
        """Record updates in one transaction, then queue the new ones; returns how many.

        Once this returns, the updates survive a crash: only then may Telegram be told they
        arrived (the next getUpdates offset, or a webhook's 200). Duplicates are ignored.
        """
        items = {
            update.update_id: _Item(
                update.update_id,
                person_of(update),
                update.model_dump_json(exclude_unset=True),
                update,
            )
            for update in updates
        }
        batch = [repo.Received(i.update_id, i.person_id, i.payload) for i in items.values()]
        fresh = await repo.record(self.db, batch, self.clock.timestamp(), acknowledged_below)
        for received in fresh:
            self._enqueue(items[received.update_id])
        return len(fresh)

    async def accept_raw(self, update: dict[str, Any]) -> int:
        """The webhook's entry: record one update as Telegram posted it (then answer 200)."""
        return await self.accept([Update.model_validate(update, context={"bot": self.bot})])

    def _enqueue(self, item: _Item) -> None:
        self._unstarted += 1
        if self._unstarted >= self.max_in_flight:
            self._room.clear()
        self._queue.put_nowait(item)

    # -- handling -------------------------------------------------------------------------

    async def recover(self) -> int:
        """Before polling: handle every update recorded but not finished, one at a time.

        Each try is counted durably first, so an update that keeps killing the process is
        given up after `max_attempts` start-ups instead of blocking the bot forever.
        """
        redone = 0
        for row in await repo.unfinished(self.db):
            if row.attempts >= self.max_attempts:
                reason = f"given up: the bot stopped {row.attempts} times while handling it"
                log.error("update %s %s", row.update_id, reason)
                await repo.fail(self.db, row.update_id, reason, self.clock.timestamp())
                continue
            await repo.count_attempt(self.db, row.update_id)
            await self._handle(_Item(row.update_id, row.person_id, row.payload))
            await self._flush()
            redone += 1
        if redone:
            log.info("redid %d unfinished updates", redone)
        return redone

    def start(self) -> None:
        self._stopping = False
        self._workers = [
            asyncio.create_task(self._work(), name=f"inbox-worker-{n}")
            for n in range(self.max_in_flight)
        ]
        self._flusher = asyncio.create_task(self._flush_forever(), name="inbox-flusher")

    async def stop(self) -> None:
        """Finish the updates in flight; the ones not started stay recorded for next time."""
        self._stopping = True
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()
        for _ in self._workers:
            self._queue.put_nowait(None)
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        self._chains.clear()
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        await self._flush()

    async def join(self) -> None:
        """Wait until everything queued so far has been handled (tests, benchmarks)."""
        await self._queue.join()
        await self._flush()

    async def _work(self) -> None:
        while True:
            item = await self._queue.get()
            if item is None or self._stopping:
                self._queue.task_done()
                return
            key = item.person_id
            if key is not None and key in self._chains:
                # That person's earlier update is in flight: this one runs right after it.
                self._chains[key].append(item)
                continue
            if key is not None:
                self._chains[key] = deque()
            try:
                await self._start_and_handle(item)
                chain = self._chains.get(key) if key is not None else None
                while chain and not self._stopping:
                    await self._start_and_handle(chain.popleft())
            finally:
                if key is not None:
                    self._chains.pop(key, None)

    async def _start_and_handle(self, item: _Item) -> None:
        self._unstarted -= 1
        if self._unstarted < self.max_in_flight:
            self._room.set()
        try:
            await self._handle(item)
        finally:
            self._queue.task_done()

    async def _handle(self, item: _Item) -> None:
        token = handling_update.set(True)
        try:
            update = item.update or Update.model_validate_json(
                item.payload, context={"bot": self.bot}
            )
            item.update = None  # the parsed update is not kept once handled
            response = await self.dp.feed_update(self.bot, update)
            if isinstance(response, TelegramMethod):
                await self.dp.silent_call_request(self.bot, response)
        except Exception as error:
            # The errors router catches handler failures; what reaches here is outside them.
            log.error("update %s failed: %s: %s", item.update_id, type(error).__name__, error)
            await repo.fail(self.db, item.update_id, repr(error), self.clock.timestamp())
            return
        finally:
            handling_update.reset(token)
        self.handled += 1
        self._done.append(item.update_id)
        self._done_ready.set()

    async def _flush_forever(self) -> None:
        while True:
            await self._done_ready.wait()
            self._done_ready.clear()
            try:
                await self._flush()
            except Exception as error:  # the marks stay queued; handling again is harmless
                log.warning("could not mark updates done: %s", error)

    async def _flush(self) -> None:
        # One statement for every update finished since the last flush (a group commit).
        done, self._done = self._done, []
        if not done:
            return
        try:
            await repo.finish(self.db, done, self.clock.timestamp())
        except BaseException:
            self._done[:0] = done
            raise

    # -- polling --------------------------------------------------------------------------

    async def poll(
        self, stop: asyncio.Event, polling_timeout: int, allowed_updates: list[str] | None
    ) -> None:
        """Long polling: the next offset is asked for only after a batch is recorded."""
        get_updates = GetUpdates(timeout=polling_timeout, allowed_updates=allowed_updates)
        kwargs: dict[str, Any] = {}
        if self.bot.session.timeout:
            # Like aiogram: wait longer than the long poll itself before calling it a timeout.
            kwargs["request_timeout"] = int(self.bot.session.timeout + polling_timeout)
        backoff = Backoff(config=BACKOFF)
        failed = False
        while not stop.is_set():
            if not await _until(self._room.wait(), stop):
                return
            fetch = asyncio.ensure_future(self.bot(get_updates, **kwargs))
            if not await _until(fetch, stop):
                return
            try:
                updates = fetch.result()
                if updates:
                    await self.accept(updates, acknowledged_below=get_updates.offset)
            except Exception as error:
                failed = True
                log.error("Failed to fetch updates - %s: %s", type(error).__name__, error)
                log.warning("Sleep for %f seconds and try again...", backoff.next_delay)
                await _until(asyncio.sleep(next(backoff)), stop)
                continue
            if failed:
                log.info("Connection established again")
                backoff.reset()
                failed = False
            if updates:
                get_updates.offset = updates[-1].update_id + 1


async def _until(awaitable: Any, stop: asyncio.Event) -> bool:
    """Await `awaitable` unless `stop` is set first (then cancel it); True if it finished."""
    task = asyncio.ensure_future(awaitable)
    stopper = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        stopper.cancel()
        return True
    task.cancel()
    with contextlib.suppress(BaseException):
        await task
    return False


async def run_polling(bot: Bot, dispatcher: Dispatcher, inbox: Inbox, polling_timeout: int) -> None:
    """The process's life: start-up hooks, unfinished updates, polling until SIGINT/SIGTERM,
    in-flight updates finished, shutdown hooks. The HTTP session is closed on every path."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, _stop_on_signal, sig, stop)
    workflow_data = {"dispatcher": dispatcher, "bots": (bot,), **dispatcher.workflow_data}
    started = False
    try:
        await dispatcher.emit_startup(bot=bot, **workflow_data)
        started = True
        await inbox.recover()
        freeze_startup_heap()
        inbox.start()
        log.info("Start polling")
        await inbox.poll(stop, polling_timeout, dispatcher.resolve_used_update_types())
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        try:
            if started:
                log.info("Polling stopped")
                await inbox.stop()
                await dispatcher.emit_shutdown(bot=bot, **workflow_data)
        finally:
            await bot.session.close()


def freeze_startup_heap() -> None:
    """Keep the objects made at start-up out of every later garbage collection.

    Start-up leaves ~150 MB of long-lived objects (aiogram's and pydantic's types, routers,
    catalogs); each full collection walked all of them, 0.2-0.5 s with the event loop
    stopped, and the first one fell on the first updates handled. Frozen, a collection walks
    only what was made since. Only the young generations are collected first: the old one
    holds next to no garbage after start-up, and collecting it would cost that pause here.
    """
    gc.collect(1)
    gc.freeze()


def _stop_on_signal(sig: signal.Signals, stop: asyncio.Event) -> None:
    log.warning("Received %s signal", sig.name)
    stop.set()
