"""callwindow: may this consumer be called now, and if not, when first?

Import it as ``import callwindow as cw``; everything public is here.
"""

from __future__ import annotations

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
    Consumer,
    CooldownRule,
    HolidayRule,
    LimitRule,
    Policy,
)
from ._time import Clock, SystemClock
from .ledgers import Ledger, ledger_from_url

__all__ = [
    "AppliesTo",
    "AsyncEngine",
    "Blackout",
    "CallWindowError",
    "Clock",
    "Consumer",
    "ConsumerError",
    "CooldownRule",
    "Decision",
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
    "SystemClock",
    "ledger_from_url",
    "ledgers",
    "presets",
]

__version__ = "0.1.0"
