"""The networked relational ledger: one PostgreSQL database shared by dialers on many hosts."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import math
import os
import re
import select
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple, TypeAlias

import psycopg
from psycopg.abc import RV, PQGen
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool, ConnectionPool, PoolTimeout

from .._errors import InvalidInputError, LedgerError
from .._frequency import Attempt, Constraint
from .._time import US
from ._base import MAX_CLOCK_SKEW, KeyedLedger, Matches, Read, clock_skew, seconds
from ._sql import ATTEMPTS, KEYS, count_query, group_matches

__all__ = ["AsyncPostgresLedger", "PostgresLedger"]

#: Seconds a call may take, from sending it to its last reply, unless told otherwise.
DEFAULT_TIMEOUT = 2.0
#: Seconds a pool retries a lost connection in the background (psycopg_pool's
#: default is 5 minutes, with the wait between tries doubling up to minutes):
#: past this it gives up, and the next call that needs a connection opens one
#: at once, so a restarted server is back in use within seconds.
_RECONNECT_FOR = 5.0


class _Deadline:
    """When the current call must be answered by: the client-side deadline of both shells.

    A server that stops answering (stopped, swapped out, behind a dead
    link) keeps its connections open, so neither libpq nor the kernel ever
    reports an error: without a deadline a call waits for ever.  psycopg
    waits for every reply in its ``wait`` method; the connection classes
    below give each wait what is left of the call's deadline.  When it
    passes, the connection is closed (it is somewhere in the middle of the
    protocol) and the call fails; a later call opens a new one.
    """

    deadline: float | None = None  #: a ``time.monotonic()`` instant, set per call
    timed_out: float | None = None  #: the timeout that expired, if one did

    def _left(self, timeout: float | None) -> float | None:
        if timeout is not None or self.deadline is None:
            return timeout  # psycopg's own bounded waits (a cancel), or no call running
        return max(0.0, self.deadline - time.monotonic())


class _TimedOut(psycopg.OperationalError):
    """A call had no reply within the ledger's timeout."""


class _Connection(_Deadline, psycopg.Connection[tuple[Any, ...]]):
    def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None
             ) -> RV:
        try:
            return super().wait(gen, interval, self._left(timeout))
        except psycopg.OperationalError as error:
            raise _expired(self, error) from error


class _AsyncConnection(_Deadline, psycopg.AsyncConnection[tuple[Any, ...]]):
    async def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None
                   ) -> RV:
        try:
            return await super().wait(gen, interval, self._left(timeout))
        except psycopg.OperationalError as error:
            raise _expired(self, error) from error


def _expired(conn: _Connection | _AsyncConnection, error: psycopg.OperationalError
             ) -> psycopg.OperationalError:
    """``error``, or, when the call's deadline has passed, a ``_TimedOut`` (and the
    connection closed: it is mid-call and of no further use)."""
    deadline = conn.deadline
    if deadline is None or time.monotonic() < deadline or isinstance(error, _TimedOut):
        return error
    conn.pgconn.finish()
    return _TimedOut("no reply from the server within the timeout")


@contextlib.contextmanager
def _deadline(conn: _Connection | _AsyncConnection, timeout: float) -> Iterator[None]:
    """Every wait on ``conn`` in the block ends by ``timeout`` seconds from now."""
    conn.deadline = time.monotonic() + timeout
    try:
        yield
    finally:
        conn.deadline = None


Connection: TypeAlias = _Connection

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


class _Call(NamedTuple):
    """One check-and-record: the statements sent, and what reading the answer needs."""

    statements: list[tuple[str, list[Any]]]
    attempt_id: str | None
    constraints: int  # how many: the rows of the answer are per constraint
    now: float
    attempt: Attempt | None


