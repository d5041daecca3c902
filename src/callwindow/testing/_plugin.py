"""The pytest plugin callwindow installs (entry point ``pytest11``).

Two fixtures, and nothing else: a project that does not ask for them is not
touched.

- ``callwindow_clock``: a ``FrozenClock`` at Monday 5 January 2026, 09:00 UTC
  (``callwindow_clock.set(...)`` to move it);
- ``callwindow_engine``: a factory, ``callwindow_engine("FR")`` or
  ``callwindow_engine(policy, ledger=...)``, returning an Engine on that clock
  and a fresh in-memory ledger; every engine it made is closed after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .._engine import Engine
    from .._models import Policy
    from ..ledgers import Ledger
    from ._kit import FrozenClock

# pytest imports this module in every run of every project where callwindow is
# installed, so it imports nothing of callwindow's until a fixture is used.

#: Where ``callwindow_clock`` starts: a Monday morning, an instant most rules allow.
DEFAULT_NOW = "2026-01-05T09:00:00+00:00"

EngineFactory = Callable[..., "Engine"]


@pytest.fixture
def callwindow_clock() -> FrozenClock:
    """A frozen clock at Monday 5 January 2026, 09:00 UTC."""
    from ._kit import FrozenClock

    return FrozenClock(DEFAULT_NOW)


@pytest.fixture
def callwindow_engine(callwindow_clock: FrozenClock) -> Iterator[EngineFactory]:
    """``make(policy_or_id, ledger=None)``: an Engine on ``callwindow_clock``."""
    from .._engine import Engine
    from .._presets_lookup import policies_of
    from ..ledgers import MemoryLedger

    made: list[Engine] = []

    def make(policy_or_id: Policy | str | Sequence[Policy | str], *,
             ledger: Ledger | None = None) -> Engine:
        engine = Engine(policies_of(policy_or_id), clock=callwindow_clock,
                        ledger=ledger if ledger is not None else MemoryLedger())
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()
