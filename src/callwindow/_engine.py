"""The facade a dialer calls: check, next_allowed_at, windows, check_many."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from . import _holidays, _time
from ._calendar import SEARCH_YEARS, Closure, Schedule, ZoneCalendar
from ._decision import Decision, Reason
from ._enums import ReasonCode
from ._errors import PolicyError
from ._models import Consumer, Policy

__all__ = ["Clock", "Engine", "SystemClock"]

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MAX_PLANS = 65536


class Clock(Protocol):
    """Anything with a ``now()`` that returns an aware datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        return datetime.now(_time.UTC)


class _Plan:
    """What to evaluate for one kind of consumer: the calendars and fixed refusals.

    Consumers with the same candidate zones, region and consent share a plan,
    so a list scrub compiles each combination once, and explains a refusal
    at one instant once (the last explanation is kept).
    """

    __slots__ = ("_last", "calendars", "refusals", "zones")

    def __init__(self, zones: tuple[str, ...], calendars: tuple[ZoneCalendar, ...],
                 refusals: tuple[Reason, ...]) -> None:
        self.zones = zones
        self.calendars = calendars
        self.refusals = refusals  # reasons no passage of time lifts
        self._last: tuple[float, tuple[tuple[Reason, ...], datetime | None]] | None = None

    def explain(self, ts: float) -> tuple[tuple[Reason, ...], datetime | None]:
        """Every reason the call is refused at ``ts``, and when it is first allowed."""
        last = self._last
        if last is not None and last[0] == ts:
            return last[1]
        reasons = self.refusals + tuple(_closure_reason(calendar, calendar.closure(ts))
                                        for calendar in self.calendars
                                        if not calendar.is_open(ts))
        next_at = None
        if not self.refusals:
            found = _first_common_open(self.calendars, ts)
            next_at = None if found is None else _time.from_timestamp(found)
        self._last = (ts, (reasons, next_at))
        return reasons, next_at


