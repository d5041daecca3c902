"""Smoke tests of the PostgreSQL ledger against a real server (see servers_postgres.py).

The same answers as ``MemoryLedger`` for scripted sequences, exact bounds,
atomicity across processes, and a crash of the server in the middle.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from callwindow._errors import LedgerError
from callwindow.ledgers import Attempt, Constraint, Ledger, MemoryLedger, ledger_from_url
from servers_postgres import PostgresServer, start_postgres

try:
    from callwindow.ledgers._postgres import PostgresLedger
except ImportError:  # psycopg missing: skip, unless servers are required (CI)
    if os.environ.get("CALLWINDOW_REQUIRE_SERVERS") == "1":
        raise
    pytest.skip("psycopg is not installed: pip install 'callwindow[postgres]'",
                allow_module_level=True)

SECRET = "a secret of at least sixteen bytes"
OUTCOMES = ("pending", "no_answer", "connected", "opt_out")
SUBJECTS = (
    ("c:1", "p:+15550001", "t:campaign=a"),
    ("c:2", "p:+15550002", "t:campaign=a"),
    ("c:3", "p:+15550001", "t:campaign=b"),  # shares a number with c:1
    ("p:+15550003", "t:campaign=b"),
)


@pytest.fixture
def url(postgres_server: PostgresServer) -> str:
    """A fresh, empty database on the session's server (``postgres_server``: conftest)."""
    return postgres_server.fresh_database_url()


@pytest.fixture
def ledger(url: str) -> Iterator[PostgresLedger]:
    ledger = PostgresLedger(url)
    try:
        yield ledger
    finally:
        ledger.close()


def _random_constraints(rng: random.Random, keys: tuple[str, ...]) -> list[Constraint]:
    constraints = []
    for _ in range(rng.randint(1, 3)):
        key = rng.choice(keys)
        others = [k for k in keys if k != key]
        also = tuple(rng.sample(others, rng.randint(0, min(1, len(others)))))
        outcomes = (None if rng.random() < 0.5
                    else frozenset(rng.sample(OUTCOMES, rng.randint(1, 3))))
        constraints.append(Constraint(key, also, rng.randint(990, 1060), outcomes,
                                      rng.randint(1, 5)))
    return constraints


def _play(ledgers: tuple[Ledger, Ledger], seed: int, steps: int = 80) -> None:
    """Drive both ledgers through one random script; every answer must agree."""
    rng = random.Random(seed)
    ids: list[tuple[str, str]] = []  # the same attempt, as each ledger named it
    for step in range(steps):
        keys = rng.choice(SUBJECTS)
        action = rng.random()
        if action < 0.65:
            constraints = _random_constraints(rng, keys)
            attempt = (None if action < 0.15 else
                       Attempt(rng.randint(1000, 1050), rng.choice(OUTCOMES), keys,
                               rng.choice((None, 3600))))
            answers = [ledger.check_and_record(keys[0], constraints, attempt)
                       for ledger in ledgers]
            (first_id, first), (second_id, second) = answers
            assert first == second, (seed, step, constraints, attempt)
            assert (first_id is None) == (second_id is None), (seed, step)
            if first_id is not None and second_id is not None:
                ids.append((first_id, second_id))
        elif action < 0.9 and ids:
            pair = rng.choice(ids)
            outcome, retention = rng.choice(OUTCOMES), rng.choice((None, 3600))
            done = [ledger.set_outcome(pair[i], outcome, retention)
                    for i, ledger in enumerate(ledgers)]
            assert done[0] == done[1], (seed, step)
        elif action >= 0.97:
            subjects = rng.sample(keys, rng.randint(1, len(keys)))
            counts = [ledger.forget(subjects) for ledger in ledgers]
            assert counts[0] == counts[1], (seed, step, subjects)
    assert not ledgers[0].set_outcome("no-such-attempt", "connected", None)


@pytest.mark.parametrize("secret", [None, SECRET])
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_same_answers_as_memory(url: str, seed: int, secret: str | None) -> None:
    ledger = PostgresLedger(url, secret=secret)
    try:
        _play((MemoryLedger(secret=secret), ledger), seed)
    finally:
        ledger.close()


def test_secret_keeps_keys_out_of_the_database(url: str) -> None:
    import psycopg

    ledger = PostgresLedger(url, secret=SECRET)
    ledger.check_and_record("c:1", [], Attempt(1, "pending", ("c:1", "p:+15550001"), None))
    with psycopg.connect(url) as conn:
        stored = {row[0] for row in conn.execute("SELECT key FROM callwindow_attempt_keys")}
    assert len(stored) == 2
    assert all(key.startswith("h:") and "1555" not in key for key in stored)
    assert ledger.forget(["p:+15550001"]) == 1
    ledger.close()


