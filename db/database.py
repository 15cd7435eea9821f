"""SQLite access: one writer connection behind a lock, one reader, and the migration runner."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import sqlite3
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Callable,
    Coroutine,
    Iterable,
    Sequence,
)
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
BUSY_TIMEOUT_MS = 10_000

T = TypeVar("T")


class Queries(Protocol):
    """What a repository function runs its SQL on: the `Database`, or an open `Transaction`.

    Both offer the same calls, so one function serves a handler reading on its own and a
    service composing several changes into one unit of work. A function whose statements must
    stand or fall together wraps them in `write()`: on the `Database` that opens a
    `BEGIN IMMEDIATE` transaction, inside a `Transaction` it joins the one already open.
    """

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]: ...

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None: ...

    async def fetch_value(self, sql: str, params: Params = ()) -> Any: ...

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns how many rows it changed."""
        ...

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT; returns the new row's id."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one statement per parameter row; returns how many rows they changed."""
        ...

    def write(self) -> AbstractAsyncContextManager[Transaction]: ...


class Transaction:
    """One open `BEGIN IMMEDIATE` transaction on the single writer, as `Database.write()` gives it.

    Each call is one hop to the connection's thread (the statement runs, its rows are fetched
    and the statement is finalized there), rather than separate hops to execute, fetch and close.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn: aiosqlite.Connection | None = conn

    def _require(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("this transaction is over; open a new one with db.write()")
        return self._conn

    def _close(self) -> None:
        self._conn = None

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self._require().execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> int:
        # The cursor is left to the garbage collector: a DML statement is already complete,
        # and closing it would cost another hop.
        cursor = await self._require().execute(sql, params)
        return cursor.rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        cursor = await self._require().execute(sql, params)
        return int(cursor.lastrowid or 0)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        cursor = await self._require().executemany(sql, rows)
        return cursor.rowcount

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        """Already inside a transaction: statements join it, and commit or roll back with it."""
        self._require()
        yield self


class _OnThread(Transaction):
    """A transaction whose calls run at once on the sqlite3 connection, on its own thread.

    `Database.write_at_once` and `read_at_once` hand it to their body there: every call
    completes without suspending, so the whole body runs in the one hop that carried it.
    """

    def __init__(self, conn: sqlite3.Connection, writable: bool) -> None:
        self._sqlite: sqlite3.Connection | None = conn
        self._writable = writable

    def _conn_here(self, writes: bool = False) -> sqlite3.Connection:
        if self._sqlite is None:
            raise RuntimeError("this transaction is over")
        if writes and not self._writable:
            raise RuntimeError("read_at_once is for reads; write in db.write_at_once")
        return self._sqlite

    def _close(self) -> None:
        self._sqlite = None

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return self._conn_here().execute(sql, params).fetchall()

    async def execute(self, sql: str, params: Params = ()) -> int:
        return self._conn_here(writes=True).execute(sql, params).rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        return int(self._conn_here(writes=True).execute(sql, params).lastrowid or 0)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        return self._conn_here(writes=True).executemany(sql, rows).rowcount

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        self._conn_here(writes=True)
        yield self


def _to_the_end(body: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (it awaits only `_OnThread` calls) to its end."""
    try:
        waited_for = body.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    body.close()
    raise RuntimeError(
        f"a body run at once on the database thread awaited {waited_for!r}: it may await only"
        " its transaction's calls (do other work before or after it)"
    )


def _at_once(
    conn: sqlite3.Connection,
    begin: str,
    writable: bool,
    body: Callable[[Transaction], Coroutine[Any, Any, T]],
    context: contextvars.Context,
) -> T:
    """On the connection's thread: BEGIN, the whole body, COMMIT (ROLLBACK when it fails)."""
    conn.execute(begin)
    tx = _OnThread(conn, writable)
    try:
        # The caller's context (current language, dialog step) is visible to the body.
        result = context.run(_to_the_end, body(tx))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        tx._close()
    conn.execute("COMMIT")
    return result


