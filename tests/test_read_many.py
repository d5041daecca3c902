"""Batched reads: ``check_many`` on every ledger, and the engines that use it.

A batch must answer exactly what one read-only ``check_and_record`` per read
answers (a property over random histories, on every backend and both
shells), and a list scrubbed with limits must cost one round trip per batch.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import callwindow as cw
from callwindow.ledgers import Attempt, Constraint, Matches, MemoryLedger
from conftest import LedgerFactory

US = 1_000_000
T0 = 1_793_000_000 * US  # 2026-10-26T09:33:20Z
DAY = 86400
MONDAY = "2026-11-23T10:30:00+01:00"  # open in France
_runs = itertools.count()

subjects = st.sampled_from(("c:1", "c:2", "p:+15125550100"))
outcomes = st.sampled_from(("pending", "refusal", "no_answer", "conversation"))
constraints = st.builds(
    lambda key, also, since, wanted, limit: Constraint(key, also, T0 + since * US, wanted,
                                                       limit),
    subjects, st.lists(st.sampled_from(("t:d=A", "p:+15125550100")), max_size=1,
                       unique=True).map(tuple),
    st.integers(0, 40), st.none() | st.frozensets(outcomes, min_size=1), st.integers(0, 4))
histories = st.lists(st.tuples(st.integers(0, 40), outcomes,
                               st.lists(st.sampled_from(("c:1", "c:2", "t:d=A",
                                                         "p:+15125550100")),
                                        min_size=1, max_size=3, unique=True)),
                     max_size=8)
reads = st.lists(st.tuples(subjects, st.lists(constraints, max_size=3)), max_size=6)


def _fresh(keys: Sequence[str], run: int) -> tuple[str, ...]:
    """Keys of one hypothesis example, apart from the others' (the ledger is shared)."""
    return tuple(f"{key}#{run}" for key in keys)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories, asked=reads)
def test_a_batch_answers_what_one_read_each_answers(
        ledgers: LedgerFactory, history: list[tuple[int, str, list[str]]],
        asked: list[tuple[str, list[Constraint]]]) -> None:
    ledger: Any = ledgers()
    run = next(_runs)
    for offset, outcome, keys in history:
        ledger.check_and_record(_fresh(keys, run)[0], [],
                                Attempt(T0 + offset * US, outcome, _fresh(keys, run), DAY))
    batch = [(_fresh([subject], run)[0],
              [c._replace(key=_fresh([c.key], run)[0], also=_fresh(c.also, run))
               for c in wanted])
             for subject, wanted in asked]
    one_by_one = [ledger.check_and_record(subject, wanted, None)[1] for subject, wanted in batch]
    assert ledger.check_many(batch) == one_by_one


def test_a_batch_counts_what_was_recorded(ledgers: LedgerFactory) -> None:
    ledger: Any = ledgers()
    ledger.check_and_record("c:1", [], Attempt(T0, "refusal", ("c:1", "t:d=A"), DAY))
    ledger.check_and_record("c:2", [], Attempt(T0 + 5, "pending", ("c:2",), DAY))
    every = Constraint("c:1", (), 0, None, 9)
    found = ledger.check_many([
        ("c:1", [every, Constraint("c:1", (), T0 + 1, None, 9)]),
        ("c:2", []),
        ("c:2", [Constraint("c:2", (), 0, frozenset({"refusal"}), 9),
                 Constraint("c:2", (), 0, None, 9)]),
        ("c:1", [Constraint("c:1", ("t:d=A",), 0, frozenset({"refusal"}), 1)]),
    ])
    assert found == [((T0,), ()), (), ((), (T0 + 5,)), ((T0,),)]
    assert ledger.check_many([]) == []


def test_keyed_ledgers_read_their_hashed_keys_in_a_batch(ledgers: LedgerFactory) -> None:
    ledger: Any = ledgers(secret="a" * 32)
    ledger.check_and_record("c:1", [], Attempt(T0, "pending", ("c:1",), DAY))
    assert ledger.check_many([("c:1", [Constraint("c:1", (), 0, None, 9)])]) == [((T0,),)]


# -- the engines ------------------------------------------------------------------------------

