"""Attempt ledgers: where the history that limits and cooldowns count is kept.

Pick one by object or by URL::

    cw.ledger_from_url("memory://")                    # this process only (default)
    cw.ledger_from_url("sqlite:///var/lib/dialer/attempts.db")   # one host
    cw.ledger_from_url("redis://localhost:6379/0")     # many hosts   [redis] extra
    cw.ledger_from_url("postgresql://dialer@db/calls") # many hosts   [postgres] extra

Every ledger implements the ``Ledger`` Protocol, whose one atomic primitive is
``check_and_record``; write your own by implementing it.  ``AsyncEngine``
takes an ``AsyncLedger`` (``async_ledger_from_url`` picks the asyncio
transport for a URL: the same tables, keys and scripts as the plain one, so a
sync and an async engine on one URL share one history).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from .._errors import InvalidInputError, MissingExtraError
from .._frequency import Attempt, Constraint
from ._adapters import InPlaceLedger, ThreadedLedger
from ._base import AsyncLedger, KeyedLedger, Ledger, Matches, read_many, read_many_async
from ._memory import MemoryLedger
from ._sqlite import SQLiteLedger

if TYPE_CHECKING:
    from ._postgres import AsyncPostgresLedger, PostgresLedger
    from ._redis import AsyncRedisLedger, RedisLedger

__all__ = [
    "AsyncLedger",
    "AsyncPostgresLedger",
    "AsyncRedisLedger",
    "Attempt",
    "Constraint",
    "InPlaceLedger",
    "KeyedLedger",
    "Ledger",
    "Matches",
    "MemoryLedger",
    "PostgresLedger",
    "RedisLedger",
    "SQLiteLedger",
    "ThreadedLedger",
    "as_async_ledger",
    "async_ledger_from_url",
    "ledger_from_url",
    "read_many",
    "read_many_async",
]

_EXTRAS = {"RedisLedger": ("_redis", "redis"), "AsyncRedisLedger": ("_redis", "redis"),
           "PostgresLedger": ("_postgres", "postgres"),
           "AsyncPostgresLedger": ("_postgres", "postgres")}


def __getattr__(name: str) -> Any:
    # The Redis and PostgreSQL ledgers import their clients, which are
    # optional extras: load them only when asked for.
    if name in _EXTRAS:
        module, _ = _EXTRAS[name]
        return getattr(_load(module), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _load(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(f"{__name__}.{module}")
    except ModuleNotFoundError as error:
        extra = "redis" if module == "_redis" else "postgres"
        raise MissingExtraError(f"the {extra} ledger needs the {error.name!r} package: "
                                f"pip install 'callwindow[{extra}]'", extra=extra) from None


def ledger_from_url(url: str, *, secret: bytes | str | None = None, **options: Any) -> Ledger:
    """The ledger a URL names.

    - ``memory://``: in this process (``MemoryLedger``).
    - ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``: a file
      (``SQLiteLedger``); ``?timeout=2`` sets how long a write waits for the lock.
    - ``redis://[:password@]host[:port][/db]``, ``rediss://`` (TLS),
      ``unix://``: a Redis server (``RedisLedger``, the ``redis`` extra).
    - ``postgresql://`` or ``postgres://`` (libpq URL): a PostgreSQL
      database (``PostgresLedger``, the ``postgres`` extra); ``?timeout=2``
      sets the deadline of every call.

    ``secret`` makes the ledger store keyed hashes instead of ids and phone
    numbers; ``options`` go to the ledger's constructor.  An unknown scheme is
    a ``ValueError`` naming it; a missing client library an ``ImportError``
    naming the extra to install (``MissingExtraError``).
    """
    scheme = _scheme(url)
    if scheme == "memory":
        return MemoryLedger(secret=secret, **options)
    if scheme == "sqlite":
        path, timeout = _sqlite_location(url)
        return SQLiteLedger(path, secret=secret, **{"timeout": timeout, **options})
    if scheme == "redis":
        redis_ledger: Ledger = _load("_redis").RedisLedger(url, secret=secret, **options)
        return redis_ledger
    pg_ledger: Ledger = _load("_postgres").PostgresLedger(url, secret=secret, **options)
    return pg_ledger


def async_ledger_from_url(url: str, *, secret: bytes | str | None = None,
                          **options: Any) -> AsyncLedger:
    """The asyncio ledger a URL names (the URLs of ``ledger_from_url``).

    ``redis://``: ``AsyncRedisLedger`` (``redis.asyncio``); ``postgresql://``:
    ``AsyncPostgresLedger`` (psycopg's ``AsyncConnection`` and a pool);
    ``sqlite:///``: the ``SQLiteLedger`` from a worker thread; ``memory://``:
    the ``MemoryLedger``, called in place.
    """
    scheme = _scheme(url)
    if scheme in ("memory", "sqlite"):
        return as_async_ledger(ledger_from_url(url, secret=secret, **options))
    if scheme == "redis":
        redis_ledger: AsyncLedger = _load("_redis").AsyncRedisLedger(url, secret=secret,
                                                                    **options)
        return redis_ledger
    pg_ledger: AsyncLedger = _load("_postgres").AsyncPostgresLedger(url, secret=secret,
                                                                    **options)
    return pg_ledger


def as_async_ledger(ledger: Ledger | AsyncLedger) -> AsyncLedger:
    """``ledger`` as an ``AsyncLedger``: itself, or a plain ledger called in place
    (``MemoryLedger``) or from a worker thread (any other)."""
    if isinstance(ledger, AsyncLedger):
        return ledger
    if isinstance(ledger, MemoryLedger):
        return InPlaceLedger(ledger)
    return ThreadedLedger(ledger)


def _scheme(url: str) -> str:
    """The URL's scheme, one of memory, sqlite, redis, postgresql."""
    if not isinstance(url, str):
        raise TypeError(f"ledger: expected a URL string or a Ledger, got {type(url).__name__}")
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("memory", "sqlite"):
        return scheme
    if scheme in ("redis", "rediss", "unix"):
        return "redis"
    if scheme in ("postgresql", "postgres"):
        return "postgresql"
    raise InvalidInputError(
        f"ledger URL {url!r}: unknown scheme {scheme!r} (expected memory://, sqlite:///, "
        f"redis://, rediss://, unix:// or postgresql://)", field="ledger")


def _sqlite_location(url: str) -> tuple[str, str | None]:
    """The file a ``sqlite:///`` URL names, and its ``?timeout=``, if any."""
    path, mark, query = url.split("://", 1)[1].partition("?")
    if not path.startswith("/") or path == "/":
        raise InvalidInputError(f"ledger URL {url!r}: write sqlite:///relative.db or "
                                f"sqlite:////absolute/path.db", field="ledger")
    parameters = dict(parse_qsl(query, keep_blank_values=True)) if mark else {}
    unknown = sorted(set(parameters) - {"timeout"})
    if unknown:
        raise InvalidInputError(f"ledger URL {url!r}: unknown parameter {unknown[0]!r} "
                                f"(a sqlite:/// URL takes only timeout)", field="ledger")
    return path[1:], parameters.get("timeout")
