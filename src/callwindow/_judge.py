"""The sans-I/O core: everything an engine decides, with no ledger in sight.

Judging a consumer goes: prepare (the plan, its calendars, and what the
ledger must be asked) → one ledger exchange → finish (the ``Decision``).  The
``Judge`` does both ends and never touches a ledger: where it needs the
history it returns an ``Exchange`` — the question for the ledger and what to
do with the answer — and the shell that called it (``Engine`` with a plain
call, ``AsyncEngine`` with an ``await``) carries the exchange to its ledger
and hands the reply back.  Both shells therefore decide exactly alike.

Almost every call needs at most one exchange.  The exception: an acquire
refused by the history when some rule has effective dates (a rule that comes
into force later matters to the next allowed time, and the acquire only
counted the rules in force now), which reads once more.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Generic, Literal, NamedTuple, TypeAlias, TypeVar
from zoneinfo import ZoneInfo

from . import _time, _wording
from ._decision import Decision, Reason, _Given, make_decision
from ._enums import Outcome
from ._errors import InvalidInputError, LedgerError
from ._frequency import (
    Attempt,
    Constraint,
    LedgerKeys,
    Tally,
    over_limit,
    retention_for,
)
from ._intervals import Span, intersect
from ._models import MAX_PERIOD, Consumer, Policy, bounded_duration
from ._plan import Plan, Planner
from ._search import first_allowed, history_windows
from ._time import US, Clock, SystemClock, from_us

if TYPE_CHECKING:
    from ._suppression import SuppressionList

__all__ = ["READ_BATCH", "Exchange", "Judge", "Reply", "Shell", "as_ledger_error", "as_outcome",
           "settle"]

_T = TypeVar("_T")
_PENDING = Outcome.PENDING.value
_FIRST, _LAST = _time.YEARS.start, _time.YEARS.stop - 1
#: NamedTuples built on the acquire path skip their Python-level constructor
#: (measured: 110 ns instead of 225 ns each, three per acquire).
_new = tuple.__new__

#: What a ledger answered: the new attempt's id and the counts, or how it failed.
Reply: TypeAlias = "tuple[str | None, tuple[tuple[int, ...], ...]] | LedgerError"
#: Read-only exchanges a shell sends to the ledger in one ``check_many`` call, at most
#: (a round trip per 1,000 rows costs little, and keeps each request and reply small).
READ_BATCH = 1000


class Exchange(NamedTuple, Generic[_T]):
    """One ``check_and_record`` call a shell must make, and what follows from its reply.

    ``finish(reply)`` gives the result, or the next exchange.  A NamedTuple, made
    with ``_new`` on the acquire path.
    """

    subject: str
    constraints: Sequence[Constraint]
    attempt: Attempt | None
    finish: Callable[[Reply], _T | Exchange[_T]]


def settle(steps: list[_T | Exchange[_T]]
           ) -> Generator[list[Exchange[_T]], list[Reply], list[_T]]:
    """Finish many steps together: yields the read-only exchanges still pending, all
    at once, and takes their replies in order, until every step has its result.

    A shell sends each yielded list to the ledger in batches (``check_many``),
    so a list costs one round trip per batch, not one per consumer.
    """
    while True:
        pending = [index for index, step in enumerate(steps) if isinstance(step, Exchange)]
        if not pending:
            return steps  # type: ignore[return-value]  # no Exchange is left
        exchanges: list[Exchange[_T]] = [steps[index] for index in pending]  # type: ignore[misc]
        replies = yield exchanges
        for index, exchange, reply in zip(pending, exchanges, replies, strict=True):
            steps[index] = exchange.finish(reply)


class _Refusal:
    """Explains a refusal from what the engine found: the plan, and the history
    counted (or how reading it failed).  Computes; never reads a ledger."""

    __slots__ = ("_failure", "_plan", "_tally")

    def __init__(self, plan: Plan, tally: Tally | None, failure: LedgerError | None) -> None:
        self._plan = plan
        self._tally = tally
        self._failure = failure

    def explain(self, t: int) -> tuple[tuple[Reason, ...], datetime | None]:
        plan, tally = self._plan, self._tally
        reasons = plan.reasons(t)
        if tally is None:
            assert self._failure is not None
            return (*reasons, _wording.ledger_unavailable(self._failure)), None
        reasons += tuple(_wording.rule_refuses(*refusal) for refusal in tally.refusals(t))
        if plan.refusals:
            return reasons, None
        return reasons, first_allowed(plan.calendars, tally, t)


class Shell:
    """What both engine shells show of the judge they wrap."""

    _judge: Judge

    @property
    def policies(self) -> tuple[Policy, ...]:
        """The policies this engine applies, as given."""
        return self._judge.policies

    @property
    def clock(self) -> Clock:
        """Where "now" comes from."""
        return self._judge.clock

    @property
    def suppression(self) -> tuple[SuppressionList, ...]:
        """The do-not-call lists every number is looked up in, as given."""
        return self._judge.planner.lists

    def __repr__(self) -> str:
        ids = ", ".join(policy.id for policy in self.policies)
        return f"callwindow.{type(self).__name__}([{ids}], ledger={self.ledger!r})"

    ledger: object


class Judge:
    """What both engine shells share: the configuration, the plans, the decisions.

    See ``Engine`` for the arguments; invalid ones raise ``InvalidInputError``
    (a ``ValueError``) naming the argument.
    """

    def __init__(self, policy: Policy | Sequence[Policy], *, clock: Clock | None,
                 retention: str, on_ledger_error: Literal["refuse", "raise"],
                 zone_evidence: Literal["ranked", "strict"] = "ranked",
                 suppression: SuppressionList | Iterable[SuppressionList] | None = None) -> None:
        policies = (policy,) if isinstance(policy, Policy) else tuple(policy)
        if not policies:
            raise InvalidInputError("policy: an engine needs at least one policy",
                                    field="policy")
        for item in policies:
            if not isinstance(item, Policy):
                raise TypeError(f"policy: expected Policy objects, got {type(item).__name__}")
        if on_ledger_error not in ("refuse", "raise"):
            raise InvalidInputError(f"on_ledger_error: expected 'refuse' or 'raise', "
                                    f"got {on_ledger_error!r}", field="on_ledger_error")
        if zone_evidence not in ("ranked", "strict"):
            raise InvalidInputError(f"zone_evidence: expected 'ranked' or 'strict', "
                                    f"got {zone_evidence!r}", field="zone_evidence")
        try:
            floor = int(bounded_duration(retention, MAX_PERIOD, "retention").total_seconds())
        except ValueError as error:
            raise InvalidInputError(f"retention: {error}", field="retention") from None
        if floor < 3600:
            raise InvalidInputError(
                f"retention: {retention!r} is shorter than an hour; an attempt must outlive "
                f"the call, so that its outcome can be set", field="retention")
        self.policies: tuple[Policy, ...] = policies
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.planner = Planner(policies, strict_zones=zone_evidence == "strict",
                               lists=_lists(suppression))
        self.rules = self.planner.rules
        self.raise_ledger_errors = on_ledger_error == "raise"
        self._always_in_force = all(rule.always for rule in self.rules)
        self._retention_floor = floor
        self._pending_retention = retention_for(self.rules, _PENDING, floor)
        # Attempts are dated by this host's clock; when it is the machine's
        # (not a test's FrozenClock), a shared ledger checks it against its
        # server's and refuses an attempt dated too far off (Attempt.host_clock):
        # one host with a wrong clock must not break a limit the fleet shares.
        self._host_clock = isinstance(self.clock, SystemClock)

    # -- instants ----------------------------------------------------------------------

    def instant(self, value: datetime | str | None, field: str) -> datetime:
        """An aware datetime (in any zone) for ``value``, the clock's now for ``None``."""
        if value is None:
            now = self.clock.now()
            if not isinstance(now, datetime):
                raise TypeError(f"clock.now() returned {type(now).__name__}, "
                                f"not an aware datetime")
            return _time.aware(now, "clock.now()")
        if isinstance(value, datetime):
            tz = value.tzinfo
            # Aware by construction, and within the years judged (a chained
            # comparison: ``in range`` costs twice as much, on every check).
            if (tz is _time.UTC or type(tz) is ZoneInfo) and _FIRST <= value.year <= _LAST:
                return value
            return _time.in_years(_time.aware(value, field), field)
        return _time.parse_instant(value, field)

    # -- check and acquire -------------------------------------------------------------

    def judge(self, consumer: Consumer, at: datetime | str | None, *, record: bool
              ) -> Decision | Exchange[Decision]:
        """``check`` (``record=False``) or ``acquire`` of ``consumer`` at ``at``."""
        moment = self.instant(at, "at")
        return self.decide(consumer, self.planner.plan(consumer), moment, _time.to_us(moment),
                           record=record, host_clock=at is None)

    def decide(self, consumer: Consumer, plan: Plan, at: datetime, t: int, *,
               record: bool, host_clock: bool = False) -> Decision | Exchange[Decision]:
        """``judge``, once the instant is known in µs and the plan found.

        ``host_clock``: ``at`` is the clock's now, not the caller's (see ``_host_clock``).
        """
        if plan.screen is not None:  # do-not-call lists or rules: this number's own plan
            plan = plan.screen.plan_for(consumer, plan)
        if not plan.rules:  # the calendars alone decide: no history to read or write
            return make_decision(plan.is_open(t), at, t, consumer.id, plan, plan)
        try:
            keys: LedgerKeys = consumer.ledger_keys
        except ValueError as error:  # nobody to count attempts for: refused
            reasons = (*plan.reasons(t), _wording.nobody_to_count(str(error)))
            return make_decision(False, at, t, consumer.id, plan, _Given(reasons, None))
        if not plan.is_open(t):  # refused by the clock: read what explains it
            return self._explain(consumer, plan, keys, at, t)
        # What each rule in force asks of this consumer's history: as last asked when
        # this plan asks the same at t (a check, then the acquire moments later), else
        # built here.
        asked = keys.asked
        if asked is not None and asked[0] == plan.serial and asked[1] <= t < asked[2]:
            constraints = asked[3]
        else:
            asks, lo, hi = plan.asks(plan.candidates, t)
            # Inlined, ``_new``, and a loop (a comprehension is a call in 3.11), because
            # this is the hot path of every acquire (measured).
            key = keys.key  # a number is parsed only when a rule counts per phone
            built = []
            for scopes, since, outcomes, limit in asks:
                built.append(_new(Constraint, (key(scopes[0]), (), since, outcomes, limit)
                                  if len(scopes) == 1 else
                                  (*keys.per(scopes), since, outcomes, limit)))
            constraints = tuple(built)  # shared by the exchanges that ask the same
            keys.asked = (plan.serial, lo, hi, constraints)
        attempt = None
        if record:
            kept, ahead = self._pending_retention, t // US - int(time.time())  # see _kept_for
            if kept is not None and ahead > 0:
                kept += ahead
            attempt = _new(Attempt, (t, _PENDING, keys.keys, kept,
                                     host_clock and self._host_clock))

        def finish(reply: Reply) -> Decision | Exchange[Decision]:
            # (As few names from decide() as will do: each is a cell made on every call.)
            if isinstance(reply, LedgerError):
                return self._unavailable(consumer, plan, at, t, reply)
            attempt_id, matches = reply
            if (attempt_id is not None if attempt is not None
                    else not over_limit(constraints, matches)):
                return make_decision(True, at, t, consumer.id, plan, None, attempt_id)
            return self._refused_by_history(consumer, plan, at, t, matches)

        return _new(Exchange, (keys.identity, constraints, attempt, finish))

    def decide_many(self, consumers: Sequence[Consumer], at: datetime, t: int
                    ) -> list[Decision | Exchange[Decision]]:
        """``check`` of each consumer at one instant; consumers of one kind share an answer
        when no history is involved."""
        planner = self.planner
        steps: list[Decision | Exchange[Decision]] = []
        shared: dict[int, Decision] = {}
        for consumer in consumers:
            plan = planner.plan(consumer)
            first = shared.get(id(plan))
            if not plan.by_calendars or first is None:
                step = self.decide(consumer, plan, at, t, record=False)
                if isinstance(step, Decision):
                    shared[id(plan)] = step
                steps.append(step)
            else:  # one of a kind already judged at this instant: its answer
                steps.append(make_decision(first.allowed, at, t, consumer.id, plan, plan))
        return steps

    # -- the other questions -----------------------------------------------------------

    def next_allowed(self, consumer: Consumer, after: datetime
                     ) -> datetime | Exchange[datetime | None] | None:
        """The earliest allowed instant at or after ``after``."""
        plan = self._plan(consumer)
        t = _time.to_us(after)
        if plan.refusals:
            return None
        if not plan.rules:
            found = plan.next_open(t)
            if found is None:
                return None
            return _time.as_utc(after) if found == t else from_us(found)
        return self._read(plan, _keys(consumer), plan.candidates, t,
                          lambda tally: first_allowed(plan.calendars, tally, t))

    def windows(self, consumer: Consumer, start: datetime, end: datetime
                ) -> list[tuple[datetime, datetime]] | Exchange[list[tuple[datetime, datetime]]]:
        """The allowed intervals within ``[start, end)``, in UTC."""
        start_utc = _time.as_utc(start, "start")
        end_utc = _time.as_utc(end, "end")
        _time.span(start_utc, end_utc)
        lo, hi = _time.to_us(start_utc), _time.to_us(end_utc)
        plan = self._plan(consumer)
        if hi <= lo or plan.refusals:
            return []
        spans: list[Span] = [(lo, hi)]
        for calendar in plan.calendars:
            spans = intersect(spans, list(calendar.intervals(lo, hi)))
            if not spans:
                return []

        def as_datetimes(found: list[Span]) -> list[tuple[datetime, datetime]]:
            return [(start_utc if s == lo else from_us(s), end_utc if e == hi else from_us(e))
                    for s, e in found]

        if not plan.rules:
            return as_datetimes(spans)
        return self._read(plan, _keys(consumer), plan.candidates, lo,
                          lambda tally: as_datetimes(history_windows(tally, spans, lo, hi)))

    def record(self, consumer: Consumer, outcome: Outcome | str, at: datetime, *,
               host_clock: bool = False) -> str | Exchange[str]:
        """Record an attempt whatever the rules say: the exchange gives its id."""
        value = as_outcome(outcome).value
        keys = _keys(consumer)
        t = _time.to_us(at)
        attempt = Attempt(t, value, keys.keys, self._kept_for(t, value),
                          host_clock and self._host_clock)

        def finish(reply: Reply) -> str:
            if isinstance(reply, LedgerError):
                raise reply
            attempt_id = reply[0]
            assert attempt_id is not None  # nothing to exceed: always recorded
            return attempt_id

        return Exchange(keys.identity, (), attempt, finish)

    def retention(self, outcome: str) -> int | None:
        """How long (seconds) to keep an attempt that ended in ``outcome``."""
        return retention_for(self.rules, outcome, self._retention_floor)

    # -- internals ---------------------------------------------------------------------

    def _plan(self, consumer: Consumer) -> Plan:
        """The plan for ``consumer``, their number screened against the lists."""
        plan = self.planner.plan(consumer)
        return plan if plan.screen is None else plan.screen.plan_for(consumer, plan)

    def _read(self, plan: Plan, keys: LedgerKeys, zones: tuple[str, ...], t: int,
              then: Callable[[Tally], _T],
              failed: Callable[[LedgerError], _T] | None = None) -> Exchange[_T]:
        """Read the history every rule in force at or after ``t`` counts, then ``then``.

        A failed read raises its ``LedgerError``, or gives ``failed(error)``.
        """
        rules = [rule for rule in plan.rules if rule.in_force(rule.zones(zones))[1] > t]
        rule_zones = [rule.zones(zones) for rule in rules]
        constraints = [rule.constraint(keys, t, rz)
                       for rule, rz in zip(rules, rule_zones, strict=True)]

        def finish(reply: Reply) -> _T:
            if isinstance(reply, LedgerError):
                if failed is None:
                    raise reply
                return failed(reply)
            return then(Tally(rules, rule_zones, reply[1]))

        return Exchange(keys.identity, constraints, None, finish)

    def _explain(self, consumer: Consumer, plan: Plan, keys: LedgerKeys, at: datetime, t: int
                 ) -> Exchange[Decision]:
        """A refusal, with the history read so that it is explained in full."""
        return self._read(plan, keys, plan.candidates, t,
                          lambda tally: self._refused(consumer, plan, at, t, tally),
                          lambda failure: self._unavailable(consumer, plan, at, t, failure))

    def _refused_by_history(self, consumer: Consumer, plan: Plan, at: datetime, t: int,
                            matches: tuple[tuple[int, ...], ...]
                            ) -> Decision | Exchange[Decision]:
        """A call the history refuses, explained by the counts just made when they
        cover every rule (no effective dates), else by a second read."""
        if self._always_in_force:
            zones = plan.candidates
            tally = Tally(plan.rules, [rule.zones(zones) for rule in plan.rules], matches)
            return self._refused(consumer, plan, at, t, tally)
        return self._explain(consumer, plan, consumer.ledger_keys, at, t)

    def _refused(self, consumer: Consumer, plan: Plan, at: datetime, t: int, tally: Tally
                 ) -> Decision:
        return make_decision(False, at, t, consumer.id, plan, _Refusal(plan, tally, None))

    def _unavailable(self, consumer: Consumer, plan: Plan, at: datetime, t: int,
                     failure: LedgerError) -> Decision:
        if self.raise_ledger_errors:
            raise failure
        return make_decision(False, at, t, consumer.id, plan, _Refusal(plan, None, failure))

    def _kept_for(self, t: int, outcome: str) -> int | None:
        """How long a ledger must keep an attempt made at ``t``, from when it writes it.

        Rules count from the attempt's time, ledgers expire from the write, by
        the machine's clock (not the engine's, which a test may freeze): an
        attempt dated ahead of it is kept that much longer.
        """
        kept = self._pending_retention if outcome == _PENDING else self.retention(outcome)
        ahead = t // US - int(time.time())
        return kept if kept is None or ahead <= 0 else kept + ahead


