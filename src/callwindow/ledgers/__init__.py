"""Attempt ledgers: where the history that limits and cooldowns count is kept.

Pick one by object or by URL::

    cw.ledger_from_url("memory://")                    # this process only (default)
    cw.ledger_from_url("sqlite:///var/lib/dialer/attempts.db")   # one host
    cw.ledger_from_url("redis://localhost:6379/0")     # many hosts   [redis] extra
    cw.ledger_from_url("postgresql://dialer@db/calls") # many hosts   [postgres] extra

Every ledger implements the ``Ledger`` Protocol, whose one atomic primitive is
``check_and_record``; write your own by implementing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._frequency import Attempt, Constraint
from ._base import KeyedLedger, Ledger, Matches
from ._memory import MemoryLedger
from ._sqlite import SQLiteLedger

if TYPE_CHECKING:
    from ._postgres import PostgresLedger
    from ._redis import RedisLedger

__all__ = [
    "Attempt",
    "Constraint",
    "KeyedLedger",
    "Ledger",
    "Matches",
    "MemoryLedger",
    "PostgresLedger",
    "RedisLedger",
    "SQLiteLedger",
    "ledger_from_url",
]

_EXTRAS = {"RedisLedger": ("_redis", "redis"), "PostgresLedger": ("_postgres", "postgres")}


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
        extra = _EXTRAS["RedisLedger" if module == "_redis" else "PostgresLedger"][1]
        raise ImportError(f"the {extra} ledger needs the {error.name!r} package: "
                          f"pip install 'callwindow[{extra}]'") from None


def ledger_from_url(url: str, *, secret: bytes | str | None = None, **options: Any) -> Ledger:
    """The ledger a URL names.

    - ``memory://``: in this process (``MemoryLedger``).
    - ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``: a file
      (``SQLiteLedger``).
    - ``redis://[:password@]host[:port][/db]``, ``rediss://`` (TLS),
      ``unix://``: a Redis server (``RedisLedger``, the ``redis`` extra).
    - ``postgresql://`` or ``postgres://`` (libpq URL): a PostgreSQL
      database (``PostgresLedger``, the ``postgres`` extra).

    ``secret`` makes the ledger store keyed hashes instead of ids and phone
    numbers; ``options`` go to the ledger's constructor.  An unknown scheme is
    a ``ValueError`` naming it; a missing client library an ``ImportError``
    naming the extra to install.
    """
    if not isinstance(url, str):
        raise TypeError(f"ledger: expected a URL string or a Ledger, got {type(url).__name__}")
    scheme = urlsplit(url).scheme.lower()
    if scheme == "memory":
        return MemoryLedger(secret=secret, **options)
    if scheme == "sqlite":
        path = url.split("://", 1)[1]
        if not path.startswith("/") or path == "/":
            raise ValueError(f"ledger URL {url!r}: write sqlite:///relative.db or "
                             f"sqlite:////absolute/path.db")
        ledger: Ledger = SQLiteLedger(path[1:], secret=secret, **options)
        return ledger
    if scheme in ("redis", "rediss", "unix"):
        redis_ledger: Ledger = _load("_redis").RedisLedger(url, secret=secret, **options)
        return redis_ledger
    if scheme in ("postgresql", "postgres"):
        pg_ledger: Ledger = _load("_postgres").PostgresLedger(url, secret=secret, **options)
        return pg_ledger
    raise ValueError(f"ledger URL {url!r}: unknown scheme {scheme!r} (expected memory://, "
                     f"sqlite:///, redis://, rediss://, unix:// or postgresql://)")
