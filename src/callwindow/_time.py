"""The one place that does zone arithmetic: instants, wall clocks, DST gaps and folds.

Everything else in callwindow works on one unit of time: integer
microseconds since the epoch (UTC), exact in a double up to the year 2255, so
the calendar tables, the frequency rules and every ledger agree to the
microsecond.  This module turns datetimes into that unit and back, and a local
wall-clock time into an instant.  Keeping those conversions in one place is
what makes the DST rules of docs/design.md (gaps open at the first valid instant, folds take
the narrower reading) hold everywhere.  The ``Clock`` a shell asks for "now"
lives here too.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, available_timezones

from ._errors import InvalidInputError, NaiveDatetimeError

__all__ = [
    "MAX_SPAN",
    "US",
    "UTC",
    "YEARS",
    "Clock",
    "SystemClock",
    "as_utc",
    "aware",
    "from_timestamp",
    "from_us",
    "in_years",
    "is_zone",
    "local_minutes",
    "parse_instant",
    "span",
    "to_us",
    "wall_to_timestamp",
    "zone",
]

Instant = datetime | str

#: Microseconds per second: the unit of every instant inside callwindow.
US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_floor = math.floor


class Clock(Protocol):
    """Anything with a ``now()`` that returns an aware datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's clock, in UTC."""

    __module__ = "callwindow"

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        return datetime.now(UTC)


def to_us(moment: datetime) -> int:
    """An aware datetime as microseconds since the epoch, exactly.

    ``timestamp()`` is correctly rounded, so times a million is within a
    fraction of the true whole microsecond: rounding recovers it.
    """
    return _floor(moment.timestamp() * US + 0.5)


def from_us(us: int) -> datetime:
    """Microseconds since the epoch as an aware UTC datetime (exact)."""
    return _EPOCH + timedelta(microseconds=us)


#: The years callwindow judges (the zone calendars' tables cover these).
#: Keeping every instant, plus the longest period (100 years) and the
#: two-year search horizon, inside datetime's years 1-9999 means no date
#: arithmetic can overflow later.
YEARS = range(1900, 9001)

#: The longest span ``Engine.windows`` lists: a calendar of a few years is
#: what a dialer or a person asks for; more is a mistake that would run long.
MAX_SPAN = timedelta(days=5 * 366)

# Names the tz database holds that are not zones to call by: the machine's own
# zone under a generic name, and the template of POSIX rules.
_NOT_ZONES = frozenset({"localtime", "posixrules"})


@cache
def _zone_names() -> frozenset[str]:
    # The names, not the files: ZoneInfo("America") opens a folder
    # (IsADirectoryError) and ZoneInfo("localtime") silently means this server.
    return frozenset(available_timezones()) - _NOT_ZONES


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name``; a ``ValueError`` names it if it is not one.

    Only names of the tz database's zones are accepted (``Europe/Paris``,
    ``UTC``): never a folder of zones (``America``), nor ``localtime`` or
    ``posixrules``, which would mean whatever zone the server runs in.
    """
    if not isinstance(name, str) or name not in _zone_names():
        raise ValueError(_not_a_zone(name))
    return ZoneInfo(name)


def _not_a_zone(name: object) -> str:
    shown = repr(name)[:80]
    if isinstance(name, str):
        prefix = name.rstrip("/") + "/"
        if any(known.startswith(prefix) for known in _zone_names()):
            return (f"{shown} is a group of time zones, not a zone (name one, such as "
                    f"{min(k for k in _zone_names() if k.startswith(prefix))!r})")
        if name in _NOT_ZONES:
            return (f"{shown} means whatever zone this server runs in; name the "
                    f"consumer's IANA zone, such as 'Europe/Paris'")
    return f"unknown time zone {shown} (expected an IANA name such as 'Europe/Paris')"


def is_zone(name: str) -> bool:
    """Whether ``name`` is a time zone this machine's tz database knows."""
    try:
        zone(name)
    except ValueError:
        return False
    return True


def aware(value: datetime, field: str = "at") -> datetime:
    """``value`` itself if it is aware and within ``YEARS``; an error naming ``field`` if not.

    Raises:
        NaiveDatetimeError: ``value`` has no UTC offset.
        InvalidInputError: ``value`` is outside the years callwindow judges.
    """
    if value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{field}: {value.isoformat()!r} has no UTC offset; pass an aware datetime "
            f"(e.g. with tzinfo=ZoneInfo('Europe/Paris')) or an ISO string with an offset",
            field=field,
        )
    return in_years(value, field)


