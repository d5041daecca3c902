"""The validated edge of the library: policies and consumers (pydantic, frozen).

Pydantic checks what comes in (policy files, constructor arguments) and names
the field and value that are wrong.  The engine compiles a validated policy
once into plain tuples and integers, so nothing here runs on the hot path.
"""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Self

import pendulum
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import _holidays, _time, _zones
from ._enums import Outcome
from ._errors import PolicyError

__all__ = ["AppliesTo", "Blackout", "Consumer", "CooldownRule", "DoNotCallRule", "HolidayRule",
           "LimitRule", "Policy"]

DAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_WINDOW = re.compile(r"^([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})$")
_PER = re.compile(r"^(consumer|phone|tag:[A-Za-z0-9_.-]+)$")


def parse_window(text: str) -> tuple[int, int]:
    """``"HH:MM-HH:MM"`` as (start, end) minutes of the day; end may be 24:00."""
    match = _WINDOW.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not a window of the form 'HH:MM-HH:MM'")
    sh, sm, eh, em = (int(part) for part in match.groups())
    for hour, minute, end in ((sh, sm, False), (eh, em, True)):
        if minute > 59:
            raise ValueError(f"{text!r}: minute {minute:02d} is out of range (00-59)")
        if hour > 24 or (hour == 24 and (minute or not end)):
            bad = f"{hour:02d}:{minute:02d}"
            raise ValueError(f"{text!r}: {bad} is not a time of day "
                             f"(00:00-23:59; 24:00 only as an end)")
    start, end_minute = sh * 60 + sm, eh * 60 + em
    if end_minute <= start:
        raise ValueError(f"{text!r}: the end is not after the start")
    return start, end_minute