class Engine:
    """Decides whether a consumer may be called, and when first if not.

    Args:
        policy: one ``Policy`` or several; with several, every one must allow
            the call (federal plus state rules, a preset plus your own).
        clock: where "now" comes from when ``at`` is not given; any object
            with ``now()`` returning an aware datetime.  Default: the system
            clock.  Tests pass a frozen clock.

    An Engine is safe to share between threads.  It compiles each
    (policy, zone, holiday calendar, year) once, on first use.
    """

    def __init__(self, policy: Policy | Sequence[Policy], *, clock: Clock | None = None
                 ) -> None:
        policies = (policy,) if isinstance(policy, Policy) else tuple(policy)
        if not policies:
            raise ValueError("policy: an Engine needs at least one policy")
        for item in policies:
            if not isinstance(item, Policy):
                raise TypeError(f"policy: expected Policy objects, got {type(item).__name__}")
            if item.limits or item.cooldowns:
                raise PolicyError(
                    f"policy {item.id!r}: limits and cooldowns need an attempt ledger, "
                    f"which this version of callwindow does not enforce yet; refusing the "
                    f"policy rather than ignoring its limits")
        self.policies: tuple[Policy, ...] = policies
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._schedules = tuple(Schedule(item) for item in policies)
        self._policy_ids = tuple(item.id for item in policies)
        self._plans: dict[tuple[tuple[str, ...], str | None, bool], _Plan] = {}
        self._calendars: dict[tuple[int, str, str | None, bool], ZoneCalendar] = {}
        self._lock = threading.Lock()

    def check(self, consumer: Consumer, at: datetime | str | None = None) -> Decision:
        """Whether ``consumer`` may be called at ``at`` (default: the clock's now).

        Read-only.  A refusal carries every reason that applies and the
        earliest instant at which the call would be allowed (both worked out
        when first read, so a dialer that only needs ``allowed`` pays for no
        more).
        """
        moment = self._instant(at, "at")
        try:
            plan = self._plans.get(consumer.plan_key) or self._plan(consumer)
        except AttributeError:
            plan = self._plan(consumer)  # off the hot path: names a wrong argument
        return self._decide(consumer.id, plan, moment, moment.timestamp())

    def next_allowed_at(self, consumer: Consumer, after: datetime | str | None = None
                        ) -> datetime | None:
        """The earliest instant at or after ``after`` at which the call is allowed.

        ``None`` when there is none: no candidate zone, consent missing, or no
        open time within the search horizon (``SEARCH_YEARS``, two years: a
        schedule of weekdays and yearly holidays that opens at all opens
        within one).
        """
        moment = self._instant(after, "after")
        plan = self._plan(consumer)
        if plan.refusals:
            return None
        ts = moment.timestamp()
        found = _first_common_open(plan.calendars, ts)
        if found is None:
            return None
        return _time.as_utc(moment) if found == ts else _time.from_timestamp(found)

    def windows(self, consumer: Consumer, start: datetime | str, end: datetime | str
                ) -> list[tuple[datetime, datetime]]:
        """The allowed intervals ``[open_from, open_until)`` within ``[start, end)``, in UTC.

        Exactly the instants at which ``check`` allows the call, merged and in order.
        """
        start_utc = _time.as_utc(self._instant(start, "start"), "start")
        end_utc = _time.as_utc(self._instant(end, "end"), "end")
        if end_utc <= start_utc:
            return []
        plan = self._plan(consumer)
        if plan.refusals:
            return []
        lo, hi = start_utc.timestamp(), end_utc.timestamp()
        common = [(lo, hi)]
        for calendar in plan.calendars:
            common = _intersect(common, list(calendar.intervals(lo, hi)))
            if not common:
                return []
        return [(start_utc if s == lo else _time.from_timestamp(s),
                 end_utc if e == hi else _time.from_timestamp(e)) for s, e in common]

    def check_many(self, consumers: Iterable[Consumer], at: datetime | str | None = None
                   ) -> list[Decision]:
        """``check`` for many consumers at one instant, in order (for list scrubbing).

        Consumers that share candidate zones, region and consent share one
        evaluation, so a list costs little more than its distinct kinds.
        """
        moment = _time.as_utc(self._instant(at, "at"))
        ts = moment.timestamp()
        made = Decision._made
        policy_ids = self._policy_ids
        by_plan: dict[int, Decision] = {}
        decisions = []
        for consumer in consumers:
            plan = self._plan(consumer)
            first = by_plan.get(id(plan))
            if first is None:
                first = by_plan[id(plan)] = self._decide(consumer.id, plan, moment, ts)
                decisions.append(first)
            else:
                decisions.append(made(first.allowed, moment, ts, consumer.id, plan.zones,
                                      policy_ids, plan))
        return decisions

    # -- internals -------------------------------------------------------------------

    def _instant(self, value: datetime | str | None, field: str) -> datetime:
        """An aware datetime (in any zone) for ``value``, the clock's now for ``None``."""
        if value is None:
            now = self.clock.now()
            if not isinstance(now, datetime):
                raise TypeError(f"clock.now() returned {type(now).__name__}, "
                                f"not an aware datetime")
            return _time.aware(now, "clock.now()")
        if isinstance(value, datetime):
            tz = value.tzinfo
            if tz is _time.UTC or type(tz) is ZoneInfo:  # aware by construction
                return value
            return _time.aware(value, field)
        return _time.parse_instant(value, field)

    def _decide(self, consumer_id: str | None, plan: _Plan, at: datetime, ts: float
                ) -> Decision:
        if not plan.refusals:
            for calendar in plan.calendars:
                if not calendar.is_open(ts):
                    break
            else:
                return Decision._made(True, at, ts, consumer_id, plan.zones,
                                      self._policy_ids, None)
        return Decision._made(False, at, ts, consumer_id, plan.zones, self._policy_ids, plan)

    def _plan(self, consumer: Consumer) -> _Plan:
        if not isinstance(consumer, Consumer):
            raise TypeError(f"consumer: expected a callwindow.Consumer, "
                            f"got {type(consumer).__name__}")
        key = consumer.plan_key
        plan = self._plans.get(key)
        if plan is None:
            plan = self._make_plan(consumer)
            with self._lock:
                if len(self._plans) >= _MAX_PLANS:
                    self._plans.clear()
                self._plans[key] = plan
        return plan

    def _make_plan(self, consumer: Consumer) -> _Plan:
        zones = set(consumer.candidate_zones)
        calendars: list[ZoneCalendar] = []
        refusals: list[Reason] = []
        for index, schedule in enumerate(self._schedules):
            policy = schedule.policy
            if policy.requires_consent and not consumer.consent:
                if policy.effective_from is None and policy.effective_to is None:
                    refusals.append(Reason(
                        ReasonCode.CONSENT_REQUIRED,
                        f"policy {policy.id!r} requires the consumer's prior consent, "
                        f"and none is recorded", policy.id, policy.source))
                else:  # refused only while in force: a calendar closed on those dates
                    gate_zones = consumer.candidate_zones or ("UTC",)
                    zones.update(gate_zones)
                    calendars.extend(self._calendar(index, zone, None, consent_gate=True)
                                     for zone in gate_zones)
            if not schedule.has_time_rule:
                continue
            policy_zones = ((policy.timezone,) if policy.timezone
                            else consumer.candidate_zones)
            if not policy_zones:
                refusals.append(Reason(
                    ReasonCode.UNKNOWN_TIMEZONE,
                    "no time zone is known for the consumer (no timezone, no phone number "
                    "that places them, no region of a multi-zone country), so the local "
                    "time cannot be judged",
                    policy.id, policy.source))
                continue
            zones.update(policy_zones)
            subdivision = self._holiday_subdivision(policy, consumer.region)
            calendars.extend(self._calendar(index, zone, subdivision) for zone in policy_zones)
        return _Plan(tuple(sorted(zones)), tuple(calendars), tuple(refusals))

    @staticmethod
    def _holiday_subdivision(policy: Policy, region: str | None) -> str | None:
        rule = policy.holidays
        if rule is None or region is None:
            return None
        return _holidays.subdivision_code(rule.country, region)

    def _calendar(self, index: int, zone: str, subdivision: str | None, *,
                  consent_gate: bool = False) -> ZoneCalendar:
        key = (index, zone, subdivision, consent_gate)
        calendar = self._calendars.get(key)
        if calendar is None:
            schedule = self._schedules[index]
            if consent_gate:  # closed on every in-force day: holidays change nothing
                calendar = ZoneCalendar(Schedule(schedule.policy, consent_gate=True), zone, None)
            else:
                calendar = ZoneCalendar(schedule, zone, schedule.holiday_calendar(subdivision))
            with self._lock:
                calendar = self._calendars.setdefault(key, calendar)
        return calendar


