"""``callwindow serve`` on loopback against the in-process engine, in the same run.

Run it from the repository root::

    python benchmarks/bench_serve.py            # full run (about 70 s on 2 cores)
    python benchmarks/bench_serve.py --quick    # about 25 s, noisier

Method.  The server is the real command (``python -m callwindow serve``, one
uvicorn worker) in a subprocess on a free loopback port, started with the
test suite's helper (``tests/servers_callwindow.py``); Redis, when
``redis-server`` is installed, is started the same way (``tests/servers_redis.py``)
and both are stopped at the end.  The load comes from this process: N
concurrent clients (asyncio tasks, each on its own keep-alive HTTP/1.1
connection: a bare asyncio client, see ``over_http`` for why), each sending
its next request as soon as the last one is answered, for a fixed time after
a warm-up.  Each request's latency is
timed from send to full answer; throughput is answered requests over the
wall time.  The reference is the same calls on the in-process async engine
(``AsyncEngine``: today the ``asyncio.to_thread`` stand-in the server itself
runs on), made by N tasks on the same kind of ledger, in this process, just
before.  The ratio ``server / in-process`` is the service overhead: HTTP,
JSON and the event loop.  Client, server and ledger share the machine's
cores: on 2 cores the load generator takes a good part of one, so the server
figures are a floor.

Workloads.  ``check``: the FR preset, a consenting Paris consumer on Monday
10:30 (allowed; the ledger is read, nothing written).  ``acquire``: a policy
with France's limits and no hours (so that every call reaches the ledger),
each acquire for a new consumer: one write per request, the worst case.

Closed loop: with N clients always waiting, latency is about N / throughput
(Little's law); the 1-client rows give the latency of one request alone.

The script is a report, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import callwindow as cw
from _servers import MissingServerError, redis_server
from callwindow.server._app import AsyncEngine  # the engine the server runs on

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
AT = "2026-11-23T10:30:00+01:00"  # a Monday: FR allows the call
POLICY = {  # France's limits, no hours: every acquire reaches the ledger
    "id": "bench",
    "limits": [{"max_attempts": 4, "period": "P30D", "window": "calendar_days"}],
    "cooldowns": [{"after": ["refusal"], "period": "P60D", "window": "calendar_days",
                   "day_one": "next_day"}],
}


@dataclass(frozen=True)
class Figures:
    """One run: how many calls, over how long, and their latencies (seconds)."""

    calls: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.calls / self.seconds

    def percentile(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000


def consumer(n: int, run: str) -> dict[str, Any]:
    return {"id": f"{run}-{n}", "timezone": "Europe/Paris", "consent": True}


async def closed_loop(call: Callable[[int], Any], clients: int, warmup: float,
                      seconds: float) -> Figures:
    """``clients`` tasks each awaiting ``call(n)`` back to back; timed after ``warmup`` s."""
    numbers = itertools.count()
    latencies: list[float] = []
    start = time.perf_counter()
    timed_from = start + warmup
    stop = timed_from + seconds

    async def client() -> None:
        while (now := time.perf_counter()) < stop:
            await call(next(numbers))
            if now >= timed_from:
                latencies.append(time.perf_counter() - now)

    await asyncio.gather(*(client() for _ in range(clients)))
    return Figures(len(latencies), time.perf_counter() - timed_from, latencies)


async def over_http(port: int, endpoint: str, run: str, clients: int, warmup: float,
                    seconds: float) -> Figures:
    """``clients`` keep-alive HTTP/1.1 connections, one request in flight on each.

    A bare asyncio client rather than httpx: httpx's connection pool, at 64
    concurrent connections on this machine, answered 64 requests/s where this
    client gets 1,400 from the same server, so it measured itself.
    """
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(clients)]
    free = asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]]()
    for connection in connections:
        free.put_nowait(connection)
    head = f"POST {endpoint} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"

    async def call(n: int) -> None:
        reader, writer = await free.get()
        body = json.dumps({"consumer": consumer(n, run), "at": AT}).encode()
        writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        await writer.drain()
        status, _, rest = (await reader.readuntil(b"\r\n\r\n")).partition(b"\r\n")
        length = next(int(line.split(b":")[1]) for line in rest.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        answer = await reader.readexactly(length)
        free.put_nowait((reader, writer))
        if b" 200 " not in status or not answer.startswith(b'{"allowed": true'):
            raise RuntimeError(f"{endpoint}: {status!r} {answer[:300]!r}")

    try:
        return await closed_loop(call, clients, warmup, seconds)
    finally:
        for _, writer in connections:
            writer.close()


async def in_process(policy: cw.Policy, ledger: str, method: str, run: str, clients: int,
                     warmup: float, seconds: float) -> Figures:
    async with AsyncEngine(policy, ledger=ledger) as engine:
        judge = getattr(engine, method)

        async def call(n: int) -> None:
            decision = await judge(cw.Consumer(**consumer(n, run)), AT)
            if not decision.allowed:
                raise RuntimeError(f"{method}: refused {decision.codes}")

        return await closed_loop(call, clients, warmup, seconds)


def sync_checks(policy: cw.Policy, ledger: str, run: str, seconds: float) -> Figures:
    """The plain sync ``Engine.check``, back to back: what a Python dialer pays."""
    with cw.Engine(policy, ledger=ledger) as engine:
        latencies = []
        stop = time.perf_counter() + seconds
        start = time.perf_counter()
        for n in itertools.count():
            begin = time.perf_counter()
            if begin >= stop:
                break
            engine.check(cw.Consumer(**consumer(n, run)), AT)
            latencies.append(time.perf_counter() - begin)
        return Figures(len(latencies), time.perf_counter() - start, latencies)


@contextlib.contextmanager
def redis_url(directory: Path) -> Iterator[str | None]:
    """A Redis server's URL, or ``None`` when redis-server is not installed."""
    with contextlib.ExitStack() as stack:
        try:
            url: str | None = stack.enter_context(redis_server(directory)).url
        except MissingServerError:
            url = None
        yield url


