"""The in-process ledger: the default, for one process and for tests."""

from __future__ import annotations

import itertools
import os
import threading
import time
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Callable, Sequence
from typing import NamedTuple

from .._frequency import Attempt, Constraint
from ._base import KeyedLedger, Matches, Read

__all__ = ["MemoryLedger"]

_FOREVER = float("inf")
_new = tuple.__new__


class _Entry(NamedTuple):
    """One attempt as kept: immutable, so a new outcome replaces the entry (rare)
    and recording one is a tuple (measured: a tenth of the ledger's acquire)."""

    ts: int
    number: int  # the attempt's id is the ledger's prefix and this number
    outcome: str
    keys: tuple[str, ...]
    expires: float


class MemoryLedger(KeyedLedger):
    """Attempts in this process's memory: thread-safe, gone when the process ends.

    Atomic across the threads of one process (one lock), not across
    processes: several dialer processes need a shared ledger (SQLite on one
    machine, Redis or PostgreSQL across machines).  No background thread:
    expired attempts are dropped as later writes pass by.

    Args:
        secret: store keyed hashes of ids and numbers instead of the values.
        clock: monotonic seconds, for expiry (tests may pass their own).
    """


    def __init__(self, *, secret: bytes | str | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(secret)
        self._clock = clock
        self._lock = threading.Lock()
        # By number (an attempt's id less the prefix): sequential ints keep the table
        # dense where the id strings would scatter it (measured: a tenth of a record).
        self._attempts: dict[int, _Entry] = {}
        self._index: dict[str, list[_Entry]] = {}
        # Per retention, the entries in the order they expire (the clock only
        # moves on, so appending keeps each queue sorted: no heap needed).
        self._expiring: dict[int, deque[_Entry]] = {}
        self._next_expiry = _FOREVER  # no queue's head expires before this
        self._prefix = os.urandom(6).hex() + "-"
        self._numbers = itertools.count(1)

    def __repr__(self) -> str:
        return f"MemoryLedger(attempts={len(self._attempts)}, hashed={self.hashes_keys})"

    def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                         attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        if self._secret is not None:
            subject, constraints, attempt = self.stored(subject, constraints, attempt)
        # acquire/release, not ``with``: half the cost in 3.11 (measured), on every call
        lock = self._lock
        lock.acquire()
        try:
            now = self._clock()
            if attempt is not None and now >= self._next_expiry:
                self._expire(now)
            found: list[tuple[int, ...]] = []
            allowed = True
            index = self._index
            for constraint in constraints:
                entries = index.get(constraint.key)
                if entries:
                    since, outcomes, also = (constraint.since, constraint.outcomes,
                                             constraint.also)
                    start = 0 if since <= entries[0].ts else bisect_left(
                        entries, since, key=_time_of)
                    hits = tuple(entry.ts for entry in entries[start:]
                                 if entry.expires > now
                                 and (outcomes is None or entry.outcome in outcomes)
                                 and (not also or all(key in entry.keys for key in also)))
                else:
                    hits = ()
                if len(hits) >= constraint.limit:
                    allowed = False
                found.append(hits)
            if not allowed or attempt is None:
                return None, tuple(found)
            # Record it (inline: this is the hot path of every acquire).
            number = next(self._numbers)
            retention = attempt.retention
            expires = _FOREVER if retention is None else now + retention
            entry = _new(_Entry, (attempt.ts, number, attempt.outcome, attempt.keys, expires))
            self._attempts[number] = entry
            for key in attempt.keys:
                entries = index.get(key)
                if entries is None:
                    index[key] = [entry]
                elif entries[-1].ts <= entry.ts:
                    entries.append(entry)
                else:
                    insort(entries, entry, key=_time_of)
            if retention is not None:
                queue = self._expiring.get(retention) or self._queue(retention)
                queue.append(entry)
                if expires < self._next_expiry:
                    self._next_expiry = expires
        finally:
            lock.release()
        return self._prefix + str(number), tuple(found)

    def check_many(self, reads: Sequence[Read]) -> list[Matches]:
        """The counts of each read, in order (see ``Ledger``): nothing to save here but calls."""
        check = self.check_and_record
        return [check(subject, constraints, None)[1] for subject, constraints in reads]

    def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``Ledger.set_outcome``."""
        number = self._number(attempt_id)
        with self._lock:
            now = self._clock()
            entry = self._attempts.get(number) if number is not None else None
            if entry is None or entry.expires <= now:
                return False
            # Never shorten: another engine's rules may need it longer.
            expires = max(entry.expires, _FOREVER if retention is None else now + retention)
            updated = entry._replace(outcome=outcome, expires=expires)
            self._attempts[entry.number] = updated
            for key in entry.keys:
                entries = self._index[key]
                entries[entries.index(entry)] = updated
            if retention is not None and expires < _FOREVER:
                self._queue(retention).append(updated)
                self._next_expiry = min(self._next_expiry, expires)
            return True

    def forget(self, subjects: Sequence[str]) -> int:
        """See ``Ledger.forget``."""
        stored = {self.stored_key(subject) for subject in subjects}
        with self._lock:
            doomed = {entry.number: entry for key in stored
                      for entry in self._index.get(key, ())}
            for entry in doomed.values():
                self._remove(entry)
            return len(doomed)

    def close(self) -> None:
        """Nothing to release."""

    def __len__(self) -> int:
        """How many attempts are kept (expired ones may linger until the next write)."""
        return len(self._attempts)

    def _number(self, attempt_id: str) -> int | None:
        """The number of an id this ledger gave (``<prefix><number>``), else ``None``."""
        prefix = self._prefix
        if not isinstance(attempt_id, str) or not attempt_id.startswith(prefix):
            return None
        digits = attempt_id[len(prefix):]
        if (not (digits.isascii() and digits.isdigit()) or digits.startswith("0")
                or len(digits) > 19):
            return None
        return int(digits)

    def _queue(self, retention: int) -> deque[_Entry]:
        return self._expiring.setdefault(retention, deque())

    def _expire(self, now: float) -> None:
        attempts = self._attempts
        for queue in self._expiring.values():
            while queue and queue[0].expires <= now:
                entry = queue.popleft()
                # Skip entries forgotten, or replaced by a later outcome (queued anew).
                if attempts.get(entry.number) is entry and entry.expires <= now:
                    self._remove(entry)
        heads = [queue[0].expires for queue in self._expiring.values() if queue]
        self._next_expiry = min(heads, default=_FOREVER)

    def _remove(self, entry: _Entry) -> None:
        del self._attempts[entry.number]
        for key in entry.keys:
            entries = self._index[key]
            entries.remove(entry)
            if not entries:
                del self._index[key]


def _time_of(entry: _Entry) -> int:
    return entry.ts
