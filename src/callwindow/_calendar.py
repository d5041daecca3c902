"""A policy's hours and holidays compiled to sorted interval tables per zone and year.

In the manner of exchange_calendars: the open intervals of a UTC year are
computed once, as two sorted tuples of microseconds (starts, ends), and
"open at t?" / "next open after t" are answered by binary search.  The hot
path does no zone arithmetic at all; ``_time`` does it at compile time.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from . import _holidays, _time
from ._enums import ReasonCode
from ._holidays import HolidayCalendar
from ._intervals import merge, subtract
from ._models import DAY_KEYS, Policy, parse_window

__all__ = ["Closure", "Schedule", "ZoneCalendar"]

Window = tuple[int, int]  # minutes of the local day, half-open; end may be 1440
#: One UTC year of open intervals in µs: (year start, next year start, starts, ends).
_Table = tuple[int, int, tuple[int, ...], tuple[int, ...]]
_FULL_DAY: tuple[Window, ...] = ((0, 1440),)
_US = _time.US
_DAY_US = 86400 * _US
_FIRST_YEAR, _LAST_YEAR = _time.YEARS.start, _time.YEARS.stop - 1
_FIRST_US = _time.to_us(datetime(_FIRST_YEAR, 1, 1, tzinfo=UTC))
_LAST_US = _time.to_us(datetime(_LAST_YEAR, 12, 31, tzinfo=UTC))
#: How far ahead the search for an open instant looks before it concludes
#: "never".  Weekly windows and yearly holidays repeat within a year, so two
#: years is ample; a policy's end date further off extends a calendar's own
#: search to the day after it (all is open once a policy lapses).
SEARCH_YEARS = 2


@dataclass(frozen=True, slots=True)
class Closure:
    """Why a calendar is closed at an instant: what the explanation is made of."""

    code: ReasonCode
    local: datetime
    holiday: str | None
    windows: tuple[Window, ...]
    in_window: bool  # the wall clock is inside a window (closed by the buffer or a fold)
    blackout: str | None = None  # the reason of the blackout period it falls in


class Schedule:
    """The zone-independent part of a policy: windows per weekday, holidays, dates."""

    __slots__ = ("blackouts", "buffer", "holiday_windows", "policy",
                 "pre_holiday_windows", "weekday_windows")

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        hours = policy.hours
        self.pre_holiday_windows: tuple[Window, ...] | None = None
        if hours is None:
            self.weekday_windows: tuple[tuple[Window, ...], ...] = (_FULL_DAY,) * 7
            self.holiday_windows: tuple[Window, ...] = ()
        else:
            self.weekday_windows = tuple(_windows(hours.get(key, ())) for key in DAY_KEYS)
            self.holiday_windows = _windows(hours.get("holiday", ()))
            if "pre_holiday" in hours:
                self.pre_holiday_windows = _windows(hours["pre_holiday"])
        self.buffer = policy.end_buffer_delta // timedelta(microseconds=1)
        #: (start, end, reason) in µs, sorted: no call in [start, end).
        self.blackouts: tuple[tuple[int, int, str], ...] = tuple(sorted(
            (_time.to_us(b.start), _time.to_us(b.end), b.reason) for b in policy.blackouts))

    @property
    def has_time_rule(self) -> bool:
        """Whether the policy restricts time at all (otherwise no zone is needed)."""
        return (self.policy.hours is not None
                or self.policy.holidays is not None or bool(self.blackouts))

    def subdivision(self, region: str | None) -> str | None:
        """The holiday subdivision of a consumer's ``region`` (any case), if it is one.

        The one place a region becomes a holiday subdivision: a region that is
        no subdivision of the policy's holiday country adds no holidays.
        """
        rule = self.policy.holidays
        if rule is None or region is None:
            return None
        return _holidays.subdivision_code(rule.country, region)

    def holiday_calendar(self, subdivision: str | None) -> HolidayCalendar | None:
        """The holidays for a consumer in ``subdivision`` (the policy's own too)."""
        rule = self.policy.holidays
        if rule is None:
            return None
        subdivisions = sorted({s for s in (rule.subdivision, subdivision) if s})
        return HolidayCalendar(rule.country, subdivisions, rule.add, rule.remove)

    def windows_on(self, day: date, holiday: str | None, *, eve: bool = False
                   ) -> tuple[Window, ...]:
        """The local windows of ``day``; a day outside the effective dates is all open.

        ``eve``: the next day is a holiday.  Then ``pre_holiday`` hours, when
        the policy has them, replace those of a day that has any (a day closed
        anyway stays closed).
        """
        if not self.policy.in_force_on(day):
            return _FULL_DAY
        if holiday is not None:
            return self.holiday_windows
        windows = self.weekday_windows[day.weekday()]
        if eve and windows and self.pre_holiday_windows is not None:
            return self.pre_holiday_windows
        return windows


def _first_open(table: _Table, t: int) -> int | None:
    """The first open instant of one year's table at or after ``t``, if any."""
    lo, _hi, starts, ends = table
    probe = max(t, lo)
    i = bisect_right(starts, probe) - 1
    if i >= 0 and probe < ends[i]:
        return probe
    return starts[i + 1] if i + 1 < len(starts) else None


def _windows(texts: tuple[str, ...] | list[str]) -> tuple[Window, ...]:
    return tuple(sorted(parse_window(text) for text in texts))


class ZoneCalendar:
    """One schedule in one zone with one holiday calendar: open intervals by year."""

    __slots__ = ("_current", "_lock", "_tables", "holidays", "schedule", "tz", "zone_name")

    def __init__(self, schedule: Schedule, zone_name: str,
                 holidays: HolidayCalendar | None) -> None:
        self.schedule = schedule
        self.zone_name = zone_name
        self.tz: ZoneInfo = _time.zone(zone_name)
        self.holidays = holidays
        self._tables: dict[int, _Table] = {}
        self._lock = threading.Lock()
        self._current: _Table = (0, 0, (), ())  # the first query loads its year

    def is_open(self, t: int) -> bool:
        """Whether the calendar allows a call at ``t`` (µs)."""
        lo, hi, starts, ends = self._current
        if not lo <= t < hi:
            lo, hi, starts, ends = self._current = self._table_at(t)
        i = bisect_right(starts, t) - 1
        return i >= 0 and t < ends[i]

    def next_open(self, t: int) -> int | None:
        """The first instant at or after ``t`` that is open; ``None`` if none is near."""
        current = self._current
        if current[0] <= t < current[1]:
            found = _first_open(current, t)
            if found is not None:
                return found
        year = _year(t)
        years = SEARCH_YEARS
        lapse = self.lapses_at()
        if lapse is not None:
            years = max(years, _year(lapse) - year)
        for offset in range(min(years, _LAST_YEAR - year) + 1):
            found = _first_open(self._table(year + offset), t)
            if found is not None:
                return found
        return None

    def lapses_at(self) -> int | None:
        """When the policy stops applying here (all is open after), if it ever does."""
        last_day = self.schedule.policy.effective_to
        if last_day is None:
            return None
        next_day = last_day + timedelta(days=1)
        return _time.wall_to_timestamp(self.tz, next_day, 0, later=False) * _US

    def intervals(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The open intervals clipped to ``[start, end)``, in order, merged."""
        year = _year(start)
        last_end = start
        while True:
            lo, _hi, starts, ends = self._table(year)
            if lo >= end:
                return
            for i in range(bisect_right(ends, last_end), len(starts)):
                if starts[i] >= end:
                    return
                s_clip, e_clip = max(starts[i], last_end), min(ends[i], end)
                if s_clip < e_clip:
                    yield s_clip, e_clip
                    last_end = e_clip
            year += 1

    def closure(self, t: int) -> Closure:
        """Explain why the calendar is closed at ``t`` (call only when it is)."""
        local, minute = _time.local_minutes(t, self.tz)
        day = local.date()
        holiday = self._holiday(day)
        windows = self.schedule.windows_on(day, holiday, eve=self._eve(day))
        in_window = any(start <= minute < end for start, end in windows)
        blackout = next((reason for start, end, reason in self.schedule.blackouts
                         if start <= t < end), None)
        if blackout is not None:
            return Closure(ReasonCode.BLACKOUT, local, holiday, windows, in_window=in_window,
                           blackout=blackout)
        if holiday is not None and not in_window:
            code = ReasonCode.HOLIDAY
        elif not windows:
            code = ReasonCode.CLOSED_DAY
        else:
            code = ReasonCode.OUTSIDE_HOURS
        return Closure(code, local, holiday, windows, in_window=in_window)

    def _table_at(self, t: int) -> _Table:
        if not _FIRST_US <= t < _LAST_US:
            raise ValueError(f"{_time.from_us(t).isoformat()} is outside the years "
                             f"{_FIRST_YEAR}-{_LAST_YEAR} that callwindow judges")
        return self._table(_year(t))

    def _table(self, year: int) -> _Table:
        table = self._tables.get(year)
        if table is None:
            with self._lock:
                table = self._tables.get(year)
                if table is None:
                    table = self._tables[year] = self._compile(year)
        return table

    def _compile(self, year: int) -> _Table:
        lo = _time.to_us(datetime(year, 1, 1, tzinfo=UTC))
        hi = _time.to_us(datetime(year + 1, 1, 1, tzinfo=UTC))
        spans: list[tuple[int, int]] = []
        # Local days from two days before to two days after the UTC year cover
        # every offset on Earth (-12h..+14h) plus a window ending at 24:00.
        day = date(year, 1, 1) - timedelta(days=2)
        last = date(year, 12, 31) + timedelta(days=2)
        while day <= last:
            holiday = self._holiday(day)
            spans += (self._instants(day, start, end)
                      for start, end in self.schedule.windows_on(day, holiday,
                                                                 eve=self._eve(day)))
            day += timedelta(days=1)
        buffer = self.schedule.buffer
        kept = [(s, e - buffer) for s, e in merge(spans) if e - buffer > s and e > lo and s < hi]
        kept = subtract(kept, merge((s, e) for s, e, _ in self.schedule.blackouts))
        return (lo, hi, tuple(s for s, _ in kept), tuple(e for _, e in kept))

    def _holiday(self, day: date) -> str | None:
        return self.holidays.name_of(day) if self.holidays is not None else None

    def _eve(self, day: date) -> bool:
        """Whether ``day`` is the day before a holiday (and pre-holiday hours exist)."""
        return (self.schedule.pre_holiday_windows is not None
                and self._holiday(day + timedelta(days=1)) is not None)

    def _instants(self, day: date, start: int, end: int) -> tuple[int, int]:
        s = _time.wall_to_timestamp(self.tz, day, start, later=True)
        e = _time.wall_to_timestamp(self.tz, day, end, later=False)
        if e <= s:
            # Both ends inside one repeated hour: the later reading of the
            # whole window, the one after which the clocks stay put.
            e = _time.wall_to_timestamp(self.tz, day, end, later=True)
        return s * _US, e * _US


def _year(t: int) -> int:
    """The UTC year of ``t`` (µs)."""
    return _time.from_us(t).year
