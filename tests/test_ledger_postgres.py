"""What only the PostgreSQL ledger has, against a real server (servers_postgres.py):
the schema made once by racing processes, the purge, forks, errors that name the
server without its password.  What every ledger must do is in test_ledgers.py."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
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
