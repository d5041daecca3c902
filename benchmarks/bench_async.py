"""Acquires per second from one process: the AsyncEngine's tasks against the Engine's thread.

Run it from the repository root::

    python benchmarks/bench_async.py            # about 40 s on 2 cores
    python benchmarks/bench_async.py --quick    # about 10 s, noisier

A dialer written with asyncio (an AI voice agent, a webhook service) makes many
calls at once from one process.  With the sync ``Engine`` every Redis or
PostgreSQL round trip holds the thread; with the ``AsyncEngine`` the event loop
has the next request on the wire while the last one is in flight.

Both sides run in this one process against the same server, started here with
the test suite's helpers (``tests/servers_redis.py``, ``tests/servers_postgres.py``:
loopback only, durable on every write as the tests start them), one after the
other, alternating which goes first, for the same number of acquires:

- sync: ``Engine.acquire`` in a loop, from one thread;
- async: ``--tasks`` (default 256) asyncio tasks, each acquiring for its own
  consumers, on one ``AsyncEngine`` (``redis.asyncio``; psycopg's
  ``AsyncConnection`` from a pool of ``--pool`` connections).

Workload as in ``bench_ledgers.py``: a France-like policy with no calling hours
(every acquire reaches the ledger), 4 attempts in 30 calendar days and 60 days
after a refusal; every acquire is for a consumer never seen before, so each
counts an empty history and records an attempt.  The ratio is async acquires
per second over sync ones; the target is at least 3x on Redis.  The garbage
collector stays on.  The script is a report, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import callwindow as cw
from _servers import postgres_server, redis_server
from _workload import LEDGER_POLICY

POLICY = LEDGER_POLICY
AT = "2026-11-23T10:30:00+01:00"
_serial = itertools.count()


def consumers(count: int) -> list[cw.Consumer]:
    """``count`` consumers never seen before."""
    return [cw.Consumer(id=f"b-{next(_serial)}", timezone="Europe/Paris")
            for _ in range(count)]


def sync_rate(url: str, options: dict[str, Any], count: int) -> float:
    """Acquires per second of one Engine from one thread."""
    with cw.Engine(POLICY, ledger=cw.ledger_from_url(url, **options)) as engine:
        for consumer in consumers(50):  # warm up: connections, scripts, statements
            engine.acquire(consumer, AT)
        batch = consumers(count)
        start = time.perf_counter()
        for consumer in batch:
            assert engine.acquire(consumer, AT).allowed
        return count / (time.perf_counter() - start)


async def async_rate(url: str, options: dict[str, Any], count: int, tasks: int) -> float:
    """Acquires per second of one AsyncEngine from ``tasks`` tasks."""
    ledger = cw.ledgers.async_ledger_from_url(url, **options)
    async with cw.AsyncEngine(POLICY, ledger=ledger) as engine:
        await asyncio.gather(*(engine.acquire(c, AT) for c in consumers(50)))  # warm up
        batch = consumers(count)
        shares = [batch[i::tasks] for i in range(tasks)]

        async def task(share: Sequence[cw.Consumer]) -> None:
            for consumer in share:
                assert (await engine.acquire(consumer, AT)).allowed

        start = time.perf_counter()
        await asyncio.gather(*(task(share) for share in shares))
        elapsed = time.perf_counter() - start
    await ledger.aclose()
    return count / elapsed


def compare(name: str, url: str, options: Callable[[], dict[str, Any]], count: int,
            tasks: int, rounds: int, async_options: dict[str, Any] | None = None) -> str:
    """One row: the best rate of each side over ``rounds`` alternating rounds, the ratio."""
    sync_rates, async_rates, ratios = [], [], []
    for round_ in range(rounds):
        first_sync = round_ % 2 == 0
        pair: dict[str, float] = {}
        for side in (("sync", "async") if first_sync else ("async", "sync")):
            if side == "sync":
                pair[side] = sync_rate(url, options(), count)
            else:
                pair[side] = asyncio.run(async_rate(url, {**options(), **(async_options or {})},
                                                    count, tasks))
        sync_rates.append(pair["sync"])
        async_rates.append(pair["async"])
        ratios.append(pair["async"] / pair["sync"])
    ratio = statistics.median(ratios)
    target = " (target >= 3.00x: " + ("MET" if ratio >= 3 else "NOT MET") + ")" \
        if name == "Redis" else ""
    return (f"| {name} | {max(sync_rates):,.0f} | {max(async_rates):,.0f} | {ratio:.2f}x |"
            f" {min(ratios):.2f}-{max(ratios):.2f}x |{target}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer acquires and rounds")
    parser.add_argument("--tasks", type=int, default=256, help="concurrent tasks (256)")
    parser.add_argument("--pool", type=int, default=16,
                        help="PostgreSQL connections in the async pool (16)")
    args = parser.parse_args(argv)
    count, rounds = (1000, 1) if args.quick else (3000, 3)
    print(f"# AsyncEngine ({args.tasks} tasks) vs Engine (one thread), one process, "
          f"{count} acquires per side per round, {rounds} round(s)\n")
    print("| ledger | sync acquires/s | async acquires/s | ratio (median) | ratio range |")
    print("|---|---:|---:|---:|---:|")
    prefixes = (f"bench-async-{n}" for n in itertools.count())
    with tempfile.TemporaryDirectory(prefix="callwindow-bench-") as scratch:
        try:
            with redis_server(Path(scratch)) as redis:
                print(compare("Redis", str(redis.url), lambda: {"prefix": next(prefixes)},
                              count, args.tasks, rounds))
        except Exception as error:
            print(f"| Redis | unavailable: {error} | | | |")
        try:
            with postgres_server() as server:
                url = str(server.fresh_database_url())
                print(compare("PostgreSQL", url, dict, count, args.tasks, rounds,
                              {"max_size": args.pool}).replace(
                    "| PostgreSQL |", f"| PostgreSQL (async pool of {args.pool}) |"))
        except Exception as error:
            print(f"| PostgreSQL | unavailable: {error} | | | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
