"""Do-not-call lists at national scale: build time, peak memory, lookup cost.

    python benchmarks/bench_dnc.py                    # 5M and 20M numbers
    python benchmarks/bench_dnc.py --sizes 50000000   # the 50M case (~20 min, ~1.4 GB of /tmp)
    python benchmarks/bench_dnc.py --sizes 200000 --lookups 100000   # a quick look

For each size it writes a text file of that many random US numbers in
national format (``2025550143``, one a line, as a registry download), then
builds a list as a user would, in a subprocess:

    python -m callwindow dnc build NUMBERS.txt --registry US-DNC --as-of 2026-11-28 \\
        --country US -o LIST.cwdnc --no-progress

and reports the wall time and the peak RSS of that process (its own VmHWM,
Linux), which stays flat as the list grows (chunked sort, merged runs, filter
slabs).

Then, in this process, with the list open: the time of ``number in lst`` for
numbers not on it, against ``number in s`` for the same E.164 strings and a
Python ``set`` of 1,000,000 E.164 strings, in the same run (target: at most
1.5x); and, for information, the engine's question with a 31-day rule
(``SuppressionCheck.refusal``), for the same numbers.

Last, what the list costs ``engine.check``: consumers with unlisted numbers
(each its own ``Consumer``, zones from the number and an explicit zone)
checked under an hours-only policy by three engines, interleaved repeat by
repeat: without lists, with the list (``suppression=``), and with the list and
a 31-day ``do_not_call`` rule.  The ratios (median of the per-repeat ratios,
CPU time) say what the list adds to a check (target: the check ratio of
docs/performance.md still holds, i.e. the list adds little to a check).
Everything is written to a temporary directory, deleted at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import callwindow as cw
from callwindow._suppression import SuppressionCheck

AS_OF = "2026-11-28"
AT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def nanp(rng: random.Random) -> str:
    """A random 10-digit US number: NXX-NXX-XXXX."""
    return f"{rng.randrange(200, 1000)}{rng.randrange(200, 1000)}{rng.randrange(10_000):04d}"


def write_numbers(path: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="ascii") as out:
        for _ in range(count // 10_000):
            out.write("\n".join(nanp(rng) for _ in range(10_000)))
            out.write("\n")
        out.write("".join(nanp(rng) + "\n" for _ in range(count % 10_000)))


# The build runs callwindow's own entry point, then reports its peak RSS from
# /proc/self/status (VmHWM): os.wait4's ru_maxrss would not do, as Linux carries
# the parent's high-water mark over exec, and this process grows as it measures.
_LAUNCH = """import sys
from callwindow.cli import main
code = main(sys.argv[1:])
with open("/proc/self/status") as status:
    print(*(line.split()[1] for line in status if line.startswith("VmHWM")),
          file=sys.stderr)
sys.exit(code)
"""


def build(numbers: Path, target: Path) -> tuple[float, int]:
    """Build with the command's entry point; (seconds, peak RSS in bytes)."""
    command = [sys.executable, "-c", _LAUNCH, "dnc", "build", str(numbers),
               "--registry", "US-DNC", "--as-of", AS_OF, "--country", "US", "-o", str(target),
               "--no-progress", "--temp-dir", str(target.parent)]
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build failed: {done.stderr}")
    return seconds, int(done.stderr.split()[-1]) * 1024


def per_lookup(test: object, probes: list[str], rounds: int = 5) -> float:
    """The best of ``rounds`` of ``sum(p in test for p in probes)``, in ns per probe."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        sum(1 for probe in probes if probe in test)  # type: ignore[operator,misc]
        best = min(best, time.perf_counter() - start)
    return best / len(probes) * 1e9


class _Hook:
    """``number in hook``: the engine's question, ``SuppressionCheck.refusal``."""

    def __init__(self, check: SuppressionCheck) -> None:
        self.refusal = check.refusal

    def __contains__(self, number: str) -> bool:
        return self.refusal(number, False, AT) is not None


