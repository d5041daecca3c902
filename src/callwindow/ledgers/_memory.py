"""The in-process ledger: the default, for one process and for tests."""

from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
from bisect import bisect_left, insort
from collections.abc import Callable, Sequence

from .._frequency import Attempt, Constraint
from ._base import KeyedLedger, Matches

__all__ = ["MemoryLedger"]

_FOREVER = float("inf")


class _Entry:
    __slots__ = ("expires", "id", "keys", "outcome", "ts")

    def __init__(self, attempt_id: str, ts: int, outcome: str, keys: frozenset[str],
                 expires: float) -> None:
        self.id = attempt_id
        self.ts = ts
        self.outcome = outcome
        self.keys = keys
        self.expires = expires

    def __lt__(self, other: _Entry) -> bool:  # index lists are sorted by time
        return self.ts < other.ts


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

    shared = False

    def __init__(self, *, secret: bytes | str | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(secret)
        self._clock = clock
        self._lock = threading.Lock()
        self._attempts: dict[str, _Entry] = {}
        self._index: dict[str, list[_Entry]] = {}
        self._expiring: list[tuple[float, str]] = []  # heap of (expires, id)
        self._prefix = os.urandom(6).hex() + "-"
        self._numbers = itertools.count(1)

    def __repr__(self) -> str:
        return f"MemoryLedger(attempts={len(self._attempts)}, hashed={self.hashes_keys})"

    def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                         attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        subject, constraints, attempt = self.stored(subject, constraints, attempt)
        with self._lock:
            now = self._clock()
            if attempt is not None:
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
            attempt_id = None
            if allowed and attempt is not None:
                attempt_id = self._insert(attempt, now)
        return attempt_id, tuple(found)

    def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``Ledger.set_outcome``."""
        with self._lock:
            now = self._clock()
            entry = self._attempts.get(attempt_id)
            if entry is None or entry.expires <= now:
                return False
            entry.outcome = outcome
            entry.expires = _FOREVER if retention is None else now + retention
            if retention is not None:
                heapq.heappush(self._expiring, (entry.expires, attempt_id))
            return True

    def forget(self, subjects: Sequence[str]) -> int:
        """See ``Ledger.forget``."""
        stored = {self.stored_key(subject) for subject in subjects}
        with self._lock:
            doomed = {entry.id: entry for key in stored for entry in self._index.get(key, ())}
            for entry in doomed.values():
                self._remove(entry)
            return len(doomed)

    def close(self) -> None:
        """Nothing to release."""

    def __len__(self) -> int:
        """How many attempts are kept (expired ones may linger until the next write)."""
        return len(self._attempts)

    def _insert(self, attempt: Attempt, now: float) -> str:
        attempt_id = self._prefix + format(next(self._numbers), "x")
        expires = _FOREVER if attempt.retention is None else now + attempt.retention
        entry = _Entry(attempt_id, attempt.ts, attempt.outcome, frozenset(attempt.keys),
                       expires)
        self._attempts[attempt_id] = entry
        for key in entry.keys:
            entries = self._index.get(key)
            if entries is None:
                self._index[key] = [entry]
            elif entries[-1].ts <= entry.ts:
                entries.append(entry)
            else:
                insort(entries, entry)
        if attempt.retention is not None:
            heapq.heappush(self._expiring, (expires, attempt_id))
        return attempt_id

    def _expire(self, now: float) -> None:
        expiring = self._expiring
        while expiring and expiring[0][0] <= now:
            _, attempt_id = heapq.heappop(expiring)
            entry = self._attempts.get(attempt_id)
            if entry is not None and entry.expires <= now:  # not extended since
                self._remove(entry)

    def _remove(self, entry: _Entry) -> None:
        del self._attempts[entry.id]
        for key in entry.keys:
            entries = self._index[key]
            entries.remove(entry)
            if not entries:
                del self._index[key]


def _time_of(entry: _Entry) -> int:
    return entry.ts
