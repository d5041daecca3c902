"""Limits and cooldowns over an attempt history, with no storage in sight.

Every rule comes down to one question a ledger can answer atomically: how
many attempts carry this key, end in one of these outcomes, and were made at
or after this instant?  That is a ``Constraint``.  A rule turns the instant
judged into a constraint (``since``), and turns each counted attempt into the
instant it stops counting (``expiry``); the two are exact inverses of each
other, so ``check`` at the release time a refusal gives is allowed.

Time here, as everywhere in callwindow, is integer microseconds since the
epoch: exact in a double (Redis scores, SQL integers) up to the year 2255, so
no boundary is lost to rounding.  The words of a refusal are ``_wording``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from . import _time
from ._enums import Outcome, ReasonCode
from ._keys import LedgerKeys
from ._models import CooldownRule, LimitRule, Policy
from ._time import US

__all__ = ["EXTREME_ZONES", "HOUR_US", "Attempt", "Constraint", "LedgerKeys", "Rule",
           "Tally", "compile_rules", "next_midnight", "over_limit", "retention_for"]
#: Earlier than any attempt: "since" of a permanent cooldown.
EVER = -(2**53)
#: Later than any instant: a policy that never lapses.
NEVER = 2**53
HOUR_US = 3600 * US
_DAY_US = 24 * HOUR_US
#: With no zone known, a rule's effective dates are read in the two extreme
#: zones (in force if in force anywhere), and calendar days are counted as a
#: rolling window one hour longer than the days: whatever the consumer's true
#: zone, an attempt counts at least as long as it would there.
EXTREME_ZONES = ("Etc/GMT+12", "Etc/GMT-14")
_PENDING = Outcome.PENDING.value


class Constraint(NamedTuple):
    """Count the attempts with ``key`` (and every key in ``also``), made at or
    after ``since`` (µs), whose outcome is in ``outcomes`` (``None``: any);
    the call is refused when the count reaches ``limit``."""

    key: str
    also: tuple[str, ...]
    since: int
    outcomes: frozenset[str] | None
    limit: int

    def counts(self, outcome: str, keys: Sequence[str] | frozenset[str]) -> bool:
        """Whether an attempt with this outcome and these keys is one this counts."""
        if self.outcomes is not None and outcome not in self.outcomes:
            return False
        return all(key in keys for key in self.also)


class Attempt(NamedTuple):
    """An attempt to record: when (µs), how it ended, its keys, how long to keep it.

    ``retention`` is in seconds from when the ledger writes it; ``None`` keeps
    it until it is forgotten (an opt-out).  ``host_clock``: ``ts`` is this
    host's clock reading of now (the caller gave no time), so a ledger with a
    clock of its own (a server shared by many hosts) refuses it when the two
    disagree by more than it tolerates.
    """

    ts: int
    outcome: str
    keys: tuple[str, ...]
    retention: int | None
    host_clock: bool = False


class Rule:
    """One limit or cooldown of one policy, compiled."""

    __slots__ = ("_calendar_days", "_in_force", "always", "code", "cooldown",
                 "fixed_zones", "limit", "outcomes", "period_us", "policy", "scopes", "source_rule")

    def __init__(self, policy: Policy, source_rule: LimitRule | CooldownRule) -> None:
        self.policy = policy
        self.source_rule = source_rule
        self.scopes = source_rule.per
        self.cooldown = isinstance(source_rule, CooldownRule)
        self._in_force: dict[tuple[str, ...], tuple[int, int]] = {}
        #: In force at every instant: no effective dates to look up.
        self.always = policy.effective_from is None and policy.effective_to is None
        #: The policy's own zone, when it names one: dates are counted there.
        self.fixed_zones: tuple[str, ...] = (policy.timezone,) if policy.timezone else ()
        if isinstance(source_rule, CooldownRule):
            self.limit = 1
            self.outcomes: frozenset[str] | None = frozenset(o.value for o in source_rule.after)
            seconds = source_rule.period_seconds
            # "opted out": for good, or after nothing but opt-outs; a pause after
            # a refusal is a cooldown.
            opted_out = seconds is None or set(source_rule.after) == {Outcome.OPT_OUT}
            self.code = ReasonCode.OPTED_OUT if opted_out else ReasonCode.COOLDOWN
            shift = 1 if source_rule.day_one == "next_day" else 0
        else:
            self.limit = source_rule.max_attempts
            counted = source_rule.counts
            # A pending attempt may yet end in an outcome that counts.
            self.outcomes = (None if counted is None
                             else frozenset(o.value for o in counted) | {_PENDING})
            seconds = source_rule.period_seconds
            self.code = ReasonCode.FREQUENCY_LIMIT
            shift = 0
        self.period_us = None if seconds is None else seconds * US
        self._calendar_days = (None if seconds is None or source_rule.window != "calendar_days"
                               else seconds // 86400 + shift)

    # -- the two inverse functions --------------------------------------------------

    def since(self, t: int, zones: tuple[str, ...]) -> int:
        """The earliest attempt time that still counts at ``t``."""
        if self.period_us is None:
            return EVER
        days = self._calendar_days
        if days is None:
            return t - self.period_us + 1
        if zones is EXTREME_ZONES:  # no zone known: see EXTREME_ZONES
            return t - days * _DAY_US - HOUR_US + 1
        # Counts while its local date is within the last ``days`` dates in some zone.
        return min(_day_start(zone, _local_date(t, zone) - timedelta(days=days - 1))
                   for zone in zones)

    @property
    def by_clock(self) -> bool:
        """Whether ``since`` moves with every instant (a rolling window)."""
        return self.period_us is not None and self._calendar_days is None

    @property
    def by_dates(self) -> bool:
        """Whether it counts whole local dates (its answer changes at midnights)."""
        return self._calendar_days is not None

    def expiry(self, ts: int, zones: tuple[str, ...]) -> int:
        """The first instant at which an attempt made at ``ts`` no longer counts."""
        if self.period_us is None:
            return NEVER
        days = self._calendar_days
        if days is None:
            return ts + self.period_us
        if zones is EXTREME_ZONES:
            return ts + days * _DAY_US + HOUR_US
        return max(_day_start(zone, _local_date(ts, zone) + timedelta(days=days))
                   for zone in zones)

    def retention(self) -> int | None:
        """How long (seconds) an attempt this rule counts must be kept; ``None``: always."""
        if self.period_us is None:
            return None
        if self._calendar_days is None:
            return self.period_us // US + 3600  # an hour for the clocks of other hosts
        return (self._calendar_days + 2) * 86400  # a day either side for the zones

    # -- applying the rule ----------------------------------------------------------

    def zones(self, consumer_zones: tuple[str, ...]) -> tuple[str, ...]:
        """The zones whose local dates this rule counts in."""
        return self.fixed_zones or consumer_zones or EXTREME_ZONES

    def in_force(self, zones: tuple[str, ...]) -> tuple[int, int]:
        """``[from, until)`` in µs: while the policy is in force in some zone."""
        span = self._in_force.get(zones)
        if span is None:
            first, last = self.policy.effective_from, self.policy.effective_to
            start = EVER if first is None else min(_day_start(z, first) for z in zones)
            end = (NEVER if last is None
                   else max(_day_start(z, last + timedelta(days=1)) for z in zones))
            span = self._in_force[zones] = (start, end)
        return span

    def constraint(self, keys: LedgerKeys, t: int, zones: tuple[str, ...]) -> Constraint:
        """What to ask the ledger about the consumer with ``keys`` at ``t``."""
        key, also = keys.per(self.scopes)
        return Constraint(key, also, self.since(t, zones), self.outcomes, self.limit)

    def release(self, matches: Sequence[int], zones: tuple[str, ...]) -> int | None:
        """When the counted attempts ``matches`` (sorted µs) stop refusing; ``None``: never."""
        if len(matches) < self.limit:
            return EVER
        if self.cooldown:
            expiry = self.expiry(matches[-1], zones)
        else:  # enough of the oldest must lapse to leave limit - 1
            expiry = self.expiry(matches[len(matches) - self.limit], zones)
        return None if expiry == NEVER else expiry


def over_limit(constraints: Sequence[Constraint], matches: Sequence[Sequence[int]]) -> bool:
    """Whether some constraint has reached its limit."""
    for constraint, times in zip(constraints, matches):  # noqa: B905, SIM110 - hot path
        if len(times) >= constraint.limit:
            return True
    return False


def compile_rules(policies: Sequence[Policy]) -> tuple[Rule, ...]:
    """Every limit and cooldown of ``policies``, in policy order."""
    rules: list[Rule] = []
    for policy in policies:
        rules += [Rule(policy, limit) for limit in policy.limits]
        rules += [Rule(policy, cooldown) for cooldown in policy.cooldowns]
    return tuple(rules)


def retention_for(rules: Sequence[Rule], outcome: str, floor: int) -> int | None:
    """How long to keep an attempt with ``outcome``: the longest rule that counts it."""
    longest = floor
    for rule in rules:
        if rule.outcomes is not None and outcome not in rule.outcomes:
            continue
        kept = rule.retention()
        if kept is None:
            return None
        longest = max(longest, kept)
    return longest


def _local_date(us: int, zone: str) -> date:
    return datetime.fromtimestamp(us // US, _time.zone(zone)).date()


def next_midnight(t: int, zones: tuple[str, ...]) -> int:
    """The first local midnight after ``t`` in any of ``zones``."""
    return min(_day_start(zone, _local_date(t, zone) + timedelta(days=1)) for zone in zones)


@lru_cache(maxsize=4096)
def _day_start(zone: str, day: date) -> int:
    return _time.wall_to_timestamp(_time.zone(zone), day, 0, later=False) * US


class Tally:
    """What the history says at one instant: per rule, the attempts it counts.

    Made from one ledger read; answers for any later instant too, assuming
    no new attempts (counts only fall as time passes: ``since`` only moves on).
    """

    __slots__ = ("matches", "rules", "zones")

    def __init__(self, rules: Sequence[Rule], zones: Sequence[tuple[str, ...]],
                 matches: Sequence[Sequence[int]]) -> None:
        self.rules = rules
        self.zones = zones
        self.matches = matches

    def blocking(self, t: int) -> list[tuple[int, tuple[int, ...]]]:
        """The rules (by position) that refuse at ``t``, with the attempts they count."""
        found = []
        for i, rule in enumerate(self.rules):
            zones = self.zones[i]
            start, end = rule.in_force(zones)
            if not start <= t < end:
                continue
            since = rule.since(t, zones)
            counted = tuple(ts for ts in self.matches[i] if ts >= since)
            if len(counted) >= rule.limit:
                found.append((i, counted))
        return found

    def release(self, t: int) -> int | None:
        """The first instant at or after ``t`` no rule refuses (a lower bound when
        a rule comes into force later: ask again there); ``None``: never."""
        latest = t
        for i, counted in self.blocking(t):
            freed = self._freed(i, counted)
            if freed is None:
                return None
            latest = max(latest, freed)
        return latest

    def refusals(self, t: int) -> list[tuple[Rule, tuple[int, ...], int | None,
                                              tuple[str, ...]]]:
        """Per rule that refuses at ``t``: the rule, the attempts it counts, when it
        releases (``None``: never) and the zones it counts dates in."""
        return [(self.rules[i], counted, self._freed(i, counted), self.zones[i])
                for i, counted in self.blocking(t)]

    def _freed(self, i: int, counted: Sequence[int]) -> int | None:
        rule, zones = self.rules[i], self.zones[i]
        freed = rule.release(counted, zones)
        end = rule.in_force(zones)[1]
        if freed is None or freed > end:
            freed = end  # the policy lapses first
        return None if freed == NEVER else freed
