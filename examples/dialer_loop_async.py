"""The dialer loop in asyncio: several workers race on the same contacts, one AsyncEngine.

    python examples/dialer_loop_async.py --start 2026-11-23T10:00:00+01:00
    python examples/dialer_loop_async.py --workers 8 --campaigns 6 --days 60 --quiet
    python examples/dialer_loop_async.py --ledger sqlite:///dialer-attempts.db

``--campaigns`` campaigns (default 6) have loaded the same contact list, so
each contact is queued several times, and ``--workers`` asyncio tasks
(default 4) take the jobs that are due and dial them concurrently: the race
a real call centre has when two campaigns, or two dialer hosts, hold the
same person.  ``cw.AsyncEngine`` awaits the ledger (``redis.asyncio``,
psycopg's ``AsyncConnection``; SQLite from a worker thread), so no worker
holds a thread while its Redis or PostgreSQL round trip is in flight.
Nobody ever answers (the stub's outcome is always
``no_answer``), so every job comes back the next day until the rules stop
it.  ``engine.acquire`` counts and records in one atomic step, so however
the workers interleave, France's limit (4 calls or attempts per 30 calendar
days, D223-9) is never exceeded: the summary counts, from the calls the
workers placed, the most any consumer got in any 30 calendar days::

    fr-paris      8 calls, at most 4 in any 30 calendar days

Time is simulated as in ``dialer_loop.py``: a ``FrozenClock`` is moved to
the next due time, the jobs due then are queued, and the clock moves on when
the workers have drained the queue.  In production, build the engine without
``clock=`` and let each worker sleep until its next job is due; replace
``place_call`` with your telephony client's coroutine.  Exit code 0, 1 if a
limit was exceeded (it never is), 2 on bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import callwindow as cw
from callwindow.testing import FrozenClock

RETRY_AFTER = timedelta(days=1)
#: France's D223-9 limit, checked in the summary (the contacts are all French).
FR_LIMIT, FR_DAYS = 4, 30


@dataclass(frozen=True)
class Contact:
    id: str
    phone: str
    consent: bool = False
    region: str | None = None

    def consumer(self) -> cw.Consumer:
        return cw.Consumer(id=self.id, phone=self.phone, consent=self.consent,
                           region=self.region)


CONTACTS = (
    Contact("fr-paris", "+33612345678", consent=True),
    Contact("fr-lyon", "+33478000001", consent=True),
    Contact("fr-reunion", "+262692000003", consent=True),
)


@dataclass(frozen=True)
class Job:
    campaign: int
    contact: Contact


@dataclass(frozen=True)
class Call:
    """A call a worker placed: who, when (on the consumer's first zone's calendar)."""

    contact: str
    local_date: date


async def place_call(job: Job) -> cw.Outcome:
    """The stub telephony API: rings, nobody answers."""
    await asyncio.sleep(0)  # production: await your telephony client here
    return cw.Outcome.NO_ANSWER


def local(decision: cw.Decision, when: datetime) -> datetime:
    """``when`` on the consumer's wall clock (first candidate zone)."""
    if not decision.timezones:
        return when
    return when.astimezone(decision.local_times[decision.timezones[0]].tzinfo)


