"""Acquires per second on the shared ledgers (SQLite, Redis, PostgreSQL), from 1 and 8 processes.

Run it from the repository root::

    python benchmarks/bench_ledgers.py            # full run (35 s or so on 2 cores)
    python benchmarks/bench_ledgers.py --quick    # about 11 s, noisier
    python benchmarks/bench_ledgers.py --redis redis://127.0.0.1:6379/0 \\
        --postgres postgresql://dialer@127.0.0.1:5432/scratch --sqlite /var/tmp/bench.db

Without ``--redis`` / ``--postgres`` the script starts its own throwaway
servers with the test suite's helpers (``tests/servers_redis.py``,
``tests/servers_postgres.py``: loopback only, in temporary directories) and
stops them at the end, also on error or Ctrl-C; a ledger whose server binary
is missing is reported as unavailable.  Without ``--sqlite`` each SQLite run
gets a new file in a temporary directory.  Given URLs or a path are used as
they are: runs are kept apart by unique consumer ids (and, on Redis, a unique
key prefix per run, whose keys are deleted at the end), but the attempts
written to a given PostgreSQL database or SQLite file stay there (until they
expire): point the script at scratch ones.

Workload.  One France-like policy with no calling hours, so that every acquire
reaches the ledger (nothing is refused by the calendar first): at most 4
attempts in 30 calendar days, and 60 calendar days of cooldown after a
refusal.  Every acquire is for a consumer never seen before
(``Consumer(id=..., timezone="Europe/Paris")``, built before the timed part),
at one fixed instant, so every acquire counts the consumer's (empty) history
and records a ``pending`` attempt: one write per acquire, the worst case for
a ledger.

Method.  Each worker process (``multiprocessing``, spawn context, a pool
reused between runs) builds its own ``Engine`` with
``ledger=ledger_from_url(url)`` (on Redis with a ``prefix`` unique to the run),
makes 50 warm-up acquires (connections opened, scripts and statements
prepared, schema created), then waits on a barrier (``Manager().Barrier``) and
times its acquires.  Throughput is the total of timed acquires over the wall
time from the first worker leaving the barrier to the last one finishing
(``time.perf_counter`` is system-wide on Linux).  A run also stops at a time
cap, so a slow disk cannot make the script run for long; the ``acquires``
column is what was done.  The 1-process rows also give the mean latency of
one acquire.  The in-memory ledger (one process only: it is not shared) is
shown for information: the engine's own cost, with no ledger I/O.

Round trips.  For Redis, 100 acquires in this process count the requests its
client sends (a counting connection class) and the EVALSHA calls the server
saw (``INFO commandstats``); both should be 1.00 per acquire.  For
PostgreSQL, the same 100 acquires are traced with libpq's ``PQtrace`` on the
ledger's only connection (``max_size=1``; found through a private attribute:
if that changes, the count is skipped), counting the turns from client
messages to server replies; the ledger sends each acquire as one pipeline, so
1.00 is expected.

The script is a report, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import multiprocessing
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from multiprocessing.managers import SyncManager
from pathlib import Path
from typing import Any, cast

import callwindow as cw
from _servers import postgres_server, redis_server
from _workload import LEDGER_POLICY
from callwindow.ledgers import Ledger

POLICY = LEDGER_POLICY
AT = datetime.fromisoformat("2026-11-02T10:30:00+01:00")
ZONE = "Europe/Paris"
#: Seconds a worker waits at the barrier for the others before giving up.
BARRIER_SECONDS = 120.0

LABELS = {"memory": "memory (this process only; for information)", "sqlite": "SQLite",
          "redis": "Redis", "postgres": "PostgreSQL"}


# -- configuration -----------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """How much each run does (keep a full run within about a minute on 2 cores)."""

    processes: int
    warmup: int  # acquires per worker before the barrier
    max_seconds: float  # a run's timed part stops after this long
    single: Mapping[str, int]  # ledger -> acquires of the 1-process run
    total: Mapping[str, int]  # ledger -> acquires of the N-process run, all workers together
    round_trips: int  # acquires whose round trips are counted

    @classmethod
    def make(cls, quick: bool, processes: int) -> Config:
        if quick:
            return cls(processes=processes, warmup=50, max_seconds=1.2,
                       single={"memory": 5000, "sqlite": 1500, "redis": 600, "postgres": 500},
                       total={"sqlite": 3000, "redis": 1500, "postgres": 1000},
                       round_trips=100)
        return cls(processes=processes, warmup=50, max_seconds=6.0,
                   single={"memory": 30000, "sqlite": 10000, "redis": 4500, "postgres": 4000},
                   total={"sqlite": 16000, "redis": 18000, "postgres": 8000},
                   round_trips=100)


# -- the worker --------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """What one worker process does in one run."""

    url: str
    options: Mapping[str, str]  # for ledger_from_url (Redis: the run's key prefix)
    run: str  # makes the run's consumer ids unique
    worker: int
    warmup: int
    count: int
    max_seconds: float


@dataclass(frozen=True)
class Timing:
    """What one worker did after the barrier."""

    worker: int
    start: float  # perf_counter when it left the barrier
    end: float  # perf_counter after its last acquire
    acquires: int
    allowed: int  # how many of them were allowed (so recorded an attempt)


def run_worker(task: Task, barrier: threading.Barrier) -> Timing:
    """Build an engine on the ledger, warm up, wait for the others, time the acquires.

    Runs in a pool process.  A failure before the barrier breaks it, so the
    other workers of the run fail at once instead of waiting for the timeout.
    """
    ledger: Ledger | None = None
    try:
        try:
            ledger = cw.ledger_from_url(task.url, **task.options)
            engine = cw.Engine(POLICY, ledger=ledger, on_ledger_error="raise")
            stem = f"{task.run}.w{task.worker}-"
            warm = [cw.Consumer(id=f"{stem}warm{i}", timezone=ZONE) for i in range(task.warmup)]
            timed = [cw.Consumer(id=f"{stem}{i}", timezone=ZONE) for i in range(task.count)]
            acquire = engine.acquire
            for consumer in warm:
                acquire(consumer, AT)
        except BaseException:
            barrier.abort()
            raise
        barrier.wait(BARRIER_SECONDS)
        start = time.perf_counter()
        deadline = start + task.max_seconds
        done = allowed = 0
        for consumer in timed:
            allowed += acquire(consumer, AT).allowed
            done += 1
            if not done & 15 and time.perf_counter() > deadline:
                break
        end = time.perf_counter()
    finally:
        if ledger is not None:
            ledger.close()
    return Timing(task.worker, start, end, done, allowed)


# -- runs ------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: a ledger, a number of processes, what they did."""

    ledger: str
    processes: int
    acquires: int = 0
    allowed: int = 0
    seconds: float = 0.0
    worker_seconds: tuple[float, ...] = ()
    error: str | None = None

    @property
    def rate(self) -> float:
        return self.acquires / self.seconds if self.seconds > 0 else 0.0