class Database:
    """The bot's SQLite file.

    Writes that check and then change go through `write()`: one connection, one `asyncio.Lock`,
    one `BEGIN IMMEDIATE` transaction, so concurrent handlers never interleave inside a
    check-then-change and SQLite never answers "database is locked" between our own writers.
    Reads use a second connection, which WAL lets run beside a writer. A single write statement
    (`execute`, `insert`) is atomic by itself and takes the writer without a BEGIN.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        # The task holding the writer: the same task asking for it again would wait forever.
        self._writing: asyncio.Task[Any] | None = None

    async def connect(self) -> None:
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await self._open()
        await self._writer.execute("PRAGMA journal_mode=WAL")
        await migrate(self._writer)
        self._reader = await self._open()

    async def _open(self) -> aiosqlite.Connection:
        # isolation_level=None: we issue BEGIN ourselves, so sqlite3 never opens hidden ones.
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA synchronous=NORMAL")
        # Deleted and overwritten content is zeroed, not left as free space: what /forget
        # erased is not readable in the file (or in the -wal frames written after it).
        await conn.execute("PRAGMA secure_delete=ON")
        return conn

    async def close(self) -> None:
        # Taking the lock waits for a transaction in progress to finish before closing.
        async with self._write_lock:
            for conn in (self._reader, self._writer):
                if conn is not None:
                    await conn.close()
            self._reader = self._writer = None

    @property
    def is_open(self) -> bool:
        return self._writer is not None

    @asynccontextmanager
    async def _writer_held(self) -> AsyncIterator[aiosqlite.Connection]:
        task = asyncio.current_task()
        if task is not None and task is self._writing:
            raise RuntimeError(
                "a write on the Database inside its own transaction would wait for itself;"
                " pass the transaction (tx) instead"
            )
        async with self._write_lock:
            self._writing = task
            try:
                yield self._require(self._writer)
            finally:
                self._writing = None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        """One `BEGIN IMMEDIATE` transaction on the single writer; commits or rolls back."""
        async with self._writer_held() as conn:
            await conn.execute("BEGIN IMMEDIATE")
            tx = Transaction(conn)
            try:
                yield tx
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")
            finally:
                tx._close()

    async def write_at_once(self, body: Callable[[Transaction], Coroutine[Any, Any, T]]) -> T:
        """`body(tx)` as one `BEGIN IMMEDIATE` transaction, run whole on the writer's thread.

        The same repository functions as in `write()`, at one thread hop for the transaction
        instead of one per statement (plus BEGIN and COMMIT). Worth it where the writer is
        contended: while a transaction holds the writer, every other write waits, and a hop
        costs a thread switch each way — Confirm's seat transaction made ~17 of them. The
        body may await only its transaction's calls (no Telegram, no `asyncio.to_thread`,
        nothing on the `Database`): it runs outside the event loop, and a body that suspends
        is rolled back with a RuntimeError. Keep CPU-heavy work out of it, before or after.
        A cancelled caller does not stop it: the body runs on to its COMMIT or ROLLBACK on
        the thread, before anything queued after it reaches the writer.
        """
        context = contextvars.copy_context()
        async with self._writer_held() as conn:
            return await self._on_thread(conn, "BEGIN IMMEDIATE", True, body, context)

    async def read_at_once(self, body: Callable[[Transaction], Coroutine[Any, Any, T]]) -> T:
        """`body(tx)`'s reads in one hop to the reader's thread, all from one snapshot.

        For a dialog step that needs several rows before it answers: one hop instead of one
        per query. The body's rules are `write_at_once`'s, and it may not write.
        """
        context = contextvars.copy_context()
        conn = self._require(self._reader)
        return await self._on_thread(conn, "BEGIN", False, body, context)

    @staticmethod
    async def _on_thread(
        conn: aiosqlite.Connection,
        begin: str,
        writable: bool,
        body: Callable[[Transaction], Coroutine[Any, Any, T]],
        context: contextvars.Context,
    ) -> T:
        # aiosqlite runs every call on the connection's own thread through `_execute`, in
        # order; `_conn` is the sqlite3 connection, to be touched only on that thread.
        def run() -> T:
            return _at_once(conn._conn, begin, writable, body, context)

        result: T = await conn._execute(run)  # type: ignore[no-untyped-call]
        return result

    async def execute(self, sql: str, params: Params = ()) -> int:
        """One write statement on the writer, atomic by itself: one round trip, no BEGIN.

        For writes that need no check first (a dialog step's state). Returns the row count.
        """
        async with self._writer_held() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        """One INSERT on the writer, atomic by itself; returns the new row's id."""
        async with self._writer_held() as conn:
            cursor = await conn.execute(sql, params)
            return int(cursor.lastrowid or 0)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        """Many rows of one statement in one transaction: all of them or none."""
        async with self.write() as tx:
            return await tx.executemany(sql, rows)

    async def checkpoint(self) -> bool:
        """Copy the -wal into the file and truncate it to zero bytes, so no older version of a
        page (e.g. one holding erased values) stays in the -wal; False when a reader kept it
        from finishing (it is retried at the next checkpoint)."""
        async with self._writer_held() as conn:
            rows = list(await conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))
        return bool(rows) and rows[0][0] == 0

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        conn = self._require(self._reader)
        # One call on the connection's thread: the statement runs and is finalized before any
        # other reader's, so each read gets a fresh snapshot. Interleaved cursors on a shared
        # connection would keep one read transaction open across them, and concurrent
        # handlers would see data older than their own committed writes.
        return list(await conn.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def stream(
        self, sql: str, params: Params = (), size: int = 1000
    ) -> AsyncGenerator[list[sqlite3.Row], None]:
        """A big read in chunks of `size` rows, for exports: memory stays flat at any size.

        It runs on a connection of its own, opened for this read and closed after it, so the
        whole read is one snapshot and the shared reader's fresh-snapshot rule still holds.
        Iterate it inside `contextlib.aclosing` when you may stop early.
        """
        conn = await self._open()
        try:
            async with conn.execute(sql, params) as cursor:
                while rows := await cursor.fetchmany(size):
                    yield list(rows)
        finally:
            await conn.close()

    @staticmethod
    def _require(conn: aiosqlite.Connection | None) -> aiosqlite.Connection:
        if conn is None:
            raise RuntimeError("database is not connected; call connect() first")
        return conn


def migration_files() -> list[tuple[int, str, str]]:
    """The numbered SQL files shipped in `db/migrations`, in order: (number, name, sql)."""
    found: list[tuple[int, str, str]] = []
    for entry in resources.files("db.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..N without gaps, found {numbers}")
    return found


async def migrate(conn: aiosqlite.Connection, files: Iterable[tuple[int, str, str]] = ()) -> int:
    """Apply every migration above `PRAGMA user_version`, each in its own transaction."""
    pending = list(files) or migration_files()
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    latest = max((number for number, _, _ in pending), default=0)
    if current > latest:
        raise RuntimeError(
            f"database schema version {current} is newer than this code ({latest}); "
            "update the bot before starting it on this database"
        )
    for number, name, sql in pending:
        if number <= current:
            continue
        log.info("applying migration %s", name)
        try:
            # executescript() commits first and runs statements as written, so the migration,
            # including its version bump, is one explicit transaction.
            await conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n;PRAGMA user_version = {number};")
            await conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        current = number
    return current