def as_outcome(value: Outcome | str) -> Outcome:
    """``value`` as an ``Outcome``; an ``InvalidInputError`` naming it if it is none."""
    try:
        return Outcome(value)
    except ValueError:
        names = ", ".join(o.value for o in Outcome)
        raise InvalidInputError(f"outcome: {value!r} is not one of {names}",
                                field="outcome") from None


def as_ledger_error(error: Exception) -> LedgerError:
    """Any failure of a ledger call as a ``LedgerError`` (the call is then refused)."""
    if isinstance(error, LedgerError):
        return error
    return LedgerError(f"the attempt ledger failed: {type(error).__name__}: {error}")


def _lists(suppression: object) -> tuple[SuppressionList, ...]:
    """``suppression=``: one list or several (any iterable), each a ``SuppressionList``."""
    if suppression is None or (isinstance(suppression, list | tuple) and not suppression):
        return ()  # (an empty SuppressionList is falsy too, but a list all the same)
    from ._suppression import SuppressionList  # loaded only when lists are given

    if isinstance(suppression, SuppressionList):
        return (suppression,)
    if not isinstance(suppression, Iterable) or isinstance(suppression, str | bytes):
        raise TypeError(f"suppression: expected a callwindow.SuppressionList or several, "
                        f"got {type(suppression).__name__}")
    given = tuple(suppression)
    for index, item in enumerate(given):
        if not isinstance(item, SuppressionList):
            raise TypeError(f"suppression[{index}]: expected a callwindow.SuppressionList, "
                            f"got {type(item).__name__}")
    return given


def _keys(consumer: Consumer) -> LedgerKeys:
    if not isinstance(consumer, Consumer):
        raise TypeError(f"consumer: expected a callwindow.Consumer, "
                        f"got {type(consumer).__name__}")
    return consumer.ledger_keys



