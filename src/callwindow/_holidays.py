"""Adapter over the ``holidays`` package: validated codes and frozen per-year caches.

``holidays`` objects fill themselves lazily and mutate when read (asking for a
date in a new year adds that year), so they are never shared: each
(country, subdivision, year) is computed once into an immutable mapping.
Only public holidays are used (the package's default category), never
observances such as Valentine's Day.

A policy adds days the package lacks as dates, yearly days (``MM-DD``) or
*moving-day rules*, so that no list of dates runs out: ``easter-2`` (Good
Friday), ``first monday of august``, ``tuesday after first monday of november``.
The grammar is in ``parse_moving_day`` and docs/policies.md.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import cast

import holidays as _holidays_pkg
from dateutil.easter import easter as _easter_sunday
from holidays.holiday_base import HolidayBase
from holidays.registry import COUNTRIES, IMPORT_LOCK, EntityLoader

__all__ = ["HolidayCalendar", "MovingDay", "check_country", "parse_moving_day",
           "public_holidays", "subdivision_code"]

_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_EASTER = re.compile(r"^easter(?:([+-])(\d+))?$")
_MAX_OFFSET = 366
# Only ordinals every month has: a "fifth Monday" is missing in most months, and
# a rule that silently yields no date in some years is what rules are here to end.
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
             "fourth": 4, "4th": 4, "last": -1}
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                  "sunday")
_WEEKDAYS = {**{name: i for i, name in enumerate(_WEEKDAY_NAMES)},
             **{name[:3]: i for i, name in enumerate(_WEEKDAY_NAMES)}}
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_MONTHS = {**{name: i for i, name in enumerate(_MONTH_NAMES, 1)},
           **{name[:3]: i for i, name in enumerate(_MONTH_NAMES, 1)}}


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    # From the package's registry: list_supported_countries() loads every
    # country's class to read its subdivisions, and only one country's are needed.
    return frozenset(EntityLoader.get_country_codes())


@lru_cache(maxsize=1)
def _modules() -> Mapping[str, str]:
    """Each country code (and alias) of the registry -> the module that defines it."""
    return {code: module for module, entities in COUNTRIES.items() for code in entities}


@lru_cache(maxsize=512)
def _country_class(country: str) -> type[HolidayBase]:
    """The ``holidays`` class of ``country``, importing its own module only.

    ``holidays.country_holidays`` imports ``holidays.countries``, whose
    ``__init__`` imports all ~250 country modules (vacanza/holidays#998): 60 ms
    of a one-country process's start-up.  Until the package imports its
    countries lazily, a country's module is loaded from its file under a
    private name, so the package's own ``holidays.countries`` stays untouched
    for whoever imports it.  A module that imports another country (Guadeloupe
    extends France) still pulls in the whole package, and once it is imported
    its modules are used.
    """
    module = _modules()[country]
    with IMPORT_LOCK:  # the package's own lock for loading its countries
        if "holidays.countries" in sys.modules:
            loaded = importlib.import_module(f"holidays.countries.{module}")
        else:
            loaded = _load_alone(module)
    return cast("type[HolidayBase]", getattr(loaded, country))


def _load_alone(module: str) -> ModuleType:
    name = f"{__name__}.countries.{module}"
    if name in sys.modules:
        return sys.modules[name]
    path = Path(_holidays_pkg.__file__ or "").with_name("countries") / f"{module}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a broken install
        raise ImportError(f"cannot load holidays.countries.{module} from {path}")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    try:
        spec.loader.exec_module(loaded)
    except BaseException:
        del sys.modules[name]
        raise
    return loaded


@lru_cache(maxsize=512)
def _subdivisions(country: str) -> frozenset[str]:
    if country not in _countries():
        return frozenset()
    return frozenset(_country_class(country).subdivisions)


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
    calendar = _country_class(country)(subdiv=subdivision, years=year)
    return MappingProxyType(dict(calendar.items()))


@dataclass(frozen=True, slots=True)
class _Easter:
    offset: int

    def on(self, year: int) -> date:
        # Western (Gregorian) Easter, dateutil's default method: the date the
        # holidays package itself uses for Good Friday and Easter Monday.
        return _easter_sunday(year) + timedelta(days=self.offset)


@dataclass(frozen=True, slots=True)
class _NthWeekday:
    nth: int  # 1-4, or -1 for the last
    weekday: int  # Monday is 0
    month: int

    def on(self, year: int) -> date:
        if self.nth > 0:
            first = date(year, self.month, 1)
            return first + timedelta(days=(self.weekday - first.weekday()) % 7
                                     + 7 * (self.nth - 1))
        following = date(year + self.month // 12, self.month % 12 + 1, 1)
        last = following - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - self.weekday) % 7)


@dataclass(frozen=True, slots=True)
class _MonthDay:
    month: int
    day: int

    def on(self, year: int) -> date:
        return date(year, self.month, self.day)


@dataclass(frozen=True, slots=True)
class _After:
    nth: int  # 1-4
    weekday: int
    anchor: _Easter | _NthWeekday | _MonthDay

    def on(self, year: int) -> date:
        start = self.anchor.on(year)
        ahead = (self.weekday - start.weekday() - 1) % 7 + 1  # strictly after
        return start + timedelta(days=ahead + 7 * (self.nth - 1))


@dataclass(frozen=True, slots=True)
class MovingDay:
    """A day that moves from year to year, parsed from its rule (``easter-2``)."""

    text: str
    rule: _Easter | _NthWeekday | _After

    def dates_in(self, year: int) -> tuple[date, ...]:
        """The days the rule gives in ``year`` (one for every rule the grammar allows).

        Offsets may cross a new year (``easter+300``), so the rule is also
        applied to the years either side and kept where it lands in ``year``.
        """
        found = []
        for base in (year - 1, year, year + 1):
            try:
                day = self.rule.on(base)
            except (ValueError, OverflowError):  # beyond the years date can hold
                continue
            if day.year == year:
                found.append(day)
        return tuple(found)


@lru_cache(maxsize=1024)
def parse_moving_day(text: str) -> MovingDay:
    """Parse a moving-day rule; a ``ValueError`` names the rule and the bad word.

    The grammar (case-insensitive; weekdays and months in full or by their
    first three letters)::

        easter              Easter Sunday (Western)
        easter+N, easter-N  N days after/before it: easter-2 is Good Friday,
                            easter+1 Easter Monday, easter-47 Mardi Gras
        NTH WEEKDAY of MONTH           first monday of august, last monday of may
        [NTH] WEEKDAY after ANCHOR     the (NTH, default first) WEEKDAY strictly
                                       after ANCHOR: tuesday after first monday of
                                       november (US Election Day)
        NTH:    first, second, third, fourth (or 1st..4th), last
        ANCHOR: MM-DD, easter[+-N], or NTH WEEKDAY of MONTH

    A rule must give one day in every year: one that crosses the new year in
    some years (``easter+260``, ``monday after 12-30``) is refused.
    """
    words = text.lower().split()
    if not words:
        raise ValueError("an empty holiday rule")
    if "after" in words:
        at = words.index("after")
        head, anchor_words = words[:at], words[at + 1:]
        if not anchor_words:
            raise ValueError(f"{text!r}: nothing after 'after' (expected MM-DD, "
                             f"easter[+-N] or NTH WEEKDAY of MONTH)")
        if "after" in anchor_words:
            raise ValueError(f"{text!r}: only one 'after' is allowed")
        if len(head) == 1:
            nth, weekday_word = 1, head[0]
        elif len(head) == 2:
            nth, weekday_word = _ordinal(text, head[0], last_allowed=False), head[1]
        else:
            raise ValueError(f"{text!r}: expected [NTH] WEEKDAY before 'after' "
                             f"(e.g. 'tuesday after first monday of november')")
        anchor = _anchor(text, anchor_words)
        return _one_a_year(MovingDay(text, _After(nth, _weekday(text, weekday_word), anchor)))
    rule = _anchor(text, words)
    if isinstance(rule, _MonthDay):
        raise ValueError(f"{text!r}: write a yearly day as MM-DD on its own")
    return _one_a_year(MovingDay(text, rule))


def _one_a_year(day: MovingDay) -> MovingDay:
    # A rule that crosses the new year (easter+260, monday after 12-30) gives
    # two days in some years and none in others: refused.  400 years are a full
    # cycle of the Gregorian calendar's weekdays and hold every date of Easter.
    for year in range(2001, 2401):
        if len(day.dates_in(year)) != 1:
            raise ValueError(f"{day.text!r} does not fall once in every year (in {year} "
                             f"it gives {len(day.dates_in(year))} days): it crosses the "
                             f"new year")
    return day


def _anchor(text: str, words: list[str]) -> _Easter | _NthWeekday | _MonthDay:
    if len(words) == 1:
        word = words[0]
        easter = _EASTER.match(word)
        if easter:
            offset = int(easter[2] or 0) * (-1 if easter[1] == "-" else 1)
            if abs(offset) > _MAX_OFFSET:
                raise ValueError(f"{text!r}: more than {_MAX_OFFSET} days from Easter")
            return _Easter(offset)
        month_day = _MONTH_DAY.match(word)
        if month_day:
            month, dom = int(month_day[1]), int(month_day[2])
            try:
                date(2001, month, dom)  # a common year: 02-29 is no anchor
            except ValueError:
                raise ValueError(f"{text!r}: {word!r} is not a day of every year "
                                 f"(MM-DD)") from None
            return _MonthDay(month, dom)
        if word.startswith("easter"):
            raise ValueError(f"{text!r}: {word!r} is not easter, easter+N or easter-N")
    if len(words) == 4 and words[2] == "of":
        return _NthWeekday(_ordinal(text, words[0], last_allowed=True),
                           _weekday(text, words[1]), _month(text, words[3]))
    raise ValueError(f"{text!r} is not a holiday rule (expected easter[+-N], "
                     f"NTH WEEKDAY of MONTH, or [NTH] WEEKDAY after ANCHOR; "
                     f"see docs/policies.md)")


def _ordinal(text: str, word: str, *, last_allowed: bool) -> int:
    nth = _ORDINALS.get(word)
    if nth is None or (nth < 0 and not last_allowed):
        allowed = "first, second, third, fourth" + (" or last" if last_allowed else "")
        raise ValueError(f"{text!r}: unknown ordinal {word!r} (expected {allowed}; "
                         f"no fifth: not every month has one)")
    return nth


def _weekday(text: str, word: str) -> int:
    return _named(_WEEKDAYS, text, word, "weekday", "monday..sunday or mon..sun")


def _month(text: str, word: str) -> int:
    return _named(_MONTHS, text, word, "month", "january..december or jan..dec")


def _named(table: dict[str, int], text: str, word: str, what: str, expected: str) -> int:
    found = table.get(word)
    if found is None:
        raise ValueError(f"{text!r}: unknown {what} {word!r} (expected {expected})")
    return found


class HolidayCalendar:
    """One policy's holidays: package calendars, plus additions, minus removals.

    ``add`` and ``remove`` take ``date`` objects or ISO strings: ``"2026-12-24"``
    for one day, ``"12-24"`` for that day every year, or a moving-day rule
    (``"easter-2"``, see ``parse_moving_day``).  ``remove`` also takes a
    holiday's name as the package spells it (``"Day After Thanksgiving"``),
    which removes it every year.
    """

    __slots__ = ("_add", "_add_rules", "_add_yearly", "_by_year", "_remove", "_remove_names",
                 "_remove_rules", "_remove_yearly", "_subdivisions", "country")

    def __init__(self, country: str, subdivisions: Iterable[str | None],
                 add: Iterable[date | str] = (), remove: Iterable[date | str] = ()) -> None:
        self.country = country
        self._subdivisions = tuple(subdivisions) or (None,)
        self._add, self._add_yearly, self._add_rules, _ = _split(add, names_allowed=False)
        (self._remove, self._remove_yearly, self._remove_rules,
         self._remove_names) = _split(remove, names_allowed=True)
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
        for rule in self._add_rules:
            for day in rule.dates_in(year):
                days.setdefault(day, f"{rule.text} (holiday added by the policy)")
        for day in self._add:
            if day.year == year:
                days.setdefault(day, "holiday added by the policy")
        removed = {day for rule in self._remove_rules for day in rule.dates_in(year)}
        for day, name in list(days.items()):
            if (day in self._remove or day in removed
                    or (day.month, day.day) in self._remove_yearly
                    or name in self._remove_names):
                del days[day]
        return MappingProxyType(days)


def _split(items: Iterable[date | str], *, names_allowed: bool
           ) -> tuple[frozenset[date], frozenset[tuple[int, int]], tuple[MovingDay, ...],
                      frozenset[str]]:
    dates: set[date] = set()
    yearly: set[tuple[int, int]] = set()
    rules: list[MovingDay] = []
    names: set[str] = set()
    for item in items:
        _, value = parse_holiday_item(item, names_allowed=names_allowed)
        if isinstance(value, date):
            dates.add(value)
        elif isinstance(value, tuple):
            yearly.add(value)
        elif isinstance(value, MovingDay):
            rules.append(value)
        else:
            names.add(value)
    return frozenset(dates), frozenset(yearly), tuple(rules), frozenset(names)


def parse_holiday_item(item: date | str, *, names_allowed: bool
                       ) -> tuple[str, date | tuple[int, int] | MovingDay | str]:
    """Classify one ``add``/``remove`` entry; a ``ValueError`` names a bad one.

    The kinds are ``date``, ``yearly`` (MM-DD), ``rule`` (a moving day) and,
    where ``names_allowed``, ``name``: a text that is no rule is taken as a
    holiday's name there, so a misspelt rule in ``remove`` is reported as an
    unknown name by the policy's check of names.
    """
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
    try:
        return "rule", parse_moving_day(text)
    except ValueError:
        if names_allowed and text and not text[0].isdigit():
            return "name", text
        if any(char.isalpha() for char in text):
            raise
    expected = "a date (YYYY-MM-DD), a yearly day (MM-DD), a holiday rule (easter-2)"
    expected += " or a holiday name" if names_allowed else ""
    raise ValueError(f"{item!r} is not {expected}")