def _first_common_open(calendars: Sequence[ZoneCalendar], ts: float) -> float | None:
    """The first instant at or after ``ts`` open in every calendar (a fixed point).

    Each round moves ``ts`` to some calendar's next opening; it stops when all
    agree.  Every move lands on a later interval start, and the search stops
    ``SEARCH_YEARS`` after ``ts``, so the loop ends.
    """
    if len(calendars) == 1:
        return calendars[0].next_open(ts)
    horizon = ts + SEARCH_YEARS * 366 * 86400
    for calendar in calendars:  # a lapsing policy opens everything the day after
        lapse = calendar.lapses_at()
        if lapse is not None:
            horizon = max(horizon, lapse + 86400)
    while ts <= horizon:
        moved = False
        for calendar in calendars:
            opens = calendar.next_open(ts)
            if opens is None:
                return None
            if opens > ts:
                ts, moved = opens, True
        if not moved:
            return ts
    return None  # each zone opens now and then, but never all at once


def _intersect(a: list[tuple[float, float]], b: list[tuple[float, float]]
               ) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _closure_reason(calendar: ZoneCalendar, closure: Closure) -> Reason:
    policy = calendar.schedule.policy
    local = closure.local
    clock = f"{local:%H:%M} on {_DAY_NAMES[local.weekday()]} {local:%Y-%m-%d}"
    where = f"in {calendar.zone_name}"
    if closure.code is ReasonCode.HOLIDAY:
        message = f"{local:%Y-%m-%d} is a public holiday {where} ({closure.holiday})"
        message += (f" and {local:%H:%M} is outside the holiday hours "
                    f"{_format_windows(closure.windows)}" if closure.windows
                    else ", when no calls are allowed")
    elif closure.code is ReasonCode.CLOSED_DAY:
        message = f"no calls are allowed on {_DAY_NAMES[local.weekday()]}s ({clock} {where})"
    elif closure.code is ReasonCode.CONSENT_REQUIRED:
        message = (f"policy {policy.id!r} requires the consumer's prior consent while it is "
                   f"in force, and none is recorded")
    elif closure.in_window and calendar.schedule.buffer:
        message = (f"{clock} {where} is within the end buffer ({policy.end_buffer}) before "
                   f"the window closes ({_format_windows(closure.windows)})")
    else:
        message = (f"{clock} {where} is outside the allowed hours "
                   f"{_format_windows(closure.windows)}")
    return Reason(closure.code, message, policy.id, policy.source, calendar.zone_name, local)


def _format_windows(windows: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}"
                     for s, e in windows)
