"""Acquires per second of one Engine on PostgreSQL shared by 1, 8 and 32 threads.

Run it from the repository root::

    python benchmarks/bench_pg_threads.py                 # about 1 minute on 2 cores
    python benchmarks/bench_pg_threads.py --quick         # about 20 s, noisier
    python benchmarks/bench_pg_threads.py --compare /tmp/before/src   # before/now

A threaded dialer shares one ``Engine`` (and so one ``PostgresLedger``) between
its threads.  This measures what that ledger gives them: acquires per second
and the most server connections it held at once (``pg_stat_activity``,
sampled every 10 ms by a connection of its own).

It starts a throwaway server with the test suite's helper
(``tests/servers_postgres.py``: loopback only, durable on every write as the
tests start it) and stops it at the end.  Each measurement runs in a
subprocess of its own, on a fresh database: the threads build their
consumers, make 10 warm-up acquires each, wait on a barrier, then share the
timed acquires; the rate is their total over the wall time from the barrier
to the last one done.  Workload as in ``bench_ledgers.py``: a France-like
policy with no calling hours (every acquire reaches the ledger), every
acquire for a consumer never seen before, so each records an attempt.

``--compare SRC`` runs every measurement also from another checkout's
``src`` (``PYTHONPATH``), alternating which goes first; ``--max-size N``
passes ``max_size`` to the ledger (leave it out with an older checkout,
whose ledger has no pool).  Each row gives the best of ``--rounds`` rounds.
The script is a report, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import callwindow as cw
from _servers import MissingServerError, postgres_server
from _workload import LEDGER_POLICY

REPO = Path(__file__).resolve().parent.parent
POLICY = LEDGER_POLICY
AT = "2026-11-23T10:30:00+01:00"
WARMUP = 10  # acquires per thread before the barrier


def measure(url: str, threads: int, count: int, options: dict[str, Any]) -> dict[str, Any]:
    """Acquires per second of one Engine shared by ``threads`` threads, and the most
    connections the ledger held at once."""
    import psycopg

    engine = cw.Engine(POLICY, ledger=cw.ledger_from_url(url, **options),
                       on_ledger_error="raise")
    barrier = threading.Barrier(threads + 1)
    share = count // threads
    done: list[float] = []
    failed: list[BaseException] = []

    def work(n: int) -> None:
        people = [cw.Consumer(id=f"t{n}-{i}", timezone="Europe/Paris")
                  for i in range(WARMUP + share)]
        try:
            for consumer in people[:WARMUP]:
                engine.acquire(consumer, AT)
        finally:
            barrier.wait()
        try:
            for consumer in people[WARMUP:]:
                assert engine.acquire(consumer, AT).allowed
        except BaseException as error:
            failed.append(error)
        done.append(time.perf_counter())

    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        with psycopg.connect(url, application_name="bench-sampler", autocommit=True) as conn:
            while not stop.is_set():
                row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                   "current_database() AND application_name = 'callwindow'"
                                   ).fetchone()
                peak = max(peak, int(row[0]) if row else 0)
                stop.wait(0.01)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    sampler = threading.Thread(target=sample)
    sampler.start()
    barrier.wait()
    start = time.perf_counter()
    for worker in workers:
        worker.join()
    stop.set()
    sampler.join()
    engine.close()
    if failed:
        raise failed[0]
    return {"rate": share * threads / (max(done) - start), "connections": peak}


def run(src: Path, url: str, threads: int, count: int, options: dict[str, Any]
        ) -> dict[str, Any]:
    """``measure`` in a subprocess importing callwindow from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, __file__, "--measure", url, "--threads",
                          str(threads), "--count", str(count), "--options",
                          json.dumps(options)], env=env, check=True, capture_output=True,
                         text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer acquires, one round")
    parser.add_argument("--compare", metavar="SRC", help="also run from this src directory")
    parser.add_argument("--max-size", type=int, help="the ledger's max_size (pool)")
    parser.add_argument("--rounds", type=int, help="rounds per row (3; --quick: 1)")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.threads, args.count,
                                 json.loads(args.options))))
        return 0
    rounds = args.rounds or (1 if args.quick else 3)
    counts = {1: 300, 8: 1200, 32: 1600} if args.quick else {1: 1000, 8: 3200, 32: 4800}
    options = {} if args.max_size is None else {"max_size": args.max_size}
    sides = {"now": REPO / "src"}
    if args.compare:
        sides["before"] = Path(args.compare).resolve()
    print(f"# Engine.acquire from N threads sharing one PostgresLedger {options or ''}; "
          f"best of {rounds} round(s); python {sys.version.split()[0]}\n")
    head = "| threads | acquires | acquires/s | server connections |"
    rule = "|---:|---:|---:|---:|"
    if args.compare:
        head += " before: acquires/s | before: connections | now / before |"
        rule += "---:|---:|---:|"
    print(head)
    print(rule)
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(postgres_server())
        except MissingServerError as missing:
            print(missing)
            return 0
        for threads, count in counts.items():
            best: dict[str, dict[str, Any]] = {}
            for round_ in range(rounds):
                order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
                for side in order:
                    found = run(sides[side], str(server.fresh_database_url()), threads,
                                count, options if side == "now" else {})
                    if side not in best or found["rate"] > best[side]["rate"]:
                        best[side] = found
            now = best["now"]
            row = f"| {threads} | {count:,} | {now['rate']:,.0f} | {now['connections']} |"
            if "before" in best:
                before = best["before"]
                row += (f" {before['rate']:,.0f} | {before['connections']} |"
                        f" {now['rate'] / before['rate']:.2f}x |")
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