def row(label: str, figures: Figures, reference: Figures | None = None) -> str:
    ratio = f"{figures.per_second / reference.per_second:6.2f}" if reference else "     -"
    return (f"| {label:<44} | {figures.per_second:8,.0f} | {figures.percentile(50):7.2f} | "
            f"{figures.percentile(99):7.2f} | {ratio} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, noisier")
    parser.add_argument("--clients", type=int, default=64)
    options = parser.parse_args()
    seconds, warmup = (2.0, 0.5) if options.quick else (6.0, 1.0)
    sys.path.insert(0, str(TESTS))
    from servers_callwindow import CallwindowServer  # type: ignore[import-not-found,unused-ignore]

    print(f"callwindow {cw.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, {options.clients} concurrent clients, {seconds:.0f} s "
          f"per run after {warmup:.1f} s of warm-up\n")
    print("| run                                          |  calls/s | p50 ms  | p99 ms  | "
          "ratio  |")
    print("|----------------------------------------------|---------:|--------:|--------:|"
          "-------:|")
    fr = cw.presets.get("FR")
    bench = cw.Policy.model_validate(POLICY)
    with tempfile.TemporaryDirectory(prefix="bench-server-") as temporary:
        directory = Path(temporary)
        policy_file = directory / "bench.json"
        policy_file.write_text(json.dumps(POLICY))
        with redis_url(_mkdir(directory / "redis")) as redis:
            ledgers: list[tuple[str, Callable[[str], str]]] = [
                ("SQLite", lambda name: f"sqlite:///{directory / name}.db")]
            if redis is not None:
                ledgers.append(("Redis", lambda name: str(redis)))
            for label, ledger_for in ledgers:
                # -- check (FR): the sync engine, the async engine, the server
                ledger = ledger_for("check")
                sync = sync_checks(fr, ledger, f"sync-{label}", seconds)
                print(row(f"check FR, {label}: Engine.check, 1 caller", sync), flush=True)
                reference = asyncio.run(in_process(fr, ledger, "check", f"ip-{label}",
                                                   options.clients, warmup, seconds))
                print(row(f"check FR, {label}: in-process AsyncEngine", reference),
                      flush=True)
                with CallwindowServer(["--preset", "FR", "--ledger", ledger,
                                       "--log-level", "warning"], directory).start() as srv:
                    served = asyncio.run(over_http(srv.port, "/v1/check", f"http-{label}",
                                                   options.clients, warmup, seconds))
                    print(row(f"check FR, {label}: /v1/check", served, reference),
                          flush=True)
                    alone = asyncio.run(over_http(srv.port, "/v1/check", f"one-{label}", 1,
                                                  warmup, seconds))
                    print(row(f"check FR, {label}: /v1/check, 1 client", alone), flush=True)
                # -- acquire: one write per request
                ledger = ledger_for("acquire")
                reference = asyncio.run(in_process(bench, ledger, "acquire", f"ipa-{label}",
                                                   options.clients, warmup, seconds))
                print(row(f"acquire, {label}: in-process AsyncEngine", reference),
                      flush=True)
                with CallwindowServer(["--policy", str(policy_file), "--ledger", ledger,
                                       "--log-level", "warning"], directory).start() as srv:
                    served = asyncio.run(over_http(srv.port, "/v1/acquire", f"httpa-{label}",
                                                   options.clients, warmup, seconds))
                    print(row(f"acquire, {label}: /v1/acquire", served, reference),
                          flush=True)
                    alone = asyncio.run(over_http(srv.port, "/v1/acquire", f"onea-{label}", 1,
                                                  warmup, seconds))
                    print(row(f"acquire, {label}: /v1/acquire, 1 client", alone), flush=True)
            if redis is None:
                print("\nRedis: redis-server not installed; its rows are left out.")


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


if __name__ == "__main__":
    main()
