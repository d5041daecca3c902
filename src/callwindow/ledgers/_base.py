"""The one Protocol every attempt ledger implements, and what the backends share."""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Sequence
from typing import Protocol, TypeAlias, runtime_checkable

from .._errors import InvalidInputError, LedgerError
from .._frequency import Attempt, Constraint

__all__ = ["AsyncLedger", "Attempt", "Constraint", "KeyedLedger", "Ledger", "Matches", "Read",
           "clock_skew", "read_many", "read_many_async", "seconds"]

#: Per constraint, the times (µs, ascending) of the attempts it counts.
Matches = tuple[tuple[int, ...], ...]
#: One read of a batch: a subject, and what to count for it (``check_many``).
Read: TypeAlias = "tuple[str, Sequence[Constraint]]"


@runtime_checkable
class Ledger(Protocol):
    """Where attempts are kept: one atomic primitive, and three housekeeping calls.

    Every key a ledger sees is an opaque string; a ledger built with a
    ``secret`` stores keyed hashes of them instead (see ``KeyedLedger``).

    A ledger may also offer ``check_many(reads) -> list[Matches]``: the
    counts of ``check_and_record(subject, constraints, None)`` for each
    ``(subject, constraints)`` of ``reads``, in order, in one round trip
    (every built-in ledger does; list scrubbing uses it).  It is optional, so
    that a ledger written before it still is a ``Ledger``: without it the
    engine makes one ``check_and_record`` per read (see ``read_many``).
    """

    def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                         attempt: Attempt | None) -> tuple[str | None, Matches]:
        """Count, atomically, what each constraint counts; record ``attempt`` if no
        constraint has reached its limit.

        ``subject`` is the consumer's own key (their id, else their number);
        a sharded ledger keeps everything about one subject together.
        Returns the new attempt's id (``None`` when nothing was recorded) and,
        per constraint, the times of the attempts it counted, ascending.
        Nothing is recorded unless every count is below its limit, and no
        other call in any process can slip in between the count and the write.
        Raises ``LedgerError`` when the store cannot be reached or fails.
        """
        ...

    def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """Set how an attempt ended, and how long (seconds from now) to keep it.

        ``retention=None`` keeps it until forgotten.  ``False`` when no such
        attempt is kept (never recorded, expired, or forgotten).
        """
        ...

    def forget(self, subjects: Sequence[str]) -> int:
        """Erase every attempt recorded under any of ``subjects``; how many were erased."""
        ...

    def close(self) -> None:
        """Release connections; the ledger is not used afterwards."""
        ...


@runtime_checkable
class AsyncLedger(Protocol):
    """``Ledger`` for asyncio programs: the same calls and guarantees, as coroutines.

    ``AsyncEngine`` takes one (``AsyncRedisLedger``, ``AsyncPostgresLedger``),
    or a plain ``Ledger``, which it calls in place (``MemoryLedger``: nothing
    to wait for) or from a worker thread (``SQLiteLedger``, your own).
    ``check_many`` is optional, as for ``Ledger``.
    """

    async def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                               attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        ...

    async def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``Ledger.set_outcome``."""
        ...

    async def forget(self, subjects: Sequence[str]) -> int:
        """See ``Ledger.forget``."""
        ...

    async def aclose(self) -> None:
        """Release connections; the ledger is not used afterwards."""
        ...


def read_many(ledger: Ledger, reads: Sequence[Read]) -> list[Matches]:
    """The counts of each read: one ``check_many`` call when the ledger has it,
    else one read-only ``check_and_record`` per read (same answers, more trips)."""
    batch = getattr(ledger, "check_many", None)
    if batch is not None:
        found: list[Matches] = batch(reads)
        return found
    return [ledger.check_and_record(subject, constraints, None)[1]
            for subject, constraints in reads]


async def read_many_async(ledger: AsyncLedger, reads: Sequence[Read]) -> list[Matches]:
    """``read_many`` for an ``AsyncLedger``."""
    batch = getattr(ledger, "check_many", None)
    if batch is not None:
        found: list[Matches] = await batch(reads)
        return found
    return [(await ledger.check_and_record(subject, constraints, None))[1]
            for subject, constraints in reads]


class KeyedLedger:
    """Base of the built-in ledgers: turns keys into what is stored.

    Without a ``secret`` keys are stored as they are (``c:<id>``,
    ``p:<E.164>``, ``t:<length of tag>:<tag>=<value>``).  With one, each is replaced by an
    HMAC-SHA256 of it under the secret (128 bits, hex), so the store holds no
    phone number or id that can be read back, and only a holder of the secret
    can find a consumer's attempts, to count them or to forget them.
    """

    def __init__(self, secret: bytes | str | None) -> None:
        if isinstance(secret, str):
            secret = secret.encode()
        if secret is not None and len(secret) < 16:
            raise InvalidInputError("secret: use at least 16 bytes of key material for the HMAC",
                                    field="secret")
        self._secret = secret
        self._hashed: dict[str, str] = {}

    @property
    def hashes_keys(self) -> bool:
        """Whether keys are stored as keyed hashes."""
        return self._secret is not None

    def stored_key(self, key: str) -> str:
        """What is stored for ``key``: itself, or its keyed hash."""
        if self._secret is None:
            return key
        hashed = self._hashed.get(key)
        if hashed is None:
            digest = hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest()
            hashed = "h:" + digest[:32]
            if len(self._hashed) >= 65536:
                self._hashed.clear()
            self._hashed[key] = hashed
        return hashed

    def stored(self, subject: str, constraints: Sequence[Constraint], attempt: Attempt | None
               ) -> tuple[str, Sequence[Constraint], Attempt | None]:
        """``subject``, ``constraints`` and ``attempt`` with their keys as stored."""
        if self._secret is None:
            return subject, constraints, attempt
        key = self.stored_key
        constraints = [Constraint(key(c.key), tuple(key(k) for k in c.also), c.since,
                                  c.outcomes, c.limit) for c in constraints]
        if attempt is not None:
            attempt = attempt._replace(keys=tuple(key(k) for k in attempt.keys))
        return key(subject), constraints, attempt


def seconds(value: float | str | None, field: str, default: float) -> float:
    """A timeout in seconds, given as a number or as text (from a URL): positive
    and finite, else an ``InvalidInputError`` naming ``field``; ``default`` for ``None``."""
    if value is None:
        return default
    try:
        found = math.nan if isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        found = math.nan
    if not 0 < found < math.inf:
        raise InvalidInputError(f"{field}: expected a positive number of seconds, got "
                                f"{str(value)[:50]!r}", field=field)
    return found


#: How far (seconds) a shared ledger lets an attempt's time, read from the host's
#: clock, be from its server's clock, unless told: NTP keeps hosts within
#: milliseconds; this leaves room for the round trip and a wait for a lock.
MAX_CLOCK_SKEW = 10.0


def clock_skew(where: str, offset_us: int, tolerance: float) -> LedgerError:
    """The error of an attempt refused because the host's clock is ``offset_us`` off
    the server's (positive: ahead)."""
    size = abs(offset_us) / 1_000_000
    minutes = round(size / 60)
    if minutes >= 60:
        told = f"{minutes // 60} h {minutes % 60} min"
    elif size >= 60:
        told = f"{int(size // 60)} min {round(size % 60)} s"
    else:
        told = f"{size:.1f} s"
    side = "ahead of" if offset_us > 0 else "behind"
    return LedgerError(f"{where}: this host's clock is {told} {side} the server's (more than "
                       f"max_clock_skew, {tolerance:g} s); nothing was recorded: set the "
                       f"host's clock (NTP)")