def test_since_is_exact_to_the_microsecond(ledger: PostgresLedger) -> None:
    ts = 1_700_000_000_123_456
    ledger.check_and_record("c:1", [], Attempt(ts, "pending", ("c:1",), None))
    at = Constraint("c:1", (), ts, None, 9)
    after = Constraint("c:1", (), ts + 1, None, 9)
    assert ledger.check_and_record("c:1", [at, after], None) == (None, ((ts,), ()))


def test_limits_outcomes_and_also(ledger: PostgresLedger) -> None:
    keys = ("c:1", "p:+15550001")
    limit = Constraint("c:1", (), 0, None, 2)
    first, _ = ledger.check_and_record("c:1", [limit], Attempt(10, "pending", keys, None))
    second, _ = ledger.check_and_record("c:1", [limit], Attempt(20, "pending", keys, None))
    assert first is not None
    assert second is not None
    assert first != second
    assert ledger.check_and_record("c:1", [limit], Attempt(30, "pending", keys, None)) == (
        None, ((10, 20),))
    # only opt-outs, and only those with the number too
    opted = Constraint("c:1", ("p:+15550001",), 0, frozenset({"opt_out"}), 1)
    assert ledger.check_and_record("c:1", [opted], None) == (None, ((),))
    assert ledger.set_outcome(first, "opt_out", None)
    assert ledger.check_and_record("c:1", [opted], None) == (None, ((10,),))
    other = Constraint("c:1", ("p:+15559999",), 0, frozenset({"opt_out"}), 1)
    assert ledger.check_and_record("c:1", [other], None) == (None, ((),))


def test_expired_attempts_do_not_count(ledger: PostgresLedger) -> None:
    every = Constraint("c:1", (), 0, None, 1)
    attempt_id, _ = ledger.check_and_record("c:1", [every], Attempt(10, "busy", ("c:1",), 3600))
    assert attempt_id is not None
    assert ledger.set_outcome(attempt_id, "busy", 0)  # expires now
    assert ledger.check_and_record("c:1", [every], None) == (None, ((),))
    assert not ledger.set_outcome(attempt_id, "connected", None)  # gone for good
    assert ledger.check_and_record("c:1", [every], Attempt(20, "x", ("c:1",), None))[0]


def test_forget_counts_attempts_once(ledger: PostgresLedger) -> None:
    for ts in (1, 2, 3):
        ledger.check_and_record("c:1", [], Attempt(ts, "pending", ("c:1", "p:+1555"), None))
    ledger.check_and_record("c:2", [], Attempt(4, "pending", ("c:2",), None))
    assert ledger.forget(["c:1", "p:+1555"]) == 3
    assert ledger.forget(["c:1"]) == 0
    assert ledger.check_and_record("c:2", [Constraint("c:2", (), 0, None, 9)], None) == (
        None, ((4,),))


def test_from_url(url: str) -> None:
    ledger = ledger_from_url(url.replace("postgresql://", "postgres://"), secret=SECRET)
    assert isinstance(ledger, PostgresLedger)
    assert ledger.hashes_keys
    assert "/callwindow_" in repr(ledger)
    ledger.close()


def test_unreachable_server_is_an_error_naming_it_without_the_password(
        postgres_server: PostgresServer) -> None:
    from servers_postgres import _free_port  # a port where nothing listens

    port = _free_port()
    with pytest.raises(LedgerError) as raised:
        PostgresLedger(f"postgresql://dialer:hunter2hunter2@127.0.0.1:{port}/calls",
                       connect_timeout=2)
    message = str(raised.value)
    assert f"dialer@127.0.0.1:{port}/calls" in message
    assert "hunter2" not in message
    with pytest.raises(LedgerError, match="invalid connection string"):
        PostgresLedger("host=x password=hunter2 =broken")


