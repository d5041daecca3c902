"""Adapter over the ``holidays`` package: validated codes and frozen per-year caches.

``holidays`` objects fill themselves lazily and mutate when read (asking for a
date in a new year adds that year), so they are never shared: each
(country, subdivision, year) is computed once into an immutable mapping.
Only public holidays are used (the package's default category), never
observances such as Valentine's Day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType

import holidays as _holidays_pkg
from holidays.registry import EntityLoader

__all__ = ["HolidayCalendar", "check_country", "public_holidays", "subdivision_code"]

_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    # From the package's registry: list_supported_countries() loads every
    # country's class to read its subdivisions, and only one country's are needed.
    return frozenset(EntityLoader.get_country_codes())


@lru_cache(maxsize=512)
def _subdivisions(country: str) -> frozenset[str]:
    if country not in _countries():
        return frozenset()
    return frozenset(getattr(_holidays_pkg, country).subdivisions)


def check_country(country: str, subdivision: str | None = None) -> None:
    """Raise a ``ValueError`` naming the code if the calendar does not exist."""
    if country not in _countries():
        raise ValueError(f"unknown holiday country {country!r} (ISO 3166-1 alpha-2 codes "
                         f"supported by the 'holidays' package, e.g. 'FR', 'US')")
    subdivisions = _subdivisions(country)
    if subdivision is not None and subdivision not in subdivisions:
        known = ", ".join(sorted(subdivisions)[:12]) or "none"
        raise ValueError(f"unknown subdivision {subdivision!r} of {country} "
                         f"(known: {known}{', ...' if len(subdivisions) > 12 else ''})")


def subdivision_code(country: str, region: str) -> str | None:
    """The ``holidays`` code of ``region`` in ``country`` (any case), or ``None``."""
    return _subdivisions_by_upper(country).get(region.upper())


@lru_cache(maxsize=512)
def _subdivisions_by_upper(country: str) -> Mapping[str, str]:
    return MappingProxyType({code.upper(): code for code in _subdivisions(country)})


@lru_cache(maxsize=4096)
def public_holidays(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    """The public holidays of one calendar year, as an immutable date -> name mapping."""
    calendar = _holidays_pkg.country_holidays(country, subdiv=subdivision, years=year)
    return MappingProxyType(dict(calendar.items()))


class HolidayCalendar:
    """One policy's holidays: package calendars, plus additions, minus removals.

    ``add`` and ``remove`` take ``date`` objects or ISO strings: ``"2026-12-24"``
    for one day, ``"12-24"`` for that day every year.  ``remove`` also takes a
    holiday's name as the package spells it (``"Day After Thanksgiving"``),
    which removes it every year.
    """

    __slots__ = ("_add", "_add_yearly", "_by_year", "_remove", "_remove_names",
                 "_remove_yearly", "_subdivisions", "country")

    def __init__(self, country: str, subdivisions: Iterable[str | None],
                 add: Iterable[date | str] = (), remove: Iterable[date | str] = ()) -> None:
        self.country = country
        self._subdivisions = tuple(subdivisions) or (None,)
        self._add, self._add_yearly, _ = _split(add, names_allowed=False)
        self._remove, self._remove_yearly, self._remove_names = _split(remove,
                                                                      names_allowed=True)
        self._by_year: dict[int, Mapping[date, str]] = {}

    def for_year(self, year: int) -> Mapping[date, str]:
        """The holidays of ``year`` (date -> name), computed once."""
        found = self._by_year.get(year)
        if found is None:
            found = self._by_year[year] = self._compute(year)
        return found

    def name_of(self, day: date) -> str | None:
        """The holiday's name if ``day`` is one, else ``None``."""
        return self.for_year(day.year).get(day)

    def _compute(self, year: int) -> Mapping[date, str]:
        days: dict[date, str] = {}
        for subdivision in self._subdivisions:
            for day, name in public_holidays(self.country, subdivision, year).items():
                days.setdefault(day, name)
        for month, dom in self._add_yearly:
            try:
                days.setdefault(date(year, month, dom), "holiday added by the policy")
            except ValueError:  # 02-29 in a common year
                continue
        for day in self._add:
            if day.year == year:
                days.setdefault(day, "holiday added by the policy")
        for day, name in list(days.items()):
            if (day in self._remove or (day.month, day.day) in self._remove_yearly
                    or name in self._remove_names):
                del days[day]
        return MappingProxyType(days)


def _split(items: Iterable[date | str], *, names_allowed: bool
           ) -> tuple[frozenset[date], frozenset[tuple[int, int]], frozenset[str]]:
    dates: set[date] = set()
    yearly: set[tuple[int, int]] = set()
    names: set[str] = set()
    for item in items:
        kind, value = parse_holiday_item(item, names_allowed=names_allowed)
        if kind == "date":
            assert isinstance(value, date)
            dates.add(value)
        elif kind == "yearly":
            assert isinstance(value, tuple)
            yearly.add(value)
        else:
            assert isinstance(value, str)
            names.add(value)
    return frozenset(dates), frozenset(yearly), frozenset(names)


def parse_holiday_item(item: date | str, *, names_allowed: bool
                       ) -> tuple[str, date | tuple[int, int] | str]:
    """Classify one ``add``/``remove`` entry; a ``ValueError`` names a bad one."""
    if isinstance(item, date):
        return "date", item
    text = item.strip()
    match = _MONTH_DAY.match(text)
    if match:
        month, dom = int(match[1]), int(match[2])
        try:
            date(2000, month, dom)  # a leap year, so 02-29 is accepted
        except ValueError:
            raise ValueError(f"{item!r} is not a valid month-day (MM-DD)") from None
        return "yearly", (month, dom)
    try:
        return "date", date.fromisoformat(text)
    except ValueError:
        pass
    if names_allowed and text and not text[0].isdigit():
        return "name", text
    expected = "a date (YYYY-MM-DD), a yearly day (MM-DD)"
    expected += " or a holiday name" if names_allowed else ""
    raise ValueError(f"{item!r} is not {expected}")
