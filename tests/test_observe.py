"""What an engine tells its operator: the "callwindow" log and the on_decision hook.

Both shells run every test: the ``Engine`` directly, the ``AsyncEngine`` through
``aio_bridge`` (its loop in a thread, as in the conformance suites).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

import callwindow as cw
from aio_bridge import BlockingEngine, LoopThread
from callwindow import _observe
from callwindow.ledgers import MemoryLedger

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
TWO_A_WEEK = cw.Policy.model_validate({
    "id": "two-a-week",
    "hours": {day: ["10:00-20:00"] for day in WEEKDAYS},
    "limits": [{"max_attempts": 2, "period": "P7D"}],
})
HOURS_ONLY = cw.Policy.model_validate({
    "id": "hours-only", "hours": {day: ["10:00-20:00"] for day in WEEKDAYS}})
ALICE = cw.Consumer(id="alice-0042", phone="+33612345678")
PRIVATE = ("alice-0042", "+33612345678", "612345678")
MONDAY = "2026-11-23T10:30:00+01:00"  # Monday 23 November 2026, 09:30 UTC
MONDAY_LATER = "2026-11-23T11:30:00+01:00"
SATURDAY = "2026-11-28T10:30:00+01:00"

Shell = Callable[..., Any]


class FlakyLedger:
    """A memory ledger whose store can be switched off; its errors quote the keys it got,
    as a careless driver's might."""

    def __init__(self) -> None:
        self.down = False
        self.busy = False  # inside check_and_record
        self.inner = MemoryLedger()

    def __repr__(self) -> str:
        return "FlakyLedger('db.example:5432')"

    def _fail(self, what: object) -> None:
        if self.down:
            raise ConnectionResetError(f"connection reset by peer while sending {what}")

    def check_and_record(self, subject: str, constraints: Any, attempt: Any) -> Any:
        self.busy = True
        try:
            self._fail(subject)
            return self.inner.check_and_record(subject, constraints, attempt)
        finally:
            self.busy = False

    def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        self._fail(attempt_id)
        return self.inner.set_outcome(attempt_id, outcome, retention)

    def forget(self, subjects: Sequence[str]) -> int:
        self._fail(list(subjects))
        return self.inner.forget(subjects)

    def close(self) -> None:
        pass


@pytest.fixture(params=["sync", "async"])
def shell(request: pytest.FixtureRequest) -> Iterator[Shell]:
    """``shell(policy, **options)``: an Engine, or an AsyncEngine behind the bridge."""
    if request.param == "sync":
        yield cw.Engine
        return
    loop: LoopThread = request.getfixturevalue("event_loop_thread")
    made: list[BlockingEngine] = []

    def make(policy: cw.Policy, **options: Any) -> BlockingEngine:
        engine = BlockingEngine(cw.AsyncEngine(policy, **options), loop)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def seconds(monkeypatch: pytest.MonkeyPatch) -> FakeMonotonic:
    clock = FakeMonotonic()
    monkeypatch.setattr(_observe, "monotonic", clock)
    return clock


