"""Fixtures shared by the tests: every ledger backend, and the servers they need.

Redis and PostgreSQL run as real servers, started once per session on free
loopback ports from the installed binaries and stopped at the end.  Without
the binaries those tests are skipped, unless ``CALLWINDOW_REQUIRE_SERVERS=1``
(set by ``.ci/run``) turns the skip into a failure.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import callwindow as cw
from callwindow.ledgers import Ledger, MemoryLedger, SQLiteLedger

BACKENDS = ("memory", "sqlite", "redis", "postgres")
SHARED_BACKENDS = ("sqlite", "redis", "postgres")

_names = itertools.count()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from servers_redis import start_redis

    with start_redis(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from servers_postgres import start_postgres

    with start_postgres(tmp_path_factory) as server:
        yield server


class LedgerFactory:
    """Fresh, empty ledgers of one backend, closed at the end of the test."""

    def __init__(self, backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
        self.backend = backend
        self._request = request
        self._tmp_path = tmp_path
        self._made: list[Ledger] = []
        self.url = self._url()
        self._prefix = f"test{next(_names)}"

    def _url(self) -> str:
        if self.backend == "memory":
            return "memory://"
        if self.backend == "sqlite":
            return f"sqlite:///{self._tmp_path / 'attempts.db'}"
        if self.backend == "redis":
            server = self._request.getfixturevalue("redis_server")
            return str(server.url)
        server = self._request.getfixturevalue("postgres_server")
        return str(server.fresh_database_url())

    def options(self) -> dict[str, Any]:
        """Constructor options that keep this test's data apart from others'."""
        if self.backend == "redis":
            return {"prefix": self._prefix}
        return {}

    def __call__(self, **options: Any) -> Ledger:
        if self.backend == "memory":
            ledger: Ledger = MemoryLedger(**options)
        elif self.backend == "sqlite":
            ledger = SQLiteLedger(self._tmp_path / "attempts.db", **options)
        else:
            ledger = cw.ledger_from_url(self.url, **{**self.options(), **options})
        self._made.append(ledger)
        return ledger

    def close(self) -> None:
        for ledger in self._made:
            ledger.close()


@pytest.fixture(params=BACKENDS)
def ledgers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerFactory]:
    """Makes ledgers of each backend in turn."""
    factory = LedgerFactory(request.param, request, tmp_path)
    yield factory
    factory.close()


@pytest.fixture
def make_engine(ledgers: LedgerFactory) -> Callable[..., cw.Engine]:
    """``make_engine(policy, **options)``: an Engine on a fresh ledger of the backend."""

    def make(policy: cw.Policy | list[cw.Policy], **options: Any) -> cw.Engine:
        ledger = options.pop("ledger", None) or ledgers()
        return cw.Engine(policy, ledger=ledger, **options)

    return make