class Runner:
    """Runs timed acquires in a pool of spawned processes, one barrier per run."""

    def __init__(self, pool: ProcessPoolExecutor, manager: SyncManager, config: Config
                 ) -> None:
        self.pool = pool
        self.manager = manager
        self.config = config
        self.token = os.urandom(3).hex()
        self._runs = itertools.count(1)

    def new_run(self) -> str:
        """A name no earlier run used, here or against the same given server."""
        return f"b{self.token}r{next(self._runs)}"

    def measure(self, ledger: str, url: Callable[[str], str], processes: int, acquires: int,
                options: Callable[[str], Mapping[str, str]] = lambda run: {}) -> Row:
        """Time ``acquires`` acquires spread over ``processes`` workers on one ledger."""
        row = Row(ledger, processes)
        run = self.new_run()
        try:
            target = url(run)
            barrier = self.manager.Barrier(processes)
            per_worker = [acquires // processes + (w < acquires % processes)
                          for w in range(processes)]
            futures = [self.pool.submit(run_worker, Task(target, options(run), run, w,
                                                         self.config.warmup, count,
                                                         self.config.max_seconds), barrier)
                       for w, count in enumerate(per_worker)]
            timings: list[Timing] = []
            errors: list[str] = []
            for future in futures:
                try:
                    timings.append(future.result())
                except threading.BrokenBarrierError:
                    pass  # another worker failed first: its error is the one to show
                except Exception as error:
                    errors.append(describe(error))
        except Exception as error:
            row.error = describe(error)
            return row
        if errors or len(timings) != processes:
            row.error = errors[0] if errors else "a worker did not finish"
            return row
        row.acquires = sum(t.acquires for t in timings)
        row.allowed = sum(t.allowed for t in timings)
        row.seconds = max(t.end for t in timings) - min(t.start for t in timings)
        row.worker_seconds = tuple(t.end - t.start for t in timings)
        return row

    def pair(self, ledger: str, url: Callable[[str], str],
             options: Callable[[str], Mapping[str, str]] = lambda run: {}) -> list[Row]:
        """The 1-process run and the N-process run of one ledger."""
        rows = [self.measure(ledger, url, 1, self.config.single[ledger], options)]
        if self.config.processes > 1:
            rows.append(self.measure(ledger, url, self.config.processes,
                                     self.config.total[ledger], options))
        return rows