class _Database(KeyedLedger):
    """What both PostgreSQL ledgers share: the connection settings and error wording."""

    def __init__(self, conninfo: str, secret: bytes | str | None,
                 connect_timeout: float | None, timeout: float | None,
                 max_clock_skew: float | None, clock: Callable[[], float], min_size: int,
                 max_size: int, pool_timeout: float | None) -> None:
        super().__init__(secret)
        self._clock = clock
        self.max_clock_skew = (None if max_clock_skew is None else
                               seconds(max_clock_skew, "max_clock_skew", MAX_CLOCK_SKEW))
        conninfo, in_url = _take_timeout(conninfo)
        self.timeout = seconds(timeout if timeout is not None else in_url, "timeout",
                               DEFAULT_TIMEOUT)
        if connect_timeout is None:
            connect_timeout = self.timeout
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
        min_size = _count(min_size, "min_size", 0)
        self.max_size = _count(max_size, "max_size", max(1, min_size))
        self.pool_timeout = seconds(pool_timeout, "pool_timeout", self.timeout)
        # Both shells' pools: autocommit connections, every call in an explicit
        # transaction (see PostgresLedger._transaction).
        self._pool_settings: dict[str, Any] = {
            "kwargs": {"autocommit": True, **self._options}, "min_size": min_size,
            "max_size": self.max_size, "timeout": self.pool_timeout, "name": "callwindow",
            "reconnect_timeout": _RECONNECT_FOR}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, hashed={self.hashes_keys})"

    def _check_call(self, subject: str, constraints: Sequence[Constraint],
                    attempt: Attempt | None) -> _Call | None:
        """What one check-and-record sends and needs to read its answer; ``None`` when
        there is nothing to ask."""
        _, constraints, attempt = self.stored(subject, constraints, attempt)
        if attempt is not None and any(c.limit <= 0 for c in constraints):
            attempt = None  # refused whatever is kept: just count
        if attempt is None and not constraints:
            return None
        now = self._clock()
        statements, attempt_id = self._check_statements(constraints, attempt, now)
        return _Call(statements, attempt_id, len(constraints), now, attempt)

    def _error(self, error: BaseException) -> LedgerError:
        """``error`` as a ``LedgerError`` naming this ledger (and never its password)."""
        seen: list[BaseException] = []  # a chain may loop back on itself
        cause: BaseException | None = error
        while cause is not None and cause not in seen and not isinstance(cause, _TimedOut):
            seen.append(cause)
            cause = cause.__cause__ or cause.__context__
        if isinstance(cause, _TimedOut):  # whatever psycopg said next, on the closed connection
            return LedgerError(f"PostgreSQL ledger {self.name}: no reply within "
                               f"{self.timeout:g} s (the ledger's timeout); the server is "
                               f"overloaded, stopped or unreachable")
        if isinstance(error, PoolTimeout):
            return LedgerError(f"PostgreSQL ledger {self.name}: no connection free within "
                               f"{self.pool_timeout:g} s (pool_timeout): its {self.max_size} "
                               f"connections (max_size) are busy, or the server cannot be "
                               f"reached")
        problem = " ".join(str(error).split()) or type(error).__name__
        if self._password:
            problem = problem.replace(self._password, "***")
        return LedgerError(f"PostgreSQL ledger {self.name}: {problem}")

    def _check_statements(self, constraints: Sequence[Constraint], attempt: Attempt | None,
                          now: float) -> tuple[list[tuple[str, list[Any]]], str | None]:
        """The statements of one check-and-record, for one transaction, and the new id.

        A read counts; an acquire takes its advisory locks, then counts and
        inserts in one statement.  Both shells send exactly these.
        """
        if attempt is None:
            sql, params = count_query(constraints, "%s", now)
            return [(sql, params)], None
        attempt_id = os.urandom(12).hex()
        skew = self.max_clock_skew if attempt.host_clock else None
        sql, params = _acquire(constraints, attempt, attempt_id, now, skew)
        locks = _locks(constraints, attempt)
        return [(_LOCK, [list(locks), list(locks.values())]), (sql, params)], attempt_id

    def _checked(self, rows: Sequence[tuple[Any, ...]], call: _Call
                 ) -> tuple[str | None, Matches]:
        """The last statement's rows as (the id recorded or ``None``, the counts); a
        ``LedgerError`` when the attempt was refused for its host's clock."""
        count, attempt, attempt_id = call.constraints, call.attempt, call.attempt_id
        recorded = any(row[0] == -1 for row in rows)
        server = [int(row[1]) for row in rows if row[0] == -2]
        if server and not recorded and attempt is not None:
            offset = attempt.ts - server[0]
            assert self.max_clock_skew is not None
            if abs(offset) > self.max_clock_skew * US:
                raise clock_skew(f"PostgreSQL ledger {self.name}", offset, self.max_clock_skew)
        matches = group_matches([(row[0], row[1]) for row in rows if row[0] >= 0], count)
        return (attempt_id if recorded else None), matches


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

    Connections come from a ``psycopg_pool`` pool shared by the threads of
    the process: a call borrows one for its transaction and gives it back,
    so the server sees at most ``max_size`` connections however many
    threads dial (a 64-thread dialer no longer opens 64).  A call waits at
    most ``pool_timeout`` for a free one, then fails with ``LedgerError``
    (and is refused); once it has one, the replies must come within
    ``timeout``.  A connection that broke (a restarted server), or whose
    deadline passed mid-call, is discarded, not given back: the pool opens
    another in the background, and a later call uses it.  A call whose
    connection fails after the commit was sent may have recorded its
    attempt: the error errs on the side of counting it.

    The pool runs a few threads of its own (connecting, closing idle
    connections past ``min_size``); ``close()`` stops them.  A forked child
    process does not touch the parent's pool (its connections are the
    parent's sessions, and its threads did not survive the fork): its
    first call opens a pool of its own.

    Every call has a client-side deadline, ``timeout`` (2 s unless told):
    a server that does not answer in time (stopped, overloaded, cut off with
    its connections open) fails the call with ``LedgerError``, and the
    engine refuses it (``ledger_unavailable``); the connection is dropped and
    the next call opens another.  Expiry compares ``expires`` with this
    host's clock, so the hosts sharing a ledger should keep theirs in sync
    (NTP).

    Args:
        conninfo: a libpq URL (``postgresql://user:password@host:port/db``)
            or ``key=value`` string.  The tables are created if missing.
            It may carry ``timeout`` (``...?timeout=0.5``), which the
            argument overrides.
        secret: store keyed hashes of ids and numbers instead of the values.
        connect_timeout: seconds to wait for a connection (at least 2, as in
            libpq; ``timeout`` unless told); a ``connect_timeout`` in
            ``conninfo`` wins.
        timeout: seconds a call may wait for the server's replies, in all
            (counted from when it has its connection).
        max_clock_skew: seconds an attempt dated by this host's clock may be
            from the server's (``clock_timestamp()``) before it is refused
            (``LedgerError``); ``None``: not checked.
        min_size: connections the pool keeps open, at least.
        max_size: connections the pool opens, at most.
        pool_timeout: seconds a call waits for a connection from the pool
            (``timeout`` unless told).
        clock: epoch seconds, for expiry: an attempt expires ``retention``
            seconds after this clock dated its write (tests may pass their
            own; every host sharing the database must use the same clock, so
            leave the default, the wall clock, anywhere else).

    The constructor connects once, and creates the tables if missing: a
    database that cannot be reached fails it at once (``LedgerError``).
    """

    def __init__(self, conninfo: str, *, secret: bytes | str | None = None,
                 connect_timeout: float | None = None, timeout: float | None = None,
                 max_clock_skew: float | None = MAX_CLOCK_SKEW, min_size: int = 1,
                 max_size: int = 16, pool_timeout: float | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(conninfo, secret, connect_timeout, timeout, max_clock_skew, clock,
                         min_size, max_size, pool_timeout)
        self._writes = itertools.count(1)
        # The pool sits behind the id of the process that made it: see _pool.
        self._forking: dict[int, threading.Lock] = {}
        self._inherited: list[ConnectionPool[Connection]] = []
        try:
            # The pool connects in the background, and would only time out:
            # this connection says why, at startup, and creates the tables.
            with (_Connection.connect(self._conninfo, autocommit=True, **self._options) as conn,
                  _deadline(conn, self.timeout)):
                _create_schema(conn)
            self._owned = (os.getpid(), self._new_pool())
        except (psycopg.Error, OSError) as error:
            raise self._error(error) from error

    # -- the Ledger protocol ------------------------------------------------------

    def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                         attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        call = self._check_call(subject, constraints, attempt)
        if call is None:
            return None, ()
        now = call.now
        try:
            with self._transaction() as conn:
                cursors = [conn.execute(sql, params) for sql, params in call.statements]
            recorded, matches = self._checked(cursors[-1].fetchall(), call)
            if recorded:
                self._wrote(now)
        except (psycopg.Error, OSError) as error:
            raise self._error(error) from error
        return recorded, matches

    def check_many(self, reads: Sequence[Read]) -> list[Matches]:
        """The counts of each read, in order (see ``Ledger``): one transaction of
        count statements, sent in one round trip."""
        asks = [self.stored(subject, constraints, None)[1] for subject, constraints in reads]
        statements = _read_statements(asks, self._clock())
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
        now = self._clock()
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
        """Close this process's pool: its connections and its threads (the ledger is
        not used afterwards).  A forked child leaves its parent's pool alone."""
        pid, pool = self._owned
        if pid == os.getpid():
            with contextlib.suppress(psycopg.Error, OSError):
                pool.close()

    # -- connections and transactions ------------------------------------------------

    def _new_pool(self) -> ConnectionPool[Connection]:
        """A pool, open, with its ``min_size`` connections (closed if they do not come
        within ``pool_timeout``: ``PoolTimeout``)."""
        pool = ConnectionPool(self._conninfo, connection_class=_Connection, open=False,
                              **self._pool_settings)
        # Waiting keeps the first calls from growing the pool past min_size
        # while its first connections are on their way.
        pool.open(wait=True, timeout=self.pool_timeout)
        return pool

    def _pool(self) -> ConnectionPool[Connection]:
        """This process's pool: after a fork, a new one.

        The parent's pool is of no use in a child: its connections are the
        parent's sessions (closing one would end it, using one would mix two
        processes' messages on one socket), and its threads did not survive
        the fork.  It is kept, untouched: dropping it would run its finaliser,
        which signals those threads.
        """
        pid, pool = self._owned
        if pid == os.getpid():
            return pool
        # A lock per process: one inherited from the parent may have been held
        # at the fork, by a thread that is not here to release it.
        with self._forking.setdefault(os.getpid(), threading.Lock()):
            pid, pool = self._owned
            if pid != os.getpid():
                self._inherited.append(pool)
                pool = self._new_pool()
                self._owned = (os.getpid(), pool)
        return pool

    def _connection(self, pool: ConnectionPool[Connection]) -> Connection:
        """A connection from ``pool``, waiting at most ``pool_timeout`` for one.

        A connection the server hung up on while it sat in the pool (a
        restart) is discarded before a call fails on it; the pool opens
        another.  (Not psycopg_pool's ``check``: after a failed check it
        sleeps a second before the next try.)
        """
        deadline = time.monotonic() + self.pool_timeout
        conn = pool.getconn()
        while _hung_up(conn):
            with contextlib.suppress(psycopg.Error, OSError):
                conn.close()
            pool.putconn(conn)  # closed: the pool drops it and opens another
            conn = pool.getconn(max(deadline - time.monotonic(), 0.001))
        return conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One transaction on a connection from the pool, sent in one round trip.

        In pipeline mode ``BEGIN``, the statements of the block and
        ``COMMIT`` go out together, and their results come back when the
        block ends: read the cursors after it (their results are in hand,
        and no longer need the connection, which is back in the pool).
        (psycopg's own transaction blocks wait for the server at ``BEGIN``
        and again at ``COMMIT``, hence the explicit statements on an
        autocommit connection.)  If a statement fails, the server skips the
        rest, ``COMMIT`` included, and the transaction is rolled back; a
        connection that cannot even do that is closed, and the pool drops it.
        """
        pool = self._pool()
        conn = self._connection(pool)
        try:
            pipeline = (conn.pipeline() if psycopg.Pipeline.is_supported()
                        else contextlib.nullcontext())
            with _deadline(conn, self.timeout):  # the rollback too: the server may be hung
                try:
                    with pipeline:
                        conn.execute(_BEGIN)
                        conn.execute(_INDEXES_ONLY)
                        yield conn
                        conn.execute(_COMMIT)
                except BaseException:
                    _recover(conn)
                    raise
        finally:
            pool.putconn(conn)  # a closed one is dropped, and another opened

    def _wrote(self, now: float) -> None:
        """Count a write; every ``_PURGE_EVERY`` of them, delete expired attempts.

        The purge is its own transaction, after the acquire's commit, so it
        holds no key's lock.  It is housekeeping: if it fails, the attempt
        stays recorded and the next purge tries again.
        """
        if next(self._writes) % _PURGE_EVERY:
            return
        with contextlib.suppress(psycopg.Error, OSError), self._transaction() as conn:
            conn.execute(_PURGE, (now,))


class AsyncPostgresLedger(_Database):
    """``PostgresLedger`` for asyncio programs: the same tables, statements and
    guarantees, on psycopg's ``AsyncConnection`` from a ``psycopg_pool`` pool.

    The pool opens on first use (or ``await ledger.open()``); a task waits for
    a free connection at most ``pool_timeout`` seconds, then for the replies
    at most ``timeout``; past either the call fails with ``LedgerError`` (and
    is refused).

    Args:
        conninfo: as for ``PostgresLedger``.
        secret: as for ``PostgresLedger``.
        connect_timeout: as for ``PostgresLedger``.
        timeout: as for ``PostgresLedger`` (the deadline is the same, counted
            from when the call has its connection).
        max_clock_skew: as for ``PostgresLedger``.
        min_size: connections the pool keeps open, at least.
        max_size: connections the pool opens, at most.
        pool_timeout: seconds a call waits for a connection from the pool
            (``timeout`` unless told).
        clock: as for ``PostgresLedger``.
    """

    def __init__(self, conninfo: str, *, secret: bytes | str | None = None,
                 connect_timeout: float | None = None, timeout: float | None = None,
                 max_clock_skew: float | None = MAX_CLOCK_SKEW, min_size: int = 1,
                 max_size: int = 16, pool_timeout: float | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(conninfo, secret, connect_timeout, timeout, max_clock_skew, clock,
                         min_size, max_size, pool_timeout)
        self._pool: AsyncConnectionPool[_AsyncConnection] = AsyncConnectionPool(
            self._conninfo, connection_class=_AsyncConnection, open=False,
            **self._pool_settings)
        self._connect_timeout = float(self._options.get("connect_timeout", self.timeout))
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
            async with self._pool.connection() as conn:
                with _deadline(conn, self.timeout):
                    async with conn.transaction():
                        found = await (await conn.execute(
                            "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) "
                            "IS NOT NULL", (ATTEMPTS, KEYS))).fetchone()
                        if not (found and found[0]):
                            await conn.execute("SELECT pg_advisory_xact_lock(%s)",
                                               (_SCHEMA_LOCK,))
                            for statement in _SCHEMA:
                                await conn.execute(statement)
        except (psycopg.Error, OSError) as error:
            raise self._error(error) from error
        self._ready = True

    async def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                               attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        call = self._check_call(subject, constraints, attempt)
        if call is None:
            return None, ()
        now = call.now
        recorded, matches = self._checked(await self._transaction(call.statements), call)
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
        statements = _read_statements(asks, self._clock())
        if not statements:
            return [() for _ in asks]
        return _read_replies(asks, await self._transaction(statements, every=True))

    async def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``Ledger.set_outcome``."""
        now = self._clock()
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
                with _deadline(conn, self.timeout):
                    async with conn.pipeline():
                        await conn.execute(_BEGIN)
                        await conn.execute(_INDEXES_ONLY)
                        cursors = [await conn.execute(sql, params)
                                   for sql, params in statements]
                        await conn.execute(_COMMIT)
                if every:
                    return [await cursor.fetchall() for cursor in cursors]
                last = cursors[-1]
                return await last.fetchall() if fetch else last.rowcount
        except (psycopg.Error, OSError) as error:
            raise self._error(error) from error


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
             now: float, skew: float | None) -> tuple[str, list[object]]:
    """The acquire statement: count, and insert the attempt only if no count is full
    (and, given a ``skew`` in seconds, only if its time is that close to the server's).

    Rows are ``(constraint index, time)`` per counted attempt, ``(-1, 0)``
    when the attempt was inserted, and ``(-2, the server's time in µs)`` when
    its time was checked.  The decision is taken in SQL, from the same rows
    (one snapshot), so the whole acquire needs no second trip.
    """
    expires = None if attempt.retention is None else now + attempt.retention
    ctes: list[str] = []
    params: list[object] = []
    conditions: list[str] = []
    rows = "SELECT -1, 0 FROM added"
    if skew is not None:
        ctes.append("clock_(us) AS MATERIALIZED "
                    "(SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)")
        conditions.append("abs(%s::bigint - (SELECT us FROM clock_)) <= %s::bigint")
        rows += " UNION ALL SELECT -2, us FROM clock_"
    if constraints:
        counting, params = count_query(constraints, "%s", now)
        ctes += [f"counted(i, ts) AS MATERIALIZED ({counting})",
                 "full_ AS (SELECT c.i FROM counted c GROUP BY c.i "
                 "HAVING count(*) >= (%s::bigint[])[c.i + 1])"]
        params.append([c.limit for c in constraints])
        conditions.append("NOT EXISTS (SELECT 1 FROM full_)")
        rows = f"SELECT i, ts FROM counted UNION ALL {rows}"
    guard = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    params += [attempt_id, attempt.ts, attempt.outcome, expires]
    if skew is not None:
        params += [attempt.ts, round(skew * US)]
    params.append(list(dict.fromkeys(attempt.keys)))
    return f"WITH {', '.join([*ctes, _INSERT.format(guard=guard)])} {rows}", params


