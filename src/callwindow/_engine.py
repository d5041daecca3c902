"""``Engine``: the synchronous shell over the sans-I/O judge (see ``_judge``).

Each method asks the judge, carries any ledger exchange it returns to the
ledger with a plain call, and hands back the judge's answer.  ``AsyncEngine``
(``_async_engine``) is the same shell with ``await``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from . import _time
from ._decision import Decision, make_decision
from ._enums import Outcome
from ._errors import InvalidInputError, MissingExtraError
from ._judge import (
    READ_BATCH,
    Exchange,
    Judge,
    Reply,
    Shell,
    as_outcome,
    settle,
)
from ._models import Consumer, Policy
from ._observe import DEBUG, Observer, OnDecision, debugging
from ._time import Clock
from .ledgers import Ledger, MemoryLedger, ledger_from_url, read_many

if TYPE_CHECKING:
    import pyarrow

    from ._suppression import SuppressionList
    from ._table import TableCheck

__all__ = ["Engine", "check_attempt_id", "subjects_of", "unknown_attempt"]

_T = TypeVar("_T")
_US = _time.US
_UTC = _time.UTC
_FIRST, _LAST = _time.YEARS.start, _time.YEARS.stop - 1
_floor = math.floor


class Engine(Shell):
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
        on_decision: called with the audit record (``Decision.to_dict()``) of
            every decision ``check``, ``acquire`` and ``check_many`` make, once it
            is made (after the ledger exchange), in the calling thread.  What it
            raises is logged and never changes the decision.  For an audit trail.
        zone_evidence: ``"ranked"`` (default): evidence that carries no
            information beside better evidence adds no candidate zone (a
            mobile outside NANP beside a zone or region in its country; a
            region's other zones beside an explicit zone in it).  ``"strict"``:
            every zone of every source is a candidate (the union, as before
            0.2); more refusals, never fewer.
        suppression: do-not-call lists (a ``SuppressionList`` or several): a
            consumer whose number is on one is refused with ``do_not_call``,
            for good (``next_allowed_at`` is ``None``), unless the list's
            registry is one a policy's ``do_not_call`` rule names with
            ``consent_exempts`` and the consumer's consent counts.  A policy's
            ``do_not_call`` rule refuses every call it governs while no list
            of its registry obtained within its ``max_age`` is given.  With
            lists or rules, a consumer without a phone number that parses is
            refused (the number dialled cannot be looked up).  The engine does
            not close the lists.  See docs/suppression.md.

    Ledger failures and recoveries are logged to the ``"callwindow"`` logger,
    without phone numbers or ids; so is each decision at DEBUG, when that
    logger is enabled for DEBUG as the engine is built (asking the logger on
    every ``check`` would cost a twentieth of it).

    Invalid arguments raise ``InvalidInputError`` (a ``ValueError``) naming
    the argument.  An Engine is safe to share between threads.  It compiles
    each (policy, zone, holiday calendar, year) once, on first use.  Every
    ``Decision`` it returns is complete: reading it never touches the ledger.
    """

    __module__ = "callwindow"

    def __init__(self, policy: Policy | Sequence[Policy], *, clock: Clock | None = None,
                 ledger: Ledger | str | None = None, retention: str = "P1D",
                 on_ledger_error: Literal["refuse", "raise"] = "refuse",
                 on_decision: OnDecision | None = None,
                 zone_evidence: Literal["ranked", "strict"] = "ranked",
                 suppression: SuppressionList | Iterable[SuppressionList] | None = None
                 ) -> None:
        self._judge = judge = Judge(policy, clock=clock, retention=retention,
                                    on_ledger_error=on_ledger_error,
                                    zone_evidence=zone_evidence, suppression=suppression)
        # Read on check()'s hot path, which unrolls Judge.judge: the plan lookup
        # and _time.to_us inlined (measured: each a tenth of an allowed check);
        # planner.plan() makes a missing plan and names a wrong argument.
        self._plans = judge.planner.plans
        self._scoped = judge.planner.scoped or judge.planner.strict_zones  # other keys
        self._owns_ledger = not isinstance(ledger, Ledger)
        if ledger is None:
            ledger = MemoryLedger()
        elif isinstance(ledger, str):
            ledger = ledger_from_url(ledger)
        elif not isinstance(ledger, Ledger):
            raise TypeError(f"ledger: expected a Ledger or a URL, got {type(ledger).__name__}")
        self.ledger: Ledger = ledger
        self._observer = Observer(ledger, on_decision, awaits=False)
        self._observing = on_decision is not None or debugging(DEBUG)

    def check(self, consumer: Consumer, at: datetime | str | None = None) -> Decision:
        """Whether ``consumer`` may be called at ``at`` (default: the clock's now).

        Read-only.  A refusal carries every reason that applies and the
        earliest instant at which the call would be allowed.  With limits or
        cooldowns, the history is read once (also for a refusal, which it
        explains).
        """
        # Judge.judge(consumer, at, record=False), unrolled: the hot path (see __init__).
        judge = self._judge
        if (type(at) is datetime and (at.tzinfo is _UTC or type(at.tzinfo) is ZoneInfo)
                and _FIRST <= at.year <= _LAST):
            moment = at  # Judge.instant's first answer, inlined (measured: 0.1x of a check)
        else:
            moment = judge.instant(at, "at")
        t = _floor(moment.timestamp() * _US + 0.5)
        plan = ((not self._scoped and type(consumer) is Consumer
                 and self._plans.get(consumer.plan_key)) or judge.planner.plan(consumer))
        if plan.by_calendars:  # no limits, no do-not-call screen: the calendars decide
            decision = make_decision(plan.is_open(t), moment, t, consumer.id, plan, plan)
        elif plan.rules:
            decision = self._run(judge.decide(consumer, plan, moment, t, record=False))
        else:  # a do-not-call screen, then the calendars (Judge.decide, unrolled)
            plan = plan.screen.plan_for(consumer, plan)  # type: ignore[union-attr]
            decision = make_decision(plan.is_open(t), moment, t, consumer.id, plan, plan)
        if self._observing:
            self._observer.decided(decision)
        return decision

    def acquire(self, consumer: Consumer, at: datetime | str | None = None) -> Decision:
        """``check``, and when allowed, record a ``pending`` attempt, atomically.

        The returned decision's ``attempt_id`` names the attempt: pass it to
        ``set_outcome`` when the call ends.  Between the count and the write
        no other thread, process or server sharing the ledger can record an
        attempt that the count should have seen, so N dialers racing for one
        consumer never exceed a limit.  A refused call records nothing.
        """
        # Judge.judge(consumer, at, record=True), unrolled as in check (measured: a
        # tenth of an acquire).
        judge = self._judge
        if (type(at) is datetime and (at.tzinfo is _UTC or type(at.tzinfo) is ZoneInfo)
                and _FIRST <= at.year <= _LAST):
            moment = at
        else:
            moment = judge.instant(at, "at")
        plan = ((not self._scoped and type(consumer) is Consumer
                 and self._plans.get(consumer.plan_key)) or judge.planner.plan(consumer))
        decision = self._run(judge.decide(consumer, plan, moment,
                                          _floor(moment.timestamp() * _US + 0.5), record=True,
                                          host_clock=at is None))
        if self._observing:
            self._observer.decided(decision)
        return decision

    def check_many(self, consumers: Iterable[Consumer], at: datetime | str | None = None
                   ) -> list[Decision]:
        """``check`` for many consumers at one instant, in order (for list scrubbing).

        Consumers that share candidate zones, region and consent share one
        evaluation, so a list costs little more than its distinct kinds.  With
        limits or cooldowns, the histories are read in one ledger round trip
        per 1,000 consumers (the ledger's ``check_many``).
        """
        moment = _time.as_utc(self._judge.instant(at, "at"))
        decisions = self._settle(self._judge.decide_many(list(consumers), moment,
                                                         _time.to_us(moment)))
        if self._observing:
            for decision in decisions:
                self._observer.decided(decision)
        return decisions

    def check_table(self, table: Any, at: datetime | str | None = None) -> pyarrow.Table:
        """``check_many`` for a table of consumers: a ``pyarrow.Table`` in, one out.

        ``table`` is a ``pyarrow.Table`` (or a record batch, a pandas or polars
        DataFrame, a DuckDB result: anything ``pyarrow.table`` converts) whose
        columns are ``Consumer`` fields: ``id``, ``phone``, ``timezone`` (a
        zone or a list of zones), ``country``, ``region``, ``consent``, and
        ``tags.<name>`` per tag; a null cell is a field not given, any other
        column is ignored.  Returns, row for row, ``allowed`` (bool),
        ``reasons`` (the reason codes), ``next_allowed_at`` (timestamp, UTC)
        and ``error``: why the row is not a valid ``Consumer`` (then refused,
        with null reasons), else null.  The answers are ``check_many``'s;
        rows that differ only by id are validated, planned and (without limits
        or cooldowns) judged once.  Needs the ``arrow`` extra (pyarrow).
        """
        moment = _time.as_utc(self._judge.instant(at, "at"))
        check = table_check()(self._judge, table, moment, _time.to_us(moment))
        with check.collector_paused():
            while check.steps:
                check.settled(self._settle(check.steps))
            return check.result()

    def next_allowed_at(self, consumer: Consumer, after: datetime | str | None = None
                        ) -> datetime | None:
        """The earliest instant at or after ``after`` at which the call is allowed.

        ``None`` when there is none: no candidate zone, consent missing, or no
        open time within the search horizon (``SEARCH_YEARS``, two years: a
        schedule of weekdays and yearly holidays that opens at all opens
        within one).  Raises ``LedgerError`` if the history cannot be read.
        """
        return self._run(self._judge.next_allowed(consumer, self._judge.instant(after, "after")))

    def windows(self, consumer: Consumer, start: datetime | str, end: datetime | str
                ) -> list[tuple[datetime, datetime]]:
        """The allowed intervals ``[open_from, open_until)`` within ``[start, end)``, in UTC.

        Exactly the instants at which ``check`` allows the call, merged and in
        order.  Raises ``LedgerError`` if the history cannot be read.
        """
        judge = self._judge
        return self._run(judge.windows(consumer, judge.instant(start, "start"),
                                       judge.instant(end, "end")))

    def record(self, consumer: Consumer, *, outcome: Outcome | str,
               at: datetime | str | None = None) -> str:
        """Record an attempt made without ``acquire`` (another system, a manual call).

        Recorded whatever the rules say (it has happened); returns its id.
        Raises ``LedgerError`` if the ledger cannot be written.
        """
        judge = self._judge
        return self._run(judge.record(consumer, outcome, judge.instant(at, "at"),
                                      host_clock=at is None))

    def set_outcome(self, attempt_id: str, outcome: Outcome | str) -> None:
        """Say how an acquired attempt ended (``refusal``, ``conversation``, ...).

        Raises ``InvalidInputError`` (a ``ValueError``) for an unknown outcome
        or an attempt the ledger does not hold (expired or forgotten: ``record``
        the outcome instead), and ``LedgerError`` if the ledger cannot be written.
        """
        value = as_outcome(outcome).value
        check_attempt_id(attempt_id)
        found = self._call(lambda: self.ledger.set_outcome(
            attempt_id, value, self._judge.retention(value)), (attempt_id,))
        if not found:
            raise unknown_attempt(attempt_id)

    def forget(self, consumer: Consumer) -> int:
        """Erase every attempt recorded under the consumer's id or phone number.

        For erasure requests (GDPR art. 17).  Returns how many were erased.
        Note that this also forgets refusals and opt-outs: keep a suppression
        list outside the ledger if the law requires you to honour them after.
        """
        subjects = subjects_of(consumer)
        return self._call(lambda: self.ledger.forget(subjects), subjects)

    def close(self) -> None:
        """Close the ledger if the engine opened it (from a URL or by default)."""
        if self._owns_ledger:
            self.ledger.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the shell ---------------------------------------------------------------------

    def _run(self, step: _T | Exchange[_T]) -> _T:
        """Carry the judge's exchanges to the ledger until it has its answer."""
        ledger, observer = self.ledger, self._observer
        while isinstance(step, Exchange):
            subject, constraints, attempt, finish = step
            try:
                reply: Any = ledger.check_and_record(subject, constraints, attempt)
            except Exception as error:  # any failure of the store refuses the call
                step = observer.answered(step, error)
            else:  # observer.answered's healthy case, inlined (measured: every acquire)
                if observer.ledger_trouble.failing:
                    observer.ledger_answered()
                step = finish(reply)
        return step


    def _settle(self, steps: list[_T | Exchange[_T]]) -> list[_T]:
        """Carry the judge's read-only exchanges to the ledger in batches (see ``settle``)."""
        rounds = settle(steps)
        try:
            exchanges = next(rounds)
            while True:
                exchanges = rounds.send(self._read_many(exchanges))
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    def _read_many(self, exchanges: Sequence[Exchange[_T]]) -> list[Reply]:
        replies: list[Reply] = []
        for start in range(0, len(exchanges), READ_BATCH):
            batch = exchanges[start:start + READ_BATCH]
            reads = [(step.subject, step.constraints) for step in batch]
            try:
                found: Any = read_many(self.ledger, reads)
            except Exception as error:  # any failure of the store refuses the calls
                found = error
            replies += self._observer.batch_answered(batch, found)
        return replies

    def _call(self, call: Callable[[], _T], keys: Sequence[str]) -> _T:
        """A housekeeping call to the ledger (``keys``: what to clear from a failure's text)."""
        with self._observer.ledger_call(keys):
            return call()


def table_check() -> type[TableCheck]:
    """The columnar path's ``TableCheck``, loaded on first use (pyarrow is an extra)."""
    try:
        from ._table import TableCheck
    except ModuleNotFoundError as error:
        raise MissingExtraError(f"check_table needs the {error.name!r} package: "
                                f"pip install 'callwindow[arrow]'", extra="arrow") from None
    return TableCheck


def check_attempt_id(attempt_id: object) -> None:
    if not isinstance(attempt_id, str) or not attempt_id:
        raise InvalidInputError(f"attempt_id: expected the id acquire() returned, "
                                f"got {attempt_id!r}", field="attempt_id")


def unknown_attempt(attempt_id: str) -> InvalidInputError:
    return InvalidInputError(
        f"attempt_id {attempt_id!r}: the ledger holds no such attempt (never recorded "
        f"here, expired, or forgotten); use engine.record(consumer, outcome=...) instead",
        field="attempt_id")


def subjects_of(consumer: Consumer) -> tuple[str, ...]:
    if not isinstance(consumer, Consumer):
        raise TypeError(f"consumer: expected a callwindow.Consumer, "
                        f"got {type(consumer).__name__}")
    return consumer.ledger_keys.subjects
