"""The delivery outbox: queueing, claiming, recording and counting per-recipient deliveries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from db import people
from db.database import Queries

State = Literal["pending", "sending", "sent", "unreachable", "failed", "cancelled"]
Kind = Literal["text", "document", "photo", "copy", "location"]
FinalOutcome = Literal["unreachable", "failed", "cancelled"]
FINAL_STATES: tuple[State, ...] = ("sent", "unreachable", "failed", "cancelled")

UNREACHABLE_REASON = "recipient is unreachable: blocked the bot or left the chat"
INTERRUPTED_REASON = "interrupted: the bot stopped while sending"


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """What is sent: one row shared by all recipients of one enqueue."""

    id: int
    kind: Kind
    payload: str
    attachment: bytes | None
    file_id: str | None


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery the sender owns now (state `sending`) until it records an outcome."""

    id: int
    message_id: int
    source: str
    recipient_id: int
    priority: int
    attempts: int
    due_at: float


@dataclass(frozen=True, slots=True)
class Outcome:
    """What came of one claimed delivery; `record()` writes many in one transaction.

    `state` "pending" puts the row back in the queue, due at `due_at`; `refund` gives the
    attempt back when the send was never tried for its own sake (flood wait, a chat's pace).
    """

    delivery_id: int
    state: Literal["pending", "sent"] | FinalOutcome
    recipient_id: int
    error: str | None = None
    telegram_message_id: int | None = None
    due_at: float | None = None
    refund: bool = False


@dataclass(frozen=True, slots=True)
class Progress:
    """Counts per state of one source, and when its first and last message went out."""

    source: str
    pending: int = 0
    sending: int = 0
    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    cancelled: int = 0
    first_sent_at: float | None = None
    last_sent_at: float | None = None

    @property
    def total(self) -> int:
        return self.pending + self.sending + self.done

    @property
    def done(self) -> int:
        """Rows in a final state: sent, unreachable, failed or cancelled."""
        return self.sent + self.unreachable + self.failed + self.cancelled

    @property
    def finished(self) -> bool:
        """Every row is final (vacuously true for an unknown source)."""
        return self.pending == 0 and self.sending == 0


@dataclass(frozen=True, slots=True)
class Undelivered:
    """A recipient that did not get the message, and why."""

    recipient_id: int
    state: State
    error: str | None
    attempts: int


async def enqueue(
    db: Queries,
    *,
    source: str,
    recipients: Sequence[int],
    kind: Kind,
    payload: str,
    attachment: bytes | None = None,
    priority: int,
    due_at: float,
    now: float,
) -> int:
    """Queue one message for many recipients in a few statements; returns the rows queued.

    A (source, recipient) pair already queued is skipped, so retrying an enqueue is safe.
    Recipients known to be unreachable get a row too, straight in state `unreachable`, so
    a broadcast's report accounts for them; they are not counted as queued.
    """
    ids = json.dumps([_chat_id(recipient) for recipient in recipients])
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    insert = (
        "INSERT INTO deliveries (message_id, source, recipient_id, priority, state, last_error,"
        " due_at, created_at, updated_at)"
        " SELECT ?, ?, r.value, ?, ?, ?, ?, ?, ? FROM json_each(?) AS r WHERE {blocked} EXISTS"
        " (SELECT 1 FROM people p WHERE p.id = r.value AND p.unreachable_at IS NOT NULL)"
        " ON CONFLICT (source, recipient_id) DO NOTHING"
    )
    common = (due_at, now, now, ids)
    async with db.write() as tx:
        message_id = await tx.insert(
            "INSERT INTO outbox_messages (kind, payload, attachment, created_at)"
            " VALUES (?, ?, ?, ?)",
            (kind, payload, attachment, now),
        )
        queued = await tx.execute(
            insert.format(blocked="NOT"),
            (message_id, source, priority, "pending", None, *common),
        )
        unreachable = await tx.execute(
            insert.format(blocked=""),
            (message_id, source, priority, "unreachable", UNREACHABLE_REASON, *common),
        )
        if queued + unreachable == 0:
            await tx.execute("DELETE FROM outbox_messages WHERE id = ?", (message_id,))
    return queued


def _chat_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a recipient is a Telegram chat id (int), not {value!r}")
    return value


async def store_message(
    db: Queries, *, kind: Kind, payload: str, attachment: bytes | None, now: float
) -> int:
    """One message body for recipients queued later (a broadcast frozen in chunks)."""
    return await db.insert(
        "INSERT INTO outbox_messages (kind, payload, attachment, created_at) VALUES (?, ?, ?, ?)",
        (kind, payload, attachment, now),
    )


