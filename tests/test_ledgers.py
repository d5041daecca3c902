"""One conformance suite for every ledger: the Protocol, races, faults, privacy.

Run against the memory, SQLite, Redis and PostgreSQL ledgers (see the
``ledgers`` fixture in conftest.py); Redis and PostgreSQL are real servers.
"""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import callwindow as cw
from callwindow.ledgers import Attempt, Constraint, Ledger, MemoryLedger
from conftest import SHARED_BACKENDS, LedgerFactory

US = 1_000_000
T0 = 1_793_000_000 * US  # 2026-10-26T09:33:20Z, in microseconds
DAY = 86400


def attempt(ts: int, outcome: str = "pending", keys: tuple[str, ...] = ("c:1",),
            retention: int | None = DAY) -> Attempt:
    return Attempt(ts, outcome, keys, retention)


def count(key: str = "c:1", since: int = 0, limit: int = 100, also: tuple[str, ...] = (),
          outcomes: frozenset[str] | None = None) -> Constraint:
    return Constraint(key, also, since, outcomes, limit)


# -- the Protocol -------------------------------------------------------------------------

def test_every_ledger_implements_the_protocol(ledgers: LedgerFactory) -> None:
    assert isinstance(ledgers(), Ledger)


def test_since_is_exact_to_the_microsecond(ledgers: LedgerFactory) -> None:
    ledger = ledgers()
    ledger.check_and_record("c:1", [], attempt(T0))
    _, found = ledger.check_and_record("c:1", [count(since=T0), count(since=T0 + 1)], None)
    assert found == ((T0,), ())


def test_records_only_below_every_limit(ledgers: LedgerFactory) -> None:
    ledger = ledgers()
    first, found = ledger.check_and_record("c:1", [count(limit=2)], attempt(T0))
    assert first is not None
    assert found == ((),)
    second, found = ledger.check_and_record("c:1", [count(limit=2)], attempt(T0 + 5))
    assert second is not None
    assert second != first
    assert found == ((T0,),)
    third, found = ledger.check_and_record(
        "c:1", [count(limit=5), count(limit=2)], attempt(T0 + 9))
    assert third is None
    assert found == ((T0, T0 + 5), (T0, T0 + 5))
    _, found = ledger.check_and_record("c:1", [count()], None)
    assert found == ((T0, T0 + 5),)


def test_times_come_back_in_order_whatever_the_order_written(ledgers: LedgerFactory) -> None:
    ledger = ledgers()
    for offset in (30, 10, 20):
        ledger.check_and_record("c:1", [], attempt(T0 + offset * US))
    _, found = ledger.check_and_record("c:1", [count()], None)
    assert found == ((T0 + 10 * US, T0 + 20 * US, T0 + 30 * US),)


def test_outcomes_and_also_keys_select_what_counts(ledgers: LedgerFactory) -> None:
    ledger = ledgers()
    ledger.check_and_record("c:1", [], attempt(T0, "refusal", ("c:1", "t:debt=A")))
    ledger.check_and_record("c:1", [], attempt(T0 + 1, "no_answer", ("c:1", "t:debt=A")))
    ledger.check_and_record("c:1", [], attempt(T0 + 2, "refusal", ("c:1", "t:debt=B")))
    refusals = frozenset({"refusal"})
    _, found = ledger.check_and_record("c:1", [
        count(outcomes=refusals),
        count(also=("t:debt=A",)),
        count(also=("t:debt=A",), outcomes=refusals),
        count(key="t:debt=B"),
        count(key="c:2"),
    ], None)
    assert found == ((T0, T0 + 2), (T0, T0 + 1), (T0,), (T0 + 2,), ())


def test_set_outcome_changes_what_counts(ledgers: LedgerFactory) -> None:
    ledger = ledgers()
    attempt_id, _ = ledger.check_and_record("c:1", [], attempt(T0))
    assert attempt_id is not None
    refusals = count(outcomes=frozenset({"refusal"}))
    assert ledger.check_and_record("c:1", [refusals], None)[1] == ((),)
    assert ledger.set_outcome(attempt_id, "refusal", None)
    assert ledger.check_and_record("c:1", [refusals], None)[1] == ((T0,),)
    assert not ledger.set_outcome("0123456789abcdef", "refusal", DAY)


