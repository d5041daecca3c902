"""A kit for testing code that uses callwindow: frozen time, assertions, fixtures.

For CRM integrations' own unit tests ("a contact in Rome is not called on
8 December"), as structlog ships ``structlog.testing``::

    from callwindow.testing import assert_blocked, consumer, frozen_engine

    def test_no_calls_on_the_immaculate_conception():
        with frozen_engine("IT-garante-2024", at="2026-12-08T11:00:00+01:00") as engine:
            rome = consumer(phone="+390612345678")
            assert_blocked(engine.check(rome), reason="holiday")

With pytest, the plugin installed with callwindow adds the fixtures
``callwindow_clock`` and ``callwindow_engine`` (see ``docs/testing.md``);
hypothesis strategies are in ``callwindow.testing.strategies``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._kit import (
        FrozenClock,
        FrozenEngine,
        RecordedAttempt,
        RecordingLedger,
        assert_allowed,
        assert_blocked,
        consumer,
        frozen_engine,
        policy,
    )

__all__ = [
    "FrozenClock",
    "FrozenEngine",
    "RecordedAttempt",
    "RecordingLedger",
    "assert_allowed",
    "assert_blocked",
    "consumer",
    "frozen_engine",
    "policy",
]


def __getattr__(name: str) -> Any:
    # The kit lives in _kit and is imported when first read: the pytest plugin
    # (callwindow.testing._plugin) is inside this package, and pytest imports it
    # in every run of every project that has callwindow installed.
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import _kit

    value = getattr(_kit, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
