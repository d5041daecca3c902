"""Limits and cooldowns over an attempt history, with no storage in sight.

Every rule comes down to one question a ledger can answer atomically: how
many attempts carry this key, end in one of these outcomes, and were made at
or after this instant?  That is a ``Constraint``.  A rule turns the instant
judged into a constraint (``since``), and turns each counted attempt into the
instant it stops counting (``expiry``); the two are exact inverses of each
other, so ``check`` at the release time a refusal gives is allowed.

Time here is integer microseconds since the epoch: exact in a double (Redis
scores, SQL integers) up to the year 2255, so no boundary is lost to rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from . import _time
from ._decision import Reason
from ._enums import Outcome, ReasonCode
from ._models import Consumer, CooldownRule, LimitRule, Policy

__all__ = ["EXTREME_ZONES", "HOUR_US", "US", "Attempt", "Constraint", "Rule", "Subject",
           "Tally", "compile_rules", "from_us", "next_midnight", "retention_for"]

#: Microseconds per second.
US = 1_000_000
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
    it until it is forgotten (an opt-out).
    """

    ts: int
    outcome: str
    keys: tuple[str, ...]
    retention: int | None


class Subject:
    """The ledger keys of one consumer: who they are, their number, their tags.

    ``identity`` is the key that stands in for a scope the consumer lacks (a
    tag they do not carry, a number that does not parse): their id, else their
    number.  Counting them that way counts all their attempts together, which
    is never less strict than the rule.
    """

    __slots__ = ("_per", "_plans", "identity", "keys", "last", "scopes", "subjects")

    def __init__(self, consumer: Consumer) -> None:
        scopes: dict[str, str] = {}
        if consumer.id:
            scopes["consumer"] = "c:" + consumer.id
        phone = consumer.e164
        if phone:
            scopes["phone"] = "p:" + phone
        if not scopes:
            raise ValueError("consumer: limits and cooldowns count attempts per person; "
                             "give the consumer an id or a phone number that parses")
        self.subjects: tuple[str, ...] = tuple(scopes.values())
        for name, value in consumer.tags.items():
            # The name's length first: "t:a=b=c" was both {"a=b": "c"} and {"a": "b=c"}.
            scopes["tag:" + name] = f"t:{len(name)}:{name}={value}"
        self.scopes = scopes
        self.identity = self.subjects[0]
        self.keys: tuple[str, ...] = tuple(scopes.values())
        self._per: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
        self._plans: dict[object, tuple[tuple[Rule, str, tuple[str, ...]], ...]] = {}
        #: The last constraints an engine asked for: (the engine's plan, valid
        #: from, valid until, constraints); the plan may reuse them within that span.
        self.last: tuple[object, int, int, tuple[Constraint, ...]] | None = None

    def key(self, scope: str) -> str:
        """The key of one scope (``consumer``, ``phone``, ``tag:<name>``)."""
        return self.scopes.get(scope, self.identity)

    def keyed(self, token: object, rules: Sequence[Rule]
              ) -> tuple[tuple[Rule, str, tuple[str, ...]], ...]:
        """Each of ``rules`` with the key it counts this subject by (kept per ``token``,
        the caller's object that holds ``rules``: an engine's plan)."""
        found = self._plans.get(token)
        if found is None:
            found = self._plans[token] = tuple((rule, *self.per(rule.scopes))
                                               for rule in rules)
        return found

    def per(self, scopes: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        """The key to count by for a rule ``per`` these scopes, and the keys to match too."""
        found = self._per.get(scopes)
        if found is None:
            keys = [self.key(scope) for scope in scopes]
            found = self._per[scopes] = (keys[0], tuple(dict.fromkeys(keys[1:])))
        return found


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

    def constraint(self, subject: Subject, t: int, zones: tuple[str, ...]) -> Constraint:
        """What to ask the ledger about ``subject`` at ``t``."""
        key, also = subject.per(self.scopes)
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

    def reason(self, matches: Sequence[int], release: int | None, zones: tuple[str, ...]
               ) -> Reason:
        """Why this rule refuses, in words."""
        rule = self.source_rule
        policy = self.policy
        scope = " and ".join(self.scopes)
        if isinstance(rule, CooldownRule):
            outcomes = " or ".join(o.value for o in rule.after)
            last = _iso(matches[-1])
            if rule.period is None:
                message = (f"an attempt ended in {outcomes} at {last} (per {scope}); "
                           f"no further attempts are allowed")
            else:
                until = "never" if release is None else _iso(release)
                message = (f"an attempt ended in {outcomes} at {last} (per {scope}); "
                           f"no attempt for {rule.period}{_window_words(rule)} after it, "
                           f"until {until}")
        else:
            counted = ("attempts" if rule.counts is None
                       else "attempts ending in " + " or ".join(o.value for o in rule.counts)
                       + " (or still pending)")
            until = "never" if release is None else _iso(release)
            message = (f"{len(matches)} {counted} within {rule.period}{_window_words(rule)} "
                       f"per {scope}, and at most {rule.max_attempts} are allowed; "
                       f"the oldest that counts stops counting at {until}")
        zone = zones[0] if len(zones) == 1 and rule.window == "calendar_days" else None
        return Reason(self.code, message, policy.id, policy.source, zone)


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


def from_us(us: int) -> datetime:
    """Microseconds since the epoch as an aware UTC datetime (exact)."""
    return _EPOCH + timedelta(microseconds=us)


def _iso(us: int) -> str:
    return from_us(us).isoformat()


def _window_words(rule: LimitRule | CooldownRule) -> str:
    if rule.window != "calendar_days":
        return ""
    if isinstance(rule, CooldownRule) and rule.day_one == "next_day":
        return " (whole local days, from the day after)"
    return " (whole local days, the first day counting as day 1)"


_EPOCH = datetime(1970, 1, 1, tzinfo=_time.UTC)


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

    def reasons(self, t: int) -> list[Reason]:
        """A reason per rule that refuses at ``t``."""
        return [self.rules[i].reason(counted, self._freed(i, counted), self.zones[i])
                for i, counted in self.blocking(t)]

    def _freed(self, i: int, counted: Sequence[int]) -> int | None:
        rule, zones = self.rules[i], self.zones[i]
        freed = rule.release(counted, zones)
        end = rule.in_force(zones)[1]
        if freed is None or freed > end:
            freed = end  # the policy lapses first
        return None if freed == NEVER else freed
