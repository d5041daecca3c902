"""String enums of the public contract: why a call is refused, how an attempt ended."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Outcome", "ReasonCode"]


class ReasonCode(StrEnum):
    """Why a call is refused; each value is stable and safe to store."""

    __module__ = "callwindow"

    OUTSIDE_HOURS = "outside_hours"
    CLOSED_DAY = "closed_day"
    HOLIDAY = "holiday"
    FREQUENCY_LIMIT = "frequency_limit"
    COOLDOWN = "cooldown"
    OPTED_OUT = "opted_out"
    CONSENT_REQUIRED = "consent_required"
    UNKNOWN_TIMEZONE = "unknown_timezone"
    BLACKOUT = "blackout"
    LEDGER_UNAVAILABLE = "ledger_unavailable"
    NO_POLICY = "no_policy"
    DO_NOT_CALL = "do_not_call"


class Outcome(StrEnum):
    """How a call attempt ended; ``PENDING`` until the dialer says."""

    __module__ = "callwindow"

    PENDING = "pending"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    CONVERSATION = "conversation"
    REFUSAL = "refusal"
    OPT_OUT = "opt_out"
    WRONG_NUMBER = "wrong_number"