def lookups(path: Path, count: int) -> dict[str, float]:
    """ns per lookup: in the list, in a 1M set, and the engine's question (``refusal``)."""
    rng = random.Random(99)
    reference = {"+1" + nanp(rng) for _ in range(1_000_000)}
    probes = ["+1" + nanp(rng) for _ in range(count)]
    rule = cw.DoNotCallRule(registry="US-DNC", max_age="P31D")
    with cw.SuppressionList.open(path) as lst:
        figures = {"listed": sum(1 for probe in probes if probe in lst) / len(probes),
                   "list": per_lookup(lst, probes), "set": per_lookup(reference, probes)}
        figures["hook"] = per_lookup(_Hook(SuppressionCheck([lst], [rule])), probes)
    return figures


HOURS = dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), ("08:00-21:00",))


def engine_checks(path: Path, count: int, repeats: int = 15) -> dict[str, float]:
    """ns per ``engine.check`` without lists, with the list, with the list and a rule;
    and the median per-repeat ratios of the last two to the first."""
    rng = random.Random(7)
    consumers = [cw.Consumer(id=f"c{index}", phone="+1" + nanp(rng),
                             timezone="America/New_York") for index in range(count)]
    hours = cw.Policy(id="hours", hours=HOURS)
    ruled = cw.Policy(id="ruled", hours=HOURS,
                      do_not_call={"registry": "US-DNC", "max_age": "P31D"})
    with cw.SuppressionList.open(path) as lst:
        consumers = [c for c in consumers if c.e164 is not None and c.e164 not in lst]
        engines = {"plain": cw.Engine(hours), "list": cw.Engine(hours, suppression=lst),
                   "rule": cw.Engine(ruled, suppression=lst)}
        # Allowed calls (the hot path), the same under each engine; plans made and
        # numbers parsed before timing.
        consumers = [c for c in consumers if engines["plain"].check(c, AT).allowed]
        for engine in engines.values():
            assert all(engine.check(c, AT).allowed for c in consumers)
        times: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(repeats):
            for name, engine in engines.items():
                check = engine.check
                start = time.process_time()
                for consumer in consumers:
                    check(consumer, AT)
                times[name].append((time.process_time() - start) / len(consumers) * 1e9)
    figures = {name: min(values) for name, values in times.items()}
    for name in ("list", "rule"):
        figures[f"{name} ratio"] = statistics.median(
            with_list / plain for with_list, plain in zip(times[name], times["plain"],
                                                          strict=True))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000_000, 20_000_000])
    parser.add_argument("--lookups", type=int, default=500_000,
                        help="Numbers looked up per measure (default 500,000).")
    parser.add_argument("--checks", type=int, default=20_000,
                        help="Consumers checked per repeat by each engine (default 20,000).")
    parser.add_argument("--dir", default=None, help="Where to write (default: a temporary "
                        "directory under $TMPDIR).")
    args = parser.parse_args()
    print(f"{'numbers':>12} {'build s':>8} {'peak RSS':>9} {'file MB':>8} "
          f"{'in list ns':>10} {'in set ns':>9} {'ratio':>6} {'listed':>7} "
          f"{'refusal ns':>10}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-dnc-", dir=args.dir) as work:
            numbers, target = Path(work) / "numbers.txt", Path(work) / "list.cwdnc"
            write_numbers(numbers, size, seed=size)
            seconds, rss = build(numbers, target)
            numbers.unlink()
            got = lookups(target, args.lookups)
            print(f"{size:>12,} {seconds:>8.1f} {rss / 2**20:>7.0f}MB "
                  f"{target.stat().st_size / 1e6:>8.0f} {got['list']:>10.0f} {got['set']:>9.0f} "
                  f"{got['list'] / got['set']:>5.1f}x {got['listed']:>7.2%} "
                  f"{got['hook']:>10.0f}", flush=True)
            checks = engine_checks(target, args.checks)
            print(f"{'':>12} engine.check ns: {checks['plain']:.0f} without lists, "
                  f"{checks['list']:.0f} with the list ({checks['list ratio']:.2f}x), "
                  f"{checks['rule']:.0f} with the list and a 31-day rule "
                  f"({checks['rule ratio']:.2f}x)", flush=True)


if __name__ == "__main__":
    main()
