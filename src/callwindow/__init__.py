"""callwindow: may this consumer be called now, and if not, when first?

Import it as ``import callwindow as cw``; everything public is here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import ledgers, presets
    from ._async_engine import AsyncEngine
    from ._decision import Decision, Reason
    from ._engine import Engine
    from ._enums import Outcome, ReasonCode
    from ._errors import (
        CallWindowError,
        ConsumerError,
        InvalidInputError,
        LedgerError,
        MissingExtraError,
        NaiveDatetimeError,
        PolicyError,
    )
    from ._models import (
        AppliesTo,
        Blackout,
        Consent,
        Consumer,
        CooldownRule,
        DoNotCallRule,
        HolidayRule,
        LimitRule,
        Policy,
    )
    from ._suppression import SuppressionList
    from ._table import BatchScrubber
    from ._time import Clock, SystemClock
    from .ledgers import Ledger, ledger_from_url

__all__ = [
    "AppliesTo",
    "AsyncEngine",
    "BatchScrubber",
    "Blackout",
    "CallWindowError",
    "Clock",
    "Consent",
    "Consumer",
    "ConsumerError",
    "CooldownRule",
    "Decision",
    "DoNotCallRule",
    "Engine",
    "HolidayRule",
    "InvalidInputError",
    "Ledger",
    "LedgerError",
    "LimitRule",
    "MissingExtraError",
    "NaiveDatetimeError",
    "Outcome",
    "Policy",
    "PolicyError",
    "Reason",
    "ReasonCode",
    "SuppressionList",
    "SystemClock",
    "ledger_from_url",
    "ledgers",
    "presets",
]

__version__ = "0.1.0"

# Each name is imported from its module when first read, so that importing
# callwindow (or its pytest plugin, which pytest imports in every run) costs
# nothing until the engine is used: a process pays only for what it touches.
_HOMES = {
    "ledgers": None, "presets": None,
    "Decision": "_decision", "Reason": "_decision",
    "AsyncEngine": "_async_engine", "Engine": "_engine",
    "BatchScrubber": "_table",  # needs pyarrow (the arrow extra)
    "Clock": "_time", "SystemClock": "_time",
    "Outcome": "_enums", "ReasonCode": "_enums",
    **dict.fromkeys(("CallWindowError", "ConsumerError", "InvalidInputError", "LedgerError",
                     "MissingExtraError", "NaiveDatetimeError", "PolicyError"), "_errors"),
    **dict.fromkeys(("AppliesTo", "Blackout", "Consent", "Consumer", "CooldownRule",
                     "DoNotCallRule", "HolidayRule", "LimitRule", "Policy"), "_models"),
    "SuppressionList": "_suppression",
    "Ledger": "ledgers", "ledger_from_url": "ledgers",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    home = _HOMES[name]
    module = importlib.import_module(f"{__name__}.{home or name}")
    value = module if home is None else getattr(module, name)
    globals()[name] = value  # read once: later reads are plain attribute look-ups
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