async def claim(db: Queries, now: float, limit: int) -> list[Claimed]:
    """Move up to `limit` due pending rows to `sending`, most urgent first."""
    # In write(): a statement that changes rows runs on the writer even when it returns rows.
    async with db.write() as tx:
        rows = await tx.fetch_all(
            "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, claimed_at = ?,"
            " updated_at = ? WHERE id IN (SELECT id FROM deliveries WHERE state = 'pending'"
            " AND due_at <= ? ORDER BY priority, due_at, id LIMIT ?)"
            " RETURNING id, message_id, source, recipient_id, priority, attempts, due_at",
            (now, now, now, limit),
        )
    claimed = [Claimed(*row) for row in rows]
    # RETURNING gives no order; the sender goes through a batch most urgent first.
    claimed.sort(key=lambda row: (row.priority, row.due_at, row.id))
    return claimed


async def record(db: Queries, outcomes: Sequence[Outcome], now: float) -> None:
    """Write many outcomes at once; an unreachable recipient takes their queued rows along."""
    sent = [(o.telegram_message_id, now, now, o.delivery_id) for o in outcomes if o.state == "sent"]
    retried = [
        (o.due_at if o.due_at is not None else now, o.error, int(o.refund), now, o.delivery_id)
        for o in outcomes
        if o.state == "pending"
    ]
    final = [
        (o.state, o.error, now, o.delivery_id)
        for o in outcomes
        if o.state in ("failed", "unreachable", "cancelled")
    ]
    # `AND state = 'sending'`: only the claim's owner moves a row out of `sending`.
    async with db.write() as tx:
        if sent:
            await tx.executemany(
                "UPDATE deliveries SET state = 'sent', telegram_message_id = ?, sent_at = ?,"
                " last_error = NULL, updated_at = ? WHERE id = ? AND state = 'sending'",
                sent,
            )
        if retried:
            await tx.executemany(
                "UPDATE deliveries SET state = 'pending', due_at = ?,"
                " last_error = coalesce(?, last_error), attempts = attempts - ?, updated_at = ?"
                " WHERE id = ? AND state = 'sending'",
                retried,
            )
        if final:
            await tx.executemany(
                "UPDATE deliveries SET state = ?, last_error = coalesce(?, last_error),"
                " updated_at = ? WHERE id = ? AND state = 'sending'",
                final,
            )
        for recipient in sorted({o.recipient_id for o in outcomes if o.state == "unreachable"}):
            await mark_unreachable(tx, recipient, now)


async def mark_unreachable(db: Queries, recipient_id: int, now: float) -> int:
    """The person (or group) refused a message: nothing queued for them is sent any more."""
    async with db.write() as tx:
        await people.mark_unreachable(tx, recipient_id, now)
        return await tx.execute(
            "UPDATE deliveries SET state = 'unreachable', last_error = ?, updated_at = ?"
            " WHERE recipient_id = ? AND state = 'pending'",
            (UNREACHABLE_REASON, now, recipient_id),
        )


async def recover(db: Queries, now: float, max_attempts: int) -> tuple[int, int]:
    """Start-up policy for rows a stopped process left in `sending`: (requeued, failed).

    Each may or may not have reached Telegram, so it goes back to the queue (at least once):
    a duplicate is better than a lost notice. A row whose sends keep dying with the process
    (`attempts` counts every claim) fails instead of looping forever.
    """
    async with db.write() as tx:
        failed = await tx.execute(
            "UPDATE deliveries SET state = 'failed', last_error = ?, updated_at = ?"
            " WHERE state = 'sending' AND attempts >= ?",
            (f"{INTERRUPTED_REASON}, {max_attempts} times", now, max_attempts),
        )
        requeued = await tx.execute(
            "UPDATE deliveries SET state = 'pending', last_error = ?, updated_at = ?"
            " WHERE state = 'sending'",
            (INTERRUPTED_REASON, now),
        )
    return requeued, failed


async def cancel(db: Queries, source: str, now: float) -> int:
    """Cancel the rows of a source that are still queued; returns how many."""
    return await db.execute(
        "UPDATE deliveries SET state = 'cancelled', updated_at = ?"
        " WHERE source = ? AND state = 'pending'",
        (now, source),
    )


async def set_file_id(db: Queries, message_id: int, file_id: str) -> None:
    """Remember Telegram's id of an uploaded attachment, so a restart does not upload again."""
    await db.execute("UPDATE outbox_messages SET file_id = ? WHERE id = ?", (file_id, message_id))


async def message(db: Queries, message_id: int) -> OutboxMessage | None:
    row = await db.fetch_one(
        "SELECT id, kind, payload, attachment, file_id FROM outbox_messages WHERE id = ?",
        (message_id,),
    )
    return None if row is None else OutboxMessage(*row)


