"""The one place that does zone arithmetic: instants, wall clocks, DST gaps and folds.

Everything else in callwindow works on POSIX timestamps (seconds, UTC) and
asks this module to turn a local wall-clock time into an instant.  Keeping
that conversion in one place is what makes the DST rules of docs/design.md
(gaps open at the first valid instant, folds take the narrower reading)
hold everywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._errors import NaiveDatetimeError

__all__ = [
    "UTC",
    "as_utc",
    "aware",
    "from_timestamp",
    "is_zone",
    "local_minutes",
    "parse_instant",
    "wall_to_timestamp",
    "zone",
]

Instant = datetime | str


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name``; a ``ValueError`` names it if it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {name!r} (expected an IANA name such as "
                         f"'Europe/Paris')") from None


def is_zone(name: str) -> bool:
    """Whether ``name`` is a time zone this machine's tz database knows."""
    try:
        zone(name)
    except ValueError:
        return False
    return True


def aware(value: datetime, field: str = "at") -> datetime:
    """``value`` itself if it is aware; a ``NaiveDatetimeError`` naming it if not."""
    if value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{field}: {value.isoformat()!r} has no UTC offset; pass an aware datetime "
            f"(e.g. with tzinfo=ZoneInfo('Europe/Paris')) or an ISO string with an offset"
        )
    return value


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
            raise ValueError(f"{field}: {value!r} is not an ISO-8601 date-time") from None
        return aware(parsed, field)
    raise TypeError(f"{field}: expected an aware datetime or an ISO-8601 string, "
                    f"got {type(value).__name__}")


def from_timestamp(ts: float) -> datetime:
    """A POSIX timestamp as an aware UTC datetime."""
    return datetime.fromtimestamp(ts, UTC)


def local_minutes(ts: float, tz: ZoneInfo) -> tuple[datetime, int]:
    """The local datetime at ``ts`` in ``tz`` and its minute of the day."""
    local = datetime.fromtimestamp(ts, tz)
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
