"""What the engine answers: a Decision and the Reasons behind a refusal.

A Decision is built for every call a dialer asks about, so it is a plain
slotted object that costs next to nothing to make.  It never does I/O:
everything it says — the answer, and for a refusal the history the limits
counted — is known when the engine returns it.  What only some callers read
is put together from that on first read, and kept: the reasons' messages,
the next allowed time (a search of the compiled calendars), the instant in
UTC.  A dialer that only reads ``allowed`` pays for none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from . import _time
from ._enums import ReasonCode

__all__ = ["Audit", "Decision", "Explainer", "Reason"]


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that refuses the call, in words a compliance officer can file.

    ``policy_id`` and ``source`` say which rule set and which legal text;
    ``timezone`` and ``local_time`` say which candidate zone and wall clock
    were judged (``None`` for reasons that are not about time).
    """

    __module__ = "callwindow"

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


class Explainer(Protocol):
    """What a refused Decision asks, on first read, for its reasons and next time.

    An explainer holds what the engine found (compiled calendars, the
    attempts counted): it computes, it never reads a ledger.
    """

    def explain(self, t: int) -> tuple[tuple[Reason, ...], datetime | None]:
        """``(reasons, next_allowed_at)`` of a refusal at ``t`` (µs)."""
        ...


class Audit(Protocol):
    """What an engine's plan tells a Decision's audit record: zones, policies, consent."""

    zones: tuple[str, ...]
    policy_ids: tuple[str, ...]
    evidence: tuple[tuple[str, tuple[str, ...]], ...]
    digests: tuple[tuple[str, str], ...]
    consent: Any


class _HandAudit:
    """The audit of a Decision built by hand: its zones and policies, nothing else known."""

    __slots__ = ("policy_ids", "zones")
    evidence: tuple[tuple[str, tuple[str, ...]], ...] = ()
    digests: tuple[tuple[str, str], ...] = ()
    consent: Any = None

    def __init__(self, zones: tuple[str, ...], policy_ids: tuple[str, ...]) -> None:
        self.zones = zones
        self.policy_ids = policy_ids


class _Given:
    """The explainer of a Decision built by hand: it knows its answer already."""

    __slots__ = ("_answer",)

    def __init__(self, reasons: tuple[Reason, ...], next_at: datetime | None) -> None:
        self._answer = (reasons, next_at)

    def explain(self, t: int) -> tuple[tuple[Reason, ...], datetime | None]:
        return self._answer


