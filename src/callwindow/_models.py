"""The validated edge of the library: policies and consumers (pydantic, frozen).

Pydantic checks what comes in (policy files, constructor arguments) and names
the field and value that are wrong.  The engine compiles a validated policy
once into plain tuples and integers, so nothing here runs on the hot path.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import reprlib
import stat
import tomllib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, Self, TypeVar, overload

import pendulum
import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SerializationInfo,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import _holidays, _time, _zones
from ._enums import Outcome
from ._errors import ConsumerError, PolicyError
from ._keys import LedgerKeys

__all__ = ["AppliesTo", "Blackout", "Consumer", "CooldownRule", "DoNotCallRule", "HolidayRule",
           "LimitRule", "Policy"]

# Bounds on what comes in, so that nothing hostile or mistaken runs long,
# eats memory or overflows later, and every ledger backend agrees on it.
#: The largest policy file read, in bytes (the largest preset is under 4 kB).
MAX_POLICY_BYTES = 1_000_000
#: How deeply lists and mappings may nest (a policy needs about ten levels).
MAX_DEPTH = 32
#: How many values (scalars, lists, mappings) a policy may hold once YAML
#: aliases are expanded: a 376-byte "billion laughs" holds 10**9.
MAX_VALUES = 10_000
#: The largest ``max_attempts``: far beyond any law, well inside a 64-bit count.
MAX_ATTEMPTS = 1_000_000
#: The longest ``period`` of a limit or cooldown (no period: a permanent cooldown).
MAX_PERIOD = timedelta(days=36_525)  # 100 years
#: The longest ``end_buffer``: a window is at most a day long.
MAX_END_BUFFER = timedelta(days=1)
#: The most windows one day key may list.
MAX_WINDOWS_PER_DAY = 48

_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 200
_SHOWN.maxlist = _SHOWN.maxtuple = _SHOWN.maxdict = _SHOWN.maxset = 6
_SHOWN.maxlevel = 3


def shown(value: object) -> str:
    """``repr(value)`` cut to about 200 characters, in bounded time whatever its size."""
    text = _SHOWN.repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


class _FieldPathError(ValueError):
    """A problem deeper than the field pydantic reports: ``path`` continues its location."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message

DAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_WINDOW = re.compile(r"^([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})$")
_PER = re.compile(r"^(consumer|phone|tag:[A-Za-z0-9_.-]+)$")


def parse_window(text: str) -> tuple[int, int]:
    """``"HH:MM-HH:MM"`` as (start, end) minutes of the day; end may be 24:00."""
    match = _WINDOW.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{shown(text)} is not a window of the form 'HH:MM-HH:MM'")
    sh, sm, eh, em = (int(part) for part in match.groups())
    for hour, minute, end in ((sh, sm, False), (eh, em, True)):
        if minute > 59:
            raise ValueError(f"{shown(text)}: minute {minute:02d} is out of range (00-59)")
        if hour > 24 or (hour == 24 and (minute or not end)):
            bad = f"{hour:02d}:{minute:02d}"
            raise ValueError(f"{shown(text)}: {bad} is not a time of day "
                             f"(00:00-23:59; 24:00 only as an end)")
    start, end_minute = sh * 60 + sm, eh * 60 + em
    if end_minute <= start:
        raise ValueError(f"{shown(text)}: the end is not after the start")
    return start, end_minute


def parse_duration(text: str, *, fixed: bool) -> pendulum.Duration:
    """An ISO-8601 duration; ``fixed`` refuses years and months (no fixed length).

    A duration too long for any date arithmetic (``P99999999999D``) is a
    ``ValueError`` here rather than an ``OverflowError`` later.
    """
    if not isinstance(text, str) or not text.startswith("P"):
        raise ValueError(f"{shown(text)} is not an ISO-8601 duration (e.g. 'PT15M', 'P30D')")
    try:
        parsed = pendulum.parse(text)
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        raise ValueError(f"{shown(text)} is not an ISO-8601 duration (e.g. 'PT15M', 'P30D')"
                         ) from None
    except OverflowError:
        raise ValueError(f"{shown(text)} is longer than any date arithmetic can hold"
                         ) from None
    if not isinstance(parsed, pendulum.Duration):
        raise ValueError(f"{shown(text)} is not an ISO-8601 duration (e.g. 'PT15M', 'P30D')")
    if fixed and (parsed.years or parsed.months):
        raise ValueError(f"{shown(text)}: years and months have no fixed length here; "
                         f"use days, hours or minutes")
    if parsed.total_seconds() < 0:
        raise ValueError(f"{shown(text)} is negative")
    return parsed


def bounded_duration(text: str, longest: timedelta, what: str) -> pendulum.Duration:
    """``parse_duration(text, fixed=True)``, refusing one longer than ``longest``.

    ``what`` names the value in the message ("a period").
    """
    duration = parse_duration(text, fixed=True)
    if duration.total_seconds() > longest.total_seconds():
        raise ValueError(f"{shown(text)}: {what} is at most {_iso_days(longest)}")
    return duration


