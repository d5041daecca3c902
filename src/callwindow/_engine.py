"""The facade a dialer calls: check, acquire, record, next_allowed_at, windows, check_many."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Literal, Protocol, TypeVar
from zoneinfo import ZoneInfo

from . import _holidays, _time
from ._calendar import SEARCH_YEARS, Closure, Schedule, ZoneCalendar
from ._decision import Decision, Reason
from ._enums import Outcome, ReasonCode
from ._errors import LedgerError
from ._frequency import (
    HOUR_US,
    US,
    Attempt,
    Constraint,
    Rule,
    Subject,
    Tally,
    compile_rules,
    from_us,
    next_midnight,
    retention_for,
)
from ._models import Consumer, Policy, parse_duration
from .ledgers import Ledger, MemoryLedger, ledger_from_url

__all__ = ["Clock", "Engine", "SystemClock"]

_T = TypeVar("_T")
_PENDING = Outcome.PENDING.value
_NOT_KEPT: tuple[int, tuple[int, ...], tuple[int, ...]] = (0, (), ())

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

    __slots__ = ("_last", "_sinces", "calendars", "policy_ids", "refusals", "rules", "zones")

    def __init__(self, zones: tuple[str, ...], calendars: tuple[ZoneCalendar, ...],
                 refusals: tuple[Reason, ...], policy_ids: tuple[str, ...],
                 rules: tuple[Rule, ...]) -> None:
        self.zones = zones
        self.calendars = calendars
        self.refusals = refusals  # reasons no passage of time lifts
        self.policy_ids = policy_ids  # the policies that apply to these consumers
        self.rules = rules  # their limits and cooldowns
        self._last: tuple[float, tuple[tuple[Reason, ...], datetime | None]] | None = None
        self._sinces: dict[int, tuple[int, tuple[int, ...], tuple[int, ...]] | None] = {}

    def sinces(self, rules: Sequence[Rule], zones: tuple[str, ...], t: int, clocked: bool
               ) -> tuple[tuple[int, ...], int, int]:
        """Each rule's ``since`` at ``t``, for a consumer in ``zones``.

        Calendar-day rules change their answer only at local midnights, so the
        answers are kept per UTC hour (with the one instant in the hour where
        they change); rolling rules are worked out on every call.  Also says
        from when until when the answer holds (an empty span: only at ``t``).
        """
        if not zones and any(rule.by_dates and not rule.fixed_zones for rule in rules):
            # No zone known: such rules count a rolling window (EXTREME_ZONES).
            return tuple(rule.since(t, rule.zones(zones)) for rule in rules), t, t
        hour = t // HOUR_US
        kept = self._sinces.get(hour, _NOT_KEPT)
        if kept is _NOT_KEPT:
            kept = self._sinces_in_hour(rules, zones, hour)
        if kept is None:  # two zones pass midnight within this hour: no shortcut
            return tuple(rule.since(t, rule.zones(zones)) for rule in rules), t, t
        change, before, after = kept
        start = hour * HOUR_US
        found, valid_from, valid_until = ((before, start, change) if t < change
                                          else (after, change, start + HOUR_US))
        if not clocked:  # no rolling rule among them
            return found, valid_from, valid_until
        return tuple(t - rule.period_us + 1 if rule.by_clock else value  # type: ignore[operator]
                     for rule, value in zip(rules, found, strict=True)), t, t

    def _sinces_in_hour(self, rules: Sequence[Rule], zones: tuple[str, ...], hour: int
                        ) -> tuple[int, tuple[int, ...], tuple[int, ...]] | None:
        start, end = hour * HOUR_US, (hour + 1) * HOUR_US
        all_zones = tuple({z for rule in rules for z in rule.zones(zones)})
        change = next_midnight(start, all_zones)
        kept: tuple[int, tuple[int, ...], tuple[int, ...]] | None = None
        if change >= end or next_midnight(change, all_zones) >= end:
            def at(moment: int) -> tuple[int, ...]:
                return tuple(rule.since(moment, rule.zones(zones)) for rule in rules)
            before = at(start)
            kept = (change, before, at(change) if change < end else before)
        if len(self._sinces) >= 4096:
            self._sinces.clear()
        self._sinces[hour] = kept
        return kept

    def reasons(self, ts: float) -> tuple[Reason, ...]:
        """Every reason the calendars and fixed refusals give at ``ts``."""
        return self.refusals + tuple(_closure_reason(calendar, calendar.closure(ts))
                                     for calendar in self.calendars
                                     if not calendar.is_open(ts))

    def explain(self, ts: float) -> tuple[tuple[Reason, ...], datetime | None]:
        """Every reason the call is refused at ``ts``, and when it is first allowed."""
        last = self._last
        if last is not None and last[0] == ts:
            return last[1]
        reasons = self.reasons(ts)
        next_at = None
        if not self.refusals:
            found = _first_common_open(self.calendars, ts)
            next_at = None if found is None else _time.from_timestamp(found)
        self._last = (ts, (reasons, next_at))
        return reasons, next_at


class _Explained:
    """The explainer of a decision that read the attempt history (or failed to)."""

    __slots__ = ("_consumer", "_engine", "_failure", "_plan", "_subject", "_tally")

    def __init__(self, engine: Engine, consumer: Consumer, subject: Subject, plan: _Plan,
                 tally: Tally | None, failure: LedgerError | None) -> None:
        self._engine = engine
        self._consumer = consumer
        self._subject = subject
        self._plan = plan
        self._tally = tally
        self._failure = failure

    def explain(self, ts: float) -> tuple[tuple[Reason, ...], datetime | None]:
        t = round(ts * US)
        tally, failure = self._tally, self._failure
        if tally is None and failure is None:  # refused by the calendar before any read
            tally, failure = self._engine._read(self._plan, self._consumer, self._subject, t)
        reasons = self._plan.reasons(ts)
        if failure is not None:
            return (*reasons, _ledger_reason(failure)), None
        assert tally is not None
        reasons += tuple(tally.reasons(t))
        if self._plan.refusals:
            return reasons, None
        return reasons, _first_allowed(self._plan, tally, t)


class Engine:
    """Decides whether a consumer may be called, and when first if not.

    Args:
        policy: one ``Policy`` or several; with several, every one must allow
            the call (federal plus state rules, a preset plus your own).
        clock: where "now" comes from when ``at`` is not given; any object
            with ``now()`` returning an aware datetime.  Default: the system
            clock.  Tests pass a frozen clock.
        ledger: where attempts are kept: a ``Ledger`` object or a URL for
            ``ledger_from_url`` (``"sqlite:///attempts.db"``,
            ``"redis://host:6379/0"``, ``"postgresql://..."``).  Default: a new
            in-memory ledger, private to this engine.  Share one ledger (the
            same URL) between every process that calls the same consumers.
        retention: keep every attempt at least this long (ISO-8601, default
            ``P1D``); otherwise an attempt is kept only as long as the longest
            limit or cooldown of these policies that counts it (an opt-out
            forever).  Engines with different policies sharing one ledger
            should pass the longest period any of them uses.
        on_ledger_error: ``"refuse"`` (default): a ledger that cannot be read
            or written refuses the call with ``ledger_unavailable``;
            ``"raise"``: ``check`` and ``acquire`` raise ``LedgerError``.

    An Engine is safe to share between threads.  It compiles each
    (policy, zone, holiday calendar, year) once, on first use.
    """

    def __init__(self, policy: Policy | Sequence[Policy], *, clock: Clock | None = None,
                 ledger: Ledger | str | None = None, retention: str = "P1D",
                 on_ledger_error: Literal["refuse", "raise"] = "refuse") -> None:
        policies = (policy,) if isinstance(policy, Policy) else tuple(policy)
        if not policies:
            raise ValueError("policy: an Engine needs at least one policy")
        for item in policies:
            if not isinstance(item, Policy):
                raise TypeError(f"policy: expected Policy objects, got {type(item).__name__}")
        if on_ledger_error not in ("refuse", "raise"):
            raise ValueError(f"on_ledger_error: expected 'refuse' or 'raise', "
                             f"got {on_ledger_error!r}")
        try:
            floor = int(parse_duration(retention, fixed=True).total_seconds())
        except ValueError as error:
            raise ValueError(f"retention: {error}") from None
        if floor < 3600:
            raise ValueError(f"retention: {retention!r} is shorter than an hour; an attempt "
                             f"must outlive the call, so that its outcome can be set")
        self.policies: tuple[Policy, ...] = policies
        # Every policy judged, stacks unfolded, each once.
        flat = tuple({part.model_dump_json(): part
                      for item in policies for part in item.flattened()}.values())
        self._scoped = any(part.applies_to is not None for part in flat)
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._owns_ledger = not isinstance(ledger, Ledger)
        if ledger is None:
            ledger = MemoryLedger()
        elif isinstance(ledger, str):
            ledger = ledger_from_url(ledger)
        elif not isinstance(ledger, Ledger):
            raise TypeError(f"ledger: expected a Ledger or a URL, got {type(ledger).__name__}")
        self.ledger: Ledger = ledger
        self._raise_ledger_errors = on_ledger_error == "raise"
        self._rules: tuple[Rule, ...] = compile_rules(flat)
        self._always_in_force = all(rule.always for rule in self._rules)
        self._clocked = any(rule.by_clock for rule in self._rules)
        self._retention_floor = floor
        self._pending_retention = self._retention(_PENDING)
        self._schedules = tuple(Schedule(item) for item in flat)
        self._plans: dict[tuple[object, ...], _Plan] = {}
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
            plan = (self._plans.get(self._key(consumer) if self._scoped else consumer.plan_key)
                    or self._plan(consumer))
        except AttributeError:
            plan = self._plan(consumer)  # off the hot path: names a wrong argument
        if plan.rules:
            return self._decide_with_history(consumer, plan, moment, record=False)
        ts = moment.timestamp()
        if not plan.refusals:  # _decide, inlined: this is the hot path
            for calendar in plan.calendars:
                if not calendar.is_open(ts):
                    break
            else:
                return Decision._made(True, moment, ts, consumer.id, plan.zones,
                                      plan.policy_ids, None)
        return Decision._made(False, moment, ts, consumer.id, plan.zones, plan.policy_ids, plan)

    def acquire(self, consumer: Consumer, at: datetime | str | None = None) -> Decision:
        """``check``, and when allowed, record a ``pending`` attempt, atomically.

        The returned decision's ``attempt_id`` names the attempt: pass it to
        ``set_outcome`` when the call ends.  Between the count and the write
        no other thread, process or server sharing the ledger can record an
        attempt that the count should have seen, so N dialers racing for one
        consumer never exceed a limit.  A refused call records nothing.
        """
        moment = self._instant(at, "at")
        try:  # the plan lookup of check(), inlined for the same reason (measured: 10%)
            plan = (self._plans.get(self._key(consumer) if self._scoped else consumer.plan_key)
                    or self._plan(consumer))
        except AttributeError:
            plan = self._plan(consumer)  # off the hot path: names a wrong argument
        return self._decide_with_history(consumer, plan, moment, record=True)

    def record(self, consumer: Consumer, *, outcome: Outcome | str,
               at: datetime | str | None = None) -> str:
        """Record an attempt made without ``acquire`` (another system, a manual call).

        Recorded whatever the rules say (it has happened); returns its id.
        Raises ``LedgerError`` if the ledger cannot be written.
        """
        outcome = _outcome(outcome)
        moment = self._instant(at, "at")
        subject = self._subject(consumer)
        t = round(moment.timestamp() * US)
        attempt = Attempt(t, outcome.value, subject.keys, self._kept_for(t, outcome.value))
        attempt_id, _ = self._ledger_call(
            lambda: self.ledger.check_and_record(subject.identity, (), attempt))
        assert attempt_id is not None  # nothing to exceed: always recorded
        return attempt_id

    def set_outcome(self, attempt_id: str, outcome: Outcome | str) -> None:
        """Say how an acquired attempt ended (``refusal``, ``conversation``, ...).

        Raises ``ValueError`` for an unknown outcome or an attempt the ledger
        does not hold (expired or forgotten: ``record`` the outcome instead),
        and ``LedgerError`` if the ledger cannot be written.
        """
        outcome = _outcome(outcome)
        if not isinstance(attempt_id, str) or not attempt_id:
            raise ValueError(f"attempt_id: expected the id acquire() returned, "
                             f"got {attempt_id!r}")
        found = self._ledger_call(lambda: self.ledger.set_outcome(
            attempt_id, outcome.value, self._retention(outcome.value)))
        if not found:
            raise ValueError(f"attempt_id {attempt_id!r}: the ledger holds no such attempt "
                             f"(never recorded here, expired, or forgotten); use "
                             f"engine.record(consumer, outcome=...) instead")

    def forget(self, consumer: Consumer) -> int:
        """Erase every attempt recorded under the consumer's id or phone number.

        For erasure requests (GDPR art. 17).  Returns how many were erased.
        Note that this also forgets refusals and opt-outs: keep a suppression
        list outside the ledger if the law requires you to honour them after.
        """
        subject = self._subject(consumer)
        return self._ledger_call(lambda: self.ledger.forget(subject.subjects))

    def close(self) -> None:
        """Close the ledger if the engine opened it (from a URL or by default)."""
        if self._owns_ledger:
            self.ledger.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

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
        if plan.rules:
            t = round(ts * US)
            tally, failure = self._read(plan, consumer, self._subject(consumer), t)
            if failure is not None:
                raise failure
            assert tally is not None
            return _first_allowed(plan, tally, t)
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
        if plan.rules:
            common = self._history_windows(plan, consumer, common, lo, hi)
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
        by_plan: dict[int, Decision] = {}
        decisions = []
        if self._rules:  # each consumer has a history of their own
            return [self._decide_with_history(consumer, self._plan(consumer), moment,
                                              record=False) for consumer in consumers]
        for consumer in consumers:
            plan = self._plan(consumer)
            first = by_plan.get(id(plan))
            if first is None:
                first = by_plan[id(plan)] = self._decide(consumer.id, plan, moment, ts)
                decisions.append(first)
            else:
                decisions.append(made(first.allowed, moment, ts, consumer.id, plan.zones,
                                      plan.policy_ids, plan))
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
                                      plan.policy_ids, None)
        return Decision._made(False, at, ts, consumer_id, plan.zones, plan.policy_ids, plan)

    def _decide_with_history(self, consumer: Consumer, plan: _Plan, at: datetime, *,
                             record: bool) -> Decision:
        # The hot path of acquire(): plain loops, no helper calls that are not needed.
        ts = at.timestamp()
        subject = consumer.__dict__.get("_callwindow_subject")
        if subject is None:
            try:
                subject = self._subject(consumer)
            except ValueError as error:  # nobody to count attempts for: refused
                reasons = (*plan.reasons(ts), Reason(ReasonCode.FREQUENCY_LIMIT, str(error)))
                return Decision(False, at, reasons, None, consumer.id, plan.zones,
                                plan.policy_ids)
        open_now = not plan.refusals
        if open_now:
            for calendar in plan.calendars:
                if not calendar.is_open(ts):
                    open_now = False
                    break
        if not open_now:  # refused by the clock; the history is read only if explained
            return Decision._made(False, at, ts, consumer.id, plan.zones, plan.policy_ids,
                                  _Explained(self, consumer, subject, plan, None, None))
        # ts * 1e6 is within a small fraction of the exact microsecond: round it.
        t = int(ts * US + 0.5) if ts >= 0 else round(ts * US)
        zones = consumer.candidate_zones
        constraints = self._constraints(plan, subject, zones, t)
        new = tuple.__new__  # a NamedTuple without its keyword-handling constructor
        attempt = (new(Attempt, (t, _PENDING, subject.keys, self._kept_for(t, _PENDING)))
                   if record else None)
        try:
            attempt_id, matches = self.ledger.check_and_record(
                subject.identity, constraints, attempt)
        except Exception as error:  # any failure of the store refuses the call
            failure = _as_ledger_error(error)
            if self._raise_ledger_errors:
                raise failure from error
            return Decision._made(False, at, ts, consumer.id, plan.zones, plan.policy_ids,
                                  _Explained(self, consumer, subject, plan, None, failure))
        if record:
            allowed = attempt_id is not None
        else:
            allowed = True
            for constraint, found in zip(constraints, matches, strict=True):
                if len(found) >= constraint.limit:
                    allowed = False
                    break
        if allowed:
            return Decision._made(True, at, ts, consumer.id, plan.zones, plan.policy_ids,
                                  None, attempt_id)
        # Refused by the history.  When every rule is in force for good, the
        # counts just made explain it; otherwise a rule coming into force later
        # matters too, and the explanation reads the history of all of them.
        tally = (Tally(plan.rules, [rule.zones(zones) for rule in plan.rules], matches)
                 if self._always_in_force else None)
        return Decision._made(False, at, ts, consumer.id, plan.zones, plan.policy_ids,
                              _Explained(self, consumer, subject, plan, tally, None))

    def _constraints(self, plan: _Plan, subject: Subject, zones: tuple[str, ...], t: int
                     ) -> tuple[Constraint, ...]:
        """What to ask the ledger about ``subject`` at ``t``, for the rules in force."""
        if not plan.rules:
            return ()
        last = subject.last
        if last is not None and last[0] is plan and last[1] <= t < last[2]:
            return last[3]  # a check and then an acquire within the hour: as just asked
        keyed = subject.keyed(plan, plan.rules)
        sinces, valid_from, valid_until = plan.sinces(plan.rules, zones, t, self._clocked)
        if not self._always_in_force:
            in_force = [_in_force(rule, zones, t) for rule in plan.rules]
            keyed = tuple(item for item, keep in zip(keyed, in_force, strict=True) if keep)
            sinces = tuple(since for since, keep in zip(sinces, in_force, strict=True) if keep)
            valid_until = valid_from  # in force changes at dates: do not keep
        new = tuple.__new__  # a NamedTuple without its keyword-handling constructor
        constraints = tuple(new(Constraint, (key, also, since, rule.outcomes, rule.limit))
                            for (rule, key, also), since in zip(keyed, sinces, strict=True))
        if valid_from < valid_until:
            subject.last = (plan, valid_from, valid_until, constraints)
        return constraints

    def _read(self, plan: _Plan, consumer: Consumer, subject: Subject, t: int
              ) -> tuple[Tally | None, LedgerError | None]:
        """The history every rule still in force at or after ``t`` counts."""
        zones = consumer.candidate_zones
        rules = [rule for rule in plan.rules if rule.in_force(rule.zones(zones))[1] > t]
        rule_zones = [rule.zones(zones) for rule in rules]
        constraints = [rule.constraint(subject, t, rz) for rule, rz in zip(rules, rule_zones,
                                                                           strict=True)]
        try:
            _, matches = self.ledger.check_and_record(subject.identity, constraints, None)
        except Exception as error:
            return None, _as_ledger_error(error)
        return Tally(rules, rule_zones, matches), None

    def _history_windows(self, plan: _Plan, consumer: Consumer,
                         common: list[tuple[float, float]], lo: float, hi: float
                         ) -> list[tuple[float, float]]:
        """``common`` less the times the history refuses (read once, at ``lo``)."""
        start = round(lo * US)
        tally, failure = self._read(plan, consumer, self._subject(consumer), start)
        if failure is not None:
            raise failure
        assert tally is not None
        blocked: list[tuple[float, float]] = []
        t, end = start, round(hi * US)
        while t < end:  # alternate refused and allowed stretches; each step moves on
            freed = tally.release(t)
            if freed is None:
                blocked.append((t / US, hi))
                break
            if freed > t:
                blocked.append((t / US, min(freed, end) / US))
                t = freed
                continue
            t = _next_refusal(tally, t, end)
        return _subtract(common, blocked)

    def _subject(self, consumer: Consumer) -> Subject:
        cached = consumer.__dict__.get("_callwindow_subject")
        if cached is None:
            if not isinstance(consumer, Consumer):
                raise TypeError(f"consumer: expected a callwindow.Consumer, "
                                f"got {type(consumer).__name__}")
            cached = consumer.__dict__["_callwindow_subject"] = Subject(consumer)
        subject: Subject = cached
        return subject

    def _retention(self, outcome: str) -> int | None:
        return retention_for(self._rules, outcome, self._retention_floor)

    def _kept_for(self, t: int, outcome: str) -> int | None:
        """How long a ledger must keep an attempt made at ``t``, from when it writes it.

        Rules count from the attempt's time, ledgers expire from the write: an
        attempt dated ahead of this clock is kept that much longer.
        """
        kept = self._pending_retention if outcome == _PENDING else self._retention(outcome)
        ahead = t // US - int(time.time())
        return kept if kept is None or ahead <= 0 else kept + ahead

    def _ledger_call(self, call: Callable[[], _T]) -> _T:
        try:
            return call()
        except Exception as error:
            failure = _as_ledger_error(error)
            if failure is error:
                raise
            raise failure from error

    def _plan(self, consumer: Consumer) -> _Plan:
        if not isinstance(consumer, Consumer):
            raise TypeError(f"consumer: expected a callwindow.Consumer, "
                            f"got {type(consumer).__name__}")
        key = self._key(consumer)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._make_plan(consumer)
            with self._lock:
                if len(self._plans) >= _MAX_PLANS:
                    self._plans.clear()
                self._plans[key] = plan
        return plan

    def _key(self, consumer: Consumer) -> tuple[object, ...]:
        """The plan key: with region-scoped policies, the number's regions matter too."""
        key: tuple[object, ...] = consumer.plan_key
        return (*key, consumer.phone_regions) if self._scoped else key

    def _make_plan(self, consumer: Consumer) -> _Plan:
        zones = set(consumer.candidate_zones)
        calendars: list[ZoneCalendar] = []
        refusals: list[Reason] = []
        applying: list[Policy] = []
        for index, schedule in enumerate(self._schedules):
            policy = schedule.policy
            if not policy.applies(consumer):
                continue
            applying.append(policy)
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
            if not policy_zones and policy.hours is None and policy.holidays is None:
                policy_zones = ("UTC",)  # only blackouts, which are instants: any zone will do
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
        rules = tuple(rule for rule in self._rules
                      if any(rule.policy is policy for policy in applying))
        return _Plan(tuple(sorted(zones)), tuple(calendars), tuple(refusals),
                     tuple(policy.id for policy in applying), rules)

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


