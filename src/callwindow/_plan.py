"""What applies to one kind of consumer, compiled once: the engine's plans.

Consumers with the same zone evidence, region and consent (and, when some
policy is scoped to a place, the same countries and area-code regions) are
judged alike, so they share a ``Plan``: the policies that govern them (the
routing: each policy's ``applies_to`` against the consumer's place), the
calendars to ask, the refusals no passage of time lifts, and their limits.  A list
scrub compiles each kind once.  The ``Planner`` makes plans and keeps them,
with the calendars they share; both belong to one engine.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from . import _wording
from ._calendar import Schedule, ZoneCalendar
from ._consent import ConsentGate, validity
from ._decision import Reason
from ._frequency import HOUR_US, Rule, compile_rules, next_midnight
from ._models import Consent, Consumer, Policy
from ._search import first_common_open
from ._time import from_us
from ._zones import Evidence

if TYPE_CHECKING:
    from ._suppression import Screen, SuppressionCheck, SuppressionList, TimeGate

    Gate = ZoneCalendar | ConsentGate | TimeGate
else:
    Gate = ZoneCalendar | ConsentGate

__all__ = ["Ask", "Plan", "Planner"]

#: What one rule asks of the history: per which scopes, since when (µs),
#: which outcomes count (``None``: any), and the count that refuses.
Ask = tuple[tuple[str, ...], int, frozenset[str] | None, int]
#: What the rules ask, and the span ``[lo, hi)`` of instants over which they ask it.
Asked = tuple[tuple[Ask, ...], int, int]
_NOT_KEPT: tuple[int, Asked, Asked] = (0, ((), 0, 0), ((), 0, 0))
_MAX_PLANS = 65536
_MAX_HOURS = 4096
_serials = itertools.count(1)


class Plan:
    """What to evaluate for one kind of consumer.

    ``is_open(t)`` is the one test of "do all the calendars allow ``t``?"
    (false whenever a fixed refusal applies); with a single calendar it *is*
    that calendar's bound method, so the hot path pays no extra call.

    ``screen`` (``None`` without do-not-call lists or rules) gives each
    consumer's own plan when their number is listed; ``by_calendars`` is the
    one test of the hot path: the calendars alone decide (no limits, no screen).
    """

    __slots__ = ("_always", "_clocked", "_kept", "_last", "_last_asks", "by_calendars",
                 "calendars", "candidates", "consent", "digests", "evidence", "is_open",
                 "policy_ids", "refusals", "rules", "screen", "serial", "zones")

    def __init__(self, zones: tuple[str, ...], calendars: tuple[Gate, ...],
                 refusals: tuple[Reason, ...], policies: Sequence[Policy],
                 rules: tuple[Rule, ...], evidence: Evidence, consent: bool | Consent | None,
                 screen: Screen | None = None) -> None:
        self.zones = zones  # every zone judged (the consumer's, and fixed ones of policies)
        #: Names this plan, without holding it, in what consumers keep (LedgerKeys.asked).
        self.serial = next(_serials)
        self.evidence = evidence  # the consumer's candidate zones, with their sources
        self.candidates = tuple(zone for zone, _sources in evidence)
        self.consent = consent  # the consent judged (None: no policy here asks for one)
        self.digests = tuple((policy.id, policy.digest) for policy in policies)
        self.calendars = calendars
        self.refusals = refusals  # reasons no passage of time lifts
        self.policy_ids = tuple(policy.id for policy in policies)  # those that govern them
        self.rules = rules  # their limits and cooldowns
        self.screen = screen
        self.by_calendars = not rules and screen is None
        self.is_open: Callable[[int], bool] = _open_test(calendars, refusals)
        self._clocked = any(rule.by_clock for rule in rules)
        self._always = all(rule.always for rule in rules)  # no effective dates
        self._last: tuple[int, tuple[tuple[Reason, ...], datetime | None]] | None = None
        self._kept: dict[int, tuple[int, Asked, Asked] | None] = {}
        self._last_asks: tuple[int, tuple[str, ...], tuple[Ask, ...]] | None = None

    def reasons(self, t: int) -> tuple[Reason, ...]:
        """Every reason the calendars and fixed refusals give at ``t``."""
        return self.refusals + tuple(
            _wording.closed(calendar, calendar.closure(t)) if isinstance(calendar, ZoneCalendar)
            else calendar.reason(t)
            for calendar in self.calendars if not calendar.is_open(t))

    def screened(self, *, refusal: Reason | None = None, calendar: TimeGate | None = None
                 ) -> Plan:
        """This plan for one consumer whose number is listed: with a refusal no time
        lifts, or a gate on the times it does not hold (see ``Screen``)."""
        plan = copy.copy(self)
        plan.serial = next(_serials)
        plan.screen = None
        plan.by_calendars = not self.rules
        if refusal is not None:
            plan.refusals = (*self.refusals, refusal)
        if calendar is not None:
            plan.calendars = (*self.calendars, calendar)
        plan.is_open = _open_test(plan.calendars, plan.refusals)
        plan._last = plan._last_asks = None
        return plan

    def next_open(self, t: int) -> int | None:
        """The first instant at or after ``t`` the calendars allow; ``None``: never."""
        return None if self.refusals else first_common_open(self.calendars, t)

    def explain(self, t: int) -> tuple[tuple[Reason, ...], datetime | None]:
        """A refusal of a plan without limits: its reasons and next allowed time.

        The last explanation is kept: a scrub explains many consumers of one
        kind at one instant.
        """
        last = self._last
        if last is not None and last[0] == t:
            return last[1]
        found = self.next_open(t)
        answer = (self.reasons(t), None if found is None else from_us(found))
        self._last = (t, answer)
        return answer

    def asks(self, zones: tuple[str, ...], t: int) -> Asked:
        """What each rule in force at ``t`` asks of the history, for a consumer in
        ``zones``, and the span ``[lo, hi)`` around ``t`` over which it asks the same.

        One ``(scopes, since, outcomes, limit)`` per rule in force, in rule
        order (all of them when none has effective dates).  Calendar-day rules
        change their answer only at local midnights, so the answers are kept
        per UTC hour (with the one instant in the hour where they change);
        rolling rules are worked out on every call (their span is ``[t, t)``:
        empty).  Measured: this keeps building a consumer's questions to a
        tenth of an acquire.
        """
        rules = self.rules
        # No zone known and a rule counting local dates: a rolling window instead
        # (EXTREME_ZONES), worked out below.
        if zones or not any(rule.by_dates and not rule.fixed_zones for rule in rules):
            hour = t // HOUR_US
            kept = self._kept.get(hour, _NOT_KEPT)
            if kept is _NOT_KEPT:
                kept = self._kept_in_hour(zones, hour)
            if kept is not None:
                change, before, after = kept
                if not self._clocked:  # no rolling rule among them
                    return before if t < change else after
                found = (before if t < change else after)[0]
                return tuple((scopes, t - rule.period_us + 1 if rule.by_clock else since,  # type: ignore[operator]
                              outcomes, limit)
                             for rule, (scopes, since, outcomes, limit) in zip(rules, found,
                                                                              strict=True)), t, t
        # No table for this hour (no zone; two zones pass midnight in it; effective
        # dates): worked out, and the last answer kept for a scrub's consumers of
        # one kind at one instant.
        last = self._last_asks
        if last is not None and last[0] == t and last[1] == zones:
            return last[2], t, t + 1
        found = self._asks(zones, t)
        self._last_asks = (t, zones, found)
        return found, t, t + 1

    def _asks(self, zones: tuple[str, ...], t: int) -> tuple[Ask, ...]:
        asks = []
        for rule in self.rules:
            rule_zones = rule.zones(zones)
            if not rule.always:
                start, end = rule.in_force(rule_zones)
                if not start <= t < end:
                    continue
            asks.append((rule.scopes, rule.since(t, rule_zones), rule.outcomes, rule.limit))
        return tuple(asks)

    def _kept_in_hour(self, zones: tuple[str, ...], hour: int
                      ) -> tuple[int, Asked, Asked] | None:
        rules = self.rules
        start, end = hour * HOUR_US, (hour + 1) * HOUR_US
        all_zones = tuple({z for rule in rules for z in rule.zones(zones)})
        change = next_midnight(start, all_zones)
        kept: tuple[int, Asked, Asked] | None = None
        if self._always and (change >= end or next_midnight(change, all_zones) >= end):
            before = self._asks(zones, start)
            after = self._asks(zones, change) if change < end else before
            # Each answer with its span, made once an hour, not once a call (measured:
            # half the cost of asking).
            kept = (change, (before, start, min(change, end)), (after, change, end))
        if len(self._kept) >= _MAX_HOURS:
            self._kept.clear()
        self._kept[hour] = kept
        return kept


class Planner:
    """Makes and keeps an engine's plans, and the calendars they share.

    Compiles each (policy, zone, holiday subdivision) calendar once, on first
    use; a plan per kind of consumer, also on first use.  Thread-safe: two
    threads may compile the same plan at once, and one of them is kept.
    """

    def __init__(self, policies: Sequence[Policy], *, strict_zones: bool = False,
                 lists: Sequence[SuppressionList] = ()) -> None:
        # Every policy judged, stacks unfolded, each once.
        flat = tuple({part.model_dump_json(): part
                      for item in policies for part in item.flattened()}.values())
        self.policies = flat
        #: The engine's policies as given (stacks folded): what a no_policy refusal names.
        self.given = tuple(policies)
        self.rules: tuple[Rule, ...] = compile_rules(flat)
        #: Some policy governs some places only: plans depend on the consumer's place.
        self.scoped = any(part.applies_to is not None for part in flat)
        #: Do-not-call lists every consumer's number is looked up in.
        self.lists = tuple(lists)
        #: Lists, or some policy's do_not_call rule: plans may have a screen.
        self.screens = bool(lists) or any(part.do_not_call is not None for part in flat)
        #: Some policy asks for consent (or lets it exempt a do-not-call listing): a
        #: dated consent matters to the plan.
        self.asks_consent = any(_judges_consent(part) for part in flat)
        #: Candidate zones are every source's, none dropped (``zone_evidence="strict"``).
        self.strict_zones = strict_zones
        self.plans: dict[object, Plan] = {}
        self._schedules = tuple(Schedule(item) for item in flat)
        self._calendars: dict[tuple[int, str, str | None], ZoneCalendar] = {}
        self._checks: dict[tuple[int, ...], tuple[SuppressionCheck, TimeGate | None]] = {}
        self._lock = threading.Lock()

    def plan(self, consumer: Consumer) -> Plan:
        """The plan for ``consumer``: kept, or made now."""
        if not isinstance(consumer, Consumer):
            raise TypeError(f"consumer: expected a callwindow.Consumer, "
                            f"got {type(consumer).__name__}")
        key = self.key(consumer)
        plan = self.plans.get(key)
        if plan is None:
            plan = self._make(consumer)
            with self._lock:
                if len(self.plans) >= _MAX_PLANS:
                    self.plans.clear()
                plan = self.plans.setdefault(key, plan)
        return plan

    def key(self, consumer: Consumer) -> object:
        """What a consumer's plan depends on (their place too, when some policy is scoped)."""
        key: tuple[object, ...] = (consumer.strict_plan_key if self.strict_zones
                                   else consumer.plan_key)
        if not self.asks_consent and type(key[2]) is not bool:
            key = (key[0], key[1], True)  # a dated consent no policy judges: one plan for all
        return (*key, consumer.places_key) if self.scoped else key

    def _make(self, consumer: Consumer) -> Plan:
        evidence = consumer.strict_zone_evidence if self.strict_zones else consumer.zone_evidence
        candidates = tuple(zone for zone, _sources in evidence)
        zones = set(candidates)
        calendars: list[Gate] = []
        refusals: list[Reason] = []
        applying: list[Policy] = []
        if self.scoped and not consumer.countries:  # cannot tell whom the law reaches
            refusals.append(_wording.no_policy(consumer, self.given, unplaced=True))
        for index, schedule in enumerate(self._schedules):
            policy = schedule.policy
            if not policy.applies(consumer):
                continue
            applying.append(policy)
            if policy.requires_consent:
                self._consent(policy, consumer.consent, candidates, zones, calendars,
                              refusals)
            fixed = (policy.timezone,) if policy.timezone else ()
            if not (fixed or candidates) and self._needs_zone(index):
                refusals.append(_wording.unknown_timezone(policy))
                continue
            if not schedule.has_time_rule:
                continue
            policy_zones = fixed or candidates
            zones.update(policy_zones)
            calendars.extend(self._calendar(index, zone, consumer.region)
                             for zone in policy_zones)
        if not applying and not refusals:
            refusals.append(_wording.no_policy(consumer, self.given, unplaced=False))
        rules = tuple(rule for rule in self.rules
                      if any(rule.policy is policy for policy in applying))
        judged = (consumer.consent if any(_judges_consent(policy) for policy in applying)
                  else None)
        screen = self._screen(applying, consumer.consent, calendars) if self.screens else None
        return Plan(tuple(sorted(zones)), tuple(calendars), tuple(refusals), applying, rules,
                    evidence, judged, screen)

    def _screen(self, applying: Sequence[Policy], consent: bool | Consent,
                calendars: list[Gate]) -> Screen | None:
        """The do-not-call screen of a plan, and its rules' gate put among its calendars.

        The rules' check and gate are compiled once per set of ruling policies.
        """
        # Imported here: an engine without lists or rules never loads the module.
        from ._suppression import Screen, SuppressionCheck, registry_gate

        ruling = tuple(policy for policy in applying if policy.do_not_call is not None)
        if not (ruling or self.lists):
            return None
        key = tuple(id(policy) for policy in ruling)  # of self.policies, kept as long
        compiled = self._checks.get(key)
        if compiled is None:
            check = SuppressionCheck(self.lists, [policy.do_not_call for policy in ruling
                                                  if policy.do_not_call is not None])
            compiled = (check, registry_gate(check, ruling) if ruling else None)
            with self._lock:
                compiled = self._checks.setdefault(key, compiled)
        check, gate = compiled
        if gate is not None:
            calendars.append(gate)
        return Screen(check, ruling, consent)

    def _needs_zone(self, index: int) -> bool:
        """Whether the policy's rules need the consumer's local clock or date: hours,
        holidays, blackouts (judged per zone like hours) or calendar-day limits."""
        policy = self._schedules[index].policy
        return (self._schedules[index].has_time_rule
                or any(rule.by_dates for rule in self.rules if rule.policy is policy))

    @staticmethod
    def _consent(policy: Policy, consent: bool | Consent, candidates: tuple[str, ...],
                 zones: set[str], calendars: list[Gate],
                 refusals: list[Reason]) -> None:
        """What the policy's consent requirement makes of the consumer's consent."""
        span = validity(policy, consent)
        if span is True:
            return
        dated = policy.effective_from is not None or policy.effective_to is not None
        if span is None and not dated:
            refusals.append(_wording.consent_lapsed(policy, consent))
            return
        assert not isinstance(span, bool)
        # Refused only while in force (the policy's dates, on each zone's clock)
        # and while the consent does not count.
        gate_zones = (candidates or ("UTC",)) if dated else ("UTC",)
        if dated:
            zones.update(gate_zones)
        calendars.extend(ConsentGate(policy, consent, span, zone) for zone in gate_zones)

    def _calendar(self, index: int, zone: str, region: str | None) -> ZoneCalendar:
        schedule = self._schedules[index]
        subdivision = schedule.subdivision(region)
        key = (index, zone, subdivision)
        calendar = self._calendars.get(key)
        if calendar is None:
            calendar = ZoneCalendar(schedule, zone, schedule.holiday_calendar(subdivision))
            with self._lock:
                calendar = self._calendars.setdefault(key, calendar)
        return calendar


def _judges_consent(policy: Policy) -> bool:
    """Whether ``policy`` asks for consent, or lets it exempt a do-not-call listing."""
    return policy.requires_consent or (policy.do_not_call is not None
                                       and policy.do_not_call.consent_exempts)


def _open_test(calendars: tuple[Gate, ...], refusals: tuple[Reason, ...]
               ) -> Callable[[int], bool]:
    if refusals:
        return _never
    if not calendars:
        return _always
    if len(calendars) == 1:
        return calendars[0].is_open

    def all_open(t: int) -> bool:
        for calendar in calendars:  # noqa: SIM110 - a plain loop beats all(<generator>) here
            if not calendar.is_open(t):
                return False
        return True

    return all_open


def _always(t: int) -> bool:
    return True


def _never(t: int) -> bool:
    return False
