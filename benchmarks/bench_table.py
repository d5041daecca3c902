"""How fast is ``check_table`` against building ``Consumer`` objects and calling ``check_many``?

    python benchmarks/bench_table.py                  # 1,000,000 rows, FR and US presets
    python benchmarks/bench_table.py --rows 100000 --preset FR

Generates a list (half French mobiles, half US numbers from twelve area codes,
a fifth of those with a zone, a consent column, an id per row) as a
``pyarrow.Table``, then, in one process and on the same rows, times:

- ``check_many``: building one ``Consumer`` per row from the table's columns
  (``to_pylist``) and calling ``engine.check_many`` on them, in chunks of
  5,000 rows (as ``callwindow scrub`` does);
- ``check_table``: ``engine.check_table`` on the table, in slices of 100,000
  rows (as a Spark ``mapInArrow`` batch or a Parquet row group would come).

Neither timing includes turning the answers into Python objects to compare them.

Each on a fresh ``memory://`` engine (after both ran on 2,000 rows, to warm
the caches of the process alike) with the preset as it is (limits and
cooldowns on: the engine reads the empty history) and without them
(``history_free``, what ``callwindow scrub`` does on ``memory://``).  The
ratio ``check_table / check_many`` is the figure; it also checks that both
give the same answers.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from typing import Any

import pyarrow as pa

import callwindow as cw
from callwindow.cli._scrub import history_free

AT = "2026-11-23T15:30:00+01:00"
US_AREAS = ("212", "305", "415", "512", "617", "702", "808", "850", "907", "303", "312",
            "206")
US_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")


def generate(rows: int, seed: int = 7) -> pa.Table:
    rng = random.Random(seed)
    ids: list[str] = []
    phones: list[str] = []
    zones: list[str | None] = []
    consents: list[bool] = []
    for index in range(rows):
        ids.append(f"c-{index}")
        if index % 2 == 0:
            phones.append(f"+336{rng.randrange(10**8):08d}")
            zones.append(None)
        else:
            phones.append(f"+1{rng.choice(US_AREAS)}555{rng.randrange(10**4):04d}")
            zones.append(rng.choice(US_ZONES) if rng.random() < 0.2 else None)
        consents.append(rng.random() < 0.8)
    return pa.table({"id": ids, "phone": phones, "timezone": pa.array(zones, pa.string()),
                     "consent": consents})


def by_objects(engine: cw.Engine, table: pa.Table) -> list[cw.Decision]:
    decisions: list[cw.Decision] = []
    for start in range(0, table.num_rows, 5000):
        chunk = table.slice(start, 5000).to_pylist()
        consumers = [cw.Consumer(**{k: v for k, v in row.items() if v is not None})
                     for row in chunk]
        decisions += engine.check_many(consumers, AT)
    return decisions


def by_table(engine: cw.Engine, table: pa.Table) -> list[pa.Table]:
    return [engine.check_table(table.slice(start, 100_000), AT)
            for start in range(0, table.num_rows, 100_000)]


def same(decisions: list[cw.Decision], tables: list[pa.Table]) -> bool:
    """Whether both give the same answers (compared after the timing)."""
    found = [(row["allowed"], row["reasons"], row["next_allowed_at"])
             for table in tables for row in table.to_pylist()]
    return found == [(d.allowed, [c.value for c in d.codes], d.next_allowed_at)
                     for d in decisions]


def timed(call: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--preset", action="append", default=[])
    args = parser.parse_args(argv)
    table = generate(args.rows)
    print(f"check_table vs Consumer + check_many, {args.rows:,} rows at {AT}; "
          f"python {sys.version.split()[0]}, pyarrow {pa.__version__}")
    print(f"{'preset':<7} {'limits':<7} {'check_many s':>13} {'check_table s':>14} "
          f"{'rows/s table':>13} {'ratio':>7}")
    for preset in args.preset or ["FR", "US"]:
        policy = cw.presets.get(preset)
        for limits, judged in (("on", policy), ("off", history_free(policy))):
            # Warm the process-wide caches (phone metadata, zones) for both alike.
            by_objects(cw.Engine(judged), table.slice(0, 2000))
            by_table(cw.Engine(judged), table.slice(0, 2000))
            # A fresh engine each: neither run inherits the other's plans or caches.
            many_s, many = timed(lambda judged=judged: by_objects(cw.Engine(judged), table))
            table_s, found = timed(lambda judged=judged: by_table(cw.Engine(judged), table))
            if not same(many, found):
                raise SystemExit(f"{preset}: check_table and check_many disagree")
            print(f"{preset:<7} {limits:<7} {many_s:>13.2f} {table_s:>14.2f} "
                  f"{args.rows / table_s:>13,.0f} {table_s / many_s:>6.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
