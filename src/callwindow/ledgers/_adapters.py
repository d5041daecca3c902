"""A plain ``Ledger`` seen as an ``AsyncLedger``: in place, or from a worker thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .._frequency import Attempt, Constraint
from ._base import Ledger, Matches, Read, read_many

__all__ = ["InPlaceLedger", "ThreadedLedger"]

_T = TypeVar("_T")


class ThreadedLedger:
    """Calls a blocking ledger (``SQLiteLedger``, your own) from a worker thread.

    SQLite has no asyncio driver of its own; a thread per call (the default
    executor's) keeps the event loop free while a write waits for the file's
    lock.  ``aiosqlite`` would do the same with one thread per connection,
    for one more dependency.
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.ledger!r})"

    async def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                               attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        return await self._call(self.ledger.check_and_record, subject, constraints, attempt)

    async def check_many(self, reads: Sequence[Read]) -> list[Matches]:
        """See ``Ledger``: the whole batch in one call."""
        return await self._call(read_many, self.ledger, reads)

    async def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``Ledger.set_outcome``."""
        return await self._call(self.ledger.set_outcome, attempt_id, outcome, retention)

    async def forget(self, subjects: Sequence[str]) -> int:
        """See ``Ledger.forget``."""
        return await self._call(self.ledger.forget, subjects)

    async def aclose(self) -> None:
        """Close the wrapped ledger."""
        self.ledger.close()

    async def _call(self, call: Callable[..., _T], *args: Any) -> _T:
        import asyncio  # here, not above: a sync program (the CLI) never pays for it

        return await asyncio.to_thread(call, *args)


class InPlaceLedger(ThreadedLedger):
    """Calls a ledger that never waits (``MemoryLedger``) directly from the event loop.

    Its lock is held for microseconds and never across I/O, so a thread
    would cost more than it saves.
    """

    async def _call(self, call: Callable[..., _T], *args: Any) -> _T:
        return call(*args)
