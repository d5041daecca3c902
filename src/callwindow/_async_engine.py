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

    from ._suppression import SuppressionList

__all__ = ["AsyncEngine"]

_T = TypeVar("_T")


class AsyncEngine(Shell):
    """``Engine`` for asyncio programs: the same rules and answers, awaited.

    Args are ``Engine``'s; ``on_decision`` may also be a coroutine function,
    which is awaited.  ``ledger`` may be an ``AsyncLedger``, a plain
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
                 on_ledger_error: Literal["refuse", "raise"] = "refuse",
                 on_decision: OnDecision | None = None,
                 zone_evidence: Literal["ranked", "strict"] = "ranked",
                 suppression: SuppressionList | Iterable[SuppressionList] | None = None
                 ) -> None:
        self._judge = Judge(policy, clock=clock, retention=retention,
                            on_ledger_error=on_ledger_error, zone_evidence=zone_evidence,
                            suppression=suppression)
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
        self._observer = Observer(self.ledger, on_decision, awaits=True)
        self._observing = on_decision is not None or debugging(DEBUG)  # see Engine

    async def check(self, consumer: Consumer, at: datetime | str | None = None) -> Decision:
        """See ``Engine.check``."""
        return await self._observed(await self._run(self._judge.judge(consumer, at,
                                                                       record=False)))

    async def acquire(self, consumer: Consumer, at: datetime | str | None = None) -> Decision:
        """See ``Engine.acquire``."""
        return await self._observed(await self._run(self._judge.judge(consumer, at,
                                                                       record=True)))

    async def check_many(self, consumers: Iterable[Consumer],
                         at: datetime | str | None = None) -> list[Decision]:
        """See ``Engine.check_many``."""
        moment = _time.as_utc(self._judge.instant(at, "at"))
        decisions = await self._settle(self._judge.decide_many(list(consumers), moment,
                                                               _time.to_us(moment)))
        return [await self._observed(decision) for decision in decisions]

    async def check_table(self, table: Any, at: datetime | str | None = None
                          ) -> pyarrow.Table:
        """See ``Engine.check_table``."""
        moment = _time.as_utc(self._judge.instant(at, "at"))
        check = table_check()(self._judge, table, moment, _time.to_us(moment))
        # The collector is paused for this task's own work only, never across an
        # await: the other tasks of the loop (a server's requests) go on collecting.
        while check.steps:
            replies = await self._settle(check.steps)
            with check.collector_paused():
                check.settled(replies)
        with check.collector_paused():
            return check.result()

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
        return await self._run(judge.record(consumer, outcome, judge.instant(at, "at"),
                                            host_clock=at is None))

    async def set_outcome(self, attempt_id: str, outcome: Outcome | str) -> None:
        """See ``Engine.set_outcome``."""
        value = as_outcome(outcome).value
        check_attempt_id(attempt_id)
        retention = self._judge.retention(value)
        if not await self._call(lambda: self.ledger.set_outcome(attempt_id, value, retention),
                                (attempt_id,)):
            raise unknown_attempt(attempt_id)

    async def forget(self, consumer: Consumer) -> int:
        """See ``Engine.forget``."""
        subjects = subjects_of(consumer)
        return await self._call(lambda: self.ledger.forget(subjects), subjects)

    async def aclose(self) -> None:
        """Close the ledger if the engine opened it (from a URL or by default)."""
        if self._owns_ledger:
            await self.ledger.aclose()

    async def __aenter__(self) -> AsyncEngine:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- the shell ---------------------------------------------------------------------

    async def _observed(self, decision: Decision) -> Decision:
        if self._observing:
            await self._observer.adecided(decision)
        return decision

    async def _run(self, step: _T | Exchange[_T]) -> _T:
        """Carry the judge's exchanges to the ledger until it has its answer."""
        ledger, observer = self.ledger, self._observer
        while isinstance(step, Exchange):
            try:
                reply: Any = await ledger.check_and_record(step.subject, step.constraints,
                                                    step.attempt)
            except Exception as error:  # any failure of the store refuses the call
                reply = error
            step = observer.answered(step, reply)
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
            reads = [(step.subject, step.constraints) for step in batch]
            try:
                found: Any = await read_many_async(self.ledger, reads)
            except Exception as error:  # any failure of the store refuses the calls
                found = error
            replies += self._observer.batch_answered(batch, found)
        return replies

    async def _call(self, call: Callable[[], Coroutine[Any, Any, _T]], keys: Sequence[str]
                    ) -> _T:
        """A housekeeping call to the ledger (``keys``: what to clear from a failure's text)."""
        with self._observer.ledger_call(keys):
            return await call()