def test_forget_erases_an_attempt_under_every_key(ledgers: LedgerFactory) -> None:
    ledger = ledgers()
    keys = ("c:1", "p:+33612345678", "t:debt=A")
    ledger.check_and_record("c:1", [], attempt(T0, keys=keys))
    ledger.check_and_record("c:1", [], attempt(T0 + 1, keys=keys))
    ledger.check_and_record("c:2", [], attempt(T0 + 2, keys=("c:2",)))
    assert ledger.forget(["c:1", "p:+33612345678"]) == 2
    _, found = ledger.check_and_record("c:1", [count(key=k) for k in (*keys, "c:2")], None)
    assert found == ((), (), (), (T0 + 2,))
    assert ledger.forget(["c:1"]) == 0


#: The backends whose expiry clock a test can give (``clock=``); Redis expires by
#: the server's clock.
EXPIRY_CLOCKS = ("memory", "sqlite", "postgres")


class Seconds:
    """An expiry clock that moves only when told (``clock.now = ...``)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def counted(ledger: Ledger) -> tuple[tuple[int, ...], ...]:
    """The times of the attempts kept under c:1."""
    return ledger.check_and_record("c:1", [count()], None)[1]


def wait_until_counted(ledger: Ledger, expected: tuple[tuple[int, ...], ...]) -> None:
    """Poll until the store has expired what leaves ``expected`` counted (at most 3 s:
    a 1 s retention, and room for a busy machine); the caller asserts the result."""
    deadline = time.monotonic() + 3
    while counted(ledger) != expected and time.monotonic() < deadline:
        time.sleep(0.02)


def test_nothing_is_kept_past_its_retention(ledgers: LedgerFactory) -> None:
    # A backend that takes an expiry clock is moved to the edge of a second and
    # past it; Redis is polled until it expires what it should.
    clock = Seconds(1_000.0) if ledgers.backend in EXPIRY_CLOCKS else None
    ledger = ledgers(clock=clock) if clock is not None else ledgers()
    ledger.check_and_record("c:1", [], attempt(T0, retention=1))
    kept_id, _ = ledger.check_and_record("c:1", [], attempt(T0 + 1, retention=DAY))
    assert counted(ledger) == ((T0, T0 + 1),)
    if clock is None:
        wait_until_counted(ledger, ((T0 + 1,),))
    else:
        clock.now = 1_000.999  # kept for all of its second ...
        assert counted(ledger) == ((T0, T0 + 1),)
        clock.now = 1_001.0  # ... and not a moment more
    assert counted(ledger) == ((T0 + 1,),)
    assert kept_id is not None
    assert ledger.set_outcome(kept_id, "no_answer", 1)  # a shorter life is not taken ...
    short_id, _ = ledger.check_and_record("c:1", [], attempt(T0 + 2, retention=1))
    assert short_id is not None
    assert ledger.set_outcome(short_id, "refusal", DAY)  # ... a longer one is
    # Written last, kept a second: once it is gone, so is anything kept a second before.
    ledger.check_and_record("c:1", [], attempt(T0 + 3, retention=1))
    assert counted(ledger) == ((T0 + 1, T0 + 2, T0 + 3),)
    if clock is None:
        wait_until_counted(ledger, ((T0 + 1, T0 + 2),))
    else:
        clock.now = 1_002.0
    assert counted(ledger) == ((T0 + 1, T0 + 2),)


def test_secret_keeps_ids_and_numbers_out_of_the_store(ledgers: LedgerFactory) -> None:
    ledger = ledgers(secret=b"a secret of thirty-two bytes....")
    keys = ("c:customer-4711", "p:+33612345678", "t:debt=ACME-99")
    ledger.check_and_record("c:customer-4711", [], attempt(T0, keys=keys))
    assert ledger.check_and_record(
        "c:customer-4711", [count(key="p:+33612345678", also=("t:debt=ACME-99",))],
        None)[1] == ((T0,),)
    stored = dump(ledgers, ledger)
    assert "h:" in stored  # the keyed hashes are there ...
    for secret_text in ("customer-4711", "33612345678", "ACME-99"):
        assert secret_text not in stored  # ... and nothing they were made from
    # Another secret finds nothing.
    assert ledgers(secret=b"another secret, also 32 bytes..").check_and_record(
        "c:customer-4711", [count(key="c:customer-4711")], None)[1] == ((),)
    assert ledger.forget(["c:customer-4711"]) == 1


def dump(ledgers: LedgerFactory, ledger: Ledger) -> str:
    """Everything the backend stores, as text (for the privacy test)."""
    inner = getattr(getattr(ledger, "ledger", None), "ledger", None)  # behind the bridge
    if isinstance(inner, MemoryLedger):
        ledger = inner
    if isinstance(ledger, MemoryLedger):  # what it stores, not its cache of hashes
        entries = [vars_of(entry) for entry in ledger._attempts.values()]
        return repr((entries, list(ledger._index)))
    if ledgers.backend == "sqlite":
        with sqlite3.connect(ledgers.url.removeprefix("sqlite:///")) as db:
            return "\n".join(db.iterdump())
    if ledgers.backend.startswith("redis"):
        import redis
        import redis.cluster

        kind_of_client = redis.cluster.RedisCluster if "cluster" in ledgers.backend else redis.Redis
        client = kind_of_client.from_url(ledgers.url)
        try:
            parts = []
            # This test's keys only: other tests share the server (and other numbers).
            for key in client.scan_iter(match=ledgers.options()["prefix"] + ":*", count=1000):
                parts.append(key.decode())
                kind = client.type(key)
                if kind == b"hash":
                    parts.append(repr(client.hgetall(key)))
                elif kind == b"zset":
                    parts.append(repr(client.zrange(key, 0, -1)))
            return "\n".join(parts)
        finally:
            client.close()
    import psycopg

    with psycopg.connect(ledgers.url) as conn:
        rows = conn.execute("SELECT * FROM callwindow_attempts").fetchall()
        rows += conn.execute("SELECT * FROM callwindow_attempt_keys").fetchall()
        return repr(rows)


def vars_of(entry: object) -> dict[str, object]:
    return {name: getattr(entry, name) for name in entry.__slots__}  # type: ignore[attr-defined]


# -- the same answers as the memory ledger, over random scripts ---------------------------

R0 = 1_700_000_000_123_457  # µs: far beyond what a Lua number prints exactly
CONSUMERS = (("c:1", "p:+33612345678"), ("c:2", "p:+33612345678"), ("c:3", "p:+14155550123"))
OUTCOMES = ("pending", "answered", "no_answer", "opt_out")


def random_constraint(rng: random.Random, consumer: str, phone: str, tag: str,
                       sharded: bool) -> Constraint:
    shapes: list[tuple[str, tuple[str, ...]]] = [(consumer, ()), (phone, (consumer,))]
    if not sharded:
        shapes += [(phone, ()), (tag, (phone,)), (tag, ())]
    key, also = rng.choice(shapes)
    outcomes = (None if rng.random() < 0.4
                else frozenset(rng.sample(OUTCOMES, rng.randint(1, 3))))
    return Constraint(key, also, R0 + rng.randrange(-2, 42), outcomes, rng.randint(1, 6))


def replay(seed: int, ledgers: tuple[Ledger, Ledger], sharded: bool) -> None:
    """Run one random sequence of calls on both ledgers; every answer must agree."""
    rng = random.Random(seed)
    reference, tested = ledgers
    ids: list[tuple[str, str]] = []  # (reference id, tested id) of each recorded attempt
    for _ in range(300):
        consumer, phone = rng.choice(CONSUMERS)
        tag = "t:list=" + rng.choice("ab")
        constraints = [random_constraint(rng, consumer, phone, tag, sharded)
                       for _ in range(rng.randint(0, 3))]
        attempt = None
        if rng.random() < 0.7:
            attempt = Attempt(R0 + rng.randrange(40), "pending", (consumer, phone, tag),
                              rng.choice((3600, None)))
        expected = reference.check_and_record(consumer, constraints, attempt)
        got = tested.check_and_record(consumer, constraints, attempt)
        assert got[1] == expected[1], (constraints, attempt)
        assert (got[0] is None) == (expected[0] is None)
        if expected[0] is not None and got[0] is not None:
            ids.append((expected[0], got[0]))
        roll = rng.random()
        if roll < 0.25 and ids:
            reference_id, tested_id = rng.choice(ids)
            outcome, retention = rng.choice(OUTCOMES), rng.choice((3600, None))
            assert (tested.set_outcome(tested_id, outcome, retention)
                    == reference.set_outcome(reference_id, outcome, retention))
        elif roll < 0.28:
            forgotten = [consumer] if sharded else rng.choice(([consumer], [phone], [tag]))
            assert tested.forget(forgotten) == reference.forget(forgotten)
        elif roll < 0.30:
            assert not tested.set_outcome("00" * 12, "answered", None)



@pytest.mark.parametrize("ledgers", SHARED_BACKENDS, indirect=True)
@pytest.mark.parametrize("secret", [None, b"a secret of at least sixteen bytes"],
                         ids=["plain", "hashed"])
def test_same_answers_as_the_memory_ledger(ledgers: LedgerFactory, secret: bytes | None
                                           ) -> None:
    for seed in range(3):
        tested = ledgers(secret=secret)
        tested.forget([key for pair in CONSUMERS for key in pair]
                      + ["t:list=a", "t:list=b"])  # start from nothing
        replay(seed, (MemoryLedger(secret=secret), tested), sharded=False)


# -- engine over each ledger: the URL, and races ------------------------------------------

LIMIT_4 = cw.Policy.model_validate({
    "id": "four-a-month", "limits": [{"max_attempts": 4, "period": "P30D"}]})
CONSUMER = cw.Consumer(id="racer", phone="+33612345678")
AT = "2026-11-02T10:30:00+01:00"


@pytest.mark.parametrize("ledgers", SHARED_BACKENDS, indirect=True)
def test_engine_takes_the_ledger_by_url(ledgers: LedgerFactory) -> None:
    with cw.Engine(LIMIT_4, ledger=cw.ledger_from_url(ledgers.url, **ledgers.options())
                   ) as writer:
        assert writer.acquire(CONSUMER, AT).allowed
        reader = cw.Engine(LIMIT_4, ledger=cw.ledger_from_url(ledgers.url,
                                                              **ledgers.options()))
        for _ in range(3):
            assert reader.acquire(CONSUMER, AT).allowed
        assert not writer.check(CONSUMER, AT).allowed
        reader.close()


def test_16_threads_racing_for_one_consumer_get_exactly_the_limit(
        ledgers: LedgerFactory) -> None:
    engine = cw.Engine(LIMIT_4, ledger=ledgers())
    start = threading.Barrier(16)
    results: list[bool] = []
    reasons: list[str] = []
    lock = threading.Lock()

    def dial() -> None:
        start.wait(timeout=30)
        for _ in range(2):
            decision = engine.acquire(CONSUMER, AT)
            with lock:
                results.append(decision.allowed)
                reasons.extend(r.message for r in decision.reasons)

    threads = [threading.Thread(target=dial) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 32
    assert results.count(True) == 4, reasons


def _race(url: str, options: dict[str, Any], start: Any, tries: int) -> int:
    engine = cw.Engine(LIMIT_4, ledger=cw.ledger_from_url(url, **options))
    start.wait(timeout=60)
    won = sum(engine.acquire(CONSUMER, AT).allowed for _ in range(tries))
    engine.close()
    return won


@pytest.mark.parametrize("ledgers", SHARED_BACKENDS, indirect=True)
def test_6_processes_racing_for_one_consumer_get_exactly_the_limit(
        ledgers: LedgerFactory) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(6)
        with context.Pool(6) as pool:
            wins = pool.starmap(_race, [(ledgers.url, ledgers.options(), start, 3)] * 6)
    assert sum(wins) == 4
    engine = cw.Engine(LIMIT_4, ledger=cw.ledger_from_url(ledgers.url, **ledgers.options()))
    assert engine.forget(CONSUMER) == 4
    engine.close()


# -- failing closed -----------------------------------------------------------------------

class BrokenLedger:
    """A ledger whose store is gone."""

    def check_and_record(self, subject: str, constraints: Any, attempt: Any) -> Any:
        raise ConnectionRefusedError("connection refused")

    def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        raise ConnectionRefusedError("connection refused")

    def forget(self, subjects: Any) -> int:
        raise ConnectionRefusedError("connection refused")

    def close(self) -> None:
        pass


def test_a_ledger_that_fails_refuses_the_call() -> None:
    engine = cw.Engine(LIMIT_4, ledger=BrokenLedger())
    for decision in (engine.check(CONSUMER, AT), engine.acquire(CONSUMER, AT)):
        assert not decision.allowed
        assert decision.codes == (cw.ReasonCode.LEDGER_UNAVAILABLE,)
        assert "connection refused" in decision.reasons[0].message
        assert decision.next_allowed_at is None
    with pytest.raises(cw.LedgerError, match="connection refused"):
        engine.record(CONSUMER, outcome="no_answer", at=AT)
    with pytest.raises(cw.LedgerError):
        engine.set_outcome("some-id", "refusal")
    with pytest.raises(cw.LedgerError):
        engine.forget(CONSUMER)
    with pytest.raises(cw.LedgerError):
        engine.next_allowed_at(CONSUMER, AT)
    raising = cw.Engine(LIMIT_4, ledger=BrokenLedger(), on_ledger_error="raise")
    with pytest.raises(cw.LedgerError, match="connection refused"):
        raising.acquire(CONSUMER, AT)


def test_without_limits_the_ledger_is_not_consulted() -> None:
    hours_only = cw.Policy.model_validate({"id": "hours", "hours": {"mon": ["10:00-20:00"]}})
    assert cw.Engine(hours_only, ledger=BrokenLedger()).check(CONSUMER, AT).allowed


@pytest.mark.parametrize("ledgers", ["redis", "postgres", "redis+async", "postgres+async"],
                         indirect=True)
def test_a_server_killed_mid_run_refuses_calls_and_keeps_its_history(
        ledgers: LedgerFactory, request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue(f"{ledgers.backend}_server")
    engine = cw.Engine(LIMIT_4, ledger=ledgers())
    raising = cw.Engine(LIMIT_4, ledger=ledgers(), on_ledger_error="raise")
    assert engine.acquire(CONSUMER, AT).allowed
    assert engine.acquire(CONSUMER, AT).allowed
    server.kill()
    try:
        for decision in (engine.check(CONSUMER, AT), engine.acquire(CONSUMER, AT)):
            assert not decision.allowed
            assert decision.codes == (cw.ReasonCode.LEDGER_UNAVAILABLE,)
        with pytest.raises(cw.LedgerError):
            raising.check(CONSUMER, AT)
        with pytest.raises(cw.LedgerError):
            engine.record(CONSUMER, outcome="no_answer", at=AT)
    finally:
        server.restart()
    # Wait (read-only, so no retry records anything) until the server is back.
    assert _eventually(lambda: engine.check(CONSUMER, AT).allowed)
    # The two attempts survived; two more fit, then the limit holds.
    assert engine.acquire(CONSUMER, AT).allowed
    assert engine.acquire(CONSUMER, AT).allowed
    assert engine.acquire(CONSUMER, AT).codes == (cw.ReasonCode.FREQUENCY_LIMIT,)


@pytest.mark.parametrize("ledgers", ["redis", "postgres", "redis+async", "postgres+async"],
                         indirect=True)
def test_a_hung_server_refuses_calls_within_the_timeout(
        ledgers: LedgerFactory, request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue(f"{ledgers.backend}_server")
    timeout = {"socket_timeout": 0.5} if ledgers.backend == "redis" else {"timeout": 0.5}
    engine = cw.Engine(LIMIT_4, ledger=ledgers(**timeout))
    assert engine.acquire(CONSUMER, AT).allowed
    with ThreadPoolExecutor(1) as waiting, server.paused():
        # Stopped, its connections open: no error ever comes from the server.
        for call in (engine.acquire, engine.check):
            # Bounded here too: without a deadline the call would wait for ever.
            decision = waiting.submit(call, CONSUMER, AT).result(timeout=3.0)
            assert not decision.allowed
            assert decision.codes == (cw.ReasonCode.LEDGER_UNAVAILABLE,)
            if call == engine.acquire:  # no reply on the connection it had
                assert "timeout" in decision.reasons[0].message.lower()
    # Resumed: the next calls are answered (on a new connection).  The acquire
    # that timed out may have reached the server, and then counts (erring on
    # the side of counting): the limit holds either way.
    assert _eventually(lambda: engine.check(CONSUMER, AT).allowed, 20)
    allowed = [engine.acquire(CONSUMER, AT).allowed for _ in range(4)]
    assert allowed in ([True] * 3 + [False], [True] * 2 + [False] * 2)
    assert engine.forget(CONSUMER) == 4


THREE_A_DAY = cw.Policy.model_validate({
    "id": "three-a-day", "limits": [{"max_attempts": 3, "period": "P1D"}]})


class HostClock(cw.SystemClock):
    """This machine's clock, set ``offset`` wrong, as a badly kept host's would be."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return super().now() + self.offset


