"""A dialer loop: ask before every call, report how it ended, reschedule what is refused.

    python examples/dialer_loop.py --start 2026-11-23T10:00:00+01:00
    python examples/dialer_loop.py --start 2026-11-23T10:00:00+01:00 --contact fr-paris
    python examples/dialer_loop.py --ledger sqlite:///dialer-attempts.db --days 90
    python examples/dialer_loop.py --policy examples/fr-d223-9.yaml   # D223-9 alone

A queue of contacts (French and US numbers, below) is worked in simulated
time: the loop takes the contact due first, moves a ``FrozenClock`` to that
time, and asks ``engine.acquire(consumer)``.  When the call is allowed an
attempt is recorded (atomically with the check), the call is "placed" by
``place_call`` (a stub that plays each contact's scripted outcomes) and
``engine.set_outcome`` says how it ended; the contact comes back the next
day if its script goes on.  When the call is refused the contact is put
back at ``decision.next_allowed_at``, or dropped when that is ``None``
(no consent on file, an opt-out: never).  It stops when the queue is empty
or after ``--days`` simulated days.  One line per decision::

    Mon 2026-11-23 10:00 CET  fr-paris   allowed  (no_answer)
    Fri 2026-11-27 10:00 CET  fr-paris   refused  frequency_limit -> Wed 2026-12-23 10:00 CET

French numbers are judged by ``--preset`` (default ``FR``: D223-9 and, from
11 August 2026, the opt-in law: consent required, a refusal ends contact for
good), NANP numbers by ``--us-preset`` (default ``US``); both engines share
one ledger (``--ledger``, default ``memory://``; any ledger URL), as every
dialer process calling the same people must.  Exit code 0, 2 on bad input.

In production, two things change:

- the clock: build the engines without ``clock=`` (the system clock) and,
  instead of jumping the ``FrozenClock`` to the next due time, sleep until it
  (or poll the queue); ``acquire`` then judges the real "now".
- the call: replace ``place_call`` with your telephony API (originate the
  call, wait for its end, map its disposition to a ``cw.Outcome``).  Always
  call ``set_outcome``, even for a failure, so that a refusal starts its
  cooldown; an attempt left ``pending`` still counts towards the limits.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import callwindow as cw
from callwindow.testing import FrozenClock

#: When an answered-or-not call comes back, if its script goes on.
RETRY_AFTER = timedelta(days=1)
NO = cw.Outcome.NO_ANSWER
#: Countries (of the number) judged by French law: metropolitan France and the DROM.
FRENCH = ("FR", "GP", "MQ", "GF", "RE", "YT")
NANP_US = ("US",)


@dataclass
class Contact:
    """A row of the dialer's queue, with the outcomes its calls will have (the stub's script)."""

    id: str
    phone: str
    consent: bool = False
    region: str | None = None
    script: list[cw.Outcome] = field(default_factory=list)
    calls: int = 0

    def consumer(self) -> cw.Consumer:
        return cw.Consumer(id=self.id, phone=self.phone, consent=self.consent,
                           region=self.region)


def contacts() -> list[Contact]:
    """The queue: French numbers (with and without consent on file) and US ones."""
    return [
        Contact("fr-paris", "+33612345678", consent=True, script=[NO] * 5),
        Contact("fr-lyon", "+33478000001", consent=True,
                script=[NO, cw.Outcome.REFUSAL, cw.Outcome.CONVERSATION]),
        Contact("fr-nantes", "+33240000002", consent=False, script=[cw.Outcome.CONVERSATION]),
        Contact("fr-reunion", "+262692000003", consent=True,
                script=[cw.Outcome.VOICEMAIL, cw.Outcome.CONVERSATION]),
        Contact("us-florida", "+18505550123", consent=True, region="FL",
                script=[cw.Outcome.BUSY, cw.Outcome.CONVERSATION]),
        Contact("us-newyork", "+12125550142", consent=True, region="NY",
                script=[NO, NO, cw.Outcome.OPT_OUT]),
    ]


def place_call(contact: Contact) -> cw.Outcome:
    """The stub telephony API: the next outcome of the contact's script."""
    outcome = contact.script[contact.calls]
    contact.calls += 1
    return outcome


