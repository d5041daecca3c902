"""The networked relational ledger: one PostgreSQL database shared by dialers on many hosts."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import os
import select
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from typing import Any, TypeAlias

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool

from .._errors import LedgerError
from .._frequency import Attempt, Constraint
from ._base import KeyedLedger, Matches, Read
from ._sql import ATTEMPTS, KEYS, count_query, group_matches

__all__ = ["AsyncPostgresLedger", "PostgresLedger"]

Connection: TypeAlias = psycopg.Connection[tuple[Any, ...]]

_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {ATTEMPTS} ("
    " id TEXT PRIMARY KEY,"
    " ts BIGINT NOT NULL,"              # microseconds since the epoch
    " outcome TEXT NOT NULL,"
    " expires DOUBLE PRECISION)",       # epoch seconds; NULL: kept until forgotten
    f"CREATE INDEX IF NOT EXISTS {ATTEMPTS}_expires ON {ATTEMPTS} (expires)",
    f"CREATE TABLE IF NOT EXISTS {KEYS} ("
    " key TEXT NOT NULL,"
    " ts BIGINT NOT NULL,"
    " attempt_id TEXT NOT NULL,"
    " PRIMARY KEY (key, ts, attempt_id))",
    f"CREATE INDEX IF NOT EXISTS {KEYS}_attempt ON {KEYS} (attempt_id)",
)
_PURGE_EVERY = 256  # writes per connection between purges of expired attempts
_PURGE_BATCH = 1000  # expired attempts deleted by one purge, at most

# Advisory locks share one 64-bit space with whatever else uses the database;
# hashing with a personalisation string keeps ours apart from small integers.
_PERSON = b"callwindow"


def _lock_id(key: str) -> int:
    """The advisory lock (a signed 64-bit integer) that orders the acquires touching ``key``."""
    digest = hashlib.blake2b(key.encode(), digest_size=8, person=_PERSON).digest()
    return int.from_bytes(digest, "big", signed=True)


_SCHEMA_LOCK = _lock_id("\x00schema")
# One statement takes every lock, in the order of the arrays (ascending ids):
# transactions that share keys queue in one order, so none can deadlock.  A key
# a constraint counts is locked exclusively; a key only written, shared.
_LOCK = ("SELECT CASE WHEN t.counted THEN pg_advisory_xact_lock(t.id) "
         "ELSE pg_advisory_xact_lock_shared(t.id) END "
         "FROM unnest(%s::bigint[], %s::boolean[]) WITH ORDINALITY AS t(id, counted, n) "
         "ORDER BY t.n")
_INSERT = (f"added AS (INSERT INTO {ATTEMPTS} (id, ts, outcome, expires) "
           f"SELECT %s::text, %s::bigint, %s::text, %s::float8{{guard}} RETURNING id, ts), "
           f"keyed AS (INSERT INTO {KEYS} (key, ts, attempt_id) "
           f"SELECT k.key, added.ts, added.id FROM added, unnest(%s::text[]) AS k(key))")
# The count must see what the lock's previous holder committed: under READ
# COMMITTED each statement takes a fresh snapshot (and the count is a statement
# after the one that takes the locks), whatever the server's default level.
_BEGIN = "BEGIN ISOLATION LEVEL READ COMMITTED"
_COMMIT = "COMMIT"
# Every statement here looks rows up by key, id or expiry, through an index.
# The plans psycopg prepares are kept: one made while the tables were small
# (a new deployment) scans them whole, and slows down as they grow, until
# autovacuum's next ANALYZE.  This keeps the planner on the indexes.
_INDEXES_ONLY = "SET LOCAL enable_seqscan = off"
# Never shorten an attempt's life: another engine's rules may need it longer
# (GREATEST ignores NULL, so NULL, "for ever", is handled apart).
_SET_OUTCOME = (f"UPDATE {ATTEMPTS} SET outcome = %(outcome)s::text, expires = CASE "
                f"WHEN expires IS NULL OR %(expires)s::float8 IS NULL THEN NULL "
                f"ELSE GREATEST(expires, %(expires)s::float8) END "
                f"WHERE id = %(id)s::text AND (expires IS NULL OR expires > %(now)s::float8)")
_FORGET = (f"WITH doomed AS (SELECT id FROM {ATTEMPTS} WHERE id IN "
           f"(SELECT attempt_id FROM {KEYS} WHERE key = ANY(%s::text[])) ORDER BY id FOR UPDATE), "
           f"keys_gone AS (DELETE FROM {KEYS} WHERE attempt_id IN (SELECT id FROM doomed)), "
           f"gone AS (DELETE FROM {ATTEMPTS} a USING doomed d WHERE a.id = d.id RETURNING a.id) "
           f"SELECT count(*) FROM gone")
# SKIP LOCKED: purges of several processes share the work instead of queueing.
_PURGE = (f"WITH doomed AS (SELECT id FROM {ATTEMPTS} WHERE expires <= %s::float8 "
          f"ORDER BY expires LIMIT {_PURGE_BATCH} FOR UPDATE SKIP LOCKED), "
          f"keys_gone AS (DELETE FROM {KEYS} WHERE attempt_id IN (SELECT id FROM doomed)) "
          f"DELETE FROM {ATTEMPTS} a USING doomed d WHERE a.id = d.id")


class _Database(KeyedLedger):
    """What both PostgreSQL ledgers share: the connection settings and error wording."""

    def __init__(self, conninfo: str, secret: bytes | str | None, connect_timeout: float
                 ) -> None:
        super().__init__(secret)
        try:
            params = conninfo_to_dict(conninfo)
        except psycopg.Error:
            # The parser's message may quote the string, password and all.
            raise LedgerError("PostgreSQL ledger: invalid connection string (expected a "
                              "postgresql:// URL or libpq key=value pairs)") from None
        self._conninfo = conninfo  # holds the password: never shown
        self.name = _describe(params)
        self._password = str(params.get("password") or "")
        self._options: dict[str, Any] = {}
        if "connect_timeout" not in params:
            self._options["connect_timeout"] = max(2, math.ceil(connect_timeout))
        if "application_name" not in params:
            self._options["application_name"] = "callwindow"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, hashed={self.hashes_keys})"

    def _error(self, error: BaseException) -> LedgerError:
        """``error`` as a ``LedgerError`` naming this ledger (and never its password)."""
        problem = " ".join(str(error).split()) or type(error).__name__
        if self._password:
            problem = problem.replace(self._password, "***")
        return LedgerError(f"PostgreSQL ledger {self.name}: {problem}")


class PostgresLedger(_Database):
    """Attempts in a PostgreSQL database: persistent, and atomic across processes and hosts.

    An acquire is one transaction, sent in one round trip (libpq pipeline
    mode): it takes a transaction-scoped advisory lock on each key it counts
    or writes, then counts and, when every count is below its limit, inserts
    the attempt, in one statement, then commits.  Any two acquires that share
    a key therefore run one after the other, whichever server process or host
    they come from, while acquires for other consumers run in parallel.  The
    count runs in a statement after the locks are held, under READ COMMITTED,
    so it sees every attempt committed before it.  Reads (no attempt) take no
    lock.

    Each thread (and each process after a fork) gets its own connection,
    opened on first use and opened again after it breaks (a restarted
    server): the call that finds the server gone raises ``LedgerError``, a
    later call reconnects.  A call whose connection fails after the commit
    was sent may have recorded its attempt: the error errs on the side of
    counting it.  There is no pool and no background thread.

    Expiry compares ``expires`` with this host's clock, so the hosts sharing
    a ledger should keep theirs in sync (NTP).  To bound waits, add e.g.
    ``options=-c%20lock_timeout%3D5s`` to the URL; an expired timeout is a
    ``LedgerError``.

    Args:
        conninfo: a libpq URL (``postgresql://user:password@host:port/db``)
            or ``key=value`` string.  The tables are created if missing.
        secret: store keyed hashes of ids and numbers instead of the values.
        connect_timeout: seconds to wait for a connection (at least 2, as in
            libpq); a ``connect_timeout`` in ``conninfo`` wins.
    """


    def __init__(self, conninfo: str, *, secret: bytes | str | None = None,
                 connect_timeout: float = 5.0) -> None:
        super().__init__(conninfo, secret, connect_timeout)
        self._local = threading.local()
        self._open: weakref.WeakKeyDictionary[Connection, int] = weakref.WeakKeyDictionary()
        self._open_lock = threading.Lock()
        self._inherited: list[Connection] = []
        self._schema_ready = False
        try:
            self._connection()  # fail now, at startup, if the database cannot be reached
        except (psycopg.Error, OSError) as error:
            raise self._error(error) from error

    # -- the Ledger protocol ------------------------------------------------------

    def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                         attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        _, constraints, attempt = self.stored(subject, constraints, attempt)
        if attempt is not None and any(c.limit <= 0 for c in constraints):
            attempt = None  # refused whatever is kept: just count
        if attempt is None and not constraints:
            return None, ()
        now = time.time()
        statements, attempt_id = _check_statements(constraints, attempt, now)
        try:
            with self._transaction() as conn:
                cursors = [conn.execute(sql, params) for sql, params in statements]
            recorded, matches = _checked(cursors[-1].fetchall(), len(constraints), attempt_id)
            if recorded:
                self._wrote(now)
        except (psycopg.Error, OSError) as error:
            raise self._error(error) from error
        return recorded, matches

    def check_many(self, reads: Sequence[Read]) -> list[Matches]:
        """The counts of each read, in order (see ``Ledger``): one transaction of
        count statements, sent in one round trip."""
        asks = [self.stored(subject, constraints, None)[1] for subject, constraints in reads]
        statements = _read_statements(asks, time.time())
        if not statements:
            return [() for _ in asks]
        try:
            with self._transaction() as conn:
                cursors = [conn.execute(sql, params) for sql, params in statements]
            rows = [cursor.fetchall() for cursor in cursors]
        except (psycopg.Error, OSError) as error:
            raise self._error(error) from error
        return _read_replies(asks, rows)

    def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``Ledger.set_outcome``."""
        now = time.time()
        expires = None if retention is None else now + retention
        try:
            with self._transaction() as conn:
                cursor = conn.execute(_SET_OUTCOME, {"outcome": outcome, "expires": expires,
                                                     "id": attempt_id, "now": now})
        except (psycopg.Error, OSError) as error:
            raise self._error(error) from error
        return cursor.rowcount > 0

    def forget(self, subjects: Sequence[str]) -> int:
        """See ``Ledger.forget``: deletes every attempt that has any of the subjects' keys."""
        keys = sorted({self.stored_key(subject) for subject in subjects})
        if not keys:
            return 0
        try:
            with self._transaction() as conn:
                cursor = conn.execute(_FORGET, [keys])
            row = cursor.fetchone()
        except (psycopg.Error, OSError) as error:
            raise self._error(error) from error
        return int(row[0]) if row is not None else 0

    def close(self) -> None:
        """Close the connections this process opened (the ledger is not used afterwards)."""
        with self._open_lock:
            mine = [conn for conn, pid in self._open.items() if pid == os.getpid()]
            self._open.clear()
        for conn in mine:
            with contextlib.suppress(psycopg.Error, OSError):
                conn.close()
        local = self._local
        if getattr(local, "conn", None) is not None and local.pid != os.getpid():
            self._inherited.append(local.conn)  # the parent's: see _connection
        local.__dict__.clear()

    # -- connections and transactions ------------------------------------------------

    def _connection(self) -> Connection:
        """This thread's connection: opened on first use, after a fork, or when broken."""
        local = self._local
        conn: Connection | None = getattr(local, "conn", None)
        if conn is not None:
            if local.pid != os.getpid():
                # The parent's: closing it from here would end the parent's
                # session, and dropping it would warn, so it is just kept.
                self._inherited.append(conn)
                conn = None
            elif conn.closed or _hung_up(conn):
                with contextlib.suppress(psycopg.Error, OSError):
                    conn.close()
                conn = None
        if conn is None:
            local.conn = None
            # Autocommit, but every call runs in an explicit transaction: see
            # _transaction.
            conn = psycopg.connect(self._conninfo, autocommit=True, **self._options)
            try:
                if not self._schema_ready:
                    self._create_schema(conn)
            except BaseException:
                conn.close()
                raise
            local.conn, local.pid, local.writes = conn, os.getpid(), 0
            with self._open_lock:
                self._open[conn] = os.getpid()
        return conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One transaction on this thread's connection, sent in one round trip.

        In pipeline mode ``BEGIN``, the statements of the block and
        ``COMMIT`` go out together, and their results come back when the
        block ends: read the cursors after it.  (psycopg's own transaction
        blocks wait for the server at ``BEGIN`` and again at ``COMMIT``,
        hence the explicit statements on an autocommit connection.)  If a
        statement fails, the server skips the rest, ``COMMIT`` included, and
        the transaction is rolled back; a connection that cannot even do that
        is closed, and replaced on the next call.
        """
        conn = self._connection()
        pipeline = conn.pipeline() if psycopg.Pipeline.is_supported() else contextlib.nullcontext()
        try:
            with pipeline:
                conn.execute(_BEGIN)
                conn.execute(_INDEXES_ONLY)
                yield conn
                conn.execute(_COMMIT)
        except BaseException:
            _recover(conn)
            raise

    def _create_schema(self, conn: Connection) -> None:
        """Create the tables unless they exist (checking needs no CREATE privilege).

        ``CREATE ... IF NOT EXISTS`` can still fail when two processes
        create the same table at once, so creators take one advisory lock.
        """
        with conn.transaction():
            found = conn.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) "
                                 "IS NOT NULL", (ATTEMPTS, KEYS)).fetchone()
            if not (found and found[0]):
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                for statement in _SCHEMA:
                    conn.execute(statement)
        self._schema_ready = True

    def _wrote(self, now: float) -> None:
        """Count a write; every ``_PURGE_EVERY`` of them, delete expired attempts.

        The purge is its own transaction, after the acquire's commit, so it
        holds no key's lock.  It is housekeeping: if it fails, the attempt
        stays recorded and the next purge tries again.
        """
        local = self._local
        local.writes = getattr(local, "writes", 0) + 1
        if local.writes % _PURGE_EVERY:
            return
        # A broken connection, if that is why it failed, is replaced on the next call.
        with contextlib.suppress(psycopg.Error, OSError), self._transaction() as conn:
            conn.execute(_PURGE, (now,))

class AsyncPostgresLedger(_Database):
    """``PostgresLedger`` for asyncio programs: the same tables, statements and
    guarantees, on psycopg's ``AsyncConnection`` from a ``psycopg_pool`` pool.

    The pool opens on first use (or ``await ledger.open()``); a task waits for
    a free connection at most ``pool_timeout`` seconds, then the call fails
    with ``LedgerError`` (and is refused).

    Args:
        conninfo, secret, connect_timeout: as for ``PostgresLedger``.
        min_size, max_size: connections the pool keeps open, at least and at most.
        pool_timeout: seconds a call waits for a connection from the pool.
    """

    def __init__(self, conninfo: str, *, secret: bytes | str | None = None,
                 connect_timeout: float = 5.0, min_size: int = 1, max_size: int = 16,
                 pool_timeout: float = 5.0) -> None:
        super().__init__(conninfo, secret, connect_timeout)
        self._pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            conninfo, min_size=min_size, max_size=max_size, timeout=pool_timeout,
            kwargs={"autocommit": True, **self._options}, open=False, name="callwindow")
        self._connect_timeout = float(self._options.get("connect_timeout", connect_timeout))
        self._ready = False
        self._opening: asyncio.Lock | None = None  # made in the loop that first opens
        self._writes = 0

    async def open(self) -> None:
        """Open the pool and create the tables if missing (done on first use anyway)."""
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:  # tasks arriving together open the pool once
            if not self._ready:
                await self._open()

    async def _open(self) -> None:
        try:
            await self._pool.open(wait=True, timeout=self._connect_timeout)
            async with self._pool.connection() as conn, conn.transaction():
                found = await (await conn.execute(
                    "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
                    (ATTEMPTS, KEYS))).fetchone()
                if not (found and found[0]):
                    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                    for statement in _SCHEMA:
                        await conn.execute(statement)
        except (psycopg.Error, OSError) as error:
            raise self._error(error) from error
        self._ready = True

    async def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                               attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        _, constraints, attempt = self.stored(subject, constraints, attempt)
        if attempt is not None and any(c.limit <= 0 for c in constraints):
            attempt = None  # refused whatever is kept: just count
        if attempt is None and not constraints:
            return None, ()
        now = time.time()
        statements, attempt_id = _check_statements(constraints, attempt, now)
        rows = await self._transaction(statements)
        recorded, matches = _checked(rows, len(constraints), attempt_id)
        if recorded:
            self._writes += 1
            if self._writes % _PURGE_EVERY == 0:
                # Housekeeping: if it fails, the next purge tries again.
                with contextlib.suppress(LedgerError):
                    await self._transaction([(_PURGE, [now])], fetch=False)
        return recorded, matches

    async def check_many(self, reads: Sequence[Read]) -> list[Matches]:
        """See ``PostgresLedger.check_many``."""
        asks = [self.stored(subject, constraints, None)[1] for subject, constraints in reads]
        statements = _read_statements(asks, time.time())
        if not statements:
            return [() for _ in asks]
        return _read_replies(asks, await self._transaction(statements, every=True))

    async def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``Ledger.set_outcome``."""
        now = time.time()
        expires = None if retention is None else now + retention
        count = await self._transaction([(_SET_OUTCOME, {"outcome": outcome, "expires": expires,
                                                         "id": attempt_id, "now": now})],
                                        fetch=False)
        return bool(count)

    async def forget(self, subjects: Sequence[str]) -> int:
        """See ``Ledger.forget``."""
        keys = sorted({self.stored_key(subject) for subject in subjects})
        if not keys:
            return 0
        rows = await self._transaction([(_FORGET, [keys])])
        return int(rows[0][0]) if rows else 0

    async def aclose(self) -> None:
        """Close the pool."""
        with contextlib.suppress(psycopg.Error, OSError):
            await self._pool.close()

    async def _transaction(self, statements: Sequence[tuple[str, Any]], *, fetch: bool = True,
                           every: bool = False) -> Any:
        """The statements in one transaction, sent in one round trip (as in
        ``PostgresLedger._transaction``): the last one's rows, or its row count;
        ``every``: each one's rows."""
        if not self._ready:
            await self.open()
        try:
            async with self._pool.connection() as conn:
                async with conn.pipeline():
                    await conn.execute(_BEGIN)
                    await conn.execute(_INDEXES_ONLY)
                    cursors = [await conn.execute(sql, params) for sql, params in statements]
                    await conn.execute(_COMMIT)
                if every:
                    return [await cursor.fetchall() for cursor in cursors]
                last = cursors[-1]
                return await last.fetchall() if fetch else last.rowcount
        except (psycopg.Error, OSError) as error:
            raise self._error(error) from error


def _check_statements(constraints: Sequence[Constraint], attempt: Attempt | None, now: float
                      ) -> tuple[list[tuple[str, list[Any]]], str | None]:
    """The statements of one check-and-record, for one transaction, and the new id.

    A read counts; an acquire takes its advisory locks, then counts and inserts
    in one statement.  Both shells send exactly these.
    """
    if attempt is None:
        sql, params = count_query(constraints, "%s", now)
        return [(sql, params)], None
    attempt_id = os.urandom(12).hex()
    sql, params = _acquire(constraints, attempt, attempt_id, now)
    locks = _locks(constraints, attempt)
    return [(_LOCK, [list(locks), list(locks.values())]), (sql, params)], attempt_id


def _read_statements(asks: Sequence[Sequence[Constraint]], now: float
                     ) -> list[tuple[str, list[object]]]:
    """The count statements of ``check_many``: one per read that counts anything."""
    return [count_query(constraints, "%s", now) for constraints in asks if constraints]


def _read_replies(asks: Sequence[Sequence[Constraint]], rows: Sequence[Sequence[Any]]
                  ) -> list[Matches]:
    """The counts of each read, from the rows of the statements ``_read_statements`` made."""
    found = iter(rows)
    return [group_matches(next(found), len(constraints)) if constraints else ()
            for constraints in asks]


def _checked(rows: Sequence[tuple[Any, ...]], count: int, attempt_id: str | None
             ) -> tuple[str | None, Matches]:
    """The last statement's rows as (the id recorded or ``None``, the counts)."""
    recorded = any(row[0] < 0 for row in rows)
    matches = group_matches([(row[0], row[1]) for row in rows if row[0] >= 0], count)
    return (attempt_id if recorded else None), matches


def _locks(constraints: Sequence[Constraint], attempt: Attempt) -> dict[int, bool]:
    """The advisory locks an acquire takes: id -> exclusive, in ascending order of id.

    Every attempt a constraint counts carries the constraint's key, so an
    acquire whose count another one's write could change shares a lock with
    it: exclusive on the side that counts, at least shared on the side that
    writes.  Two acquires that merely write the same key (a tag nobody
    counts, say) take it shared, and do not wait for each other.
    """
    locks = {_lock_id(key): False for key in attempt.keys}
    for constraint in constraints:
        locks[_lock_id(constraint.key)] = True
    return dict(sorted(locks.items()))


def _acquire(constraints: Sequence[Constraint], attempt: Attempt, attempt_id: str,
             now: float) -> tuple[str, list[object]]:
    """The acquire statement: count, and insert the attempt only if no count is full.

    Rows are ``(constraint index, time)`` per counted attempt, plus ``(-1, 0)``
    when the attempt was inserted.  The decision is taken in SQL, from the
    same rows (one snapshot), so the whole acquire needs no second trip.
    """
    expires = None if attempt.retention is None else now + attempt.retention
    inserted = [attempt_id, attempt.ts, attempt.outcome, expires,
                list(dict.fromkeys(attempt.keys))]
    if not constraints:
        return f"WITH {_INSERT.format(guard='')} SELECT -1, 0 FROM added", inserted
    counting, params = count_query(constraints, "%s", now)
    sql = (f"WITH counted(i, ts) AS MATERIALIZED ({counting}), "
           f"full_ AS (SELECT c.i FROM counted c GROUP BY c.i "
           f"HAVING count(*) >= (%s::bigint[])[c.i + 1]), "
           f"{_INSERT.format(guard=' WHERE NOT EXISTS (SELECT 1 FROM full_)')} "
           f"SELECT i, ts FROM counted UNION ALL SELECT -1, 0 FROM added")
    return sql, [*params, [c.limit for c in constraints], *inserted]


def _recover(conn: Connection) -> None:
    """After a failed transaction: roll back, or close a connection that cannot."""
    if conn.closed:
        return
    try:
        conn.rollback()
    except (psycopg.Error, OSError):
        with contextlib.suppress(psycopg.Error, OSError):
            conn.close()


def _hung_up(conn: Connection) -> bool:
    """Whether an idle connection has something to read: the server closed it
    (it was restarted, or ended the session), so it must be replaced.

    An idle connection is sent little unprompted but such a farewell, so
    this finds a dead one without a round trip, before a call fails on it
    (a rare notice, such as a reloaded setting, costs a needless reconnect).
    """
    try:
        fd = conn.fileno()
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([fd], [], [], 0)[0])
    except (psycopg.Error, OSError, ValueError):
        return True


def _describe(params: dict[str, Any]) -> str:
    """``user@host:port/dbname`` from connection parameters, with no password."""
    host = str(params.get("host") or params.get("hostaddr") or "localhost")
    port = params.get("port")
    where = f"{host}:{port}" if port else host
    user = params.get("user")
    name = f"{user}@{where}" if user else where
    return f"{name}/{params.get('dbname') or user or 'postgres'}"
