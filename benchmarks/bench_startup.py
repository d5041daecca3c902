"""Start-up time and peak memory of callwindow, each in a fresh process.

Run it from the repository root::

    python benchmarks/bench_startup.py            # 7 rounds, about 15 s on 2 cores
    python benchmarks/bench_startup.py --quick    # 3 rounds, noisier

Not every integration keeps a process alive: a dialer panel or an Asterisk AGI
script shells out per call, a cron job runs the command once, and every worker
of a fleet pays the engine's memory.  Each case below is a fresh interpreter,
started as a user would start it:

- ``core deps``: ``python -c "import phonenumbers, holidays, pydantic, pendulum, yaml"``,
  the reference every time is divided by, and ``deps a CLI check loads``
  (below);
- ``import callwindow`` and ``from callwindow import Engine, Consumer, presets``
  (the package is lazy: the second is what a program that uses it pays);
- ``check FR`` and ``check US``: the ``callwindow check`` command with that
  preset (the console script, or ``python -m callwindow`` without it);
- ``in process US``: ``Engine(presets.get("US"))`` and a first ``check``;
- ``pytest plugin``: ``import pytest`` then the plugin module pytest loads
  from callwindow's entry point, against ``import pytest`` alone.

The rounds interleave the cases (each round runs every case once), so a drift
in the machine's speed touches them all.  Each process's CPU time (user +
system, from ``os.wait4``) and wall time are kept, best round of each.  The
goals are judged on CPU time: a start-up is one thread, so on an idle machine
its wall time is its CPU time, and on a shared one (this project's CI machine
has 2 cores for several jobs) the wall time adds however long the process
waited for a core, which no best-of-N removes from every case alike.  Peak
RSS is the child's ``ru_maxrss``, best round.  ``deps a CLI
check loads`` imports only third-party modules every ``callwindow check``
needs: the floor under the check's figures that callwindow cannot lower.
The script is a report, not a test: it always exits 0, and says for each goal
whether it is met.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

CORE_DEPS = "phonenumbers, holidays, pydantic, pendulum, yaml"
# What any `callwindow check` imports past the reference, none of it callwindow's:
# pydantic's BaseModel machinery ("import pydantic" defers it) and the command's
# click and rich.  (Not the holidays package's ~250 countries, which importing
# one country's module the usual way imports: callwindow loads the one it needs.)
CHECK_DEPS = "pydantic.main, click, rich.console, rich.table"
PHONE_FR = "+33612345678"
PHONE_US = "+12125550123"
AT = "2026-11-23T10:30:00-05:00"  # a Monday morning in New York, afternoon in Paris
IN_PROCESS_US = (
    "import callwindow as cw; "
    "engine = cw.Engine(cw.presets.get('US')); "
    f"engine.check(cw.Consumer(id='c', phone={PHONE_US!r}), {AT!r})"
)


@dataclass
class Case:
    name: str
    argv: list[str]
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def best_cpu(self) -> float:
        return min(self.cpu)

    @property
    def rss_mb(self) -> float:
        return min(self.rss_kb) / 1024


@dataclass(frozen=True)
class Goal:
    what: str
    case: str
    reference: str
    limit: float
    memory: bool = False


# The first four are issue 19's goals; the plugin's is ours (pytest imports it in
# every run of every project that has callwindow installed).  What a program
# that uses the API pays ("from callwindow import ...") is in the table for
# information: most of it past the reference is pydantic building BaseModel's
# machinery, which "import pydantic" (in the reference) defers.
GOALS = (
    Goal("import callwindow", "import callwindow", "core deps", 1.3),
    Goal("check --preset FR", "check FR", "core deps", 2.5),
    Goal("check --preset US", "check US", "core deps", 3.0),
    Goal("peak RSS, US check / FR check", "check US", "check FR", 1.3, memory=True),
    Goal("pytest with the plugin imported", "pytest plugin", "import pytest", 1.1),
)


def command() -> list[str]:
    """The ``callwindow`` console script of this interpreter, or ``python -m callwindow``."""
    script = Path(sysconfig.get_path("scripts")) / "callwindow"
    if script.exists():
        return [str(script)]
    found = shutil.which("callwindow")
    return [found] if found else [sys.executable, "-m", "callwindow"]


def cases() -> list[Case]:
    python = [sys.executable, "-c"]
    cli = command()
    return [
        Case("python", [*python, "pass"]),
        Case("core deps", [*python, f"import {CORE_DEPS}"]),
        Case("deps a CLI check loads", [*python, f"import {CORE_DEPS}, {CHECK_DEPS}"]),
        Case("import callwindow", [*python, "import callwindow"]),
        Case("from callwindow import Engine, Consumer, presets",
             [*python, "from callwindow import Engine, Consumer, presets"]),
        Case("check FR", [*cli, "check", "--preset", "FR", "--phone", PHONE_FR, "--consent",
                          "--at", AT]),
        Case("check US", [*cli, "check", "--preset", "US", "--phone", PHONE_US, "--at", AT]),
        Case("in process US", [*python, IN_PROCESS_US]),
        Case("import pytest", [*python, "import pytest"]),
        Case("pytest plugin", [*python, "import pytest, callwindow.testing._plugin"]),
    ]


# An installed package has its bytecode cached; without it every run would
# compile callwindow's sources again (the dependencies' caches were written at
# install), so the children may write theirs, in the unmeasured first round.
CHILD_ENV = {key: value for key, value in os.environ.items()
             if key != "PYTHONDONTWRITEBYTECODE"}


def run_once(case: Case) -> None:
    started = time.perf_counter()
    process = subprocess.Popen(case.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=CHILD_ENV)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1):  # `check` exits 1 when it refuses
        raise SystemExit(f"{case.name} failed ({process.returncode}): {stderr.strip()}")
    case.times.append(elapsed)
    case.cpu.append(usage.ru_utime + usage.ru_stime)
    case.rss_kb.append(usage.ru_maxrss)  # kilobytes on Linux


def report(measured: dict[str, Case], rounds: int, seconds: float) -> None:
    print(f"# callwindow start-up, {rounds} rounds, best of each "
          f"(CPython {platform.python_version()}, {os.cpu_count()} cores, "
          f"{seconds:.0f} s)\n")
    core = measured["core deps"]
    print("| what | CPU time | x core deps | wall time | x core deps | peak RSS "
          "| x core deps |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for case in measured.values():
        print(f"| {case.name} | {case.best_cpu:.3f} s | {case.best_cpu / core.best_cpu:.2f}x "
              f"| {case.best:.3f} s | {case.best / core.best:.2f}x "
              f"| {case.rss_mb:.0f} MB | {case.rss_mb / core.rss_mb:.2f}x |")
    print("\n| goal | ratio | wall-time ratio | limit | result |")
    print("|---|---:|---:|---:|---|")
    met = 0
    for goal in GOALS:
        case, reference = measured[goal.case], measured[goal.reference]
        ratio = (case.rss_mb / reference.rss_mb if goal.memory
                 else case.best_cpu / reference.best_cpu)
        wall = "-" if goal.memory else f"{case.best / reference.best:.2f}x"
        passed = ratio <= goal.limit
        met += passed
        print(f"| {goal.what} (/ {goal.reference}) | {ratio:.2f}x | {wall} "
              f"| <= {goal.limit:.2f}x | {'PASS' if passed else 'FAIL'} |")
    print(f"\n{met} of {len(GOALS)} goals met.")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 7")
    parser.add_argument("--rounds", type=int, help="how many rounds (default 7)")
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 7)
    measured = {case.name: case for case in cases()}
    started = time.perf_counter()
    for case in measured.values():  # a first, unmeasured run warms the disk cache
        run_once(case)
        case.times.clear()
        case.cpu.clear()
        case.rss_kb.clear()
    for _ in range(rounds):
        for case in measured.values():
            run_once(case)
    report(measured, rounds, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
