"""``AsyncEngine``: the asyncio shell over the sans-I/O judge (see ``_judge``).

The same constructor, methods and answers as ``Engine``, as coroutines: each
method asks the judge and awaits any ledger exchange it returns.  No
algorithm lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from . import _time
from ._decision import Decision
from ._engine import check_attempt_id, subjects_of, table_check, unknown_attempt
from ._enums import Outcome
from ._judge import READ_BATCH, Exchange, Judge, Reply, as_ledger_error, as_outcome, settle
from ._models import Consumer, Policy
from ._time import Clock
from .ledgers import (
    AsyncLedger,
    Ledger,
    MemoryLedger,
    as_async_ledger,
    async_ledger_from_url,
    read_many_async,
)

if TYPE_CHECKING:
    import pyarrow

__all__ = ["AsyncEngine"]

_T = TypeVar("_T")


class AsyncEngine:
    """``Engine`` for asyncio programs: the same rules and answers, awaited.

    Args are ``Engine``'s.  ``ledger`` may be an ``AsyncLedger``, a plain
    ``Ledger`` (a ``MemoryLedger`` is called in place, any other from a worker
    thread) or a URL, whose asyncio transport is picked for it
    (``redis.asyncio`` for ``redis://``, psycopg's ``AsyncConnection`` and a
    pool for ``postgresql://``, a worker thread for ``sqlite:///``).  A sync
    ``Engine`` and an ``AsyncEngine`` on one URL share one history.

    Use ``async with AsyncEngine(...) as engine`` or ``await engine.aclose()``.
    """

    __module__ = "callwindow"

    def __init__(self, policy: Policy | Sequence[Policy], *, clock: Clock | None = None,
                 ledger: AsyncLedger | Ledger | str | None = None, retention: str = "P1D",
                 on_ledger_error: Literal["refuse", "raise"] = "refuse") -> None:
        self._judge = judge = Judge(policy, clock=clock, retention=retention,
                                    on_ledger_error=on_ledger_error)
        self._planner = judge.planner
        self._owns_ledger = ledger is None or isinstance(ledger, str)
        if ledger is None:
            ledger = MemoryLedger()
        if isinstance(ledger, str):
            self.ledger: AsyncLedger = async_ledger_from_url(ledger)
        elif isinstance(ledger, AsyncLedger | Ledger):
            self.ledger = as_async_ledger(ledger)
        else:
            raise TypeError(f"ledger: expected an AsyncLedger, a Ledger or a URL, "
                            f"got {type(ledger).__name__}")

    @property
    def policies(self) -> tuple[Policy, ...]:
        """The policies this engine applies, as given."""
        return self._judge.policies

    @property
    def clock(self) -> Clock:
        """Where "now" comes from."""
        return self._judge.clock

    async def check(self, consumer: Consumer, at: datetime | str | None = None) -> Decision:
        """See ``Engine.check``."""
        judge = self._judge
        moment = judge.instant(at, "at")
        t = _time.to_us(moment)
        plan = self._planner.plan(consumer)
        if plan.rules:
            return await self._run(judge.decide(consumer, plan, moment, t, record=False))
        return Decision._made(plan.is_open(t), moment, t, consumer.id, plan.zones,
                              plan.policy_ids, plan)

    async def acquire(self, consumer: Consumer, at: datetime | str | None = None) -> Decision:
        """See ``Engine.acquire``."""
        judge = self._judge
        moment = judge.instant(at, "at")
        t = _time.to_us(moment)
        plan = self._planner.plan(consumer)
        if plan.rules:
            return await self._run(judge.decide(consumer, plan, moment, t, record=True))
        return Decision._made(plan.is_open(t), moment, t, consumer.id, plan.zones,
                              plan.policy_ids, plan)

    async def check_many(self, consumers: Iterable[Consumer],
                         at: datetime | str | None = None) -> list[Decision]:
        """See ``Engine.check_many``."""
        moment = _time.as_utc(self._judge.instant(at, "at"))
        return await self._settle(self._judge.decide_many(list(consumers), moment,
                                                          _time.to_us(moment)))

    async def check_table(self, table: Any, at: datetime | str | None = None
                          ) -> pyarrow.Table:
        """See ``Engine.check_table``."""
        moment = _time.as_utc(self._judge.instant(at, "at"))
        check = table_check()(self._judge, table, moment, _time.to_us(moment))
        return check.result(await self._settle(check.steps))

    async def next_allowed_at(self, consumer: Consumer, after: datetime | str | None = None
                              ) -> datetime | None:
        """See ``Engine.next_allowed_at``."""
        judge = self._judge
        return await self._run(judge.next_allowed(consumer, judge.instant(after, "after")))

    async def windows(self, consumer: Consumer, start: datetime | str, end: datetime | str
                      ) -> list[tuple[datetime, datetime]]:
        """See ``Engine.windows``."""
        judge = self._judge
        return await self._run(judge.windows(consumer, judge.instant(start, "start"),
                                             judge.instant(end, "end")))

    async def record(self, consumer: Consumer, *, outcome: Outcome | str,
                     at: datetime | str | None = None) -> str:
        """See ``Engine.record``."""
        judge = self._judge
        return await self._run(judge.record(consumer, outcome, judge.instant(at, "at")))

    async def set_outcome(self, attempt_id: str, outcome: Outcome | str) -> None:
        """See ``Engine.set_outcome``."""
        value = as_outcome(outcome).value
        check_attempt_id(attempt_id)
        retention = self._judge.retention(value)
        if not await self._call(lambda: self.ledger.set_outcome(attempt_id, value, retention)):
            raise unknown_attempt(attempt_id)

    async def forget(self, consumer: Consumer) -> int:
        """See ``Engine.forget``."""
        subjects = subjects_of(consumer)
        return await self._call(lambda: self.ledger.forget(subjects))

    async def aclose(self) -> None:
        """Close the ledger if the engine opened it (from a URL or by default)."""
        if self._owns_ledger:
            await self.ledger.aclose()

    async def __aenter__(self) -> AsyncEngine:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        ids = ", ".join(policy.id for policy in self.policies)
        return f"callwindow.AsyncEngine([{ids}], ledger={self.ledger!r})"

    # -- the shell ---------------------------------------------------------------------

    async def _run(self, step: _T | Exchange[_T]) -> _T:
        """Carry the judge's exchanges to the ledger until it has its answer."""
        ledger = self.ledger
        while isinstance(step, Exchange):
            try:
                reply = await ledger.check_and_record(step.subject, step.constraints,
                                                      step.attempt)
            except Exception as error:  # any failure of the store refuses the call
                step = step.finish(as_ledger_error(error))
            else:
                step = step.finish(reply)
        return step

    async def _settle(self, steps: list[_T | Exchange[_T]]) -> list[_T]:
        """See ``Engine._settle``."""
        rounds = settle(steps)
        try:
            exchanges = next(rounds)
            while True:
                exchanges = rounds.send(await self._read_many(exchanges))
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    async def _read_many(self, exchanges: Sequence[Exchange[_T]]) -> list[Reply]:
        replies: list[Reply] = []
        for start in range(0, len(exchanges), READ_BATCH):
            batch = exchanges[start:start + READ_BATCH]
            try:
                found = await read_many_async(self.ledger, [(step.subject, step.constraints)
                                                            for step in batch])
            except Exception as error:  # any failure of the store refuses the calls
                replies += [as_ledger_error(error)] * len(batch)
            else:
                replies += [(None, matches) for matches in found]
        return replies

    async def _call(self, call: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
        try:
            return await call()
        except Exception as error:
            failure = as_ledger_error(error)
            if failure is error:
                raise
            raise failure from error