@pytest.mark.parametrize("ledgers", ["redis", "postgres", "redis-cluster", "redis+async",
                                     "postgres+async", "redis-cluster+async"], indirect=True)
def test_a_host_whose_clock_is_wrong_cannot_break_a_shared_limit(
        ledgers: LedgerFactory, make_engine: Callable[..., Any]) -> None:
    on_time = make_engine(THREE_A_DAY)
    assert [on_time.acquire(CONSUMER).allowed for _ in range(4)] == [True] * 3 + [False]
    for offset, told in ((timedelta(hours=-25), "25 h 0 min behind"),
                         (timedelta(hours=25), "25 h 0 min ahead of")):
        wrong = make_engine(THREE_A_DAY, clock=HostClock(offset))
        for _ in range(3):  # it counts a day of its own, which holds nothing
            decision = wrong.acquire(CONSUMER)
            assert not decision.allowed
            assert decision.codes == (cw.ReasonCode.LEDGER_UNAVAILABLE,)
            assert f"this host's clock is {told} the server's" in decision.reasons[0].message
        with pytest.raises(cw.LedgerError, match="max_clock_skew, 10 s"):
            wrong.record(CONSUMER, outcome="no_answer")
    # A time the caller gives is theirs, not the clock's: judged as given.
    assert make_engine(THREE_A_DAY, clock=HostClock(timedelta(hours=-25))).acquire(
        CONSUMER, datetime.now(UTC) + timedelta(days=2)).allowed
    assert on_time.forget(CONSUMER) == 4
    # Within the tolerance (and FrozenClock, memory and SQLite: not checked).
    near = make_engine(THREE_A_DAY, clock=HostClock(timedelta(seconds=-3)))
    assert near.acquire(CONSUMER).allowed


