"""Fixtures shared by the tests: every ledger backend, both shells, and the servers.

Each backend runs twice: through its plain transport and the ``Engine``
(``"redis"``), and through its asyncio transport and the ``AsyncEngine``
(``"redis+async"``, driven from the synchronous tests by ``aio_bridge``).

Redis and PostgreSQL run as real servers, started once per session on free
loopback ports from the installed binaries and stopped at the end;
``redis-cluster`` is a real Redis Cluster of three masters.  Without
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
from aio_bridge import BlockingEngine, BlockingLedger, LoopThread
from callwindow.ledgers import AsyncLedger, Ledger, MemoryLedger, SQLiteLedger

_PLAIN = ("memory", "sqlite", "redis", "redis-cluster", "postgres")
BACKENDS = (*_PLAIN, *(f"{name}+async" for name in _PLAIN))
SHARED_BACKENDS = tuple(name for name in BACKENDS if not name.startswith("memory"))

_names = itertools.count()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from servers_redis import start_redis

    with start_redis(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Three Redis masters sharing the slots: the unsharded layout lives on one of
    them, ``shard_by_subject`` spreads consumers over all three."""
    from servers_redis import start_redis_cluster

    with start_redis_cluster(tmp_path_factory) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from servers_postgres import start_postgres

    with start_postgres(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="session")
def event_loop_thread() -> Iterator[LoopThread]:
    """The event loop the async shell runs on in the synchronous tests."""
    loop = LoopThread()
    yield loop
    loop.close()


class LedgerFactory:
    """Fresh, empty ledgers of one backend and shell, closed at the end of the test."""

    def __init__(self, param: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
        self.backend, _, shell = param.partition("+")
        self.is_async = shell == "async"
        self._request = request
        self._tmp_path = tmp_path
        self._made: list[Ledger] = []
        self._made_async: list[AsyncLedger] = []
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
        if self.backend == "redis-cluster":
            return str(self._request.getfixturevalue("redis_cluster").url)
        server = self._request.getfixturevalue("postgres_server")
        return str(server.fresh_database_url())

    def options(self) -> dict[str, Any]:
        """Constructor options that keep this test's data apart from others'."""
        if self.backend == "redis":
            return {"prefix": self._prefix}
        if self.backend == "redis-cluster":
            return {"prefix": self._prefix, "cluster": True}
        return {}

    @property
    def loop(self) -> LoopThread:
        loop: LoopThread = self._request.getfixturevalue("event_loop_thread")
        return loop

    def __call__(self, **options: Any) -> Ledger:
        """A plain ``Ledger``: the backend's own, or its async one behind the bridge."""
        if self.is_async:
            ledger: Ledger = BlockingLedger(self.raw_async(**options), self.loop)
        elif self.backend == "memory":
            ledger = MemoryLedger(**options)
        elif self.backend == "sqlite":
            ledger = SQLiteLedger(self._tmp_path / "attempts.db", **options)
        else:
            ledger = cw.ledger_from_url(self.url, **{**self.options(), **options})
        self._made.append(ledger)
        return ledger

    def raw_async(self, **options: Any) -> AsyncLedger:
        """The backend's asyncio ledger, for an ``AsyncEngine``."""
        if self.backend == "memory":
            ledger = cw.ledgers.as_async_ledger(MemoryLedger(**options))
        else:
            url = (f"sqlite:///{self._tmp_path / 'attempts.db'}" if self.backend == "sqlite"
                   else self.url)
            ledger = cw.ledgers.async_ledger_from_url(url, **{**self.options(), **options})
        self._made_async.append(ledger)
        return ledger

    def close(self) -> None:
        for ledger in self._made:
            ledger.close()
        for async_ledger in self._made_async:
            self.loop.run(async_ledger.aclose())


@pytest.fixture(params=BACKENDS)
def ledgers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerFactory]:
    """Makes ledgers of each backend in turn."""
    factory = LedgerFactory(request.param, request, tmp_path)
    yield factory
    factory.close()


@pytest.fixture
def make_engine(ledgers: LedgerFactory) -> Iterator[Callable[..., Any]]:
    """``make_engine(policy, **options)``: an engine on a fresh ledger of the backend;
    for an ``+async`` backend, an ``AsyncEngine`` behind the bridge."""
    made: list[BlockingEngine] = []

    def make(policy: cw.Policy | list[cw.Policy], **options: Any) -> Any:
        if ledgers.is_async:
            ledger = options.pop("ledger", None) or ledgers.raw_async()
            engine = BlockingEngine(cw.AsyncEngine(policy, ledger=ledger, **options),
                                    ledgers.loop)
            made.append(engine)
            return engine
        ledger = options.pop("ledger", None) or ledgers()
        return cw.Engine(policy, ledger=ledger, **options)

    yield make
    for engine in made:
        engine.close()