class Decision:
    """May this consumer be called at ``at``, and if not, when first?

    Attributes:
        allowed: whether every rule allows the call at ``at``.
        at: the instant judged, in UTC.
        reasons: every rule that refuses the call (empty when allowed).
        next_allowed_at: the earliest instant at or after ``at`` that every
            rule allows, in UTC (``at`` itself when allowed); ``None`` when
            no such instant exists.
        consumer_id: the consumer's ``id``.
        timezones: the zones judged: the consumer's candidate zones (see
            ``zone_evidence``) and any fixed zone of a policy.
        policy_ids: the policies applied, in order.
        attempt_id: the attempt recorded with this decision, if any.

    Decisions are immutable and compare equal when all of the above are.
    """

    __module__ = "callwindow"
    __slots__ = ("_allowed", "_at", "_at_utc", "_attempt_id", "_audit", "_consumer_id",
                 "_explained", "_explainer", "_t")

    def __init__(self, allowed: bool, at: datetime, reasons: tuple[Reason, ...] = (),
                 next_allowed_at: datetime | None = None, consumer_id: str | None = None,
                 timezones: tuple[str, ...] = (), policy_ids: tuple[str, ...] = (),
                 attempt_id: str | None = None) -> None:
        # Public attributes are read-only properties over these slots, which
        # keeps a Decision immutable without frozen-dataclass setattr costs.
        at = _time.as_utc(at)
        next_at = _time.as_utc(next_allowed_at, "next_allowed_at") if next_allowed_at else None
        self._allowed = allowed
        self._at = self._at_utc = at
        self._t = _time.to_us(at)
        self._consumer_id = consumer_id
        self._attempt_id = attempt_id
        self._audit: Audit = _HandAudit(timezones, policy_ids)
        self._explainer: Explainer | None = None if allowed else _Given(reasons, next_at)
        self._explained: tuple[tuple[Reason, ...], datetime | None] | None = None

    @classmethod
    def _made(cls, allowed: bool, at: datetime, t: int, consumer_id: str | None,
              plan: Audit, explainer: Explainer | None, attempt_id: str | None = None
              ) -> Decision:
        """The engine's constructor: ``at`` is any aware datetime, ``t`` the same in µs.

        Measured to pay for itself: skipping ``__init__``'s conversions and
        checks is a tenth of an allowed ``check()``.
        """
        decision = cls.__new__(cls)  # the same slots as __init__: this is the hot path
        decision._allowed = allowed
        decision._at = at
        decision._t = t
        decision._consumer_id = consumer_id
        decision._audit = plan  # zones, policies, evidence: read from the plan when asked
        decision._attempt_id = attempt_id
        decision._explainer = None if allowed else explainer
        decision._explained = None
        return decision

    def _explanation(self) -> tuple[tuple[Reason, ...], datetime | None]:
        explained = self._explained
        if explained is None:
            assert self._explainer is not None
            explained = self._explained = self._explainer.explain(self._t)
        return explained

    @property
    def allowed(self) -> bool:
        """Whether every rule allows the call at ``at``."""
        return self._allowed

    @property
    def at(self) -> datetime:
        """The instant judged, in UTC."""
        try:
            return self._at_utc
        except AttributeError:
            self._at_utc = utc = _time.as_utc(self._at)
            return utc

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Every rule that refuses the call, in policy order; empty when allowed."""
        return () if self._allowed else self._explanation()[0]

    @property
    def next_allowed_at(self) -> datetime | None:
        """The earliest allowed instant at or after ``at`` (UTC), or ``None`` if never."""
        return self.at if self._allowed else self._explanation()[1]

    @property
    def consumer_id(self) -> str | None:
        """The ``id`` of the consumer judged."""
        return self._consumer_id

    @property
    def timezones(self) -> tuple[str, ...]:
        """The candidate zones judged, sorted."""
        return self._audit.zones

    @property
    def policy_ids(self) -> tuple[str, ...]:
        """The ids of the policies applied, in order."""
        return self._audit.policy_ids

    @property
    def zone_evidence(self) -> dict[str, tuple[str, ...]]:
        """Each of the consumer's candidate zones with the sources that gave it
        (``"timezone"``, ``"region"``, ``"phone"``); empty for a hand-built Decision."""
        return dict(self._audit.evidence)

    @property
    def attempt_id(self) -> str | None:
        """The id of the attempt recorded with this decision, if any."""
        return self._attempt_id

    @property
    def local_times(self) -> dict[str, datetime]:
        """The wall clock of each candidate zone at ``at``."""
        return {name: self.at.astimezone(_time.zone(name)) for name in self.timezones}

    @property
    def codes(self) -> tuple[ReasonCode, ...]:
        """The distinct reason codes, in the order they were found."""
        return tuple(dict.fromkeys(reason.code for reason in self.reasons))

    def _key(self) -> tuple[object, ...]:
        return (self.allowed, self.at, self.reasons, self.next_allowed_at, self.consumer_id,
                self.timezones, self.policy_ids, self.attempt_id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        codes = ", ".join(code.value for code in self.codes)
        tail = ("" if self.allowed
                else f", reasons=[{codes}], next_allowed_at={self.next_allowed_at}")
        return f"Decision(allowed={self.allowed}, at={self.at.isoformat()}{tail})"

    def explain(self) -> str:
        """The decision in one paragraph of plain words."""
        at = self.at.isoformat()
        if self.allowed:
            head = f"Allowed at {at}"
        elif self.next_allowed_at is None:
            head = f"Refused at {at}; no later time is allowed"
        else:
            head = f"Refused at {at}; next allowed at {self.next_allowed_at.isoformat()}"
        lines = [head + "."]
        lines += [f"- {reason.code.value}: {reason.message}" for reason in self.reasons]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready audit record: the decision, every reason, the clocks judged, and
        what decided: the library's version, each applied policy's digest (a change of
        its rules changes it), the evidence of each candidate zone, and the consent
        judged (``None`` when no policy applied asks for one)."""
        next_at = self.next_allowed_at
        audit = self._audit
        consent = audit.consent
        return {
            "allowed": self.allowed,
            "at": self.at.isoformat(),
            "next_allowed_at": next_at.isoformat() if next_at else None,
            "consumer_id": self.consumer_id,
            "timezones": list(self.timezones),
            "local_times": {name: local.isoformat()
                            for name, local in self.local_times.items()},
            "policy_ids": list(self.policy_ids),
            "reasons": [reason.to_dict() for reason in self.reasons],
            "attempt_id": self.attempt_id,
            "library_version": _version(),
            "policy_digests": dict(audit.digests),
            "zone_evidence": {zone: list(sources)
                              for zone, sources in self.zone_evidence.items()},
            "consent": (consent if consent is None or isinstance(consent, bool)
                        else consent.model_dump(mode="json")),
        }


def _version() -> str:
    from . import __version__

    return __version__


#: ``Decision._made`` looked up once, for the engines' hot paths (measured: looking
#: up a classmethod on every call is a twentieth of an allowed ``check``).
make_decision = Decision._made
