"""What only the PostgreSQL ledger has, against a real server (servers_postgres.py):
the schema made once by racing processes, the purge, the pool (bounded, shared by
threads, renewed after a fork), errors that name the server without its password.
What every ledger must do is in test_ledgers.py."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from callwindow._errors import LedgerError
from callwindow.ledgers import Attempt, Constraint, ledger_from_url
from servers_postgres import PostgresServer

try:
    from callwindow.ledgers._postgres import PostgresLedger
except ImportError:  # psycopg missing: skip, unless servers are required (CI)
    if os.environ.get("CALLWINDOW_REQUIRE_SERVERS") == "1":
        raise
    pytest.skip("psycopg is not installed: pip install 'callwindow[postgres]'",
                allow_module_level=True)

SECRET = "a secret of at least sixteen bytes"


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


def test_the_timeout_is_two_seconds_unless_set_in_the_url_or_the_constructor(
        url: str) -> None:
    ledgers = [PostgresLedger(url), PostgresLedger(url + "?timeout=0.25"),
               PostgresLedger(url + "?timeout=0.25", timeout=3),
               PostgresLedger(url + "?application_name=x&timeout=1.5&connect_timeout=4")]
    assert [ledger.timeout for ledger in ledgers] == [2.0, 0.25, 3.0, 1.5]
    for ledger in ledgers:  # and libpq never sees it
        assert ledger.check_and_record("c:1", [Constraint("c:1", (), 0, None, 9)], None) == (
            None, ((),))
        ledger.close()
    with pytest.raises(ValueError, match="timeout: expected a positive number of seconds, "
                                         "got '-1'"):
        PostgresLedger(url + "?timeout=-1")


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


def _sessions(url: str) -> set[int]:
    """The server processes of the ledgers' connections to ``url``'s database (the
    ledger names itself ``callwindow``; this query's own connection does not)."""
    import psycopg

    with psycopg.connect(url, application_name="test-counter") as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = "
                            "current_database() AND application_name = 'callwindow'").fetchall()
    return {int(row[0]) for row in rows}


def _eventually(predicate: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_32_threads_share_4_connections_and_still_record_exactly_the_limit(url: str) -> None:
    ledger = PostgresLedger(url, max_size=4, pool_timeout=10)
    limit = [Constraint("c:race", (), 0, None, 4)]
    try:
        ledger.check_and_record("c:race", limit, None)
        # The constructor's own connection (it makes the tables) is closed: gone soon.
        assert _eventually(lambda: len(_sessions(url)) == 1), _sessions(url)
        peak, stop = 0, threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, len(_sessions(url)))

        start = threading.Barrier(32)

        def dial(n: int) -> list[str | None]:
            start.wait()
            recorded = []
            for i in range(10):  # one for the shared consumer, one for a consumer of its own
                recorded.append(ledger.check_and_record(
                    "c:race", limit, Attempt(n * 100 + i, "pending", ("c:race",), None))[0])
                ledger.check_and_record(
                    f"c:{n}-{i}", [Constraint(f"c:{n}-{i}", (), 0, None, 4)],
                    Attempt(i, "pending", (f"c:{n}-{i}",), None))
            return recorded

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            with ThreadPoolExecutor(32) as threads:
                recorded = [r for rs in threads.map(dial, range(32)) for r in rs]
        finally:
            stop.set()
            sampler.join()
        assert 2 <= peak <= 4  # 32 without a pool (one connection per thread)
        assert sum(r is not None for r in recorded) == 4
        assert len(ledger.check_and_record("c:race", limit, None)[1][0]) == 4
    finally:
        ledger.close()
    assert _eventually(lambda: not _sessions(url))  # closed with the pool


def test_a_call_waits_for_a_free_connection_at_most_pool_timeout(url: str) -> None:
    import psycopg

    from callwindow.ledgers._postgres import _lock_id

    ledger = PostgresLedger(url, max_size=1, pool_timeout=0.3, timeout=10)
    acquire = [Constraint("c:1", (), 0, None, 4)], Attempt(1, "pending", ("c:1",), None)
    try:
        with psycopg.connect(url, autocommit=True) as blocker, ThreadPoolExecutor(1) as other:
            # Another session holds c:1's lock: an acquire for c:1 waits for it,
            # on the pool's only connection.
            blocker.execute("SELECT pg_advisory_lock(%s)", (_lock_id("c:1"),))
            waiting = other.submit(ledger.check_and_record, "c:1", *acquire)
            assert _eventually(lambda: blocker.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone() == (1,))
            began = time.monotonic()
            with pytest.raises(LedgerError, match=r"no connection free within 0.3 s "
                                                  r"\(pool_timeout\): its 1 connections"):
                ledger.check_and_record("c:2", [Constraint("c:2", (), 0, None, 4)], None)
            assert 0.25 <= time.monotonic() - began < 2.0
            blocker.execute("SELECT pg_advisory_unlock(%s)", (_lock_id("c:1"),))
            assert waiting.result(timeout=10)[0] is not None  # then recorded
        assert ledger.check_and_record("c:2", [Constraint("c:2", (), 0, None, 4)], None) == (
            None, ((),))  # and the connection is free again
    finally:
        ledger.close()