def local(decision: cw.Decision, when: datetime) -> str:
    """``when`` on the consumer's wall clock, in each candidate zone (all must allow)."""
    if not decision.timezones:
        return f"{when:%a %Y-%m-%d %H:%M} UTC"
    zones = [decision.local_times[zone].tzinfo for zone in decision.timezones]
    first, *others = [when.astimezone(zone) for zone in zones]
    return " / ".join([f"{first:%a %Y-%m-%d %H:%M %Z}", *(f"{t:%H:%M %Z}" for t in others)])


def run(queue: Sequence[Contact], engines: dict[str, cw.Engine], clock: FrozenClock,
        until: datetime) -> int:
    """Work the queue until it is empty or ``until``; returns the number of calls placed."""
    order = itertools.count()  # ties: first in, first out
    due = [(clock.now(), next(order), contact) for contact in queue]
    heapq.heapify(due)
    placed = 0
    while due and due[0][0] < until:
        when, _, contact = heapq.heappop(due)
        clock.set(when)
        consumer = contact.consumer()
        engine = engines.get(consumer.phone_country or "")
        if engine is None:
            print(f"{'':26} {contact.id:<11} dropped: no policy for this number's country")
            continue
        decision = engine.acquire(consumer)
        stamp = local(decision, when)
        if decision.allowed:
            assert decision.attempt_id is not None
            outcome = place_call(contact)  # production: your telephony API
            engine.set_outcome(decision.attempt_id, outcome)
            placed += 1
            more = contact.calls < len(contact.script)
            print(f"{stamp:26} {contact.id:<11} allowed  ({outcome.value})"
                  + ("" if more else "; script done"))
            if more:
                heapq.heappush(due, (when + RETRY_AFTER, next(order), contact))
            continue
        codes = ",".join(code.value for code in decision.codes)
        later = decision.next_allowed_at
        if later is None:
            print(f"{stamp:26} {contact.id:<11} refused  {codes} -> never: dropped")
            continue
        print(f"{stamp:26} {contact.id:<11} refused  {codes} -> {local(decision, later)}")
        heapq.heappush(due, (later, next(order), contact))
    return placed


def policy(preset: str | None, path: str | None) -> cw.Policy:
    return cw.Policy.from_file(path) if path else cw.presets.get(preset or "FR")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="FR", help="preset for French numbers (FR)")
    parser.add_argument("--policy", help="a policy file for French numbers, instead of --preset")
    parser.add_argument("--us-preset", default="US", help="preset for NANP numbers (US)")
    parser.add_argument("--ledger", default="memory://",
                        help="where attempts are kept (a ledger URL; default memory://)")
    parser.add_argument("--start", help="simulated start, ISO-8601 with an offset "
                                        "(default: now)")
    parser.add_argument("--days", type=float, default=90, help="simulated days to run (90)")
    parser.add_argument("--contact", action="append", default=[],
                        help="work only this contact id (repeatable)")
    args = parser.parse_args(argv)

    queue = [c for c in contacts() if not args.contact or c.id in args.contact]
    try:
        clock = FrozenClock(args.start or datetime.now().astimezone())
        ledger = cw.ledger_from_url(args.ledger)
        french = policy(args.preset, args.policy)
        us = cw.presets.get(args.us_preset)
    except (ValueError, KeyError, cw.CallWindowError) as error:
        print(f"error: {error}")
        return 2
    try:
        # One engine per jurisdiction, one ledger shared by both (and by every
        # other dialer process calling these people).
        fr_engine = cw.Engine(french, clock=clock, ledger=ledger)
        us_engine = cw.Engine(us, clock=clock, ledger=ledger)
        engines = dict.fromkeys(FRENCH, fr_engine) | dict.fromkeys(NANP_US, us_engine)
        placed = run(queue, engines, clock, clock.now() + timedelta(days=args.days))
    finally:
        ledger.close()
    print(f"{placed} calls placed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
