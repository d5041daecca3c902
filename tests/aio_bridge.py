"""Drive the asyncio shell from the synchronous test suites.

One event loop runs in a thread for the whole session; ``BlockingLedger`` and
``BlockingEngine`` submit each call to it and wait for the answer.  So every
conformance test, law case and race written against ``Ledger`` and
``Engine`` runs unchanged against the async transports (``redis.asyncio``,
psycopg's ``AsyncConnection`` and pool) and ``AsyncEngine``.  Many threads
calling at once become many tasks on the one loop: concurrency as an asyncio
dialer has it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

import callwindow as cw
from callwindow.ledgers import AsyncLedger, Attempt, Constraint, Matches

T = TypeVar("T")


class LoopThread:
    """An event loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                        name="test-event-loop")
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=120)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


class BlockingLedger:
    """A ``Ledger`` over an ``AsyncLedger``."""

    def __init__(self, ledger: AsyncLedger, loop: LoopThread) -> None:
        self.ledger = ledger
        self._loop = loop

    def __repr__(self) -> str:
        return f"BlockingLedger({self.ledger!r})"

    def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                         attempt: Attempt | None) -> tuple[str | None, Matches]:
        return self._loop.run(self.ledger.check_and_record(subject, constraints, attempt))

    def check_many(self, reads: Sequence[tuple[str, Sequence[Constraint]]]) -> list[Matches]:
        batch: Any = self.ledger.check_many  # type: ignore[attr-defined]  # every built-in has it
        found: list[Matches] = self._loop.run(batch(reads))
        return found

    def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        return self._loop.run(self.ledger.set_outcome(attempt_id, outcome, retention))

    def forget(self, subjects: Sequence[str]) -> int:
        return self._loop.run(self.ledger.forget(subjects))

    def close(self) -> None:
        self._loop.run(self.ledger.aclose())


class BlockingEngine:
    """The ``Engine`` interface over an ``AsyncEngine``: each method awaited on the loop."""

    def __init__(self, engine: cw.AsyncEngine, loop: LoopThread) -> None:
        self.engine = engine
        self._loop = loop

    @property
    def policies(self) -> tuple[cw.Policy, ...]:
        return self.engine.policies

    @property
    def clock(self) -> Any:
        return self.engine.clock

    @property
    def ledger(self) -> Any:
        return self.engine.ledger

    def check(self, *args: Any, **kwargs: Any) -> cw.Decision:
        return self._loop.run(self.engine.check(*args, **kwargs))

    def acquire(self, *args: Any, **kwargs: Any) -> cw.Decision:
        return self._loop.run(self.engine.acquire(*args, **kwargs))

    def check_many(self, *args: Any, **kwargs: Any) -> list[cw.Decision]:
        return self._loop.run(self.engine.check_many(*args, **kwargs))

    def check_table(self, *args: Any, **kwargs: Any) -> Any:
        return self._loop.run(self.engine.check_table(*args, **kwargs))

    def next_allowed_at(self, *args: Any, **kwargs: Any) -> Any:
        return self._loop.run(self.engine.next_allowed_at(*args, **kwargs))

    def windows(self, *args: Any, **kwargs: Any) -> Any:
        return self._loop.run(self.engine.windows(*args, **kwargs))

    def record(self, *args: Any, **kwargs: Any) -> str:
        return self._loop.run(self.engine.record(*args, **kwargs))

    def set_outcome(self, *args: Any, **kwargs: Any) -> None:
        self._loop.run(self.engine.set_outcome(*args, **kwargs))

    def forget(self, *args: Any, **kwargs: Any) -> int:
        return self._loop.run(self.engine.forget(*args, **kwargs))

    def close(self) -> None:
        self._loop.run(self.engine.aclose())

    def __enter__(self) -> BlockingEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