def test_threads_racing_record_exactly_the_limit(ledger: PostgresLedger) -> None:
    limit = [Constraint("c:hot", (), 0, None, 3)]
    recorded: list[str | None] = []

    def race(n: int) -> None:
        for i in range(4):
            attempt = Attempt(n * 10 + i, "pending", ("c:hot",), None)
            recorded.append(ledger.check_and_record("c:hot", limit, attempt)[0])

    threads = [threading.Thread(target=race, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(recorded) == 16
    assert sum(attempt_id is not None for attempt_id in recorded) == 3


def test_expired_attempts_are_purged(ledger: PostgresLedger, url: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    from callwindow.ledgers import _postgres

    monkeypatch.setattr(_postgres, "_PURGE_EVERY", 4)
    for ts in range(3):  # expire at once
        ledger.check_and_record("c:1", [], Attempt(ts, "busy", ("c:1", "t:x=y"), 0))
    ledger.check_and_record("c:1", [], Attempt(9, "busy", ("c:1", "t:x=y"), None))  # 4th: purge
    with psycopg.connect(url) as conn:
        attempts = conn.execute("SELECT ts FROM callwindow_attempts").fetchall()
        keys = conn.execute("SELECT count(*) FROM callwindow_attempt_keys").fetchone()
    assert attempts == [(9,)]
    assert keys == (2,)


def _race(url: str, barrier: Any, results: Any, tries: int) -> None:
    """One of the racing processes: build the ledger, then acquire ``tries`` times."""
    barrier.wait()  # build all at once: the schema is created concurrently too
    ledger = PostgresLedger(url)
    barrier.wait()
    limit = [Constraint("c:hot", (), 0, None, 4)]
    recorded = 0
    for n in range(tries):
        attempt = Attempt(1_000_000 + os.getpid() * 100 + n, "pending",
                          ("c:hot", "t:campaign=a"), None)
        attempt_id, _ = ledger.check_and_record("c:hot", limit, attempt)
        recorded += attempt_id is not None
    ledger.close()
    results.put(recorded)


def test_processes_racing_record_exactly_the_limit(url: str) -> None:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(6), context.Queue()
    processes = [context.Process(target=_race, args=(url, barrier, results, 3))
                 for _ in range(6)]
    for process in processes:
        process.start()
    try:
        counts = [results.get(timeout=120) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
    assert all(process.exitcode == 0 for process in processes)
    assert sum(counts) == 4
    ledger = PostgresLedger(url)
    _, (times,) = ledger.check_and_record("c:hot", [Constraint("c:hot", (), 0, None, 9)], None)
    assert len(times) == 4
    ledger.close()


def _in_forked_child(ledger: PostgresLedger, results: Any) -> None:
    ledger.check_and_record("c:1", [], Attempt(2, "pending", ("c:1",), None))
    results.put(ledger.check_and_record("c:1", [Constraint("c:1", (), 0, None, 9)], None))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_gets_its_own_connection(ledger: PostgresLedger) -> None:
    every = [Constraint("c:1", (), 0, None, 9)]
    ledger.check_and_record("c:1", [], Attempt(1, "pending", ("c:1",), None))
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_in_forked_child, args=(ledger, results))
    child.start()
    assert results.get(timeout=60) == (None, ((1, 2),))
    child.join(timeout=30)
    assert child.exitcode == 0
    assert ledger.check_and_record("c:1", every, None) == (None, ((1, 2),))  # still works


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A server of this test's own, to crash."""
    with start_postgres(tmp_path_factory) as server:
        yield server


def test_a_killed_server_is_an_error_then_recovers(own_server: PostgresServer) -> None:
    ledger = PostgresLedger(own_server.url)
    every = [Constraint("c:1", (), 0, None, 9)]
    for ts in (1, 2):
        ledger.check_and_record("c:1", every, Attempt(ts, "pending", ("c:1",), None))

    own_server.kill()
    name = f"127.0.0.1:{own_server.port}/callwindow"
    for _ in range(2):  # the broken connection, then no server to reconnect to
        with pytest.raises(LedgerError, match=name):
            ledger.check_and_record("c:1", every, None)
        with pytest.raises(LedgerError, match=name):
            ledger.check_and_record("c:1", every, Attempt(3, "pending", ("c:1",), None))
    with pytest.raises(LedgerError, match=name):
        ledger.set_outcome("x", "connected", None)
    with pytest.raises(LedgerError, match=name):
        ledger.forget(["c:1"])
    with pytest.raises(LedgerError, match=name):
        PostgresLedger(own_server.url)

    own_server.restart()
    assert ledger.check_and_record("c:1", every, None) == (None, ((1, 2),))
    assert ledger.check_and_record("c:1", every, Attempt(3, "pending", ("c:1",), None))[0]

    # A restart between two calls is not even noticed: the dead connection is
    # found idle and replaced before it is used.
    own_server.kill()
    own_server.restart()
    time.sleep(0.2)
    assert ledger.check_and_record("c:1", every, None) == (None, ((1, 2, 3),))
    ledger.close()