def _iso_days(delta: timedelta) -> str:
    years = f", about {delta.days // 365} years" if delta.days >= 730 else ""
    return f"{delta.days} day{'s' if delta.days > 1 else ''} ('P{delta.days}D'{years})"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _holiday_to_add(item: object) -> object:
    return _holiday_item(item, names_allowed=False)


def _holiday_to_remove(item: object) -> object:
    return _holiday_item(item, names_allowed=True)


def _holiday_item(item: object, *, names_allowed: bool) -> object:
    # Checked one by one, so that an error's path names the entry (holidays.add.3);
    # "2026-12-24" from JSON and an unquoted YAML date must compare equal.
    if isinstance(item, datetime) or not isinstance(item, date | str):
        raise ValueError(f"{item!r} is not a date (YYYY-MM-DD), a yearly day (MM-DD) "
                         f"or a holiday rule (e.g. 'easter-2')")
    kind, value = _holidays.parse_holiday_item(item, names_allowed=names_allowed)
    return value if kind == "date" else item


class HolidayRule(_Frozen):
    """Which days are holidays: a ``holidays`` calendar, plus and minus named days.

    ``add`` and ``remove`` take dates, yearly days (``MM-DD``) and moving-day
    rules (``easter-2``, ``first monday of august``, ``tuesday after first
    monday of november``; the grammar is in docs/policies.md), so that a
    moving holiday never needs a list of dates that runs out.
    """

    country: str
    subdivision: str | None = None
    add: tuple[Annotated[date | str, BeforeValidator(_holiday_to_add)], ...] = ()
    remove: tuple[Annotated[date | str, BeforeValidator(_holiday_to_remove)], ...] = ()

    @field_validator("country", mode="before")
    @classmethod
    def _country_is_text(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError(f"got the boolean {str(value).lower()}: quote the country "
                             f"code (YAML 1.1 reads a bare NO as false)")
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_calendar(self) -> Self:
        try:
            _holidays.check_country(self.country)
        except ValueError as error:
            raise _FieldPathError(("country",), str(error)) from None
        try:
            _holidays.check_country(self.country, self.subdivision)
        except ValueError as error:
            raise _FieldPathError(("subdivision",), str(error)) from None
        unknown = {item for item in self.remove if isinstance(item, str)
                   and _holidays.parse_holiday_item(item, names_allowed=True)[0] == "name"}
        if unknown:
            for year in range(2020, 2036):  # stops at the first year naming them all
                unknown -= set(_holidays.public_holidays(self.country, self.subdivision,
                                                         year).values())
                if not unknown:
                    break
            else:
                index = next(i for i, item in enumerate(self.remove) if item in unknown)
                raise _FieldPathError(("remove", index),
                                      f"{shown(self.remove[index])} is not a holiday name of "
                                      f"{self.country} in 2020-2035")
        return self


def _scopes(value: object) -> object:
    items = (value,) if isinstance(value, str) else value
    if isinstance(items, list | tuple):
        if not items:
            raise ValueError("name at least one scope: 'consumer', 'phone' or 'tag:<name>'")
        for item in items:
            if not isinstance(item, str) or not _PER.match(item):
                raise ValueError(f"{item!r} is not 'consumer', 'phone' or 'tag:<name>'")
        if len(set(items)) != len(items):
            raise ValueError(f"{list(items)!r} names a scope twice")
    return items


def _period(value: str, window: str) -> str:
    duration = bounded_duration(value, MAX_PERIOD, "a period")
    seconds = duration.total_seconds()
    if seconds <= 0:
        raise ValueError(f"{shown(value)}: a period must be longer than zero")
    if seconds != int(seconds):
        raise ValueError(f"{shown(value)}: a period is a whole number of seconds")
    if window == "calendar_days" and duration.total_seconds() % 86400:
        raise ValueError(f"{shown(value)}: a calendar_days period is a whole number of days "
                         f"(e.g. 'P7D')")
    return value


class LimitRule(_Frozen):
    """At most ``max_attempts`` attempts in any ``period``, per consumer, phone or tag.

    ``per`` lists the scopes that together make one count: ``[consumer]``
    (the default), ``[phone]`` (the E.164 number, however it was written),
    ``[consumer, "tag:debt"]`` (Regulation F: per person per debt).  ``counts``
    lists the outcomes that count (``null``: every attempt); an attempt whose
    outcome is still ``pending`` always counts, since it may become one that
    does.  ``window`` is ``rolling`` (any ``period`` of clock time) or
    ``calendar_days`` (whole local dates, today being day 1: "7 times within 7
    consecutive days").
    """

    # ``window`` comes first so that the check of ``period`` can read it.
    window: Literal["rolling", "calendar_days"] = "rolling"
    max_attempts: Annotated[int, Field(gt=0, le=MAX_ATTEMPTS)]
    period: str
    per: tuple[str, ...] = ("consumer",)
    counts: tuple[Outcome, ...] | None = None

    _check_per = field_validator("per", mode="before")(_scopes)

    @field_validator("period")
    @classmethod
    def _check_period(cls, value: str, info: ValidationInfo) -> str:
        return _period(value, info.data.get("window", "rolling"))

    @cached_property
    def period_seconds(self) -> int:
        """``period`` in whole seconds."""
        return int(parse_duration(self.period, fixed=True).total_seconds())


class CooldownRule(_Frozen):
    """No attempt for ``period`` after an attempt that ended in one of ``after``.

    No ``period``: never again (an opt-out).  ``per`` and ``window`` work as in
    ``LimitRule``.  With ``calendar_days``, ``day_one`` says which local date
    is the first of the period: ``event`` (the date of the refusal or
    conversation, as Regulation F counts) or ``next_day`` (the period starts the
    day after, as "60 full days from the refusal" counts).
    """

    window: Literal["rolling", "calendar_days"] = "rolling"
    day_one: Literal["event", "next_day"] = "event"
    after: tuple[Outcome, ...] = Field(min_length=1)
    period: str | None = None
    per: tuple[str, ...] = ("consumer",)

    _check_per = field_validator("per", mode="before")(_scopes)

    @field_validator("after")
    @classmethod
    def _check_after(cls, value: tuple[Outcome, ...]) -> tuple[Outcome, ...]:
        if Outcome.PENDING in value:
            raise ValueError("'pending' is not how an attempt ends")
        return value

    @field_validator("period")
    @classmethod
    def _check_period(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else _period(value, info.data.get("window", "rolling"))

    @model_validator(mode="after")
    def _day_one_needs_dates(self) -> Self:
        if self.day_one != "event" and self.window != "calendar_days":
            raise ValueError("day_one: only a calendar_days window has a first day")
        return self

    @cached_property
    def period_seconds(self) -> int | None:
        """``period`` in whole seconds; ``None`` for a permanent cooldown."""
        if self.period is None:
            return None
        return int(parse_duration(self.period, fixed=True).total_seconds())


class DoNotCallRule(_Frozen):
    """The law's do-not-call registry: scrub against ``registry``, obtained within ``max_age``.

    The engine refuses every call the policy governs when it holds no
    ``SuppressionList`` of ``registry`` obtained within ``max_age`` of the
    instant judged (no ``max_age``: a list of any date will do), and a call to
    a number on the list.  ``consent_exempts``: a consumer's consent lets a
    listed number be called, where the law says so.
    """

    registry: str = Field(min_length=1, max_length=64)
    max_age: str | None = None
    consent_exempts: bool = False

    @field_validator("max_age")
    @classmethod
    def _check_max_age(cls, value: str | None) -> str | None:
        if value is not None and parse_duration(value, fixed=True).total_seconds() <= 0:
            raise ValueError(f"{value!r}: a max_age must be longer than zero")
        return value

    @cached_property
    def max_age_delta(self) -> timedelta | None:
        """``max_age`` as a ``timedelta``; ``None`` when any date will do."""
        if self.max_age is None:
            return None
        return timedelta(seconds=parse_duration(self.max_age, fixed=True).total_seconds())


Confidence = Literal["confirmed-from-official-text", "from-secondary-source", "unconfirmed"]
Scope = Literal["telemarketing", "telemarketing_automated", "debt_collection", "survey",
                "informational"]


class AppliesTo(_Frozen):
    """Whom a policy governs; a consumer it does not reach is not judged by it.

    ``country`` (ISO 3166-1 alpha-2) alone: every consumer who may be in that
    country (by their address, phone number or zones).  With ``regions``
    (codes of ``country``: US states, Canadian provinces), only consumers
    whose ``region`` (their address) is one of them, or, with ``by_phone``,
    whose number's area code belongs to one (the area-code presumption of
    Florida, Oklahoma, Connecticut...).  A US territory (``PR``, ``GU``, ``VI``,
    ``AS``, ``MP``) is both a country of its own and a region of ``US``.
    """

    country: str
    regions: tuple[str, ...] = ()
    by_phone: bool = False

    @field_validator("country")
    @classmethod
    def _upper_country(cls, value: str) -> str:
        return value.upper()

    @field_validator("regions")
    @classmethod
    def _upper_regions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(region.upper() for region in value)

    def includes(self, consumer: Consumer) -> bool:
        """Whether ``consumer`` is one this policy applies to.

        A region of an unknown country counts (``WA`` may be Washington or
        Western Australia): applying one more rule is the safe side.
        """
        if not self.regions:
            return self.country in consumer.countries
        if consumer.region in self.regions and self.country in consumer.region_countries:
            return True
        if self.country == "US" and any(place in self.regions for place in consumer.countries):
            return True  # a US territory known by its number, zone or country code
        return self.by_phone and any(region in self.regions
                                     for region in consumer.phone_regions)


class Blackout(_Frozen):
    """A period in which no call is allowed (a declared state of emergency)."""

    start: datetime
    end: datetime
    reason: str = Field(min_length=1)

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime, info: ValidationInfo) -> datetime:
        return _time.aware(value, str(info.field_name))

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError(f"end {self.end.isoformat()} is not after start "
                             f"{self.start.isoformat()}")
        return self


class Policy(_Frozen):
    """A rule set: allowed hours per day, holidays, limits, and where it comes from.

    Build one with ``Policy.model_validate(dict)``, ``Policy(**fields)`` or
    ``Policy.from_file(path)``.  Anything invalid raises ``PolicyError`` naming
    every bad field and value.  See docs/policies.md for the schema.
    """

    id: str = Field(min_length=1)
    name: str | None = None
    source: str | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    timezone: str | None = None
    hours: dict[str, tuple[str, ...]] | None = None
    end_buffer: str = "PT0M"
    holidays: HolidayRule | None = None
    limits: tuple[LimitRule, ...] = ()
    cooldowns: tuple[CooldownRule, ...] = ()
    requires_consent: bool = False
    consent_valid_for: str | None = None
    do_not_call: DoNotCallRule | None = None
    blackouts: tuple[Blackout, ...] = ()
    applies_to: AppliesTo | None = None
    stack: tuple[Policy, ...] = ()
    confidence: Confidence | None = None
    scope: tuple[Scope, ...] = ()
    notes: str | None = None

    def __init__(self, **data: Any) -> None:
        _check_shape(data, PolicyError, "policy")
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise _invalid(error, data, PolicyError, "policy") from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a mapping (as read from YAML, TOML or JSON) into a ``Policy``."""
        _check_shape(obj, PolicyError, "policy")
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as error:
            raise _invalid(error, obj, PolicyError, "policy") from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, *args: Any,
                            **kwargs: Any) -> Self:
        """Validate a JSON document into a ``Policy``."""
        return cls.model_validate(_parse("policy", ".json", json_data), *args, **kwargs)

    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        """Read a policy from a ``.yaml``/``.yml``, ``.toml`` or ``.json`` file.

        The file's name is part of any error.  Hostile or mistaken files are
        refused in bounded time: only a regular file of at most
        ``MAX_POLICY_BYTES`` of UTF-8 (never a device or a pipe), nested at
        most ``MAX_DEPTH`` deep, at most ``MAX_VALUES`` values once YAML
        aliases are expanded, no key twice in one mapping.  YAML is read with
        the safe loader.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".yaml", ".yml", ".toml", ".json"):
            raise PolicyError(f"{path}: unknown policy file type {shown(suffix)} "
                              f"(use .yaml, .yml, .toml or .json)")
        data = read_document(path)
        if data is None:
            raise PolicyError(f"{path}: the file is empty; a policy file holds one mapping "
                              f"of keys, at least 'id'")
        if not isinstance(data, Mapping):
            raise PolicyError(f"{path}: a policy file holds one mapping of keys, "
                              f"not {_kind(data)}")
        try:
            return cls.model_validate(data)
        except PolicyError as error:
            problems = tuple((field, message) if field else ("", f"{path}: {message}")
                             for field, message in error.problems)
            raise PolicyError(f"{path}: {error}", problems) from None

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        if value is not None:
            _time.zone(value)
        return value

    @field_validator("hours", mode="before")
    @classmethod
    def _check_day_keys(cls, value: object) -> object:
        if isinstance(value, Mapping):
            for key in value:
                if key not in (*DAY_KEYS, "holiday", "pre_holiday"):
                    raise _FieldPathError((shown(key) if not isinstance(key, str) else key[:200],),
                              f"unknown day key {shown(key)} (expected mon, tue, wed, thu, "
                              f"fri, sat, sun, holiday or pre_holiday)")
            return {key: [items] if isinstance(items, str) else items
                    for key, items in value.items()}
        return value

    @field_validator("hours")
    @classmethod
    def _check_windows(cls, value: dict[str, tuple[str, ...]] | None
                       ) -> dict[str, tuple[str, ...]] | None:
        if value is None:
            return None
        for key, windows in value.items():
            if len(windows) > MAX_WINDOWS_PER_DAY:
                raise _FieldPathError((key,), f"{len(windows)} windows in one day; at most "
                                  f"{MAX_WINDOWS_PER_DAY}")
            try:
                parsed = sorted((parse_window(text), text) for text in windows)
            except ValueError as error:
                raise _FieldPathError((key,), str(error)) from None
            for (first, first_text), (second, second_text) in itertools.pairwise(parsed):
                if second[0] < first[1]:
                    raise _FieldPathError(
                        (key,), f"windows {first_text!r} and {second_text!r} overlap")
        return value

    @field_validator("end_buffer")
    @classmethod
    def _check_end_buffer(cls, value: str) -> str:
        bounded_duration(value, MAX_END_BUFFER, "an end_buffer")
        return value

    @field_validator("consent_valid_for")
    @classmethod
    def _check_consent_valid_for(cls, value: str | None) -> str | None:
        if value is not None:
            duration = parse_duration(value, fixed=False)
            span = duration.total_seconds()  # a year as 365 days, a month as 30
            if span <= 0:
                raise ValueError(f"{shown(value)}: a consent valid for no time at all")
            if span > MAX_PERIOD.total_seconds():
                raise ValueError(f"{shown(value)}: a consent is valid for at most "
                                 f"{_iso_days(MAX_PERIOD)}")
        return value

    @model_validator(mode="after")
    def _check_dates(self) -> Self:
        if (self.effective_from and self.effective_to
                and self.effective_to < self.effective_from):
            raise ValueError(f"effective_to {self.effective_to} is before "
                             f"effective_from {self.effective_from}")
        return self

    def consent_lapses_at(self, given_at: datetime) -> datetime | None:
        """When a consent given at ``given_at`` stops counting under ``consent_valid_for``
        (years and months on the calendar of ``given_at``'s own offset); ``None``: never."""
        if self.consent_valid_for is None:
            return None
        lapse: datetime = pendulum.instance(given_at) + parse_duration(self.consent_valid_for,
                                                                       fixed=False)
        return lapse

    @cached_property
    def digest(self) -> str:
        """``"sha256:<hex>"`` of the policy's canonical content (its JSON, keys sorted):
        any change of its rules changes it, so an audit record says which rules decided."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True,
                               separators=(",", ":"), ensure_ascii=False)
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()

    @cached_property
    def end_buffer_delta(self) -> timedelta:
        """``end_buffer`` as a ``timedelta``."""
        return timedelta(seconds=parse_duration(self.end_buffer, fixed=True).total_seconds())

    def in_force_on(self, day: date) -> bool:
        """Whether the policy applies on this local date (both ends inclusive)."""
        return ((self.effective_from is None or self.effective_from <= day)
                and (self.effective_to is None or day <= self.effective_to))

    def flattened(self) -> tuple[Policy, ...]:
        """This policy and every policy of its ``stack``, depth first."""
        return (self, *(part for inner in self.stack for part in inner.flattened()))

    def applies(self, consumer: Consumer) -> bool:
        """Whether this policy judges ``consumer`` (see ``applies_to``)."""
        return self.applies_to is None or self.applies_to.includes(consumer)

    def with_blackouts(self, blackouts: Iterable[Blackout | Mapping[str, Any]]) -> Policy:
        """A copy of this policy with more blackout periods (validated)."""
        data = self.model_dump(exclude={"blackouts", "stack"})
        data["blackouts"] = [*self.blackouts, *blackouts]
        data["stack"] = self.stack
        return Policy.model_validate(data)


_Invalid = TypeVar("_Invalid", PolicyError, ConsumerError)


def _invalid(error: ValidationError, data: object, kind: type[_Invalid], noun: str
             ) -> _Invalid:
    """One ``kind`` error for a pydantic error: a line per problem, its full field path.

    A policy of a ``stack`` is validated by its own ``__init__``: its
    PolicyError's problems come back under the path of the policy in the stack.
    """
    problems: list[tuple[str, str]] = []
    for item in error.errors(include_url=False):
        path = tuple(item["loc"])
        inner = item.get("ctx", {}).get("error")
        if isinstance(inner, kind):
            problems += [(_path(*path, field) if field else _path(*path), message)
                         for field, message in inner.problems]
            continue
        if isinstance(inner, _FieldPathError):
            path, message = path + inner.path, inner.message
        else:
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] not in ("value_error", "missing") and "input" in item:
                message = f"{message} (got {shown(item['input'])})"
        problems.append((_path(*path) or noun, _clip(message)))
    subject_id = data.get("id") if isinstance(data, Mapping) else None
    subject = f"{noun} {shown(subject_id)}" if isinstance(subject_id, str) else noun
    lines = "\n".join(f"  {field}: {message}" for field, message in problems)
    return kind(f"{subject} is invalid:\n{lines}", tuple(problems))


def _path(*parts: object) -> str:
    return _clip(".".join(str(part) for part in parts))


def _clip(text: str, most: int = 400) -> str:
    # A message quotes the value it refuses; messages written elsewhere (the
    # holidays package's, pydantic's) are cut here so no error is ever huge.
    return text if len(text) <= most else text[:most - 3] + "..."


def _kind(value: object) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number",
            bool: "a boolean"}.get(type(value), type(value).__name__)


def _check_shape(data: object, kind: type[PolicyError] | type[ConsumerError], noun: str
                 ) -> None:
    """Refuse input nested deeper than ``MAX_DEPTH`` or holding more than ``MAX_VALUES``.

    Walked without recursion and stopped at the bound, so a value built to
    be huge (YAML aliases that expand to 10**9 strings, a 3000-deep
    ``stack``) costs at most ``MAX_VALUES`` steps, not a ``RecursionError``
    or minutes of validation.
    """
    pending: list[tuple[object, tuple[object, ...]]] = [(data, ())]
    seen = 0
    while pending:
        value, path = pending.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise kind(f"{noun} holds more than {MAX_VALUES} values (YAML aliases that "
                       f"expand to more?)")
        if isinstance(value, Mapping):
            children: Iterable[tuple[object, object]] = value.items()
        elif isinstance(value, list | tuple | set | frozenset):
            children = enumerate(value)
        else:
            continue
        if len(path) >= MAX_DEPTH:
            field = _path(*path)
            raise kind(f"{noun} is invalid:\n  {field}: nested deeper than {MAX_DEPTH} "
                       f"levels", ((field, f"nested deeper than {MAX_DEPTH} levels"),))
        pending.extend((child, (*path, key)) for key, child in children)


def read_document(path: Path, what: str = "policy") -> object:
    """The data of a YAML, TOML or JSON file (by suffix; YAML otherwise), within the bounds.

    Every file callwindow reads goes through here: a regular file of at
    most ``MAX_POLICY_BYTES`` of UTF-8, nested at most ``MAX_DEPTH`` deep,
    at most ``MAX_VALUES`` values once YAML aliases are expanded, no key
    twice in one mapping.  Anything else is a ``PolicyError`` naming the file.
    """
    data = _parse(path, path.suffix.lower(), _read_text(path, what))
    try:
        _check_shape(data, PolicyError, what)
    except PolicyError as error:
        raise PolicyError(f"{path}: {error}") from None
    return data


def _read_text(path: Path, what: str) -> str:
    """The UTF-8 text of a regular file of at most ``MAX_POLICY_BYTES``, or a PolicyError.

    Opened without blocking and checked with ``fstat`` before reading, so a
    FIFO (which would wait for a writer) and ``/dev/zero`` (endless) are
    refused at once.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise PolicyError(f"{path}: cannot read the {what} file ({error.strerror})"
                          ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PolicyError(f"{path}: not a regular file; a {what} is read from a file")
    with os.fdopen(fd, "rb") as file:
        raw = file.read(MAX_POLICY_BYTES + 1)
    if len(raw) > MAX_POLICY_BYTES:
        raise PolicyError(f"{path}: larger than {MAX_POLICY_BYTES} bytes; a {what} file is "
                          f"a few kilobytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise PolicyError(f"{path}: not UTF-8 text (byte {raw[error.start]:#04x} at line "
                          f"{line}); save the {what} file as UTF-8") from None


def _parse(path: Path | str, suffix: str, text: str | bytes | bytearray) -> object:
    """The data of a policy document: YAML, TOML or JSON text, with the limits applied."""
    try:
        if suffix == ".toml":
            return tomllib.loads(text if isinstance(text, str) else bytes(text).decode())
        if suffix == ".json":
            return json.loads(text, object_pairs_hook=_no_duplicates)
        loader = _PolicyLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = error.problem or error.context or "malformed"
        raise PolicyError(f"{path}: not valid YAML{where}: {problem}") from None
    except yaml.reader.ReaderError as error:  # a control character, such as NUL
        before = text[:error.position]
        line = (before.count("\n") if isinstance(before, str) else before.count(b"\n")) + 1
        raise PolicyError(f"{path}: not valid YAML at line {line}: the character "
                          f"{chr(error.character)!r} is not allowed") from None
    except json.JSONDecodeError as error:
        raise PolicyError(f"{path}: not valid JSON at line {error.lineno}, column "
                          f"{error.colno}: {error.msg}") from None
    except (yaml.YAMLError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path}: not valid {suffix[1:].upper()}: {error}") from None
    except _DuplicateKeyError as error:
        raise PolicyError(f"{path}: not valid JSON: {error}") from None
    except RecursionError:  # json and tomllib recurse per level: refused, not crashed
        raise PolicyError(f"{path}: nested deeper than {MAX_DEPTH} levels") from None


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKeyError(f"the key {shown(key)} appears twice in one object")
        data[key] = value
    return data


class _PolicyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key twice in a mapping and deep nesting.

    (PyYAML keeps the last of two equal keys silently, and composes nodes
    recursively; alias expansion is bounded afterwards by ``_check_shape``,
    since the loader builds an alias as one shared object, cheaply.)
    """

    def __init__(self, stream: str | bytes | bytearray) -> None:
        super().__init__(stream if not isinstance(stream, bytearray) else bytes(stream))
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        # Stopping here also stops the (pure Python, lazy) scanner: a megabyte
        # of YAML would otherwise take seconds to read before being refused.
        self._depth += 1
        self._nodes += 1
        try:
            if self._depth > MAX_DEPTH or self._nodes > MAX_VALUES:
                problem = (f"nested deeper than {MAX_DEPTH} levels" if self._depth > MAX_DEPTH
                           else f"more than {MAX_VALUES} values")
                raise yaml.composer.ComposerError(
                    None, None, problem, self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False
                          ) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool | date) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {shown(key)} appears twice in one mapping",
                    key_node.start_mark)
            if isinstance(key, str | int | float | bool | date):
                seen.add(key)
        return super().construct_mapping(node, deep)


_V = TypeVar("_V")


class _memo(Generic[_V]):  # noqa: N801 - used as a decorator, like cached_property
    """``functools.cached_property`` without the lock Python 3.11 takes on every first
    read (measured: most of the cost of a consumer the engine has never seen)."""

    def __init__(self, func: Callable[[Any], _V]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _memo[_V]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _V: ...

    def __get__(self, obj: object, owner: type | None = None) -> _V | _memo[_V]:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


class Consent(_Frozen):
    """A consumer's consent to be called, dated so that it can be proven.

    ``given_at`` is an aware datetime or an ISO-8601 string with an offset;
    ``expires_at`` (optional) the instant it lapses; ``proof`` a free reference
    (a recording id, a form submission).  A consent counts from ``given_at``
    (not before) until ``expires_at`` and, under a policy that declares
    ``consent_valid_for``, until that long after ``given_at``.
    """

    given_at: datetime
    expires_at: datetime | None = None
    proof: str | None = None

    @field_validator("given_at", "expires_at", mode="before")
    @classmethod
    def _instant(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            return _time.parse_instant(value, str(info.field_name))
        return value

    @field_validator("given_at", "expires_at")
    @classmethod
    def _aware(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        return None if value is None else _time.aware(value, str(info.field_name))

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.expires_at is not None and self.expires_at <= self.given_at:
            raise ValueError(f"expires_at {self.expires_at.isoformat()} is not after "
                             f"given_at {self.given_at.isoformat()}")
        return self


_BOOL = TypeAdapter(bool)


def _consent_value(value: object) -> bool | Consent:
    # One error naming the field, not one per member of the union.
    if isinstance(value, bool | Consent):
        return value
    if isinstance(value, Mapping):
        return Consent.model_validate(value)
    try:
        return _BOOL.validate_python(value)
    except ValidationError:
        raise ValueError(f"{shown(value)} is neither true/false nor a Consent") from None


def _consent_dump(value: bool | Consent, info: SerializationInfo) -> object:
    return value if isinstance(value, bool) else value.model_dump(mode=info.mode)


class Consumer(_Frozen):
    """The person to be called, and everything known about where they are.

    Candidate zones come from ``timezone`` (one IANA name or several), every
    zone the phone number may be in, and the zones of ``region`` in a
    multi-zone country (a US state, Canadian province or Australian state),
    ranked: an explicit zone supersedes its region's other zones, and a number
    that only places the consumer somewhere in a country (a mobile outside
    NANP) adds nothing beside a zone or region in that country (see
    ``zone_evidence``).  ``country`` (ISO 3166-1 alpha-2) is the default for
    numbers written in national format and says which country ``region``
    belongs to when the number does not.  ``region`` also selects the holiday
    subdivision.  ``consent`` is ``True``/``False`` or a dated ``Consent``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True,
                              ignored_types=(_memo,))

    id: str | None = None
    phone: str | None = None
    timezone: tuple[str, ...] = ()
    country: str | None = None
    region: str | None = None
    consent: Annotated[bool | Consent,
                       PlainValidator(_consent_value, json_schema_input_type=bool | Consent),
                       PlainSerializer(_consent_dump)] = False
    tags: dict[str, str] = Field(default_factory=dict)

    # No _check_shape here, unlike Policy: a consumer comes from the caller's
    # own code, field by field, where it is built per call (measured: the walk
    # would make a Consumer three times as slow); pydantic refuses any nesting.
    def __init__(self, **data: Any) -> None:
        try:  # BaseModel.__init__'s one line, inlined: a Consumer is made per call
            self.__pydantic_validator__.validate_python(data, self_instance=self)
        except ValidationError as error:
            raise _invalid(error, data, ConsumerError, "consumer") from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a mapping into a ``Consumer``; ``ConsumerError`` names each bad field."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as error:
            raise _invalid(error, obj, ConsumerError, "consumer") from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, *args: Any,
                            **kwargs: Any) -> Self:
        """Validate a JSON document into a ``Consumer``."""
        try:
            data = json.loads(json_data)
        except (ValueError, RecursionError) as error:
            raise ConsumerError(f"consumer: not valid JSON: {shown(str(error))}") from None
        return cls.model_validate(data, *args, **kwargs)

    @field_validator("timezone", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        if value is None:
            return ()
        return (value,) if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _check_zones(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for index, name in enumerate(value):
            try:
                _time.zone(name)
            except ValueError as error:
                raise _FieldPathError((index,) if len(value) > 1 else (), str(error)) from None
        return value

    @field_validator("country", "region")
    @classmethod
    def _upper_code(cls, value: str | None) -> str | None:
        return value.upper() if value else None

    def __getstate__(self) -> dict[Any, Any]:
        """What pickling keeps: the fields, not what was worked out from them.

        The zones, keys and cached ledger questions are worked out again where
        the consumer lands: what one process kept for its own plans must not
        answer another's (and a number's keys hold a closure that would not
        pickle).
        """
        state: dict[Any, Any] = super().__getstate__()
        fields = type(self).model_fields
        state["__dict__"] = {name: value for name, value in state["__dict__"].items()
                             if name in fields}
        return state

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> Self:
        """A copy with ``update`` applied, validated like a new Consumer.

        (pydantic's own copy would skip validation and carry over the zones
        and keys worked out for the original.)
        """
        return self.model_validate({**self.model_dump(), **(update or {})})

    @_memo
    def zone_evidence(self) -> _zones.Evidence:
        """Each candidate zone with the sources that gave it (``"timezone"``,
        ``"region"``, ``"phone"``), ranked as the class docstring says."""
        if not self.phone and not self.region:
            return tuple((zone, ("timezone",)) for zone in sorted(set(self.timezone)))
        if not self.timezone and not self.region:
            assert self.phone is not None
            return tuple((zone, ("phone",))
                         for zone in _zones.zones_for_phone(self.phone, self.country))
        return _zones.zone_evidence(self.phone, self.timezone, self.region, self.country)

    @_memo
    def strict_zone_evidence(self) -> _zones.Evidence:
        """Every zone of every source, none dropped (``Engine(zone_evidence="strict")``)."""
        if bool(self.phone) + bool(self.region) + bool(self.timezone) <= 1:
            return self.zone_evidence
        return _zones.zone_evidence(self.phone, self.timezone, self.region, self.country,
                                    strict=True)

    @_memo
    def candidate_zones(self) -> tuple[str, ...]:
        """Every zone this consumer may be in, sorted; empty when nothing is known."""
        if not self.phone and not self.region and len(self.timezone) <= 1:
            return self.timezone
        return tuple(zone for zone, _sources in self.zone_evidence)

    @_memo
    def countries(self) -> frozenset[str]:
        """Every country this consumer may be in: their ``country``, their number's,
        their explicit zones', their region's.  A US territory also counts as ``US``."""
        found = {self.country} if self.country else set()
        phone_country = self.phone_country
        if phone_country:
            found.add(phone_country)
        for zone in self.timezone:
            zone_country = _zones.zone_country(zone)
            if zone_country:
                found.add(zone_country)
        if self.region:
            found.update(self.region_countries)
        found.update(_zones.PARENT_COUNTRY[code] for code in found & _zones.PARENT_COUNTRY.keys())
        return frozenset(found)

    @_memo
    def region_countries(self) -> tuple[str, ...]:
        """The countries ``region`` may belong to (the safe side when unknown)."""
        if not self.region:
            return ()
        return _zones.countries_of_region(self.country, self.region, self.phone)

    @_memo
    def e164(self) -> str | None:
        """The phone number in E.164, or ``None`` (no number, or one that does not parse).

        Two spellings of one number give one string: it keys per-phone limits.
        """
        return _zones.normalized(self.phone, self.country) if self.phone else None

    @_memo
    def phone_country(self) -> str | None:
        """The ISO country of the phone number (``"US"``), or ``None``."""
        return _zones.phone_country(self.phone, self.country) if self.phone else None

    @_memo
    def phone_regions(self) -> tuple[str, ...]:
        """The regions the number's area code belongs to (US states, Canadian provinces)."""
        return _zones.regions_for_phone(self.phone, self.country) if self.phone else ()

    @_memo
    def ledger_keys(self) -> LedgerKeys:
        """The keys this consumer's attempts are counted under (id, number, tags).

        Raises ``ValueError`` when there is nothing to count by (no id, and no
        number that parses).
        """
        # The number lazily: see LedgerKeys (e164 is read, so parsed, on first use).
        return LedgerKeys(self.id, (lambda: self.e164) if self.phone else None, self.tags)

    @_memo
    def plan_key(self) -> tuple[str, str | None, bool | Consent]:
        """What the engine's evaluation depends on: consumers sharing it share a plan.

        (An engine with policies that apply to some places only adds
        ``places_key``; one with ``zone_evidence="strict"`` uses ``strict_plan_key``.)
        The evidence is one string: a string keeps its hash, and an engine looks
        the key up on every check (measured: a tenth of an allowed check).
        """
        if not self.phone and not self.region and len(self.timezone) == 1:
            # _signature(self.zone_evidence), without building the evidence: a
            # consumer known by one zone (measured: a sixth of a first acquire).
            return self.timezone[0] + "=timezone", None, self.consent
        return _signature(self.zone_evidence), self.region, self.consent

    @_memo
    def strict_plan_key(self) -> tuple[str, str | None, bool | Consent]:
        """``plan_key`` with the strict union of zones."""
        return _signature(self.strict_zone_evidence), self.region, self.consent

    @_memo
    def places(self) -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
        """What routing depends on: countries, the region's countries, area-code regions."""
        return self.countries, self.region_countries, self.phone_regions

    @_memo
    def places_key(self) -> str:
        """``places`` as one string (see ``plan_key``)."""
        countries, region_countries, regions = self.places
        return "|".join((",".join(sorted(countries)), ",".join(region_countries),
                         ",".join(regions)))


def _signature(evidence: _zones.Evidence) -> str:
    """Zone evidence as one string: ``zone=source,source;zone=...``."""
    return ";".join(f"{zone}={','.join(sources)}" for zone, sources in evidence)


Policy.model_rebuild()  # ``stack`` holds policies

# The public classes read as ``callwindow.Policy`` (reprs, docs, pickles), not
# by the private module that defines them; set after the rebuild, which
# resolves names in this module.
for _public in (AppliesTo, Blackout, Consumer, CooldownRule, HolidayRule, LimitRule, Policy):
    _public.__module__ = "callwindow"

