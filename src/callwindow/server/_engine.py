"""A stand-in for ``callwindow.AsyncEngine`` until it lands: the sync engine in threads.

The server is written against the async engine's interface (the methods of
``Engine`` as coroutines, plus ``aclose()`` and ``async with``).  Until the
sans-I/O core and its ``AsyncEngine`` are merged, this shim runs each call of
the thread-safe sync ``Engine`` in a worker thread, so that a slow ledger never
blocks the event loop.  The server imports it in one place
(``_app.py``: ``from ._engine import AsyncEngineShim as AsyncEngine``); swapping
in the real one is that one line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal

from .._decision import Decision
from .._engine import Clock, Engine
from .._enums import Outcome
from .._models import Consumer, Policy
from ..ledgers import Ledger

__all__ = ["AsyncEngineShim"]


class AsyncEngineShim:
    """``Engine``'s methods as coroutines, each run with ``asyncio.to_thread``."""

    def __init__(self, policy: Policy | Sequence[Policy], *, clock: Clock | None = None,
                 ledger: Ledger | str | None = None, retention: str = "P1D",
                 on_ledger_error: Literal["refuse", "raise"] = "refuse") -> None:
        self._engine = Engine(policy, clock=clock, ledger=ledger, retention=retention,
                              on_ledger_error=on_ledger_error)

    async def check(self, consumer: Consumer, at: datetime | str | None = None) -> Decision:
        """See ``Engine.check``."""
        return await asyncio.to_thread(self._engine.check, consumer, at)

    async def acquire(self, consumer: Consumer, at: datetime | str | None = None) -> Decision:
        """See ``Engine.acquire``."""
        return await asyncio.to_thread(self._engine.acquire, consumer, at)

    async def record(self, consumer: Consumer, *, outcome: Outcome | str,
                     at: datetime | str | None = None) -> str:
        """See ``Engine.record``."""
        return await asyncio.to_thread(self._engine.record, consumer, outcome=outcome, at=at)

    async def set_outcome(self, attempt_id: str, outcome: Outcome | str) -> None:
        """See ``Engine.set_outcome``."""
        await asyncio.to_thread(self._engine.set_outcome, attempt_id, outcome)

    async def forget(self, consumer: Consumer) -> int:
        """See ``Engine.forget``."""
        return await asyncio.to_thread(self._engine.forget, consumer)

    async def next_allowed_at(self, consumer: Consumer, after: datetime | str | None = None
                              ) -> datetime | None:
        """See ``Engine.next_allowed_at``."""
        return await asyncio.to_thread(self._engine.next_allowed_at, consumer, after)

    async def windows(self, consumer: Consumer, start: datetime | str, end: datetime | str
                      ) -> list[tuple[datetime, datetime]]:
        """See ``Engine.windows``."""
        return await asyncio.to_thread(self._engine.windows, consumer, start, end)

    async def check_many(self, consumers: Iterable[Consumer],
                         at: datetime | str | None = None) -> list[Decision]:
        """See ``Engine.check_many``."""
        return await asyncio.to_thread(self._engine.check_many, list(consumers), at)

    async def aclose(self) -> None:
        """See ``Engine.close``."""
        await asyncio.to_thread(self._engine.close)

    async def __aenter__(self) -> AsyncEngineShim:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()
