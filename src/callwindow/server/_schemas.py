"""The bodies of the HTTP API, as pydantic models: they validate requests and draw OpenAPI.

Consumers are the library's own ``Consumer`` model, so a bad field gets the
library's message.  Instants are ISO-8601 strings with an offset, parsed by the
engine (which names the field when one has none).  The response models only
document the answers (the server writes ``Decision.to_dict()`` as it is).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .._models import Consumer

__all__ = [
    "AttemptAnswer",
    "CheckRequest",
    "DecisionAnswer",
    "ErrorAnswer",
    "ForgetAnswer",
    "ForgetRequest",
    "NextAnswer",
    "NextRequest",
    "OutcomeAnswer",
    "OutcomeRequest",
    "PresetSummary",
    "ProblemAnswer",
    "ReasonAnswer",
    "RecordRequest",
    "Window",
    "WindowsAnswer",
    "WindowsRequest",
]

_INSTANT = "ISO-8601 with a UTC offset, e.g. 2026-11-23T10:30:00+01:00"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckRequest(_Body):
    """Body of ``/v1/check`` and ``/v1/acquire``."""

    consumer: Consumer
    at: str | None = Field(default=None, description=f"The instant to judge ({_INSTANT}); "
                           f"default: now.", examples=["2026-11-21T11:00:00+01:00"])


class RecordRequest(_Body):
    """Body of ``/v1/record``: an attempt made without acquire."""

    consumer: Consumer
    outcome: str = Field(description="pending, no_answer, busy, voicemail, conversation, "
                         "refusal, opt_out or wrong_number.", examples=["refusal"])
    at: str | None = Field(default=None, description=f"When it was made ({_INSTANT}); "
                           f"default: now.")


class OutcomeRequest(_Body):
    """Body of ``/v1/outcome``: how an acquired attempt ended."""

    attempt_id: str = Field(min_length=1, description="The attempt_id acquire answered.")
    outcome: str = Field(examples=["no_answer"])


class ForgetRequest(_Body):
    """Body of ``/v1/forget``."""

    consumer: Consumer


class NextRequest(_Body):
    """Body of ``/v1/next``."""

    consumer: Consumer
    after: str | None = Field(default=None, description=f"Search from ({_INSTANT}); "
                              f"default: now.")


class WindowsRequest(_Body):
    """Body of ``/v1/windows``: at most 366 days from start to end."""

    consumer: Consumer
    start: str = Field(description=_INSTANT)
    end: str = Field(description=_INSTANT)


class ReasonAnswer(BaseModel):
    """One reason for a refusal."""

    code: str
    message: str
    policy_id: str | None
    source: str | None
    timezone: str | None
    local_time: str | None


class DecisionAnswer(BaseModel):
    """A decision's audit record (``Decision.to_dict()``); ``attempt_id`` set by acquire."""

    allowed: bool
    at: str
    next_allowed_at: str | None
    consumer_id: str | None
    timezones: list[str]
    local_times: dict[str, str]
    policy_ids: list[str]
    reasons: list[ReasonAnswer]
    attempt_id: str | None


class AttemptAnswer(BaseModel):
    """The id of the attempt recorded."""

    attempt_id: str


class OutcomeAnswer(BaseModel):
    """The outcome now held for the attempt."""

    attempt_id: str
    outcome: str


class ForgetAnswer(BaseModel):
    """How many attempts were erased."""

    forgotten: int


class NextAnswer(BaseModel):
    """The earliest allowed instant at or after ``after``; ``null`` when there is none."""

    after: str
    next_allowed_at: str | None


class Window(BaseModel):
    """An allowed interval ``[start, end)``, in UTC."""

    start: str
    end: str


class WindowsAnswer(BaseModel):
    """The allowed intervals within ``[start, end)``, merged and in order."""

    windows: list[Window]


class PresetSummary(BaseModel):
    """One preset of the registry; ``active`` when this server judges with it."""

    id: str
    name: str | None
    confidence: str | None
    effective_from: str | None
    effective_to: str | None
    scope: list[str]
    active: bool


class ProblemAnswer(BaseModel):
    """One bad field: its full path in the body and the library's message."""

    field: str
    message: str


class ErrorAnswer(BaseModel):
    """Every answer that is not a success: a code, a message, the bad fields if any."""

    error: str = Field(examples=["invalid_input"])
    message: str
    problems: list[ProblemAnswer] = []
