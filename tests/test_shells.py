"""One core, two shells: what the sync ``Engine`` and the ``AsyncEngine`` must share.

- A Decision never reads a ledger: everything it says is known when it is returned.
- Both shells give the same answers (a property over random policies, histories
  and instants), and share one history on one URL.
- asyncio tasks and processes racing on one consumer record exactly the limit.
- The error tree: every error raised on purpose is a ``CallWindowError``, and
  each is also the builtin it resembles.

The law cases and the ledger conformance suite run against both shells through
the ``+async`` backends of conftest.py.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import callwindow as cw
from callwindow.testing import FrozenClock
from conftest import LedgerFactory

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

# D223-9 as in test_limits: Mon-Fri 10:00-13:00 and 14:00-20:00 Paris, no public
# holidays, at most 4 attempts in 30 calendar days, 60 full days after a refusal.
FRANCE = cw.Policy.model_validate({
    "id": "fr-d223-9", "source": "hand-written test",
    "hours": {day: ["10:00-13:00", "14:00-20:00"] for day in WEEKDAYS},
    "holidays": {"country": "FR"},
    "limits": [{"max_attempts": 4, "period": "P30D", "window": "calendar_days"}],
    "cooldowns": [{"after": ["refusal"], "period": "P60D", "window": "calendar_days",
                   "day_one": "next_day"}],
})
LIMIT_4 = cw.Policy.model_validate({
    "id": "four-a-month", "limits": [{"max_attempts": 4, "period": "P30D"}]})
PARIS = cw.Consumer(id="fr-1", phone="+33612345678")


# -- a Decision never reads a ledger ------------------------------------------------------

def _read_everything(decision: cw.Decision) -> dict[str, Any]:
    return {"allowed": decision.allowed, "at": decision.at, "reasons": decision.reasons,
            "next": decision.next_allowed_at, "codes": decision.codes,
            "zones": decision.timezones, "local": decision.local_times,
            "policies": decision.policy_ids, "attempt": decision.attempt_id,
            "consumer": decision.consumer_id, "text": decision.explain(),
            "record": decision.to_dict(), "repr": repr(decision)}


@pytest.mark.parametrize("shell", ["sync", "async"])
def test_reading_a_decision_never_touches_the_ledger(tmp_path: Path, shell: str) -> None:
    path = tmp_path / "attempts.db"
    url = f"sqlite:///{path}"
    # Monday 2 to Thursday 5 November 2026, 10:30 Paris (09:30 UTC): four attempts.
    days = [f"2026-11-0{day}T10:30:00+01:00" for day in (2, 3, 4, 5)]
    friday_open = "2026-11-06T10:30:00+01:00"    # open hours, but the 5th in 30 days
    saturday = "2026-11-07T11:00:00+01:00"       # closed day, and the limit too
    if shell == "sync":
        with cw.Engine(FRANCE, ledger=url) as engine:
            for day in days:
                assert engine.acquire(PARIS, day).allowed
            decisions = [engine.check(PARIS, friday_open), engine.check(PARIS, saturday)]
    else:
        async def run() -> list[cw.Decision]:
            async with cw.AsyncEngine(FRANCE, ledger=url) as engine:
                for day in days:
                    assert (await engine.acquire(PARIS, day)).allowed
                return [await engine.check(PARIS, friday_open),
                        await engine.check(PARIS, saturday)]
        decisions = asyncio.run(run())
    for leftover in tmp_path.glob("attempts.db*"):
        leftover.unlink()
    friday, saturday_decision = (_read_everything(d) for d in decisions)
    assert not list(tmp_path.iterdir())  # reading recreated no file
    # The first attempt (Monday 2 November) counts through Tuesday 1 December, Paris:
    # the 5th is allowed again on Wednesday 2 December at 10:00 Paris (09:00 UTC).
    assert friday["codes"] == (cw.ReasonCode.FREQUENCY_LIMIT,)
    assert friday["next"] == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert saturday_decision["codes"] == (cw.ReasonCode.CLOSED_DAY,
                                          cw.ReasonCode.FREQUENCY_LIMIT)
    assert saturday_decision["next"] == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


# -- both shells agree --------------------------------------------------------------------

_START = datetime(2026, 3, 23, tzinfo=UTC)  # a week before Paris's spring DST change

instants = st.integers(0, 21 * 24 * 60).map(lambda minute: _START + timedelta(minutes=minute))
outcomes = st.sampled_from([o for o in cw.Outcome if o is not cw.Outcome.PENDING])
consumers = st.sampled_from([
    cw.Consumer(id="a", timezone="Europe/Paris"),
    cw.Consumer(id="b", phone="+18505550123"),          # Central and Eastern (850)
    cw.Consumer(id="c", phone="+33612345678"),
    cw.Consumer(id="d"),                                # no zone at all
])
policies = st.sampled_from([
    FRANCE,
    LIMIT_4,
    cw.presets.get("US-REGF"),
    cw.Policy.model_validate({"id": "weekday-hours",
                              "hours": {day: ["09:00-12:00", "13:30-18:00"] for day in WEEKDAYS}}),
])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy=policies, consumer=consumers,
       history=st.lists(st.tuples(instants, outcomes), max_size=6), at=instants)
def test_sync_and_async_shells_decide_alike(policy: cw.Policy, consumer: cw.Consumer,
                                            history: list[tuple[datetime, cw.Outcome]],
                                            at: datetime) -> None:
    clock = FrozenClock(at)
    sync_engine = cw.Engine(policy, clock=clock)
    for moment, outcome in history:
        sync_engine.record(consumer, outcome=outcome, at=moment)
    expected = (sync_engine.check(consumer).to_dict(),
                sync_engine.acquire(consumer).to_dict() | {"attempt_id": None},
                sync_engine.next_allowed_at(consumer, at + timedelta(hours=1)),
                sync_engine.windows(consumer, at, at + timedelta(days=3)))

    async def run() -> tuple[Any, ...]:
        async with cw.AsyncEngine(policy, clock=clock) as engine:
            for moment, outcome in history:
                await engine.record(consumer, outcome=outcome, at=moment)
            return ((await engine.check(consumer)).to_dict(),
                    (await engine.acquire(consumer)).to_dict() | {"attempt_id": None},
                    await engine.next_allowed_at(consumer, at + timedelta(hours=1)),
                    await engine.windows(consumer, at, at + timedelta(days=3)))

    assert asyncio.run(run()) == expected


@pytest.mark.parametrize("ledgers", ["sqlite", "redis", "postgres"], indirect=True)
def test_a_sync_and_an_async_engine_share_one_history(ledgers: LedgerFactory) -> None:
    url, options = ledgers.url, ledgers.options()
    with cw.Engine(LIMIT_4, ledger=cw.ledger_from_url(url, **options)) as sync_engine:
        assert sync_engine.acquire(PARIS, "2026-11-02T10:30:00+01:00").allowed

        async def run() -> list[bool]:
            ledger = cw.ledgers.async_ledger_from_url(url, **options)
            async with cw.AsyncEngine(LIMIT_4, ledger=ledger) as engine:
                wins = [(await engine.acquire(PARIS, "2026-11-02T10:31:00+01:00")).allowed
                        for _ in range(4)]
            await ledger.aclose()
            return wins

        assert asyncio.run(run()) == [True, True, True, False]
        assert sync_engine.check(PARIS, "2026-11-02T10:32:00+01:00").codes == (
            cw.ReasonCode.FREQUENCY_LIMIT,)


# -- races --------------------------------------------------------------------------------

async def _tasks_race(url: str, options: dict[str, Any], tasks: int) -> int:
    ledger = cw.ledgers.async_ledger_from_url(url, **options)
    async with cw.AsyncEngine(LIMIT_4, ledger=ledger) as engine:
        decisions = await asyncio.gather(*(engine.acquire(PARIS, "2026-11-02T10:30:00+01:00")
                                           for _ in range(tasks)))
    await ledger.aclose()
    return sum(decision.allowed for decision in decisions)


def _race_options(ledgers: LedgerFactory) -> dict[str, Any]:
    # SQLite: every task's call runs in its own worker thread and connection, and
    # they all queue for the one write lock; on a loaded two-core machine the
    # last may wait longer than the default 5 s.  The race, not the wait, is tested.
    return {**ledgers.options(), **({"timeout": 60} if ledgers.backend == "sqlite" else {})}


@pytest.mark.parametrize("ledgers", ["sqlite", "redis", "postgres"], indirect=True)
def test_64_asyncio_tasks_racing_for_one_consumer_get_exactly_the_limit(
        ledgers: LedgerFactory) -> None:
    assert asyncio.run(_tasks_race(ledgers.url, _race_options(ledgers), 64)) == 4


def _process_race(url: str, options: dict[str, Any], start: Any) -> int:
    start.wait(timeout=60)
    return asyncio.run(_tasks_race(url, options, 8))


@pytest.mark.parametrize("ledgers", ["sqlite", "redis", "postgres"], indirect=True)
def test_4_processes_of_8_tasks_racing_for_one_consumer_get_exactly_the_limit(
        ledgers: LedgerFactory) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(4)
        with context.Pool(4) as pool:
            wins = pool.starmap(_process_race,
                                [(ledgers.url, _race_options(ledgers), start)] * 4)
    assert sum(wins) == 4


# -- the error tree -----------------------------------------------------------------------

def test_a_bad_consumer_field_is_a_consumer_error_and_a_value_error() -> None:
    with pytest.raises(cw.ConsumerError) as caught:
        cw.Consumer(timezone="Mars/Base")
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, cw.CallWindowError)
    assert caught.value.field == "timezone"


@pytest.mark.parametrize(("make", "field"), [
    (lambda: cw.ledger_from_url("foo://x"), "ledger"),
    (lambda: cw.ledger_from_url("sqlite://relative.db"), "ledger"),
    (lambda: cw.Engine([]), "policy"),
    (lambda: cw.Engine(LIMIT_4, retention="PT30M"), "retention"),
    (lambda: cw.Engine(LIMIT_4, on_ledger_error="ignore"), "on_ledger_error"),  # type: ignore[arg-type]
    (lambda: cw.AsyncEngine([]), "policy"),
    (lambda: cw.ledgers.MemoryLedger(secret=b"short"), "secret"),
    (lambda: cw.Engine(LIMIT_4).set_outcome("nope", "busy"), "attempt_id"),
    (lambda: cw.Engine(LIMIT_4).set_outcome("nope", "maybe"), "outcome"),
])
def test_invalid_arguments_are_invalid_input_errors_naming_the_field(make: Any, field: str
                                                                     ) -> None:
    with pytest.raises(cw.InvalidInputError) as caught:
        make()
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == field
    assert str(caught.value).startswith(field) or f"{field} " in str(caught.value)


def test_a_missing_extra_is_a_missing_extra_error_and_an_import_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "callwindow.ledgers._redis", raising=False)
    with pytest.raises(cw.MissingExtraError) as caught:
        cw.ledger_from_url("redis://127.0.0.1:1/0")
    assert isinstance(caught.value, ImportError)
    assert caught.value.extra == "redis"
    assert "pip install 'callwindow[redis]'" in str(caught.value)


def test_public_classes_read_as_callwindow() -> None:
    public = [cw.Engine, cw.AsyncEngine, cw.Decision, cw.Reason, cw.Policy, cw.Consumer,
              cw.ReasonCode, cw.Outcome, cw.SystemClock, cw.CallWindowError, cw.PolicyError,
              cw.ConsumerError, cw.InvalidInputError, cw.LedgerError, cw.MissingExtraError,
              cw.NaiveDatetimeError]
    assert [cls.__module__ for cls in public] == ["callwindow"] * len(public)
    assert repr(cw.Decision) == "<class 'callwindow.Decision'>"
    assert all(issubclass(error, cw.CallWindowError) for error in public[9:])


_FIRST_PROCESS = """
import pickle, sys
import callwindow as cw
from callwindow.testing import policy
loose = policy(id="loose", limits=[{"max_attempts": 5, "period": "P1D",
                          "window": "calendar_days"}])