def describe(error: BaseException) -> str:
    """An exception on one line."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# -- round trips -------------------------------------------------------------------------


def redis_info(client: Any, section: str) -> dict[str, Any]:
    """``INFO section`` of a synchronous redis-py client, as a dict."""
    return cast(dict[str, Any], client.info(section))


def redis_round_trips(url: str, prefix: str, acquires: int) -> str:
    """Requests sent, and EVALSHA calls seen by the server, per acquire (one process)."""
    import redis

    from callwindow.ledgers import RedisLedger

    class CountingConnection(redis.Connection):
        """Counts the requests written to the server (each one a round trip)."""

        sends = 0

        def send_packed_command(self, command: Any, check_health: bool = True) -> None:
            CountingConnection.sends += 1
            super().send_packed_command(command, check_health)  # type: ignore[no-untyped-call]

    client = redis.Redis.from_url(url, connection_class=CountingConnection, socket_timeout=5)
    stats = redis.Redis.from_url(url, socket_timeout=5)
    ledger = RedisLedger(client, prefix=prefix)
    try:
        engine = cw.Engine(POLICY, ledger=ledger, on_ledger_error="raise")
        for i in range(10):  # loads the script (NOSCRIPT, SCRIPT LOAD) and connects
            engine.acquire(cw.Consumer(id=f"rt-warm{i}", timezone=ZONE), AT)
        consumers = [cw.Consumer(id=f"rt-{i}", timezone=ZONE) for i in range(acquires)]
        before = redis_info(stats, "commandstats")
        sent = CountingConnection.sends
        for consumer in consumers:
            engine.acquire(consumer, AT)
        sent = CountingConnection.sends - sent
        after = redis_info(stats, "commandstats")
    finally:
        ledger.close()
        client.close()
        stats.close()

    def calls(info: dict[str, Any], name: str) -> int:
        entry = info.get(name)
        return int(entry.get("calls", 0)) if isinstance(entry, dict) else 0

    evalsha = calls(after, "cmdstat_evalsha") - calls(before, "cmdstat_evalsha")
    inside = sum(calls(after, name) - calls(before, name) for name in after
                 if name not in ("cmdstat_evalsha", "cmdstat_info"))
    return (f"Redis round trips per acquire: {sent / acquires:.2f} requests sent by the "
            f"client, {evalsha / acquires:.2f} EVALSHA seen by the server "
            f"(INFO commandstats, over {acquires} acquires); the script itself ran "
            f"{inside / acquires:.2f} commands per acquire inside the server")


def postgres_round_trips(url: str, acquires: int) -> str:
    """Client-to-server turns and commits per acquire, from a libpq trace (one process)."""
    from psycopg import pq

    by_design = "PostgreSQL round trips: one per acquire by design (libpq pipeline)"
    ledger = cw.ledger_from_url(url, max_size=1)  # every acquire on one connection
    try:
        engine = cw.Engine(POLICY, ledger=ledger, on_ledger_error="raise")
        for i in range(10):
            engine.acquire(cw.Consumer(id=f"rt-warm{i}", timezone=ZONE), AT)
        # Private: the pool's only connection (PostgresLedger._pool()).
        pool = getattr(ledger, "_pool", None)
        pgconn = None
        if callable(pool):
            with pool().connection() as conn:
                pgconn = conn.pgconn
        if pgconn is None or not hasattr(pgconn, "trace"):
            return by_design + "; not measured (the ledger's connection was not found)"
        consumers = [cw.Consumer(id=f"rt-{i}", timezone=ZONE) for i in range(acquires)]
        handle, path = tempfile.mkstemp(prefix="cw-pqtrace-")
        try:
            # libpq writes through a FILE* of its own on a duplicate descriptor,
            # flushed by untrace(); that FILE* is never closed (a few bytes, once).
            pgconn.trace(os.dup(handle))
            with contextlib.suppress(Exception):
                pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
            try:
                for consumer in consumers:
                    engine.acquire(consumer, AT)
            finally:
                pgconn.untrace()
            text = Path(path).read_text(errors="replace")
        finally:
            os.close(handle)
            os.unlink(path)
    except Exception as error:
        return f"{by_design}; not measured ({describe(error)})"
    finally:
        ledger.close()
    turns = commits = 0
    previous = ""
    for line in text.splitlines():
        fields = line.split("\t")
        direction = next((f for f in fields[:2] if f in ("F", "B")), "")
        if direction == "B" and previous == "F":
            turns += 1
        if direction:
            previous = direction
        commits += direction == "B" and '"COMMIT"' in line
    if not turns:
        return by_design + "; not measured (the libpq trace was empty)"
    return (f"PostgreSQL round trips per acquire: {turns / acquires:.2f} (libpq trace over "
            f"{acquires} acquires: turns from client messages to server replies), "
            f"{commits / acquires:.2f} commits")


# -- the ledgers -------------------------------------------------------------------------


@dataclass
class Results:
    """The rows of the table, and the notes under it."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)


