"""Dated consent: when a consumer's consent counts under a policy, as a gate on time.

A ``Consent`` counts from ``given_at`` until ``expires_at`` and, under a policy
that declares ``consent_valid_for``, until that long after ``given_at``.  The
requirement itself holds only while the policy is in force (its effective
dates, read on the consumer's local date).  So a ``ConsentGate`` is closed
where the policy is in force and the consent does not count, and open
elsewhere: two intervals at most, searched like a calendar (the plan holds it
beside its zone calendars, so every search — the next allowed time, windows —
sees it without knowing of consent).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from . import _time, _wording
from ._decision import Reason
from ._frequency import EVER, NEVER
from ._models import Consent, Policy
from ._time import US

__all__ = ["ConsentGate", "validity"]


def validity(policy: Policy, consent: bool | Consent) -> tuple[int, int] | bool | None:
    """When ``consent`` counts under ``policy``: ``[from, until)`` in µs.

    ``True``: it always counts (an undated consent, no validity declared);
    ``None``: it never counts (none, or undated where a validity is declared).
    """
    if consent is False:
        return None
    if consent is True:
        return True if policy.consent_valid_for is None else None
    start = _time.to_us(consent.given_at)
    end = NEVER if consent.expires_at is None else _time.to_us(consent.expires_at)
    lapse = policy.consent_lapses_at(consent.given_at)
    if lapse is not None:
        end = min(end, _time.to_us(lapse))
    return start, end


class ConsentGate:
    """A policy's consent requirement for one consumer's consent, in one zone.

    Closed while the policy is in force (its effective dates on the wall clock
    of ``zone_name``) and the consent does not count.  Answers the questions
    the searches ask of a ``ZoneCalendar``.
    """

    __slots__ = ("_closed", "consent", "policy", "zone_name")

    def __init__(self, policy: Policy, consent: bool | Consent, span: tuple[int, int] | None,
                 zone_name: str) -> None:
        self.policy = policy
        self.consent = consent
        self.zone_name = zone_name
        tz = _time.zone(zone_name)
        first, last = policy.effective_from, policy.effective_to
        force_from = EVER if first is None else (
            _time.wall_to_timestamp(tz, first, 0, later=False) * US)
        force_to = NEVER if last is None else (
            _time.wall_to_timestamp(tz, last + timedelta(days=1), 0, later=False) * US)
        valid_from, valid_to = span if span is not None else (force_to, force_to)
        closed = [(force_from, min(valid_from, force_to)), (max(valid_to, force_from), force_to)]
        merged: list[tuple[int, int]] = []
        for start, end in closed:
            if start >= end:
                continue
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        #: The closed intervals, sorted and apart.
        self._closed = tuple(merged)

    def is_open(self, t: int) -> bool:
        """Whether the consent requirement allows a call at ``t``."""
        return not any(start <= t < end for start, end in self._closed)

    def next_open(self, t: int) -> int | None:
        """The first instant at or after ``t`` the requirement allows; ``None``: never."""
        for start, end in self._closed:
            if start <= t < end:
                return None if end >= NEVER else end
        return t

    def lapses_at(self) -> int | None:
        """When the requirement last closes (open for ever after), if it ever does."""
        ends = [end for _start, end in self._closed]
        return None if not ends or ends[-1] >= NEVER else ends[-1]

    def intervals(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The open intervals clipped to ``[start, end)``, in order."""
        t = start
        for closed_from, closed_to in self._closed:
            if closed_to <= t:
                continue
            if closed_from >= end:
                break
            if closed_from > t:
                yield t, closed_from
            t = max(t, closed_to)
        if t < end:
            yield t, end

    def reason(self, t: int) -> Reason:
        """Why the requirement refuses at ``t`` (call only when it does)."""
        return _wording.consent_lapsed(self.policy, self.consent, t)