async def progress(db: Queries, source: str) -> Progress:
    rows = await db.fetch_all(
        "SELECT state, count(*), min(sent_at), max(sent_at) FROM deliveries"
        " WHERE source = ? GROUP BY state",
        (source,),
    )
    counts = {row[0]: int(row[1]) for row in rows}
    sent_times = [(row[2], row[3]) for row in rows if row[0] == "sent"]
    first, last = sent_times[0] if sent_times else (None, None)
    return Progress(
        source=source,
        pending=counts.get("pending", 0),
        sending=counts.get("sending", 0),
        sent=counts.get("sent", 0),
        unreachable=counts.get("unreachable", 0),
        failed=counts.get("failed", 0),
        cancelled=counts.get("cancelled", 0),
        first_sent_at=first,
        last_sent_at=last,
    )


async def undelivered(db: Queries, source: str, limit: int = 1000) -> list[Undelivered]:
    """Recipients of a source that ended unreachable or failed, with the reason."""
    rows = await db.fetch_all(
        "SELECT recipient_id, state, last_error, attempts FROM deliveries"
        " WHERE source = ? AND state IN ('unreachable', 'failed') ORDER BY id LIMIT ?",
        (source, limit),
    )
    return [Undelivered(*row) for row in rows]


# -- erasure and retention ---------------------------------------------------------------------

# A delivery row kept only for anonymous counts gets `ANONYMOUS_BELOW - row id` as recipient:
# unique per row (the (source, recipient) key holds), far below any Telegram chat id (chat ids
# fit in 52 bits), and computed from nothing that names the person.
ANONYMOUS_BELOW = -(2**62)
# The priority of a person's own notices (bot.delivery.content.Priority.PERSONAL): a
# confirmation, a ticket, a promotion — written for one person, so erased with them.
PERSONAL_PRIORITY = 0


async def erase_recipient(db: Queries, recipient_id: int, now: float) -> int:
    """Inside an erasure: nothing more goes to the person, and no row names them any more.

    Queued copies of anything (announcements of every audience, reminders, notices) are
    withdrawn; their own notices (a confirmation, a ticket) are deleted with their rows;
    rows of messages for many (an announcement, a reminder) stay as anonymous counts.
    Returns how many queued copies were withdrawn.
    """
    async with db.write() as tx:
        # A row in `sending` is in the sender's hands: its outcome no longer lands (the
        # sender records only rows still `sending`), and it is not retried after a crash.
        withdrawn = await tx.execute(
            "UPDATE deliveries SET state = 'cancelled', updated_at = ?"
            " WHERE recipient_id = ? AND state IN ('pending', 'sending')",
            (now, recipient_id),
        )
        await tx.execute(
            "DELETE FROM outbox_messages WHERE id IN"
            " (SELECT message_id FROM deliveries WHERE recipient_id = ? AND priority = ?)"
            " AND NOT EXISTS (SELECT 1 FROM deliveries d"
            "  WHERE d.message_id = outbox_messages.id AND d.recipient_id != ?)",
            (recipient_id, PERSONAL_PRIORITY, recipient_id),
        )
        await _anonymize(tx, "recipient_id = ?", (recipient_id,), now)
    return withdrawn


async def _anonymize(db: Queries, where: str, params: tuple[object, ...], now: float) -> int:
    return await db.execute(
        "UPDATE deliveries SET recipient_id = ? - id, last_error = NULL,"  # noqa: S608 - ours
        f" telegram_message_id = NULL, claimed_at = NULL, updated_at = ? WHERE {where}",
        (ANONYMOUS_BELOW, now, *params),
    )


_FINAL = ", ".join(f"'{state}'" for state in FINAL_STATES)


@dataclass(frozen=True, slots=True)
class Expired:
    """What one retention pass cleared."""

    deliveries: int  # finished rows that lost their recipient
    messages: int  # messages whose text and file bytes were wiped


async def expire(db: Queries, before: float, now: float) -> Expired:
    """Retention: finished rows last changed before `before` lose their personal link, and
    messages whose every row is such lose their content and stored file (counts stay)."""
    async with db.write() as tx:
        # Content first: anonymizing stamps the rows with `now`.
        messages = await tx.execute(
            "UPDATE outbox_messages SET payload = '{}', attachment = NULL, file_id = NULL"
            " WHERE (payload != '{}' OR attachment IS NOT NULL OR file_id IS NOT NULL)"
            " AND created_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries d"
            "  WHERE d.message_id = outbox_messages.id"
            "  AND (d.state NOT IN ('sent', 'unreachable', 'failed', 'cancelled')"
            "  OR d.updated_at >= ?))",
            (before, before),
        )
        deliveries = await _anonymize(
            tx,
            f"state IN ({_FINAL}) AND updated_at < ? AND recipient_id > ?",
            (before, ANONYMOUS_BELOW),
            now,
        )
    return Expired(deliveries=deliveries, messages=messages)
