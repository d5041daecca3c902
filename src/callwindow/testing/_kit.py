"""The testing kit itself; ``callwindow.testing`` re-exports it (see there)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .. import _time
from .._decision import Decision
from .._engine import Engine
from .._enums import ReasonCode
from .._frequency import Attempt, Constraint
from .._models import Consumer, Policy
from .._presets_lookup import policies_of
from .._time import from_us
from ..ledgers import Ledger, Matches, MemoryLedger

# What is public here is listed once, in callwindow.testing's __all__.

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class FrozenClock:
    """A clock that stands still until told to move.

    ``now()`` returns the instant it was set to, in UTC.  Give it to an
    Engine (``Engine(policy, clock=clock)``) and every call without ``at``
    is judged at that instant.

    Args:
        at: an aware datetime or an ISO-8601 string with an offset; a naive
            one raises ``NaiveDatetimeError``.
    """

    def __init__(self, at: datetime | str) -> None:
        self._now = _instant(at, "at")

    def __repr__(self) -> str:
        return f"FrozenClock({self._now.isoformat()!r})"

    def now(self) -> datetime:
        """The frozen instant, aware, in UTC."""
        return self._now

    def set(self, at: datetime | str) -> datetime:
        """Move to ``at`` (forward or back); returns the new now."""
        self._now = _instant(at, "at")
        return self._now

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0,
                seconds: float = 0) -> datetime:
        """Move forward by a duration (of absolute time: a DST change is not skipped)."""
        step = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        if step < timedelta(0):
            raise ValueError(f"advance: the clock only moves forward here (got {step}); "
                             f"use set() to go back")
        self._now += step
        return self._now


class FrozenEngine(Engine):
    """An ``Engine`` whose clock is a ``FrozenClock`` (what ``frozen_engine`` yields)."""

    clock: FrozenClock


@contextmanager
def frozen_engine(policy_or_id: Policy | str | Sequence[Policy | str], *,
                  at: datetime | str, ledger: Ledger | None = None
                  ) -> Iterator[FrozenEngine]:
    """An Engine on a ``FrozenClock`` at ``at`` and a fresh in-memory ledger.

    ``policy_or_id``: a ``Policy``, a preset id (``"FR"``), or a list of
    either (all must allow).  The clock is ``engine.clock``: move it with
    ``engine.clock.advance(days=1)``.  Pass ``ledger=RecordingLedger()`` to
    see the attempts made.  The engine is closed on exit.
    """
    engine = FrozenEngine(policies_of(policy_or_id), clock=FrozenClock(at),
                    ledger=ledger if ledger is not None else MemoryLedger())
    try:
        yield engine
    finally:
        engine.close()


def assert_allowed(decision: Decision) -> None:
    """Fail with the decision's explanation unless the call is allowed."""
    if not isinstance(decision, Decision):
        raise TypeError(f"assert_allowed: expected a Decision, got {type(decision).__name__}")
    if not decision.allowed:
        raise AssertionError("expected the call to be allowed, but it was refused.\n"
                             + _story(decision))


def assert_blocked(decision: Decision, reason: ReasonCode | str | None = None) -> None:
    """Fail unless the call is refused (and, with ``reason``, refused for it).

    ``reason`` is a ``ReasonCode`` or its value (``"holiday"``); the decision
    may carry other reasons too.
    """
    if not isinstance(decision, Decision):
        raise TypeError(f"assert_blocked: expected a Decision, got {type(decision).__name__}")
    code = None if reason is None else ReasonCode(reason)
    if decision.allowed:
        wanted = f" ({code.value})" if code else ""
        raise AssertionError(f"expected the call to be refused{wanted}, but it was "
                             f"allowed.\n" + _story(decision))
    if code is not None and code not in decision.codes:
        found = ", ".join(item.value for item in decision.codes)
        raise AssertionError(f"expected the call to be refused for {code.value}, but it was "
                             f"refused for {found}.\n" + _story(decision))


def _story(decision: Decision) -> str:
    lines = [decision.explain()]
    for zone, local in decision.local_times.items():
        lines.append(f"  local time in {zone}: {local:%A %Y-%m-%d %H:%M %Z}")
    if not decision.allowed and decision.next_allowed_at is not None:
        for zone in decision.timezones:
            local = decision.next_allowed_at.astimezone(_time.zone(zone))
            lines.append(f"  next allowed in {zone}: {local:%A %Y-%m-%d %H:%M %Z}")
    return "\n".join(lines)


