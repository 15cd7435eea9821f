"""The sender: one task that claims due outbox rows, sends them paced, and records outcomes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, Message

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
    decode,
)
from bot.delivery.limiter import RateLimiter
from bot.response_models import pin_response_models
from db import Database, outbox

# Flow: claim a small batch of due rows (`pending` → `sending`, one BEGIN IMMEDIATE), start
# each send when the rate limiter allows it, and write the finished sends' outcomes in one
# transaction per batch. No transaction is ever open during a Telegram call. At most
# `window` rows are in `sending` at any moment (claimed, outcome not yet committed).
# A seat's ticket or `.ics` is queued undrawn and drawn as its row is dispatched, in claim
# order (`_draw`): a file whose seat is gone by then ends `cancelled`, one that cannot be
# drawn `failed`.
#
# Crash policy (at least once). A row in `sending` when the process dies may or may not have
# reached Telegram; at the next start-up it goes back to `pending` and is sent again. So a
# crash can duplicate at most `window` messages (default 40) and loses none. Every claim
# counts as an attempt, so a row whose send keeps killing the process fails after
# `max_attempts` instead of looping. A clean stop (SIGTERM) finishes the sends in flight and
# returns unsent claimed rows to the queue, so it duplicates nothing.
#
# Telegram errors: 429 pauses the whole sender for `retry_after`, lowers the limiter's rate
# (SEND_RATE is only a ceiling; see RateLimiter.flooded) and requeues the row without
# counting an attempt; 403 marks the recipient unreachable together with everything queued
# for them; 400 and other refusals fail the row with Telegram's reason; network errors,
# timeouts and 5xx are retried with exponential backoff, then fail with the last reason, and
# they pause the whole sender (longer while they persist) so an outage does not spend every
# queued row's attempts.

log = logging.getLogger(__name__)

NO_SEAT_REASON = "the seat of this file is no longer confirmed"

# Messages of a person's own notices that may reach their chat at once, like the messages of
# one interactive answer (Telegram allows short bursts in a chat); bulk goes one a second.
PERSONAL_BURST = 3

# Transient failures: worth another try after a pause (Telegram restarting, a dropped
# connection, a timeout). An unauthorized token or a polling conflict is an operator's
# problem that may be fixed in minutes, so it is retried too rather than failing a broadcast.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
    TelegramConflictError,
    TimeoutError,
    OSError,
)


@dataclass(frozen=True, slots=True)
class SenderConfig:
    """Tuning of the sender; the defaults suit production, tests shorten the waits."""

    batch_size: int = 20
    # Claimed but unrecorded rows: the in-flight window, and the duplicate bound after a crash.
    window: int = 40
    # How often an idle sender looks for rows it was not woken for (another process, due times).
    poll_interval: float = 0.5
    send_timeout: float = 30.0
    max_attempts: int = 5
    backoff_base: float = 2.0
    backoff_cap: float = 300.0
    stop_timeout: float = 10.0
    content_cache: int = 32

    def backoff(self, attempt: int) -> float:
        """Seconds before try number `attempt + 1`: base, 2×base, 4×base… up to the cap."""
        return float(min(self.backoff_cap, self.backoff_base * 2.0 ** max(0, attempt - 1)))


@dataclass(slots=True)
class SenderStats:
    """Counters since the sender was made; benchmarks and logs read them."""

    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    cancelled: int = 0
    retried: int = 0
    deferred: int = 0
    flood_waits: int = 0


class Sender:
    """Drains the outbox through one rate limiter. Run it as a task (`start`/`stop`), or call
    `drain()` to send what is due right now (tests, scripts)."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        limiter: RateLimiter,
        config: SenderConfig | None = None,
        seat_files: SeatFileDrawer | None = None,
    ) -> None:
        self.db = db
        self.bot = bot
        self.clock = clock
        self.limiter = limiter
        self.config = config or SenderConfig()
        self.seat_files = seat_files
        self.stats = SenderStats()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        # Sends run on long-lived workers: a task per message would cost more in garbage
        # collection than the whole rest of the engine.
        self._queue: asyncio.Queue[tuple[outbox.Claimed, Content, int]] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []
        self._in_progress = 0
        self._progress = asyncio.Event()
        # Rows in `sending` that this sender owns: claimed, outcome not yet committed.
        self._claimed = 0
        self._outcomes: list[outbox.Outcome] = []
        self._paused_until = 0.0
        self._transient_streak = 0
        # Claims are numbered; a mark made at claim number K applies to rows claimed up to K,
        # i.e. rows that were already out of the queue when the database was updated.
        self._claims = 0
        self._blocked: dict[int, int | None] = {}
        self._cancelled: dict[str, int] = {}
        self._contents: OrderedDict[int, Content | None] = OrderedDict()
        self._file_ids: dict[int, str] = {}
        self._new_file_ids: list[tuple[int, str]] = []
        self._upload_locks: dict[int, asyncio.Lock] = {}
        # Parsing answers must not rebuild pydantic classes after every garbage collection.
        pin_response_models()

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Apply the crash policy to rows a previous process left in flight, then run."""
        if self._task is not None:
            return
        await self.recover()
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="delivery-sender")

    async def stop(self) -> None:
        """Stop claiming, let the sends in flight finish and record them; requeue the rest."""
        task = self._task
        if task is None:
            return
        self._stopping = True
        self.wake()
        try:
            await asyncio.wait_for(asyncio.shield(task), self.config.stop_timeout * 2)
        except TimeoutError:
            log.warning("delivery: the sender did not stop in time; the next start requeues")
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None

    def wake(self) -> None:
        """Something changed (new rows, a send finished, a stop): look at the queue now."""
        self._wake.set()

    async def recover(self) -> None:
        async with self.db.write() as tx:
            requeued, failed = await outbox.recover(
                tx, self.clock.timestamp(), self.config.max_attempts
            )
        if requeued or failed:
            log.warning(
                "delivery: %d interrupted deliveries requeued (may repeat), %d failed",
                requeued,
                failed,
            )

    def note_cancelled(self, source: str) -> None:
        """Call inside the transaction that cancelled `source`: claimed rows of it stop too."""
        self._cancelled[source] = self._claims

    async def drain(self) -> None:
        """Send everything due now and record every outcome; stops early while paused by a 429.

        Not for production code (handlers never wait for delivery): tests and scripts call it
        instead of running the task. Rows due later stay queued, including a second message
        to one chat within a second: a test with a ManualClock advances it and drains again.
        """
        if self.running:
            raise RuntimeError("drain() is for a sender that is not running as a task")
        self._start_workers()
        try:
            while True:
                while self._in_progress and not self._batch_done():
                    self._progress.clear()
                    await self._progress.wait()
                rows = await self._exchange()
                if rows:
                    await self._dispatch(rows)
                    continue
                if not self._in_progress:
                    break
                await self._queue.join()
            await self._exchange(claim=False)
        finally:
            await self._stop_workers()

    # -- the loop -------------------------------------------------------------------------

    async def _run(self) -> None:
        log.info("delivery: sender started (%s msg/s)", self.limiter.rate or "no limit")
        self._start_workers()
        while not self._stopping:
            try:
                busy = await self._cycle()
            except Exception:
                # A locked or briefly unavailable database must not kill the only sender.
                log.exception("delivery: sender cycle failed; trying again shortly")
                busy = False
            if not busy:
                await self._nap(self.config.poll_interval)
        await self._settle()
        log.info("delivery: sender stopped")

    async def _cycle(self) -> bool:
        """Record finished sends and claim the next batch, then start it; False when idle."""
        if self._in_progress and not self._batch_done():
            # Outcomes are written a batch at a time; a finishing send wakes us when it is time.
            await self._nap(self.config.poll_interval)
            return True
        rows = await self._exchange()
        if rows:
            await self._dispatch(rows)
            return True
        pause = self._pause_left()
        if pause > 0:
            await self._nap(min(pause, self.config.poll_interval))
            return True
        if self._in_progress:
            await self._nap(self.config.poll_interval)
            return True
        return False

    async def _settle(self) -> None:
        """On stop: wait for the sends in flight, then record everything."""
        if self._in_progress:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.config.stop_timeout):
                    await self._queue.join()
        # A send still running now is cancelled; its row stays `sending` for the next start.
        await self._stop_workers()
        try:
            await self._exchange(claim=False)
        except Exception:
            log.exception("delivery: could not record the last outcomes; they will be resent")

    async def _nap(self, seconds: float) -> None:
        if seconds > 0 and not self._wake.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await self._wake.wait()
        self._wake.clear()

    def _batch_done(self) -> bool:
        """Enough sends finished to free room for a whole batch."""
        free = self.config.window - self._claimed + len(self._outcomes)
        return free >= self.config.batch_size

    def _pause_left(self) -> float:
        return self._paused_until - self.clock.timestamp()

    async def _exchange(self, *, claim: bool = True) -> list[outbox.Claimed]:
        """One transaction: write every finished outcome, then claim the next due batch."""
        outcomes, self._outcomes = self._outcomes, []
        file_ids, self._new_file_ids = self._new_file_ids, []
        limit = min(self.config.batch_size, self.config.window - self._claimed + len(outcomes))
        if not claim or self._stopping or self._pause_left() > 0:
            limit = 0
        if not outcomes and not file_ids and limit <= 0:
            return []
        try:
            async with self.db.write() as tx:
                now = self.clock.timestamp()
                await outbox.record(tx, outcomes, now)
                for message_id, file_id in file_ids:
                    await outbox.set_file_id(tx, message_id, file_id)
                for outcome in outcomes:
                    if outcome.state == "unreachable":
                        # Their queued rows are unreachable from this commit on; rows claimed
                        # up to now are checked against this mark before sending.
                        self._blocked[outcome.recipient_id] = self._claims
                rows = await outbox.claim(tx, now, limit) if limit > 0 else []
        except BaseException:
            self._outcomes[:0] = outcomes
            self._new_file_ids[:0] = file_ids
            raise
        self._claimed -= len(outcomes)
        self._count(outcomes)
        if rows:
            self._claims += 1
            self._claimed += len(rows)
        elif self._claimed == 0:
            # Every row claimed before these marks is settled; later claims saw the database.
            self._blocked = {chat: mark for chat, mark in self._blocked.items() if mark is None}
            self._cancelled.clear()
        return rows

    async def _dispatch(self, rows: list[outbox.Claimed]) -> None:
        """Start each row's send when the limiter allows; rows that cannot go now go back."""
        claim = self._claims
        for row in rows:
            try:
                await self._dispatch_one(row, claim)
            except Exception:
                # Every claimed row must end with an outcome, or it would hold a window slot.
                log.exception("delivery: could not start delivery %d; it is requeued", row.id)
                due = self.clock.timestamp() + self.config.poll_interval
                self._outcomes.append(_requeue(row, due))

    async def _dispatch_one(self, row: outbox.Claimed, claim: int) -> None:
        content = await self._content(row.message_id)
        if content is None:
            self._outcomes.append(_final(row, "failed", "the message content is missing"))
            return
        now = self.clock.timestamp()
        # A person's own notices may come a few at once (a ticket with its calendar file).
        burst = PERSONAL_BURST if row.priority == Priority.PERSONAL else 1
        chat_wait = self.limiter.chat_delay(row.recipient_id, now, burst)
        if chat_wait > 0:
            # Not worth holding the batch for: the row waits in the queue instead.
            self._outcomes.append(_requeue(row, now + chat_wait))
            return
        wait = self.limiter.reserve(now)
        if wait > 0:
            await asyncio.sleep(wait)
        # Checked last, after every wait: a 403, a cancel or a 429 may have come meanwhile.
        skipped = self._skipped(row, claim)
        if skipped is not None:
            self._outcomes.append(skipped)
            return
        if self._stopping or self._pause_left() > 0:
            self._outcomes.append(_requeue(row, row.due_at))
            return
        if isinstance(content, SeatFileContent):
            # Drawn here, in the order rows were claimed, not on a worker: a ticket queued
            # before its calendar file must still reach the chat first.
            drawn = await self._draw(row, content)
            if drawn is None:
                return
            content = drawn
        self.limiter.record(row.recipient_id, self.clock.timestamp())
        self._in_progress += 1
        self._queue.put_nowait((row, content, claim))

    def _start_workers(self) -> None:
        while len(self._workers) < self.config.window:
            self._workers.append(asyncio.create_task(self._worker(), name="delivery-send"))

    async def _stop_workers(self) -> None:
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)

    async def _worker(self) -> None:
        while True:
            row, content, claim = await self._queue.get()
            try:
                await self._send(row, content, claim)
            finally:
                self._in_progress -= 1
                self._queue.task_done()
                self._progress.set()

    def _skipped(self, row: outbox.Claimed, claim: int) -> outbox.Outcome | None:
        if row.recipient_id in self._blocked:
            marked = self._blocked[row.recipient_id]
            if marked is None or claim <= marked:
                return _final(row, "unreachable", outbox.UNREACHABLE_REASON)
        cancelled = self._cancelled.get(row.source)
        if cancelled is not None and claim <= cancelled:
            return _final(row, "cancelled", None)
        return None

    def _count(self, outcomes: list[outbox.Outcome]) -> None:
        stats = self.stats
        for outcome in outcomes:
            if outcome.state == "sent":
                stats.sent += 1
            elif outcome.state == "unreachable":
                stats.unreachable += 1
            elif outcome.state == "failed":
                stats.failed += 1
            elif outcome.state == "cancelled":
                stats.cancelled += 1
            elif outcome.refund:
                stats.deferred += 1
            else:
                stats.retried += 1

    async def _content(self, message_id: int) -> Content | None:
        if message_id in self._contents:
            self._contents.move_to_end(message_id)
            return self._contents[message_id]
        content: Content | None = None
        stored = await outbox.message(self.db, message_id)
        if stored is not None:
            try:
                content = decode(stored)
            except (ValueError, KeyError, TypeError):
                log.exception("delivery: outbox message %d cannot be read", message_id)
            if stored.file_id:
                self._file_ids[message_id] = stored.file_id
        self._contents[message_id] = content
        while len(self._contents) > self.config.content_cache:
            self._contents.popitem(last=False)
        return content

    # -- one send -------------------------------------------------------------------------

    async def _send(self, row: outbox.Claimed, content: Content, claim: int) -> None:
        outcome: outbox.Outcome
        try:
            telegram_id = await self._call(row, content)
        except TelegramRetryAfter as error:
            self._flood_wait(error.retry_after)
            outcome = self._retry(row, claim, row.due_at, _flood_reason(error), refund=True)
        except TelegramForbiddenError as error:
            self._blocked[row.recipient_id] = None
            outcome = _final(row, "unreachable", error.message)
            log.info("delivery: chat %d is unreachable: %s", row.recipient_id, error.message)
        except TelegramMigrateToChat as error:
            reason = f"the group became a supergroup {error.migrate_to_chat_id}"
            outcome = _final(row, "failed", reason)
        except TelegramEntityTooLarge as error:
            outcome = _final(row, "failed", error.message)
        except TRANSIENT_ERRORS as error:
            self._outage()
            outcome = self._transient(row, claim, _reason(error))
        except TelegramAPIError as error:
            # 400 (chat not found, message too long...), 404 and whatever Telegram adds later.
            outcome = _final(row, "failed", error.message)
        except Exception as error:
            log.exception("delivery: unexpected error sending delivery %d", row.id)
            outcome = _final(row, "failed", _reason(error))
        else:
            self._transient_streak = 0
            outcome = outbox.Outcome(
                row.id, "sent", row.recipient_id, telegram_message_id=telegram_id
            )
        if outcome.state == "failed":
            log.info("delivery %d to %d failed: %s", row.id, row.recipient_id, outcome.error)
        self._outcomes.append(outcome)
        if self._in_progress <= 1 or self._batch_done():
            self.wake()

    def _flood_wait(self, retry_after: float) -> None:
        self.stats.flood_waits += 1
        now = self.clock.timestamp()
        # SEND_RATE is a ceiling: Telegram's real limit is lower, so send slower from now on.
        self.limiter.flooded(now, retry_after)
        until = now + retry_after
        if until > self._paused_until:
            log.warning("delivery: Telegram flood control, pausing for %s s", retry_after)
            self._paused_until = until

    def _outage(self) -> None:
        """A network error, timeout or 5xx: pause everyone, longer while it keeps happening.

        Without this, an outage of Telegram or of our network would spend every queued row's
        attempts within seconds and fail a whole broadcast; paused, only the rows in flight
        spend one attempt per probe. Any successful send ends the streak.
        """
        if self._pause_left() > 0:
            return  # another send of the same probe already paused us
        self._transient_streak += 1
        pause = self.config.backoff(self._transient_streak)
        if self._transient_streak > 1:
            log.warning("delivery: Telegram unreachable, pausing for %.0f s", pause)
        self._paused_until = self.clock.timestamp() + pause

    def _transient(self, row: outbox.Claimed, claim: int, reason: str) -> outbox.Outcome:
        if row.attempts >= self.config.max_attempts:
            return _final(row, "failed", f"gave up after {row.attempts} attempts: {reason}")
        due = self.clock.timestamp() + self.config.backoff(row.attempts)
        return self._retry(row, claim, due, reason, refund=False)

    def _retry(
        self, row: outbox.Claimed, claim: int, due_at: float, reason: str, *, refund: bool
    ) -> outbox.Outcome:
        cancelled = self._cancelled.get(row.source)
        if cancelled is not None and claim <= cancelled:
            return _final(row, "cancelled", reason)
        return outbox.Outcome(
            row.id, "pending", row.recipient_id, error=reason, due_at=due_at, refund=refund
        )

    async def _draw(self, row: outbox.Claimed, content: SeatFileContent) -> DocumentContent | None:
        """The seat's file as of now, drawn for each send and never kept (it would go stale).
        None when there is nothing to send; the row's outcome is recorded then."""
        try:
            if self.seat_files is None:
                raise RuntimeError("this sender has no drawer for a queued seat file")
            drawn = await self.seat_files(content)
        except Exception as error:
            # Drawing again would fail again (a missing font, a broken row): not requeued.
            log.exception("delivery: could not draw the file of delivery %d", row.id)
            self._outcomes.append(_final(row, "failed", _reason(error)))
            return None
        if drawn is None:
            self._outcomes.append(_final(row, "cancelled", NO_SEAT_REASON))
        return drawn

    async def _call(self, row: outbox.Claimed, content: Content) -> int:
        """One Bot API call for one recipient; returns Telegram's message id."""
        chat, timeout = row.recipient_id, int(self.config.send_timeout)
        if isinstance(content, TextContent):
            message = await self.bot.send_message(
                chat, content.text, reply_markup=content.reply_markup, request_timeout=timeout
            )
            return message.message_id
        if isinstance(content, DocumentContent):
            return await self._send_file(row, content)
        assert not isinstance(content, SeatFileContent), "drawn before the call (`_draw`)"
        if isinstance(content, CopyContent):
            copied = await self.bot.copy_message(
                chat,
                content.from_chat_id,
                content.message_id,
                reply_markup=content.reply_markup,
                request_timeout=timeout,
            )
            return copied.message_id
        return (await self._send_place(chat, content)).message_id

    async def _send_place(self, chat: int, content: LocationContent) -> Message:
        timeout = int(self.config.send_timeout)
        if content.title or content.address:
            title = content.title or content.address or ""
            return await self.bot.send_venue(
                chat,
                content.latitude,
                content.longitude,
                title=title,
                address=content.address or title,
                request_timeout=timeout,
            )
        return await self.bot.send_location(
            chat, content.latitude, content.longitude, request_timeout=timeout
        )

    async def _send_file(self, row: outbox.Claimed, content: DocumentContent) -> int:
        """The first recipient gets an upload; everyone else Telegram's file id of it."""
        file_id = self._file_ids.get(row.message_id)
        if file_id is None:
            lock = self._upload_locks.setdefault(row.message_id, asyncio.Lock())
            async with lock:
                file_id = self._file_ids.get(row.message_id)
                if file_id is None:
                    upload = BufferedInputFile(content.data, content.filename)
                    message = await self._send_media(row.recipient_id, content, upload)
                    found = _file_id(message)
                    if found is not None:
                        self._file_ids[row.message_id] = found
                        self._new_file_ids.append((row.message_id, found))
                        self._upload_locks.pop(row.message_id, None)
                    return message.message_id
        return (await self._send_media(row.recipient_id, content, file_id)).message_id

    async def _send_media(
        self, chat: int, content: DocumentContent, media: BufferedInputFile | str
    ) -> Message:
        timeout = int(self.config.send_timeout)
        if content.as_photo:
            return await self.bot.send_photo(
                chat,
                media,
                caption=content.caption,
                reply_markup=content.reply_markup,
                request_timeout=timeout,
            )
        return await self.bot.send_document(
            chat,
            media,
            caption=content.caption,
            reply_markup=content.reply_markup,
            request_timeout=timeout,
        )


def _file_id(message: Message) -> str | None:
    if message.photo:
        return message.photo[-1].file_id
    if message.document is not None:
        return message.document.file_id
    return None


def _final(row: outbox.Claimed, state: outbox.FinalOutcome, error: str | None) -> outbox.Outcome:
    return outbox.Outcome(row.id, state, row.recipient_id, error=error)


def _requeue(row: outbox.Claimed, due_at: float) -> outbox.Outcome:
    """Back to the queue untried: no attempt is counted and the last error stays."""
    return outbox.Outcome(row.id, "pending", row.recipient_id, due_at=due_at, refund=True)


def _flood_reason(error: TelegramRetryAfter) -> str:
    return f"flood control: retry after {error.retry_after} s"


def _reason(error: BaseException) -> str:
    if isinstance(error, TelegramAPIError):
        return error.message
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