consumer = cw.Consumer(id="c1", timezone="America/New_York")
assert cw.Engine(loose).check(consumer, "2026-12-01T15:00:00Z").allowed
sys.stdout.buffer.write(pickle.dumps(consumer))
"""
_SECOND_PROCESS = """
import pickle, sys
import callwindow as cw
from callwindow.testing import policy
strict = policy(id="strict", limits=[{"max_attempts": 1, "period": "P1D",
                           "window": "calendar_days"}])
engine = cw.Engine(strict)
consumer = pickle.loads(sys.stdin.buffer.read())
print(*(engine.acquire(consumer, "2026-12-01T15:00:00Z").allowed for _ in range(2)))
"""


def test_a_consumer_pickled_to_another_process_is_asked_that_process_own_questions(
        ) -> None:
    # Each process numbers its plans from one: a consumer judged in one process and
    # unpickled in another must not bring the first one's questions (5 a day) to the
    # second's plan of the same number (1 a day): the second acquire is refused.
    import subprocess

    first = subprocess.run([sys.executable, "-c", _FIRST_PROCESS], capture_output=True,
                           check=True, timeout=60)
    second = subprocess.run([sys.executable, "-c", _SECOND_PROCESS], input=first.stdout,
                            capture_output=True, check=True, timeout=60)
    assert second.stdout.decode().split() == ["True", "False"]