def bench_memory(runner: Runner, results: Results) -> None:
    """The in-memory ledger, one process: the engine's cost without ledger I/O."""
    results.rows.append(runner.measure("memory", lambda run: "memory://", 1,
                                       runner.config.single["memory"]))


def bench_sqlite(runner: Runner, results: Results, given: str | None, scratch: Path) -> None:
    """SQLite: a new file per run in ``scratch``, or the given file for every run."""
    if given is not None:
        path = Path(given).resolve()
        results.rows += runner.pair("sqlite", lambda run: f"sqlite:///{path}")
        where = path.parent
    else:
        results.rows += runner.pair("sqlite", lambda run: f"sqlite:///{scratch / run}.db")
        where = scratch
    journal = "?"
    with contextlib.suppress(sqlite3.Error, StopIteration):
        files = [path] if given is not None else sorted(scratch.glob("*.db"))
        with contextlib.closing(sqlite3.connect(next(iter(files)))) as db:
            journal = str(db.execute("PRAGMA journal_mode").fetchone()[0])
    results.versions.append(f"SQLite {sqlite3.sqlite_version}")
    results.notes.append(
        f"SQLite: journal_mode={journal} (as found in the file), synchronous=NORMAL "
        f"(SQLiteLedger's setting: a commit does not wait for the disk, a checkpoint does); "
        f"files in {where}, on {filesystem(where)}; one fsync of 100 bytes there takes "
        f"{fsync_micros(where):.0f} µs (median of 50)")


def bench_redis(runner: Runner, results: Results, given: str | None, scratch: Path) -> None:
    """Redis: the given server, or one started with the test suite's helper."""
    ran = False
    with contextlib.ExitStack() as started:
        try:
            if given is None:
                directory = scratch / "redis"
                directory.mkdir()
                url = str(started.enter_context(redis_server(directory)).url)
                origin = "started here with tests/servers_redis.py"
            else:
                url, origin = given, "given with --redis"
            prefixes: list[str] = []

            def options(run: str) -> Mapping[str, str]:
                prefixes.append(f"bench-{run}")
                return {"prefix": prefixes[-1]}

            ran = True
            rows = runner.pair("redis", lambda run: url, options)
            results.rows += rows
            if all(row.error is not None for row in rows):
                return  # the rows say why; nothing more to learn from this server
            trips_prefix = f"bench-{runner.new_run()}"
            prefixes.append(trips_prefix)
            results.notes.append(redis_round_trips(url, trips_prefix,
                                                   runner.config.round_trips))
            results.notes.append(redis_settings(url, origin))
            if given is not None:
                redis_cleanup(url, prefixes)
        except Exception as error:
            if ran:
                results.notes.append(f"Redis: {describe(error)}")
            else:
                results.rows.append(Row("redis", 1, error=describe(error)))