# France's hours (10:00-13:00, 14:00-20:00 on weekdays) and cooldowns, two calls a rolling day.
LIMITED = cw.Policy.model_validate({**cw.presets.get("FR").model_dump(),
                                    "limits": [{"max_attempts": 2, "period": "PT24H"}]})


class Counting:
    """A ledger that counts the calls it gets, over a ``MemoryLedger``."""

    def __init__(self, batches: bool = True) -> None:
        self.inner = MemoryLedger()
        self.calls: list[str] = []
        if batches:
            self.check_many = self._check_many

    def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                         attempt: Attempt | None) -> tuple[str | None, Matches]:
        self.calls.append("check_and_record")
        return self.inner.check_and_record(subject, constraints, attempt)

    def _check_many(self, asked: Sequence[tuple[str, Sequence[Constraint]]]) -> list[Matches]:
        self.calls.append(f"check_many({len(asked)})")
        return self.inner.check_many(asked)

    def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        return self.inner.set_outcome(attempt_id, outcome, retention)

    def forget(self, subjects: Sequence[str]) -> int:
        return self.inner.forget(subjects)

    def close(self) -> None:
        self.inner.close()


def _consumers(count: int) -> list[cw.Consumer]:
    return [cw.Consumer(id=f"c-{index}", phone=f"+3361234{index:04d}", consent=True)
            for index in range(count)]


def test_check_many_reads_a_list_in_one_round_trip_per_thousand() -> None:
    ledger = Counting()
    engine = cw.Engine(LIMITED, ledger=ledger)
    consumers = _consumers(2500)
    for _ in range(2):  # c-0 has had its two calls today
        engine.record(consumers[0], outcome="no_answer", at="2026-11-23T09:00:00+01:00")
    ledger.calls.clear()
    decisions = engine.check_many(consumers, MONDAY)
    # France's rules have effective dates, so the one refusal is explained by a second
    # read (of every rule in force from now on): one more batch, of one.
    assert ledger.calls == ["check_many(1000)", "check_many(1000)", "check_many(500)",
                            "check_many(1)"]
    assert [d.allowed for d in decisions[:3]] == [False, True, True]
    assert decisions[0].codes == (cw.ReasonCode.FREQUENCY_LIMIT,)
    # The calls of 09:00 Paris leave the window at 09:00 on Tuesday; France opens at 10:00.
    assert str(decisions[0].next_allowed_at) == "2026-11-24 09:00:00+00:00"


def test_a_ledger_without_check_many_is_read_once_per_consumer() -> None:
    ledger = Counting(batches=False)
    engine = cw.Engine(LIMITED, ledger=ledger)
    decisions = engine.check_many(_consumers(3), MONDAY)
    assert ledger.calls == ["check_and_record"] * 3
    assert all(d.allowed for d in decisions)


def test_a_batch_that_fails_refuses_every_consumer_in_it() -> None:
    class Broken(Counting):
        def _check_many(self, asked: Sequence[tuple[str, Sequence[Constraint]]]
                        ) -> list[Matches]:
            raise ConnectionError("the store is gone")

    decisions = cw.Engine(LIMITED, ledger=Broken()).check_many(_consumers(2), MONDAY)
    assert [d.allowed for d in decisions] == [False, False]
    assert all(cw.ReasonCode.LEDGER_UNAVAILABLE in d.codes for d in decisions)
    with pytest.raises(cw.LedgerError, match="the store is gone"):
        cw.Engine(LIMITED, ledger=Broken(), on_ledger_error="raise").check_many(
            _consumers(2), MONDAY)


def test_check_many_with_limits_is_check_one_by_one_on_every_backend(
        make_engine: Any) -> None:
    engine = make_engine(LIMITED)
    consumers = _consumers(12)
    for consumer in consumers[:5]:
        engine.record(consumer, outcome="no_answer", at="2026-11-23T09:00:00+01:00")
    for consumer in consumers[:3]:
        engine.record(consumer, outcome="refusal", at="2026-11-23T09:10:00+01:00")
    batched = engine.check_many(consumers, MONDAY)
    one_by_one = [engine.check(consumer, MONDAY) for consumer in consumers]
    assert batched == one_by_one
    assert [d.allowed for d in batched] == [False] * 3 + [True] * 9
