"""How fast does ``callwindow scrub`` go through a contact list, and in how much memory?

    python benchmarks/bench_scrub.py            # 10,000, 100,000 and 1,000,000 rows
    python benchmarks/bench_scrub.py --quick    # 10,000 and 100,000 rows
    python benchmarks/bench_scrub.py --rows 2000000 --preset FR
    python benchmarks/bench_scrub.py --quick --ledger memory --ledger sqlite --ledger redis \
        --ledger postgres --compare /path/to/older/checkout/src

Writes contact lists into a temporary directory (half French mobiles, half US
numbers from twelve area codes, some with a second zone, a consent column,
an extra column, and one bad row in 20,000: an unknown zone, a consent that
is not a boolean, a missing phone), then runs the installed command on each,
as a user would, in a subprocess:

    python -m callwindow scrub LIST.csv --preset P --at 2026-11-23T15:30:00+01:00 -o OUT.csv

It reports rows per second (wall clock, including the ~1 s start-up of the
command) and the peak RSS of that process (``os.wait4``), which stays flat as
the list grows: the scrub streams in chunks of 5,000 rows.

``--ledger`` scrubs against each ledger (``memory`` by default, where the
command drops limits and cooldowns: a fresh in-memory ledger holds nothing to
count; ``sqlite``, ``redis`` and ``postgres`` count the history, empty here,
with the preset's limits on; the servers are started with the test suite's
helpers, on loopback).  Each row gives its time as a ratio to ``memory`` in the
same run.  ``--compare SRC`` runs the same command from another checkout's
``src`` directory (e.g. one before a change) and reports ``before/now``.
The command runs from the ``callwindow`` package this script imports.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import callwindow
from _servers import postgres_server, redis_server

AT = "2026-11-23T15:30:00+01:00"
US_AREAS = ("212", "305", "415", "512", "617", "702", "808", "850", "907", "303", "312",
            "206")
US_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
BAD_EVERY = 20_000
#: The ``src`` directory of the callwindow this script imports: the command runs from it.
HERE = str(Path(callwindow.__file__).resolve().parents[1])


def write_list(path: Path, rows: int, seed: int = 7) -> int:
    """A contact list of ``rows`` rows; returns how many of them are bad."""
    rng = random.Random(seed)
    bad = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "phone", "timezone", "consent", "name"])
        for index in range(rows):
            consent = rng.choice(("true", "false", "yes", "1", ""))
            if index % 2 == 0:
                phone = f"+336{rng.randrange(10**8):08d}"
                zone = ""
            else:
                phone = f"+1{rng.choice(US_AREAS)}555{rng.randrange(10**4):04d}"
                zone = rng.choice(US_ZONES) if rng.random() < 0.2 else ""
            if index % BAD_EVERY == BAD_EVERY - 1:
                bad += 1
                kind = (index // BAD_EVERY) % 3
                if kind == 0:
                    zone = "Mars/Olympus_Mons"
                elif kind == 1:
                    consent = "maybe"
                else:
                    phone = ""
            writer.writerow([f"c-{index}", phone, zone, consent, f"Contact {index}"])
    return bad


@contextlib.contextmanager
def ledger_url(kind: str, scratch: Path) -> Iterator[str]:
    """A URL of an empty ledger of ``kind``, its server started (and stopped) here."""
    if kind == "memory":
        yield "memory://"
    elif kind == "sqlite":
        path = scratch / f"ledger-{time.monotonic_ns()}.db"
        yield f"sqlite:///{path}"
    elif kind == "redis":
        with redis_server(Path(tempfile.mkdtemp(dir=scratch))) as redis:
            yield str(redis.url)
    else:
        with postgres_server() as postgres:
            yield str(postgres.fresh_database_url())


def run_scrub(source: Path, target: Path, preset: str, ledger: str = "memory://",
              src: str = HERE) -> tuple[float, int]:
    """Seconds and peak RSS (bytes) of one ``callwindow scrub`` process run from ``src``."""
    command = [sys.executable, "-m", "callwindow", "scrub", str(source), "--preset", preset,
               "--at", AT, "-o", str(target), "--no-progress", "--ledger", ledger]
    env = {**os.environ, "PYTHONPATH": src}
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"scrub failed ({process.returncode}): {errors}")
    peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return seconds, peak


def check_output(source: Path, target: Path, rows: int, bad: int) -> None:
    """Same rows in the same order, every bad row marked invalid_row."""
    with source.open(encoding="utf-8") as a, target.open(encoding="utf-8") as b:
        found = invalid = 0
        for left, right in zip(csv.reader(a), csv.reader(b), strict=True):
            if right[:len(left)] != left:
                raise SystemExit(f"{target}: row {found} changed: {left} -> {right}")
            found += 1
            invalid += right[-2].startswith("invalid_row")
    if (found, invalid) != (rows + 1, bad):
        raise SystemExit(f"{target}: {found} lines and {invalid} invalid rows, expected "
                         f"{rows + 1} and {bad}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10,000 and 100,000 rows only")
    parser.add_argument("--preset", action="append", default=[],
                        help="presets to time, one run each (default: FR and US)")
    parser.add_argument("--rows", action="append", type=int, default=[],
                        help="list sizes to time instead (repeatable), e.g. --rows 2000000")
    parser.add_argument("--ledger", action="append", default=[],
                        choices=("memory", "sqlite", "redis", "postgres"),
                        help="ledgers to scrub against (repeatable; default: memory)")
    parser.add_argument("--compare", metavar="SRC",
                        help="also run the command from this src directory (before/now)")
    args = parser.parse_args(argv)
    sizes = args.rows or ((10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000))
    presets = args.preset or ["FR", "US"]
    kinds = args.ledger or ["memory"]
    print(f"callwindow scrub at {AT}, one subprocess per run, from {HERE}; "
          f"python {sys.version.split()[0]}")
    print(f"{'preset':<7} {'ledger':<9} {'rows':>10} {'seconds':>8} {'rows/s':>9} "
          f"{'/memory':>8} {'peak RSS MiB':>13}" + ("   before/now" if args.compare else ""))
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for size in sizes:
            source = scratch / f"contacts-{size}.csv"
            bad = write_list(source, size)
            for preset in presets:
                memory_seconds: float | None = None
                for kind in kinds:
                    target = scratch / f"scrubbed-{size}-{preset}-{kind}.csv"
                    with ledger_url(kind, scratch) as url:
                        seconds, peak = run_scrub(source, target, preset, url)
                        check_output(source, target, size, bad)
                        before = ""
                        if args.compare:
                            with ledger_url(kind, scratch) as old_url:
                                old, _ = run_scrub(source, target, preset, old_url,
                                                   args.compare)
                            before = f"   {old / seconds:>10.2f}x"
                    if kind == "memory":
                        memory_seconds = seconds
                    ratio = (f"{seconds / memory_seconds:>7.2f}x" if memory_seconds
                             else f"{'-':>8}")
                    print(f"{preset:<7} {kind:<9} {size:>10,} {seconds:>8.2f} "
                          f"{size / seconds:>9,.0f} {ratio:>8} {peak / 2**20:>13.1f}{before}",
                          flush=True)
                    target.unlink()
            source.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