def redis_settings(url: str, origin: str) -> str:
    """The server's version and persistence settings, as a note."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        version = redis_info(client, "server").get("redis_version", "?")
        config = cast(dict[str, str], client.config_get("append*"))
        save = cast(dict[str, str], client.config_get("save")).get("save", "?")
    finally:
        client.close()
    return (f"Redis {version} ({origin}): appendonly={config.get('appendonly', '?')}, "
            f"appendfsync={config.get('appendfsync', '?')} (each write reaches the disk "
            f"before the reply; concurrent clients share an fsync), save={save!r}")


def redis_cleanup(url: str, prefixes: Sequence[str]) -> None:
    """Delete the keys of this script's runs from a given server."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        for prefix in prefixes:
            batch: list[Any] = []
            for key in client.scan_iter(match=f"{prefix}:*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.unlink(*batch)
                    batch = []
            if batch:
                client.unlink(*batch)
    finally:
        client.close()


def bench_postgres(runner: Runner, results: Results, given: str | None) -> None:
    """PostgreSQL: the given database, or a server started with the test suite's helper."""
    ran = False
    with contextlib.ExitStack() as started:
        try:
            if given is None:
                server = started.enter_context(postgres_server())

                def url(run: str) -> str:
                    return str(server.fresh_database_url())  # a new database per run

                origin = "started here with tests/servers_postgres.py"
            else:
                def url(run: str) -> str:
                    return given

                origin = "given with --postgres"
            ran = True
            rows = runner.pair("postgres", url)
            results.rows += rows
            if all(row.error is not None for row in rows):
                return  # the rows say why; nothing more to learn from this server
            results.notes.append(postgres_round_trips(url("trips"), runner.config.round_trips))
            results.notes.append(postgres_settings(url("settings"), origin))
        except Exception as error:
            if ran:
                results.notes.append(f"PostgreSQL: {describe(error)}")
            else:
                results.rows.append(Row("postgres", 1, error=describe(error)))


def postgres_settings(url: str, origin: str) -> str:
    """The server's version and durability settings, as a note."""
    import psycopg

    names = ("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes")
    with psycopg.connect(url, connect_timeout=10) as conn:
        values = {name: str(row[0]) for name in (*names, "server_version")
                  if (row := conn.execute(f"SHOW {name}").fetchone()) is not None}
    settings = ", ".join(f"{name}={values.get(name, '?')}" for name in names)
    return (f"PostgreSQL {values.get('server_version', '?')} ({origin}): {settings} "
            f"(each commit waits for its WAL to reach the disk; concurrent commits share "
            f"a flush)")


# -- the machine -------------------------------------------------------------------------


def filesystem(path: Path) -> str:
    """The device, type and mount point of the filesystem holding ``path``."""
    found = ("?", "?", "")
    target = str(path.resolve()).rstrip("/") + "/"
    with contextlib.suppress(OSError), open("/proc/mounts") as mounts:
        for line in mounts:
            parts = line.split()
            if len(parts) < 3:
                continue
            device, mount, kind = parts[0], parts[1], parts[2]
            if target.startswith(mount.rstrip("/") + "/") and len(mount) >= len(found[2]):
                found = (device, kind, mount)
    device, kind, mount = found
    return f"{device} ({kind}, mounted on {mount or '?'})"


def fsync_micros(directory: Path, count: int = 50) -> float:
    """The median time of writing 100 bytes and fsyncing them, in ``directory``."""
    times: list[float] = []
    with contextlib.suppress(OSError), tempfile.TemporaryFile(dir=directory) as handle:
        for _ in range(count):
            start = time.perf_counter()
            handle.write(b"x" * 100)
            handle.flush()
            os.fsync(handle.fileno())
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6 if times else float("nan")


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


# -- report ----------------------------------------------------------------------------


def report(results: Results, config: Config, elapsed: float, quick: bool) -> None:
    """The Markdown report: the machine, the table, the notes."""
    print("# callwindow ledger benchmark" + (" (--quick)" if quick else ""))
    print()
    print(f"- Python {sys.version.split()[0]} ({platform.python_implementation()}), "
          f"{platform.platform()}, {os.cpu_count()} CPUs")
    print(f"- callwindow {version('callwindow')}, redis-py {version('redis')}, "
          f"psycopg {version('psycopg')}; " + ", ".join(results.versions))
    print(f"- Workload: one acquire per new consumer (each records an attempt), a policy "
          f"with limits and a cooldown but no hours; {config.warmup} warm-up acquires per "
          f"worker before the barrier; each run stops after {config.max_seconds:g} s at most")
    print()
    print("| ledger | processes | acquires | seconds | acquires/s | µs per acquire (1 process) |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in results.rows:
        label = LABELS.get(row.ledger, row.ledger)
        if row.error is not None:
            print(f"| {label} | {row.processes} | - | - | unavailable | - |")
            continue
        latency = f"{row.seconds / row.acquires * 1e6:,.0f}" if (
            row.processes == 1 and row.acquires) else "-"
        print(f"| {label} | {row.processes} | {row.acquires:,} | {row.seconds:.2f} | "
              f"{row.rate:,.0f} | {latency} |")
    print()
    for note in notes(results):
        print(f"- {note}")
    print()
    print(f"Run took {elapsed:.1f} s.")


def notes(results: Results) -> list[str]:
    """Errors, scaling, refusals, then the notes the ledgers left."""
    out: list[str] = []
    for row in results.rows:
        if row.error is not None:
            out.append(f"{LABELS.get(row.ledger, row.ledger)} ({row.processes} process"
                       f"{'es' if row.processes > 1 else ''}): unavailable: {row.error}")
    done = [row for row in results.rows if row.error is None and row.acquires]
    for row in done:
        if row.allowed != row.acquires:
            out.append(f"{LABELS[row.ledger]}, {row.processes} processes: only {row.allowed} "
                       f"of {row.acquires} acquires were allowed (expected all)")
    scaling = []
    for ledger in ("sqlite", "redis", "postgres"):
        ones = [r for r in done if r.ledger == ledger and r.processes == 1]
        many = [r for r in done if r.ledger == ledger and r.processes > 1]
        if ones and many:
            spread = many[0].worker_seconds
            scaling.append(f"{LABELS[ledger]} {many[0].rate / ones[0].rate:.2f}x "
                           f"(workers' timed parts {min(spread):.2f}-{max(spread):.2f} s)")
    if scaling:
        out.append("Several processes against one: " + "; ".join(scaling))
    if done and all(row.allowed == row.acquires for row in done):
        out.append("Every timed acquire was allowed and recorded an attempt")
    return out + results.notes


# -- main ------------------------------------------------------------------------------


@contextlib.contextmanager
def scratch_directory() -> Iterator[Path]:
    """A temporary directory, readable by everyone (a server may run as another user)."""
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as name:
        os.chmod(name, 0o755)
        yield Path(name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a short, noisier run")
    parser.add_argument("--redis", metavar="URL", help="a Redis server to use (default: "
                        "start one on a free loopback port)")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL database to use "
                        "(default: start a server on a free loopback port)")
    parser.add_argument("--sqlite", metavar="PATH", help="the SQLite file to use (default: "
                        "a new file per run in a temporary directory)")
    parser.add_argument("--processes", type=int, default=8, metavar="N",
                        help="worker processes of the concurrent runs (default: 8)")
    args = parser.parse_args(argv)
    config = Config.make(args.quick, max(1, args.processes))
    started = time.perf_counter()
    results = Results()
    context = multiprocessing.get_context("spawn")
    with (scratch_directory() as scratch, context.Manager() as manager,
          ProcessPoolExecutor(max_workers=config.processes, mp_context=context) as pool):
        runner = Runner(pool, manager, config)
        bench_memory(runner, results)
        bench_sqlite(runner, results, args.sqlite, scratch)
        bench_redis(runner, results, args.redis, scratch)
        bench_postgres(runner, results, args.postgres)
    report(results, config, time.perf_counter() - started, args.quick)
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)