@dataclass
class RecordedAttempt:
    """One attempt a ``RecordingLedger`` recorded: when, how it ended, under which keys."""

    id: str
    at: datetime
    outcome: str
    keys: tuple[str, ...]


class RecordingLedger:
    """An in-memory ledger that also keeps the attempts made, in order.

    ``attempts`` lists them (``RecordedAttempt``, outcomes kept current);
    ``outcomes`` is the list of their outcomes.  It counts exactly as
    ``MemoryLedger`` does, which it wraps.
    """

    def __init__(self) -> None:
        self._inner = MemoryLedger()
        self.attempts: list[RecordedAttempt] = []
        self._by_id: dict[str, RecordedAttempt] = {}

    def __repr__(self) -> str:
        return f"RecordingLedger(attempts={len(self.attempts)})"

    @property
    def outcomes(self) -> list[str]:
        """The outcome of each attempt, in the order they were made."""
        return [attempt.outcome for attempt in self.attempts]

    def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                         attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``callwindow.ledgers.Ledger``."""
        attempt_id, matches = self._inner.check_and_record(subject, constraints, attempt)
        if attempt_id is not None and attempt is not None:
            recorded = RecordedAttempt(attempt_id, from_us(attempt.ts), attempt.outcome,
                                       attempt.keys)
            self.attempts.append(recorded)
            self._by_id[attempt_id] = recorded
        return attempt_id, matches

    def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``callwindow.ledgers.Ledger``."""
        found = self._inner.set_outcome(attempt_id, outcome, retention)
        if found:
            self._by_id[attempt_id].outcome = outcome
        return found

    def forget(self, subjects: Sequence[str]) -> int:
        """See ``callwindow.ledgers.Ledger``; forgotten attempts leave ``attempts`` too."""
        erased = self._inner.forget(subjects)
        gone = set(subjects)
        self.attempts = [a for a in self.attempts if not gone & set(a.keys)]
        self._by_id = {a.id: a for a in self.attempts}
        return erased

    def close(self) -> None:
        """Nothing to release."""


_serial = itertools.count(1)


def consumer(phone: str | None = None, *, timezone: str | Sequence[str] | None = None,
             **fields: Any) -> Consumer:
    """A ``Consumer`` with an id made up for you: ``consumer("+33612345678")``.

    Any other field of ``Consumer`` may be given (``region="FL"``,
    ``consent=True``, ``tags={"debt": "A-1"}``, ``id="c-42"``).
    """
    fields.setdefault("id", f"test-consumer-{next(_serial)}")
    return Consumer(phone=phone, timezone=timezone, **fields)


def policy(hours: str | Sequence[str] | Mapping[str, Sequence[str]] | None = None, *,
           days: str = "mon-fri", **fields: Any) -> Policy:
    """A ``Policy`` in one line: ``policy("09:00-20:00", days="mon-sat", holidays="IT")``.

    ``hours`` is a window or a list of windows for each day in ``days``
    (``"mon-fri"``, ``"mon-sun"``, ``"sat"`` or ``"mon,wed,fri"``), or a full
    ``hours`` mapping.  ``holidays`` may be a country code.  Other fields
    (``limits``, ``cooldowns``, ``requires_consent``, ``id``...) are as in
    the policy schema; ``id`` defaults to ``"test-policy"``.
    """
    data: dict[str, Any] = {"id": "test-policy", **fields}
    if isinstance(hours, Mapping):
        data["hours"] = dict(hours)
    elif hours is not None:
        windows = [hours] if isinstance(hours, str) else list(hours)
        data["hours"] = dict.fromkeys(_day_list(days), windows)
    if isinstance(data.get("holidays"), str):
        data["holidays"] = {"country": data["holidays"]}
    return Policy.model_validate(data)


def _day_list(days: str) -> list[str]:
    found: list[str] = []
    for part in days.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise ValueError(f"days: {days!r} is not like 'mon-fri', 'sat' or 'mon,wed,fri'")
        start, end = _DAYS.index(first), _DAYS.index(last or first)
        if end < start:
            raise ValueError(f"days: {part!r} runs backwards")
        found += _DAYS[start:end + 1]
    return found


def _instant(value: datetime | str, field: str) -> datetime:
    if isinstance(value, datetime):
        return _time.as_utc(_time.aware(value, field))
    return _time.as_utc(_time.parse_instant(value, field))