def test_a_call_past_its_deadline_drops_its_connection_instead_of_giving_it_back(
        url: str) -> None:
    import psycopg

    from callwindow.ledgers._postgres import _lock_id

    ledger = PostgresLedger(url, max_size=1, timeout=0.3)
    read = [Constraint("c:1", (), 0, None, 4)]
    try:
        ledger.check_and_record("c:1", read, None)
        (first,) = _sessions(url)
        with psycopg.connect(url, autocommit=True) as blocker:
            blocker.execute("SELECT pg_advisory_lock(%s)", (_lock_id("c:1"),))
            began = time.monotonic()
            with pytest.raises(LedgerError, match=r"no reply within 0.3 s"):
                ledger.check_and_record("c:1", read, Attempt(1, "pending", ("c:1",), None))
            assert time.monotonic() - began < 2.0
            # The pool's only connection was dropped: the next call has a new one.
            assert ledger.check_and_record("c:2", read, None) == (None, ((),))
            assert len(_sessions(url) - {first}) == 1
        # The lock released, the old session ran what it had been sent (the
        # attempt counts: the strict side), then found its client gone.
        assert _eventually(lambda: first not in _sessions(url))
        assert ledger.check_and_record("c:1", read, None) == (None, ((1,),))
    finally:
        ledger.close()


def test_close_stops_the_pools_threads(url: str) -> None:
    before = set(threading.enumerate())
    ledger = PostgresLedger(url)
    ledger.check_and_record("c:1", [Constraint("c:1", (), 0, None, 9)], None)
    assert {t.name for t in set(threading.enumerate()) - before} >= {
        "callwindow-scheduler", "callwindow-worker-0"}  # psycopg_pool's
    ledger.close()
    assert set(threading.enumerate()) - before == set()


def test_pool_sizes_are_checked(url: str) -> None:
    with pytest.raises(ValueError, match="max_size: expected a whole number of connections, "
                                         "at least 1, got '0'"):
        PostgresLedger(url, min_size=0, max_size=0)
    with pytest.raises(ValueError, match=r"max_size: .* at least 5, got '4'"):
        PostgresLedger(url, min_size=5, max_size=4)
    with pytest.raises(ValueError, match=r"min_size: .* at least 0, got '-1'"):
        PostgresLedger(url, min_size=-1)
    with pytest.raises(ValueError, match="pool_timeout: expected a positive number"):
        PostgresLedger(url, pool_timeout=0)


def _in_forked_child(ledger: PostgresLedger, url: str, results: Any) -> None:
    ledger.check_and_record("c:1", [], Attempt(2, "pending", ("c:1",), None))
    results.put(ledger.check_and_record("c:1", [Constraint("c:1", (), 0, None, 9)], None))
    results.put(_sessions(url))
    ledger.close()  # its own pool: the parent's connection stays open


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_gets_its_own_pool(url: str) -> None:
    ledger = PostgresLedger(url, min_size=1, max_size=1)
    try:
        every = [Constraint("c:1", (), 0, None, 9)]
        ledger.check_and_record("c:1", [], Attempt(1, "pending", ("c:1",), None))
        assert _eventually(lambda: len(_sessions(url)) == 1)
        parents = _sessions(url)
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        child = context.Process(target=_in_forked_child, args=(ledger, url, results))
        child.start()
        assert results.get(timeout=60) == (None, ((1, 2),))
        in_child = results.get(timeout=60)
        assert parents < in_child  # a connection of its own, the parent's still there
        child.join(timeout=30)
        assert child.exitcode == 0
        assert parents <= _sessions(url)  # the child closed its own, not the parent's
        assert ledger.check_and_record("c:1", every, None) == (None, ((1, 2),))  # still works
        assert parents <= _sessions(url)  # on the same connection
    finally:
        ledger.close()