def _in_force(rule: Rule, zones: tuple[str, ...], t: int) -> bool:
    if rule.always:
        return True
    start, end = rule.in_force(rule.zones(zones))
    return start <= t < end


def _first_allowed(plan: _Plan, tally: Tally, t: int) -> datetime | None:
    """The first instant at or after ``t`` that the calendars and the history allow.

    Alternates the calendars' next opening and the history's next release
    until both agree.  Each round moves forward, to an opening or a release;
    releases are finitely many and openings end at the calendar horizon.
    """
    for _ in range(10_000):
        opens = _first_common_open(plan.calendars, t / US) if plan.calendars else t / US
        if opens is None:
            return None
        t = max(t, round(opens * US))
        freed = tally.release(t)
        if freed is None:
            return None
        if freed == t:
            return from_us(t)
        t = freed
    return None


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


def _subtract(spans: list[tuple[float, float]], blocked: list[tuple[float, float]]
              ) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for lo, hi in spans:
        pieces = [(lo, hi)]
        for b_lo, b_hi in blocked:
            pieces = [part for s, e in pieces
                      for part in ((s, min(e, b_lo)), (max(s, b_hi), e)) if part[0] < part[1]]
        out += pieces
    return out


def _outcome(value: Outcome | str) -> Outcome:
    try:
        return Outcome(value)
    except ValueError:
        names = ", ".join(o.value for o in Outcome)
        raise ValueError(f"outcome: {value!r} is not one of {names}") from None


def _as_ledger_error(error: Exception) -> LedgerError:
    if isinstance(error, LedgerError):
        return error
    return LedgerError(f"the attempt ledger failed: {type(error).__name__}: {error}")


def _ledger_reason(failure: LedgerError) -> Reason:
    return Reason(ReasonCode.LEDGER_UNAVAILABLE,
                  f"the attempt history could not be read, so the limits cannot be checked: "
                  f"{failure}")


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
    if closure.code is ReasonCode.BLACKOUT:
        message = f"no calls are allowed at this time ({clock} {where}): {closure.blackout}"
    elif closure.code is ReasonCode.HOLIDAY:
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