def in_years(value: datetime, field: str = "at") -> datetime:
    """``value`` itself if its year is one of ``YEARS``; an ``InvalidInputError`` if not.

    The engine's fast path for datetimes it knows to be aware calls this alone.
    """
    if value.year not in YEARS:
        raise InvalidInputError(
            f"{field}: {value.isoformat()!r} is outside the years callwindow judges "
            f"({YEARS.start}-{YEARS.stop - 1})", field=field)
    return value


def span(start: datetime, end: datetime, field: str = "end") -> None:
    """Refuse a span longer than ``MAX_SPAN`` (``Engine.windows``), naming ``field``."""
    if end - start > MAX_SPAN:
        raise InvalidInputError(
            f"{field}: {start.isoformat()} to {end.isoformat()} is longer than "
            f"{MAX_SPAN.days} days; ask for the windows a few years at a time", field=field)


def as_utc(value: datetime, field: str = "at") -> datetime:
    """An aware datetime as a plain stdlib ``datetime`` in UTC (pendulum accepted)."""
    if value.tzinfo is UTC and type(value) is datetime:
        return value
    utc = aware(value, field).astimezone(UTC)
    if type(utc) is not datetime:  # pendulum and other subclasses: keep our output plain
        utc = datetime(utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second,
                       utc.microsecond, tzinfo=UTC)
    return utc


def parse_instant(value: Instant, field: str = "at") -> datetime:
    """An aware datetime or an ISO-8601 string with an offset, as an aware datetime.

    Raises:
        NaiveDatetimeError: the value has no offset.
        ValueError: the string is not ISO-8601, or the value is not a datetime.
    """
    if isinstance(value, datetime):
        return aware(value, field)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInputError(f"{field}: {value[:200]!r} is not an ISO-8601 date-time",
                                    field=field) from None
        return aware(parsed, field)
    raise TypeError(f"{field}: expected an aware datetime or an ISO-8601 string, "
                    f"got {type(value).__name__}")


def from_timestamp(ts: float) -> datetime:
    """A POSIX timestamp as an aware UTC datetime."""
    return datetime.fromtimestamp(ts, UTC)


def local_minutes(t: int, tz: ZoneInfo) -> tuple[datetime, int]:
    """The local datetime at ``t`` (µs) in ``tz`` and its minute of the day."""
    local = from_us(t).astimezone(tz)
    return local, local.hour * 60 + local.minute


def wall_to_timestamp(tz: ZoneInfo, day: date, minute: int, *, later: bool) -> int:
    """The instant at which the wall clock of ``tz`` reads ``minute`` on ``day``.

    ``minute`` runs from 0 to 1440 (1440 is 24:00, the next day's midnight).

    - A wall time that does not exist (in a DST gap) maps to the first instant
      whose wall clock reads at or after it: the transition itself.
    - A wall time that exists twice (in a fold) maps to the earlier reading,
      or to the later one when ``later`` is true.  Window starts ask for the
      later reading and ends for the earlier one, so a window is never wider
      than its wall-clock text.
    """
    naive = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
    first = int(naive.replace(tzinfo=tz, fold=0).timestamp())
    second = int(naive.replace(tzinfo=tz, fold=1).timestamp())
    if first == second:
        return first
    early, late = min(first, second), max(first, second)
    early_ok = _reads(early, tz) == naive
    late_ok = _reads(late, tz) == naive
    if early_ok and late_ok:
        return late if later else early
    if early_ok or late_ok:  # only one reading round-trips: not a real fold
        return early if early_ok else late
    return _first_instant_reading_at_least(naive, tz, early, late)


def _reads(ts: int, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(ts, tz).replace(tzinfo=None)


def _first_instant_reading_at_least(naive: datetime, tz: ZoneInfo, lo: int, hi: int) -> int:
    # In a gap the two fold readings bracket the transition: at ``lo`` the wall
    # clock reads before ``naive``, at ``hi`` after it.  Bisect on whole seconds
    # (transitions fall on whole seconds) for the first instant reading >= naive.
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _reads(mid, tz) >= naive:
            hi = mid
        else:
            lo = mid
    return hi
