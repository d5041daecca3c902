"""Searches over compiled calendars and an attempt history: when is it first allowed?

Pure functions of what the engine found; they read no ledger.  Times are µs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ._calendar import SEARCH_YEARS
from ._frequency import Tally
from ._intervals import Span, subtract
from ._time import US, from_us

if TYPE_CHECKING:
    from ._plan import Gate

__all__ = ["first_allowed", "first_common_open", "history_windows"]

_DAY_US = 86400 * US


def first_common_open(calendars: Sequence[Gate], t: int) -> int | None:
    """The first instant at or after ``t`` open in every calendar (a fixed point).

    Each round moves ``t`` to some calendar's next opening; it stops when all
    agree.  Every move lands on a later interval start, and the search stops
    ``SEARCH_YEARS`` after ``t`` (or a day after the last policy lapses), so
    the loop ends.
    """
    if not calendars:
        return t
    if len(calendars) == 1:
        return calendars[0].next_open(t)
    horizon = t + SEARCH_YEARS * 366 * _DAY_US
    for calendar in calendars:  # a lapsing policy opens everything the day after
        lapse = calendar.lapses_at()
        if lapse is not None:
            horizon = max(horizon, lapse + _DAY_US)
    while t <= horizon:
        moved = False
        for calendar in calendars:
            opens = calendar.next_open(t)
            if opens is None:
                return None
            if opens > t:
                t, moved = opens, True
        if not moved:
            return t
    return None  # each zone opens now and then, but never all at once


def first_allowed(calendars: Sequence[Gate], tally: Tally, t: int
                  ) -> datetime | None:
    """The first instant at or after ``t`` that the calendars and the history allow.

    Alternates the calendars' next opening and the history's next release
    until both agree.  Each round moves forward, to an opening or a release;
    releases are finitely many and openings end at the calendar horizon.
    """
    for _ in range(10_000):
        opens = first_common_open(calendars, t)
        if opens is None:
            return None
        t = max(t, opens)
        freed = tally.release(t)
        if freed is None:
            return None
        if freed == t:
            return from_us(t)
        t = freed
    return None


def history_windows(tally: Tally, spans: Sequence[Span], lo: int, hi: int) -> list[Span]:
    """``spans`` (within ``[lo, hi)``) less the stretches the history refuses.

    Walks refused and allowed stretches in turn from ``lo``; each step moves on.
    """
    blocked: list[Span] = []
    t = lo
    while t < hi:
        freed = tally.release(t)
        if freed is None:
            blocked.append((t, hi))
            break
        if freed > t:
            blocked.append((t, min(freed, hi)))
            t = freed
            continue
        t = _next_refusal(tally, t, hi)
    return subtract(spans, blocked)


def _next_refusal(tally: Tally, t: int, end: int) -> int:
    """The first instant after ``t`` (before ``end``) that the history refuses.

    Counts only fall while no attempt is made, so a refusal after an allowed
    ``t`` comes only from a rule coming into force: try each rule's start.
    """
    starts = sorted(start for rule, zones in zip(tally.rules, tally.zones, strict=True)
                    if t < (start := rule.in_force(zones)[0]) < end)
    for start in starts:
        if tally.release(start) != start:
            return start
    return end