class Dialer:
    def __init__(self, engine: cw.AsyncEngine, clock: FrozenClock, quiet: bool) -> None:
        self.engine = engine
        self.clock = clock
        self.quiet = quiet
        self.due: list[tuple[datetime, int, Job]] = []
        self.order = itertools.count()
        self.calls: list[Call] = []
        self.queue: asyncio.Queue[Job] = asyncio.Queue()

    def schedule(self, when: datetime, job: Job) -> None:
        heapq.heappush(self.due, (when, next(self.order), job))

    def log(self, worker: int, job: Job, text: str) -> None:
        if not self.quiet:
            print(f"w{worker} campaign {job.campaign} {job.contact.id:<11} {text}")

    async def worker(self, number: int) -> None:
        while True:
            job = await self.queue.get()
            try:
                await self.dial(number, job)
            finally:
                self.queue.task_done()

    async def dial(self, number: int, job: Job) -> None:
        consumer = job.contact.consumer()
        engine = self.engine
        now = self.clock.now()
        # acquire() counts and records in one atomic step on the ledger, so two
        # tasks racing for one consumer cannot both take the last allowed attempt.
        decision = await engine.acquire(consumer)
        stamp = f"{local(decision, now):%a %Y-%m-%d %H:%M %Z}"
        if decision.allowed:
            assert decision.attempt_id is not None
            outcome = await place_call(job)
            await engine.set_outcome(decision.attempt_id, outcome)
            self.calls.append(Call(job.contact.id, local(decision, now).date()))
            self.log(number, job, f"{stamp}  allowed  ({outcome.value})")
            self.schedule(now + RETRY_AFTER, job)
            return
        codes = ",".join(code.value for code in decision.codes)
        later = decision.next_allowed_at
        if later is None:
            self.log(number, job, f"{stamp}  refused  {codes} -> never: dropped")
            return
        self.log(number, job, f"{stamp}  refused  {codes} -> "
                              f"{local(decision, later):%a %Y-%m-%d %H:%M %Z}")
        self.schedule(later, job)

    async def run(self, jobs: Sequence[Job], workers: int, until: datetime) -> None:
        for job in jobs:
            self.schedule(self.clock.now(), job)
        tasks = [asyncio.create_task(self.worker(n + 1)) for n in range(workers)]
        try:
            while self.due and self.due[0][0] < until:
                when = self.clock.set(self.due[0][0])
                while self.due and self.due[0][0] == when:
                    self.queue.put_nowait(heapq.heappop(self.due)[2])
                await self.queue.join()  # every worker done with this instant
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def most_in_window(days: Sequence[date], width: int) -> int:
    """The most calls on any ``width`` consecutive calendar days."""
    ordered = sorted(days)
    return max((sum(1 for d in ordered[i:] if (d - first).days < width)
                for i, first in enumerate(ordered)), default=0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="FR", help="a preset id (FR)")
    parser.add_argument("--ledger", default="memory://", help="a ledger URL (memory://)")
    parser.add_argument("--start", help="simulated start, ISO-8601 with an offset (now)")
    parser.add_argument("--days", type=float, default=60, help="simulated days to run (60)")
    parser.add_argument("--workers", type=int, default=4, help="concurrent workers (4)")
    parser.add_argument("--campaigns", type=int, default=6,
                        help="campaigns holding the same contacts (6)")
    parser.add_argument("--quiet", action="store_true", help="print the summary only")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.campaigns < 1:
        print("error: --workers and --campaigns must be at least 1")
        return 2
    try:
        clock = FrozenClock(args.start or datetime.now().astimezone())
        policy = cw.presets.get(args.preset)
        # The engine opens the ledger's asyncio transport from the URL, and
        # closes it with ``async with``.
        engine = cw.AsyncEngine(policy, clock=clock, ledger=args.ledger)
    except (ValueError, cw.CallWindowError) as error:
        print(f"error: {error}")
        return 2
    jobs = [Job(campaign, contact) for contact in CONTACTS
            for campaign in range(1, args.campaigns + 1)]
    # One engine for every worker: it compiles each zone's calendar once for all.
    dialer = Dialer(engine, clock, args.quiet)

    async def run() -> None:
        async with engine:
            await dialer.run(jobs, args.workers, clock.now() + timedelta(days=args.days))

    asyncio.run(run())

    by_contact: dict[str, list[date]] = defaultdict(list)
    for call in dialer.calls:
        by_contact[call.contact].append(call.local_date)
    exceeded = False
    print(f"{len(dialer.calls)} calls placed by {args.workers} workers "
          f"for {args.campaigns} campaigns")
    for contact in CONTACTS:
        days = by_contact[contact.id]
        most = most_in_window(days, FR_DAYS)
        print(f"{contact.id:<11} {len(days):3} calls, at most {most} "
              f"in any {FR_DAYS} calendar days")
        exceeded = exceeded or most > FR_LIMIT
    return 1 if exceeded else 0


if __name__ == "__main__":
    raise SystemExit(main())