def _create_schema(conn: Connection) -> None:
    """Create the tables unless they exist (checking needs no CREATE privilege).

    ``CREATE ... IF NOT EXISTS`` can still fail when two processes create the
    same table at once, so creators take one advisory lock.
    """
    with conn.transaction():
        found = conn.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) "
                             "IS NOT NULL", (ATTEMPTS, KEYS)).fetchone()
        if not (found and found[0]):
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            for statement in _SCHEMA:
                conn.execute(statement)


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


def _count(value: int, field: str, least: int) -> int:
    """A number of connections: an integer at least ``least``, else an
    ``InvalidInputError`` naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InvalidInputError(f"{field}: expected a whole number of connections, at least "
                                f"{least}, got {str(value)[:50]!r}", field=field)
    return value


def _describe(params: dict[str, Any]) -> str:
    """``user@host:port/dbname`` from connection parameters, with no password."""
    host = str(params.get("host") or params.get("hostaddr") or "localhost")
    port = params.get("port")
    where = f"{host}:{port}" if port else host
    user = params.get("user")
    name = f"{user}@{where}" if user else where
    return f"{name}/{params.get('dbname') or user or 'postgres'}"


def _take_timeout(conninfo: str) -> tuple[str, str | None]:
    """``conninfo`` without its ``timeout`` (ours, unknown to libpq), and that value.

    In a URL it is a query parameter, in a ``key=value`` string a pair.
    """
    if "://" in conninfo:
        head, mark, query = conninfo.partition("?")
        kept, found = [], None
        for part in query.split("&") if mark else ():
            name, _, value = part.partition("=")
            if name == "timeout":
                found = value
            elif part:
                kept.append(part)
        return head + ("?" + "&".join(kept) if kept else ""), found
    match = re.search(r"(?:^|\s)timeout\s*=\s*(\S+)", conninfo)
    if match is None:
        return conninfo, None
    return (conninfo[:match.start()] + conninfo[match.end():]).strip(), match.group(1)

