"""What the engine answers: a Decision and the Reasons behind a refusal.

Plain frozen dataclasses rather than pydantic models: one is built for every
call a dialer asks about, so they must cost next to nothing to make.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import _time
from ._enums import ReasonCode

__all__ = ["Decision", "Reason"]


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that refuses the call, in words a compliance officer can file.

    ``policy_id`` and ``source`` say which rule set and which legal text;
    ``timezone`` and ``local_time`` say which candidate zone and wall clock
    were judged (``None`` for reasons that are not about time).
    """

    code: ReasonCode
    message: str
    policy_id: str | None = None
    source: str | None = None
    timezone: str | None = None
    local_time: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of this reason."""
        return {
            "code": self.code.value,
            "message": self.message,
            "policy_id": self.policy_id,
            "source": self.source,
            "timezone": self.timezone,
            "local_time": self.local_time.isoformat() if self.local_time else None,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """May this consumer be called at ``at``, and if not, when first?

    ``next_allowed_at`` is the earliest instant at or after ``at`` that every
    rule allows (``at`` itself when allowed), in UTC; ``None`` when no such
    instant exists.  ``timezones`` are the candidate zones that were judged.
    """

    allowed: bool
    at: datetime
    reasons: tuple[Reason, ...]
    next_allowed_at: datetime | None
    consumer_id: str | None
    timezones: tuple[str, ...]
    policy_ids: tuple[str, ...]
    attempt_id: str | None = None

    @property
    def local_times(self) -> dict[str, datetime]:
        """The wall clock of each candidate zone at ``at``."""
        return {name: self.at.astimezone(_time.zone(name)) for name in self.timezones}

    @property
    def codes(self) -> tuple[ReasonCode, ...]:
        """The distinct reason codes, in the order they were found."""
        return tuple(dict.fromkeys(reason.code for reason in self.reasons))

    def explain(self) -> str:
        """The decision in one paragraph of plain words."""
        if self.allowed:
            head = f"Allowed at {self.at.isoformat()}"
        elif self.next_allowed_at is None:
            head = f"Refused at {self.at.isoformat()}; no later time is allowed"
        else:
            head = (f"Refused at {self.at.isoformat()}; next allowed at "
                    f"{self.next_allowed_at.isoformat()}")
        lines = [head + "."]
        lines += [f"- {reason.code.value}: {reason.message}" for reason in self.reasons]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready audit record: the decision, every reason, the clocks judged."""
        return {
            "allowed": self.allowed,
            "at": self.at.isoformat(),
            "next_allowed_at": (self.next_allowed_at.isoformat()
                                if self.next_allowed_at else None),
            "consumer_id": self.consumer_id,
            "timezones": list(self.timezones),
            "local_times": {name: local.isoformat()
                            for name, local in self.local_times.items()},
            "policy_ids": list(self.policy_ids),
            "reasons": [reason.to_dict() for reason in self.reasons],
            "attempt_id": self.attempt_id,
        }
