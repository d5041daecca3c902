"""Prometheus metrics: decisions by outcome, reason and policy; ledger latency and errors.

Each app has its own registry, so that two apps in one process (tests) count
apart.  With several workers (``--workers N``) the command sets
``PROMETHEUS_MULTIPROC_DIR`` before they start, and ``/metrics`` adds up what
every worker counted (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from .._decision import Decision
from ..ledgers import AsyncLedger, Attempt, Constraint, Matches

__all__ = ["CONTENT_TYPE_LATEST", "MeasuredLedger", "Metrics"]

_T = TypeVar("_T")
#: Ledger round trips are sub-millisecond on loopback, seconds when a server hangs.
_LEDGER_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                   0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The server's counters and histograms, and their Prometheus text."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.decisions = Counter(
            "callwindow_decisions", "Decisions made, by endpoint, outcome and the policies "
            "that judged them.", ["endpoint", "allowed", "policies"], registry=self.registry)
        self.refusal_reasons = Counter(
            "callwindow_refusal_reasons", "Reasons given for refusals, by reason code and "
            "the policy that gave them ('' for the engine's own: ledger_unavailable...).",
            ["endpoint", "reason", "policy"], registry=self.registry)
        self.ledger_seconds = Histogram(
            "callwindow_ledger_seconds", "Time of each call to the attempt ledger.",
            ["operation"], buckets=_LEDGER_BUCKETS, registry=self.registry)
        self.ledger_errors = Counter(
            "callwindow_ledger_errors", "Calls to the attempt ledger that failed.",
            ["operation"], registry=self.registry)

    def count(self, endpoint: str, decision: Decision) -> None:
        """Count one decision and, if refused, each of its reasons."""
        allowed = "true" if decision.allowed else "false"
        self.decisions.labels(endpoint, allowed, ",".join(decision.policy_ids)).inc()
        if not decision.allowed:
            for reason in decision.reasons:
                self.refusal_reasons.labels(endpoint, reason.code.value,
                                            reason.policy_id or "").inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric (of every worker)."""
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


class MeasuredLedger:
    """An ``AsyncLedger`` that times each call and counts failures, then does what
    ``inner`` does."""

    def __init__(self, inner: AsyncLedger, metrics: Metrics) -> None:
        self.inner = inner
        self._metrics = metrics

    async def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                               attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        operation = "check" if attempt is None else "check_and_record"
        return await self._measured(
            operation, lambda: self.inner.check_and_record(subject, constraints, attempt))

    async def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``Ledger.set_outcome``."""
        return await self._measured(
            "set_outcome", lambda: self.inner.set_outcome(attempt_id, outcome, retention))

    async def forget(self, subjects: Sequence[str]) -> int:
        """See ``Ledger.forget``."""
        return await self._measured("forget", lambda: self.inner.forget(subjects))

    async def aclose(self) -> None:
        """See ``AsyncLedger.aclose``."""
        await self.inner.aclose()

    async def _measured(self, operation: str, call: Callable[[], Awaitable[_T]]) -> _T:
        start = time.perf_counter()
        try:
            return await call()
        except Exception:
            self._metrics.ledger_errors.labels(operation).inc()
            raise
        finally:
            self._metrics.ledger_seconds.labels(operation).observe(time.perf_counter() - start)
