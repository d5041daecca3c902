"""callwindow: may this consumer be called now, and if not, when first?

Import it as ``import callwindow as cw``; everything public is here.
"""

from __future__ import annotations

from . import ledgers, presets
from ._decision import Decision, Reason
from ._engine import Clock, Engine, SystemClock
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
    DoNotCallRule,
    HolidayRule,
    LimitRule,
    Policy,
)
from ._suppression import SuppressionList
from .ledgers import Ledger, ledger_from_url

__all__ = [
    "AppliesTo",
    "Blackout",
    "CallWindowError",
    "Clock",
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
