"""The servers the ledger benchmarks run against, started as the test suite starts
them (``tests/servers_redis.py``, ``tests/servers_postgres.py``): on a free loopback
port, durable on every write, stopped when the ``with`` block ends."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent.parent / "tests"


class MissingServerError(RuntimeError):
    """The server's binaries are not installed (the message says how to get them)."""


@contextmanager
def redis_server(directory: Path) -> Iterator[Any]:
    """A ``RedisServer`` (``.url``) keeping its files in ``directory``."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise MissingServerError("redis-server not found: apt-get install -y redis-server")
    sys.path.insert(0, str(TESTS))
    from servers_redis import RedisServer  # type: ignore[import-not-found,unused-ignore]

    with RedisServer(binary, directory).start() as server:
        yield server


@contextmanager
def postgres_server() -> Iterator[Any]:
    """A ``PostgresServer`` (``.url``, ``.fresh_database_url()``)."""
    sys.path.insert(0, str(TESTS))
    from servers_postgres import (  # type: ignore[import-not-found,unused-ignore]
        PostgresServer,
        find_postgres_bindir,
    )

    bindir = find_postgres_bindir()
    if bindir is None:
        raise MissingServerError("PostgreSQL server binaries not found: "
                            "apt-get install -y postgresql")
    server = PostgresServer(bindir)
    server.init()
    with server:
        yield server
