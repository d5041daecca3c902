"""The embedded persistent ledger: one SQLite file shared by the processes of a machine."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from .._errors import LedgerError
from .._frequency import Attempt, Constraint
from ._base import KeyedLedger, Matches, Read, seconds
from ._sql import count_query, group_matches, over_limit

__all__ = ["SQLiteLedger"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS callwindow_attempts (
    id TEXT PRIMARY KEY,
    ts INTEGER NOT NULL,          -- microseconds since the epoch
    outcome TEXT NOT NULL,
    expires REAL                  -- epoch seconds; NULL: kept until forgotten
);
CREATE INDEX IF NOT EXISTS callwindow_attempts_expires ON callwindow_attempts (expires);
CREATE TABLE IF NOT EXISTS callwindow_attempt_keys (
    key TEXT NOT NULL,
    ts INTEGER NOT NULL,
    attempt_id TEXT NOT NULL,
    PRIMARY KEY (key, ts, attempt_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS callwindow_attempt_keys_attempt
    ON callwindow_attempt_keys (attempt_id);
"""
_PURGE_EVERY = 256  # writes per connection between purges of expired attempts


#: Seconds to wait for another connection's write lock, unless told.
DEFAULT_TIMEOUT = 5.0


class SQLiteLedger(KeyedLedger):
    """Attempts in a SQLite file: persistent, and atomic across the processes of one host.

    Each acquire runs in an ``IMMEDIATE`` transaction, which takes the
    database's write lock before counting, so two processes cannot both count
    three and both write a fourth.  WAL mode lets reads go on during a write.
    Each thread (and each process after a fork) gets its own connection.
    A call that waits longer than ``timeout`` for the lock fails with
    ``LedgerError`` (and is refused), as does any failure of the file (a
    read-only directory, a full disk), named with its cause.

    ``forget`` erases for good what this file holds: deleted rows are
    overwritten (``secure_delete``), and the write-ahead log, which still
    holds them, is checkpointed into the database and emptied.

    The file must be on a local disk: SQLite's locks do not hold over NFS.

    Args:
        path: the database file (created if missing).
        secret: store keyed hashes of ids and numbers instead of the values.
        timeout: seconds to wait for another connection's write lock (5 unless
            told; ``sqlite:///attempts.db?timeout=2`` in a URL).
        clock: epoch seconds, for expiry: an attempt expires ``retention``
            seconds after this clock dated its write (tests may pass their
            own; every process sharing the file must use the same clock, so
            leave the default, the wall clock, anywhere else).
    """

    def __init__(self, path: str | os.PathLike[str], *, secret: bytes | str | None = None,
                 timeout: float | str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(secret)
        self.path = str(path)
        self._clock = clock
        if self.path == ":memory:" or self.path.startswith("file:"):
            # Each thread has its own connection, so each would see its own
            # empty in-memory database: limits would not hold.
            raise ValueError(f"SQLite ledger path {self.path!r}: give a file path "
                             f"(for a ledger in memory, use memory:// / MemoryLedger)")
        self.timeout = seconds(timeout, "timeout", DEFAULT_TIMEOUT)
        self._local = threading.local()
        try:  # fail now, at startup, if the file cannot be opened
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._connect()
        except (sqlite3.Error, OSError) as error:
            raise self._failed(error) from error

    def __repr__(self) -> str:
        return f"SQLiteLedger({self.path!r}, hashed={self.hashes_keys})"

    def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                         attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        _, constraints, attempt = self.stored(subject, constraints, attempt)
        with self._transaction("IMMEDIATE" if attempt is not None else "DEFERRED") as db:
            matches = self._count(db, constraints)
            attempt_id = None
            if attempt is not None and not over_limit(constraints, matches):
                attempt_id = self._insert(db, attempt)
        return attempt_id, matches

    def check_many(self, reads: Sequence[Read]) -> list[Matches]:
        """The counts of each read, in order (see ``Ledger``), in one transaction."""
        with self._transaction("DEFERRED") as db:
            return [self._count(db, self.stored(subject, constraints, None)[1])
                    for subject, constraints in reads]

    def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``Ledger.set_outcome``."""
        now = self._clock()
        expires = None if retention is None else now + retention
        with self._transaction("IMMEDIATE") as db:
            # Never shorten: another engine's rules may need it longer.
            cursor = db.execute(
                "UPDATE callwindow_attempts SET outcome = ?, expires = CASE "
                "WHEN expires IS NULL OR ? IS NULL THEN NULL ELSE MAX(expires, ?) END "
                "WHERE id = ? AND (expires IS NULL OR expires > ?)",
                (outcome, expires, expires, attempt_id, now))
        return cursor.rowcount > 0

    def forget(self, subjects: Sequence[str]) -> int:
        """See ``Ledger.forget``."""
        keys = [self.stored_key(subject) for subject in subjects]
        marks = ", ".join("?" * len(keys))
        doomed = (f"SELECT attempt_id FROM callwindow_attempt_keys WHERE key IN ({marks})")
        with self._transaction("IMMEDIATE") as db:
            ids = [row[0] for row in db.execute(doomed, keys)]
            db.executemany("DELETE FROM callwindow_attempt_keys WHERE attempt_id = ?",
                           [(i,) for i in ids])
            db.executemany("DELETE FROM callwindow_attempts WHERE id = ?",
                           [(i,) for i in ids])
        if ids:
            self._checkpoint()
        return len(set(ids))

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    @contextmanager
    def _transaction(self, mode: str) -> Iterator[sqlite3.Connection]:
        """One transaction on this thread's connection; any SQLite error a ``LedgerError``.

        ``IMMEDIATE`` takes the write lock at once, before anything is counted:
        that is what makes check-and-record atomic across processes.
        """
        try:
            db = self._connect()
            db.execute(f"BEGIN {mode}")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                # SQLite has already rolled back after some errors (a full
                # disk): a second ROLLBACK would fail, and hide the cause.
                if db.in_transaction:
                    with suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            raise self._failed(error) from error

    def _checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it, so that what was
        just deleted (and overwritten there) is gone from the log file too.

        A connection reading at that moment keeps the log from being emptied;
        the rows are then gone from the log at the next checkpoint.
        """
        try:
            self._connect().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error as error:
            raise self._failed(error) from error

    def _connect(self) -> sqlite3.Connection:
        local = self._local
        db: sqlite3.Connection | None = getattr(local, "db", None)
        if db is not None and local.pid == os.getpid():
            return db
        db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                             check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            # Switching a new file to WAL takes a lock SQLite does not wait for (it
            # answers "locked" at once): processes opening one new file together
            # would fail, so the set-up is tried again until the timeout.
            deadline = time.monotonic() + self.timeout
            while True:
                try:
                    db.execute("PRAGMA journal_mode = WAL")
                    db.execute("PRAGMA synchronous = NORMAL")
                    db.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten
                    db.executescript(_SCHEMA)
                    break
                except sqlite3.OperationalError as error:
                    if "locked" not in str(error) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.01)
        except BaseException:
            db.close()
            raise
        local.db, local.pid, local.writes = db, os.getpid(), 0
        return db

    def _failed(self, error: sqlite3.Error | OSError) -> LedgerError:
        """``error`` as a ``LedgerError`` naming the file and what is really wrong.

        SQLite names the symptom ("unable to open database file", "attempt to
        write a readonly database"); the cause, where it can be seen, is added.
        """
        if isinstance(error, OSError):
            where = f" ({error.filename})" if error.filename else ""
            return LedgerError(f"SQLite ledger {self.path}: {error.strerror or error}{where}")
        name = getattr(error, "sqlite_errorname", "")
        problem = str(error)
        cause = ""
        if name.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM",
                            "SQLITE_AUTH")) or "readonly" in problem:
            cause = _access_problem(Path(self.path))
        elif name.startswith("SQLITE_FULL"):
            cause = "the disk is full (or the file has reached its size limit)"
        elif name.startswith("SQLITE_BUSY"):
            cause = (f"another connection held the write lock for longer than the "
                     f"timeout ({self.timeout:g} s)")
        elif name.startswith("SQLITE_IOERR"):
            cause = "the disk failed to read or write"
        detail = f"{cause} (SQLite: {problem})" if cause else problem
        return LedgerError(f"SQLite ledger {self.path}: {detail}")

    def _count(self, db: sqlite3.Connection, constraints: Sequence[Constraint]) -> Matches:
        if not constraints:
            return ()
        sql, params = count_query(constraints, "?", self._clock())
        return group_matches(db.execute(sql, params).fetchall(), len(constraints))

    def _insert(self, db: sqlite3.Connection, attempt: Attempt) -> str:
        now = self._clock()
        attempt_id = os.urandom(12).hex()
        expires = None if attempt.retention is None else now + attempt.retention
        db.execute("INSERT INTO callwindow_attempts (id, ts, outcome, expires) "
                   "VALUES (?, ?, ?, ?)", (attempt_id, attempt.ts, attempt.outcome, expires))
        db.executemany("INSERT INTO callwindow_attempt_keys (key, ts, attempt_id) "
                       "VALUES (?, ?, ?)",
                       [(key, attempt.ts, attempt_id) for key in dict.fromkeys(attempt.keys)])
        local = self._local
        local.writes += 1
        if local.writes % _PURGE_EVERY == 0:
            _purge(db, now)
        return attempt_id


def _purge(db: sqlite3.Connection, now: float) -> None:
    db.execute("DELETE FROM callwindow_attempt_keys WHERE attempt_id IN "
               "(SELECT id FROM callwindow_attempts WHERE expires <= ?)", (now,))
    db.execute("DELETE FROM callwindow_attempts WHERE expires <= ?", (now,))


def _access_problem(path: Path) -> str:
    """Why this process cannot write ``path``, SQLite's database file, as far as can be seen."""
    directory = path.parent
    if not directory.is_dir():
        return f"the directory {directory} does not exist"
    if not os.access(directory, os.W_OK | os.X_OK):
        return (f"the directory {directory} is not writable by this process (SQLite "
                f"creates the database and its -wal and -shm files there)")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return "the file is not readable and writable by this process"
    for suffix in ("-wal", "-shm"):
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists() and not os.access(sidecar, os.R_OK | os.W_OK):
            return f"{sidecar.name} is not readable and writable by this process"
    return "the file cannot be opened for writing"