def _eventually(predicate: Callable[[], bool], seconds: float = 60) -> bool:
    """``predicate()``, retried while a restarted server comes back (bounded)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


# -- choosing a ledger by URL -------------------------------------------------------------

def test_unknown_scheme_is_named() -> None:
    with pytest.raises(ValueError, match="'mongodb'"):
        cw.ledger_from_url("mongodb://localhost/calls")


def test_sqlite_url_must_have_a_path() -> None:
    with pytest.raises(ValueError, match="sqlite:///"):
        cw.ledger_from_url("sqlite://attempts.db")


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="secret"):
        cw.ledger_from_url("memory://", secret="short")


def test_memory_ledger_takes_back_only_the_ids_it_gave() -> None:
    # Its ids are a prefix and a number; a string that int() would read as the same
    # number ("01", "+1", a full-width one, " 1") is not an id it gave.
    ledger = MemoryLedger()
    first, _ = ledger.check_and_record("c:1", [], attempt(T0))
    assert first is not None
    assert first.endswith("-1")
    prefix = first[:-1]
    for other in (prefix + "01", prefix + "+1", prefix + "\uff11", prefix + " 1",
                  prefix + "2", prefix + "9" * 40, "1", first.upper() + "x"):
        assert not ledger.set_outcome(other, "refusal", DAY), other
    assert ledger.set_outcome(first, "refusal", DAY)