def parse_duration(text: str, *, fixed: bool) -> pendulum.Duration:
    """An ISO-8601 duration; ``fixed`` refuses years and months (no fixed length)."""
    if not isinstance(text, str) or not text.startswith("P"):
        raise ValueError(f"{text!r} is not an ISO-8601 duration (e.g. 'PT15M', 'P30D')")
    try:
        parsed = pendulum.parse(text)
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        raise ValueError(f"{text!r} is not an ISO-8601 duration (e.g. 'PT15M', 'P30D')"
                         ) from None
    if not isinstance(parsed, pendulum.Duration):
        raise ValueError(f"{text!r} is not an ISO-8601 duration (e.g. 'PT15M', 'P30D')")
    if fixed and (parsed.years or parsed.months):
        raise ValueError(f"{text!r}: years and months have no fixed length here; "
                         f"use days, hours or minutes")
    if parsed.total_seconds() < 0:
        raise ValueError(f"{text!r} is negative")
    return parsed


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class HolidayRule(_Frozen):
    """Which days are holidays: a ``holidays`` calendar, plus and minus named days."""

    country: str
    subdivision: str | None = None
    add: tuple[date | str, ...] = ()
    remove: tuple[date | str, ...] = ()

    @field_validator("country", mode="before")
    @classmethod
    def _country_is_text(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError(f"got the boolean {str(value).lower()}: quote the country "
                             f"code (YAML 1.1 reads a bare NO as false)")
        return value.upper() if isinstance(value, str) else value

    @field_validator("add")
    @classmethod
    def _check_add(cls, value: tuple[date | str, ...]) -> tuple[date | str, ...]:
        return _normalise_days(value, names_allowed=False)

    @field_validator("remove")
    @classmethod
    def _check_remove(cls, value: tuple[date | str, ...]) -> tuple[date | str, ...]:
        return _normalise_days(value, names_allowed=True)

    @model_validator(mode="after")
    def _check_calendar(self) -> Self:
        _holidays.check_country(self.country, self.subdivision)
        names = {item for item in self.remove if isinstance(item, str)
                 and _holidays.parse_holiday_item(item, names_allowed=True)[0] == "name"}
        if names:
            known = {name for year in range(2020, 2036)
                     for name in _holidays.public_holidays(self.country, self.subdivision,
                                                           year).values()}
            unknown = sorted(names - known)
            if unknown:
                raise ValueError(f"remove: {unknown[0]!r} is not a holiday name of "
                                 f"{self.country} in 2020-2035")
        return self


def _normalise_days(items: tuple[date | str, ...], *, names_allowed: bool
                    ) -> tuple[date | str, ...]:
    # "2026-12-24" from JSON and an unquoted YAML date must compare equal.
    out: list[date | str] = []
    for item in items:
        kind, value = _holidays.parse_holiday_item(item, names_allowed=names_allowed)
        out.append(value if kind == "date" and isinstance(value, date) else item)
    return tuple(out)


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
    duration = parse_duration(value, fixed=True)
    seconds = duration.total_seconds()
    if seconds <= 0:
        raise ValueError(f"{value!r}: a period must be longer than zero")
    if seconds != int(seconds):
        raise ValueError(f"{value!r}: a period is a whole number of seconds")
    if window == "calendar_days" and duration.total_seconds() % 86400:
        raise ValueError(f"{value!r}: a calendar_days period is a whole number of days "
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
    max_attempts: PositiveInt
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
    """Whom a policy applies to; a consumer it does not apply to is not judged by it.

    ``regions`` are codes of ``country`` (US states, Canadian provinces): the
    policy applies when the consumer's ``region`` (their address) is one of
    them, or, with ``by_phone``, when their number's area code belongs to one
    (the area-code presumption of Florida, Oklahoma, Connecticut...).
    """

    country: str
    regions: tuple[str, ...] = Field(min_length=1)
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
        if consumer.region in self.regions:
            country = consumer.country or consumer.phone_country
            if country in (None, self.country):
                return True
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
    do_not_call: DoNotCallRule | None = None
    blackouts: tuple[Blackout, ...] = ()
    applies_to: AppliesTo | None = None
    stack: tuple[Policy, ...] = ()
    confidence: Confidence | None = None
    scope: tuple[Scope, ...] = ()
    notes: str | None = None

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise _policy_error(error, data) from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a mapping (as read from YAML, TOML or JSON) into a ``Policy``."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as error:
            raise _policy_error(error, obj) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, *args: Any,
                            **kwargs: Any) -> Self:
        """Validate a JSON document into a ``Policy``."""
        try:
            data = json.loads(json_data)
        except json.JSONDecodeError as error:
            raise PolicyError(f"policy: not valid JSON: {error}") from None
        return cls.model_validate(data, *args, **kwargs)

    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        """Read a policy from a ``.yaml``/``.yml``, ``.toml`` or ``.json`` file.

        YAML is read with the safe loader.  The file's name is part of any error.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise PolicyError(f"{path}: cannot read the policy file ({error.strerror})"
                              ) from None
        try:
            if suffix in (".yaml", ".yml"):
                data = yaml.safe_load(text)
            elif suffix == ".toml":
                data = tomllib.loads(text)
            elif suffix == ".json":
                data = json.loads(text)
            else:
                raise PolicyError(f"{path}: unknown policy file type {suffix!r} "
                                  f"(use .yaml, .yml, .toml or .json)")
        except (yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
            raise PolicyError(f"{path}: not valid {suffix[1:].upper()}: {error}") from None
        if not isinstance(data, Mapping):
            raise PolicyError(f"{path}: a policy file holds one mapping of keys, "
                              f"not {type(data).__name__}")
        try:
            return cls.model_validate(data)
        except PolicyError as error:
            raise PolicyError(f"{path}: {error}", error.problems) from None

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
                    raise ValueError(f"unknown day key {key!r} (expected mon, tue, wed, thu, "
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
            parsed = sorted((parse_window(text), text) for text in windows)
            for (first, first_text), (second, second_text) in itertools.pairwise(parsed):
                if second[0] < first[1]:
                    raise ValueError(f"{key}: windows {first_text!r} and {second_text!r} "
                                     f"overlap")
        return value

    @field_validator("end_buffer")
    @classmethod
    def _check_end_buffer(cls, value: str) -> str:
        parse_duration(value, fixed=True)
        return value

    @model_validator(mode="after")
    def _check_dates(self) -> Self:
        if (self.effective_from and self.effective_to
                and self.effective_to < self.effective_from):
            raise ValueError(f"effective_to {self.effective_to} is before "
                             f"effective_from {self.effective_from}")
        return self

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


def _policy_error(error: ValidationError, data: object) -> PolicyError:
    # ``model_validate`` runs our ``__init__``, whose PolicyError pydantic
    # wraps once more: hand the original back rather than nest it.
    for item in error.errors():
        inner = item.get("ctx", {}).get("error")
        if isinstance(inner, PolicyError):
            return inner
    policy_id = data.get("id") if isinstance(data, Mapping) else None
    problems: list[tuple[str, str]] = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "policy"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] not in ("value_error", "missing") and "input" in item:
            message = f"{message} (got {item['input']!r})"
        problems.append((field, message))
    subject = f"policy {policy_id!r}" if isinstance(policy_id, str) else "policy"
    lines = "\n".join(f"  {field}: {message}" for field, message in problems)
    return PolicyError(f"{subject} is invalid:\n{lines}", tuple(problems))


class Consumer(_Frozen):
    """The person to be called, and everything known about where they are.

    Candidate zones are the union of ``timezone`` (one IANA name or several),
    every zone the phone number may be in, and the zones of ``region`` in a
    multi-zone country (a US state, Canadian province or Australian state).
    ``country`` (ISO 3166-1 alpha-2) is the default for numbers written in
    national format and says which country ``region`` belongs to when the
    number does not.  ``region`` also selects the holiday subdivision.
    """

    id: str | None = None
    phone: str | None = None
    timezone: tuple[str, ...] = ()
    country: str | None = None
    region: str | None = None
    consent: bool = False
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("timezone", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        if value is None:
            return ()
        return (value,) if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _check_zones(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            _time.zone(name)
        return value

    @field_validator("country", "region")
    @classmethod
    def _upper_code(cls, value: str | None) -> str | None:
        return value.upper() if value else None

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> Self:
        """A copy with ``update`` applied, validated like a new Consumer.

        (pydantic's own copy would skip validation and carry over the zones
        and keys worked out for the original.)
        """
        return self.model_validate({**self.model_dump(), **(update or {})})

    @cached_property
    def candidate_zones(self) -> tuple[str, ...]:
        """Every zone this consumer may be in, sorted; empty when nothing is known."""
        zones = set(self.timezone)
        if self.phone:
            zones.update(_zones.zones_for_phone(self.phone, self.country))
        if self.region:
            zones.update(_zones.zones_for_region(self.country, self.region, self.phone))
        return tuple(sorted(zones))

    @cached_property
    def e164(self) -> str | None:
        """The phone number in E.164, or ``None`` (no number, or one that does not parse).

        Two spellings of one number give one string: it keys per-phone limits.
        """
        return _zones.normalized(self.phone, self.country) if self.phone else None

    @cached_property
    def phone_country(self) -> str | None:
        """The ISO country of the phone number (``"US"``), or ``None``."""
        return _zones.phone_country(self.phone, self.country) if self.phone else None

    @cached_property
    def phone_regions(self) -> tuple[str, ...]:
        """The regions the number's area code belongs to (US states, Canadian provinces)."""
        return _zones.regions_for_phone(self.phone, self.country) if self.phone else ()

    @cached_property
    def plan_key(self) -> tuple[tuple[str, ...], str | None, bool]:
        """What the engine's evaluation depends on: consumers sharing it share a plan.

        (An engine with policies that apply to some regions only adds
        ``phone_regions``.)
        """
        return self.candidate_zones, self.region, self.consent


Policy.model_rebuild()  # ``stack`` holds policies