def said(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    """(level, message) of each "callwindow" record, then forgets them."""
    found = [(record.levelname, record.getMessage()) for record in caplog.records
             if record.name == "callwindow"]
    caplog.clear()
    return found


# -- ledger failures -----------------------------------------------------------------


def test_a_failing_ledger_is_warned_once_a_minute_and_its_recovery_said(
        shell: Shell, caplog: pytest.LogCaptureFixture, seconds: FakeMonotonic) -> None:
    caplog.set_level(logging.INFO, logger="callwindow")
    ledger = FlakyLedger()
    engine = shell(TWO_A_WEEK, ledger=ledger)
    assert engine.acquire(ALICE, MONDAY).allowed
    assert said(caplog) == []  # all well: nothing to say

    ledger.down = True
    refused = engine.acquire(ALICE, MONDAY)
    assert refused.codes == (cw.ReasonCode.LEDGER_UNAVAILABLE,)
    [(level, message)] = said(caplog)
    assert level == "WARNING"
    assert "FlakyLedger('db.example:5432')" in message  # the backend
    assert "ConnectionResetError: connection reset by peer" in message  # the cause

    for _ in range(5):  # within the minute: counted, not said
        seconds.now += 10
        assert not engine.check(ALICE, MONDAY).allowed
    assert said(caplog) == []
    seconds.now += 10  # 60 s after the first warning
    engine.check(ALICE, MONDAY)
    [(level, message)] = said(caplog)
    assert level == "WARNING"
    assert "still failing: 6 more failures in the last 60 s" in message

    seconds.now += 30
    ledger.down = False
    assert engine.acquire(ALICE, MONDAY_LATER).allowed
    [(level, message)] = said(caplog)
    assert level == "INFO"
    # (the async shell calls a plain ledger from a worker thread: ThreadedLedger(...))
    assert "FlakyLedger('db.example:5432')" in message
    assert message.endswith(" answers again, after 7 failed calls over 90.0 s")
    engine.check(ALICE, MONDAY_LATER)
    assert said(caplog) == []  # said once


def test_ledger_warnings_hold_no_phone_number_nor_id(
        shell: Shell, caplog: pytest.LogCaptureFixture, seconds: FakeMonotonic) -> None:
    caplog.set_level(logging.DEBUG, logger="callwindow")
    ledger = FlakyLedger()
    ledger.down = True
    engine = shell(TWO_A_WEEK, ledger=ledger)
    engine.acquire(ALICE, MONDAY)
    seconds.now += 60
    with pytest.raises(cw.LedgerError):
        engine.forget(ALICE)
    seconds.now += 60
    with pytest.raises(cw.LedgerError):
        engine.set_outcome("attempt-123456", "no_answer")
    messages = [message for _, message in said(caplog)]
    assert len(messages) == 4  # three failures, one per minute; one refusal (debug)
    assert "sending <redacted>" in messages[0]
    assert "sending ['<redacted>', '<redacted>']" in messages[2]
    assert "sending <redacted>" in messages[3]
    for message in messages:
        assert not any(secret in message for secret in PRIVATE), message
        assert "attempt-123456" not in message


def test_raise_mode_still_warns(shell: Shell, caplog: pytest.LogCaptureFixture) -> None:
    ledger = FlakyLedger()
    ledger.down = True
    engine = shell(TWO_A_WEEK, ledger=ledger, on_ledger_error="raise")
    with pytest.raises(cw.LedgerError):
        engine.acquire(ALICE, MONDAY)
    [(level, _)] = said(caplog)
    assert level == "WARNING"


# -- a line per decision ----------------------------------------------------------------


def test_each_decision_is_one_debug_line_without_the_consumer(
        shell: Shell, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="callwindow")
    engine = shell(TWO_A_WEEK)
    first = engine.acquire(ALICE, MONDAY)
    engine.acquire(ALICE, MONDAY)
    engine.acquire(ALICE, MONDAY_LATER)
    engine.check(ALICE, SATURDAY)
    assert said(caplog) == [
        ("DEBUG", "allowed at 2026-11-23T09:30:00+00:00 (Europe/Paris; two-a-week)"),
        ("DEBUG", "allowed at 2026-11-23T09:30:00+00:00 (Europe/Paris; two-a-week)"),
        # two in 7 days: the first stops counting 7 days after it, Monday 30th 10:30 Paris
        ("DEBUG", "refused at 2026-11-23T10:30:00+00:00: frequency_limit; next allowed at "
                  "2026-11-30T09:30:00+00:00 (Europe/Paris; two-a-week)"),
        # Saturday is closed, and the limit holds until the 30th, 09:30 UTC
        ("DEBUG", "refused at 2026-11-28T09:30:00+00:00: closed_day, frequency_limit; "
                  "next allowed at 2026-11-30T09:30:00+00:00 (Europe/Paris; two-a-week)"),
    ]
    assert first.attempt_id is not None
    # Who wants the consumer asks for it: the record carries the decision.
    engine.check(ALICE, MONDAY)
    [record] = [r for r in caplog.records if r.name == "callwindow"]
    assert record.decision.consumer_id == "alice-0042"  # type: ignore[attr-defined]


def test_decisions_without_rules_that_count_are_logged_too(
        shell: Shell, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="callwindow")
    engine = shell(HOURS_ONLY)
    engine.check_many([ALICE, cw.Consumer(id="bob", timezone="America/New_York")], MONDAY)
    assert said(caplog) == [
        ("DEBUG", "allowed at 2026-11-23T09:30:00+00:00 (Europe/Paris; hours-only)"),
        # 04:30 in New York
        ("DEBUG", "refused at 2026-11-23T09:30:00+00:00: outside_hours; next allowed at "
                  "2026-11-23T15:00:00+00:00 (America/New_York; hours-only)"),
    ]


def test_nothing_is_logged_above_debug_when_all_is_well(
        shell: Shell, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="callwindow")
    engine = shell(TWO_A_WEEK)
    engine.acquire(ALICE, MONDAY)
    engine.check(ALICE, SATURDAY)
    assert said(caplog) == []


# -- the on_decision hook -------------------------------------------------------------------


def test_the_hook_gets_each_decisions_audit_record_after_the_exchange(shell: Shell) -> None:
    ledger = FlakyLedger()
    seen: list[dict[str, Any]] = []

    def keep(record: dict[str, Any]) -> None:
        assert not ledger.busy  # never inside the ledger exchange
        seen.append(record)

    engine = shell(TWO_A_WEEK, ledger=ledger, on_decision=keep)
    acquired = engine.acquire(ALICE, MONDAY)
    assert seen == [{
        "allowed": True,
        "at": "2026-11-23T09:30:00+00:00",
        "next_allowed_at": "2026-11-23T09:30:00+00:00",
        "consumer_id": "alice-0042",
        "timezones": ["Europe/Paris"],
        "local_times": {"Europe/Paris": "2026-11-23T10:30:00+01:00"},
        "policy_ids": ["two-a-week"],
        "reasons": [],
        "attempt_id": acquired.attempt_id,
        "library_version": cw.__version__,
        "policy_digests": {"two-a-week": TWO_A_WEEK.digest},
        "zone_evidence": {"Europe/Paris": ["phone"]},
        "consent": None,
    }]
    assert acquired.attempt_id is not None
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", TWO_A_WEEK.digest)
    seen.clear()
    engine.check(ALICE, SATURDAY)
    engine.check_many([ALICE, cw.Consumer(id="bob", timezone="America/New_York")], MONDAY)
    assert [(r["consumer_id"], r["allowed"], [x["code"] for x in r["reasons"]])
            for r in seen] == [("alice-0042", False, ["closed_day"]),
                               ("alice-0042", True, []),
                               ("bob", False, ["outside_hours"])]
    seen.clear()
    engine.next_allowed_at(ALICE, MONDAY)  # not a decision
    engine.windows(ALICE, MONDAY, SATURDAY)
    assert seen == []


def test_a_hook_that_raises_is_logged_and_changes_no_decision(
        shell: Shell, caplog: pytest.LogCaptureFixture, seconds: FakeMonotonic) -> None:
    def broken(record: dict[str, Any]) -> None:
        raise RuntimeError("audit disk full")

    plain = shell(TWO_A_WEEK)
    hooked = shell(TWO_A_WEEK, on_decision=broken)
    calls = [("acquire", MONDAY), ("acquire", MONDAY), ("acquire", MONDAY_LATER),
             ("check", SATURDAY), ("check", MONDAY)]
    for method, at in calls:
        mine, theirs = (getattr(engine, method)(ALICE, at).to_dict()
                        for engine in (hooked, plain))
        assert (mine.pop("attempt_id") is None) == (theirs.pop("attempt_id") is None)
        assert mine == theirs
    records = [r for r in caplog.records if r.name == "callwindow"]
    assert len(records) == 1  # five failures within a minute: said once
    [record] = records
    assert record.levelname == "ERROR"
    assert record.getMessage() == "on_decision failed: it raised (the decision stands)"
    assert record.exc_info is not None
    assert "audit disk full" in str(record.exc_info[1])


def test_a_hook_that_raises_leaves_the_attempts_as_they_were(shell: Shell) -> None:
    def broken(record: dict[str, Any]) -> None:
        raise RuntimeError("audit disk full")

    engine = shell(TWO_A_WEEK, on_decision=broken)
    outcomes = [engine.acquire(ALICE, at).allowed for at in (MONDAY, MONDAY, MONDAY_LATER)]
    assert outcomes == [True, True, False]  # two a week, hook or not
    assert engine.check(ALICE, MONDAY_LATER).codes == (cw.ReasonCode.FREQUENCY_LIMIT,)


def test_the_async_engine_awaits_a_coroutine_hook(event_loop_thread: LoopThread) -> None:
    seen: list[str] = []

    async def keep(record: dict[str, Any]) -> None:
        seen.append(record["at"])

    engine = BlockingEngine(cw.AsyncEngine(TWO_A_WEEK, on_decision=keep), event_loop_thread)
    engine.acquire(ALICE, MONDAY)
    engine.check_many([ALICE], SATURDAY)
    assert seen == ["2026-11-23T09:30:00+00:00", "2026-11-28T09:30:00+00:00"]
    engine.close()


def test_a_failing_coroutine_hook_is_logged(event_loop_thread: LoopThread,
                                            caplog: pytest.LogCaptureFixture) -> None:
    async def broken(record: dict[str, Any]) -> None:
        raise OSError("audit database gone")

    engine = BlockingEngine(cw.AsyncEngine(TWO_A_WEEK, on_decision=broken), event_loop_thread)
    assert engine.acquire(ALICE, MONDAY).allowed
    [record] = [r for r in caplog.records if r.name == "callwindow"]
    assert record.levelname == "ERROR"
    assert record.exc_info is not None
    assert "audit database gone" in str(record.exc_info[1])
    engine.close()


def test_engine_refuses_a_coroutine_hook_and_a_non_callable() -> None:
    async def keep(record: dict[str, Any]) -> None:
        pass

    with pytest.raises(cw.InvalidInputError, match=r"on_decision: Engine .* use AsyncEngine"):
        cw.Engine(TWO_A_WEEK, on_decision=keep)
    with pytest.raises(TypeError, match="on_decision: expected a callable"):
        cw.Engine(TWO_A_WEEK, on_decision="audit.jsonl")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on_decision: expected a callable"):
        cw.AsyncEngine(TWO_A_WEEK, on_decision=42)  # type: ignore[arg-type]


def test_engine_logs_a_hook_that_returns_an_awaitable(
        caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder) -> None:
    async def keep(record: dict[str, Any]) -> None:
        pass

    engine = cw.Engine(TWO_A_WEEK, on_decision=lambda record: keep(record))
    assert engine.acquire(ALICE, MONDAY).allowed
    assert said(caplog) == [("ERROR", "on_decision failed: it returned an awaitable, which "
                                      "Engine does not await; use AsyncEngine")]
    assert not [w for w in recwarn if "never awaited" in str(w.message)]
