"""May this number be called now under a policy file?  Prints the decision.

    python examples/check_now.py --phone +33612345678
    python examples/check_now.py --phone +18505550123 --at 2026-11-23T13:30:00Z \
        --policy examples/fr-d223-9.yaml
    python examples/check_now.py --acquire --at 2026-11-23T10:30:00+01:00   # run it 5 times

Attempts are kept in a SQLite file (``--ledger``, default
``callwindow-attempts.db`` here), so limits hold across runs and processes:
with ``--acquire`` each allowed run records an attempt, and the fifth within
30 days is refused.  Exit code: 0 allowed, 1 refused, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import callwindow as cw

HERE = Path(__file__).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", default=str(HERE / "fr-d223-9.yaml"),
                        help="a policy file (.yaml, .toml or .json)")
    parser.add_argument("--phone", default="+33612345678", help="the number to call")
    parser.add_argument("--timezone", action="append", default=[],
                        help="a zone the consumer may be in (repeatable)")
    parser.add_argument("--region", help="holiday subdivision / state of the address")
    parser.add_argument("--at", help="ISO-8601 instant with an offset (default: now)")
    parser.add_argument("--json", action="store_true", help="print the audit record")
    parser.add_argument("--ledger", default="sqlite:///callwindow-attempts.db",
                        help="where attempts are kept (a ledger URL)")
    parser.add_argument("--acquire", action="store_true",
                        help="record an attempt when the call is allowed")
    args = parser.parse_args()

    try:
        with cw.Engine(cw.Policy.from_file(args.policy), ledger=args.ledger) as engine:
            consumer = cw.Consumer(id="example", phone=args.phone, timezone=args.timezone,
                                   region=args.region)
            decide = engine.acquire if args.acquire else engine.check
            decision = decide(consumer, args.at)
    except (ValueError, cw.CallWindowError) as error:
        print(f"error: {error}")
        return 2
    if args.json:
        print(json.dumps(decision.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(decision.explain())
        if decision.attempt_id:
            print(f"  attempt recorded: {decision.attempt_id}")
        for zone, local in decision.local_times.items():
            print(f"  local time in {zone}: {local:%A %Y-%m-%d %H:%M %Z}")
        if decision.next_allowed_at is not None and not decision.allowed:
            for zone in decision.timezones:
                local = decision.next_allowed_at.astimezone(ZoneInfo(zone))
                print(f"  next allowed in {zone}: {local:%A %Y-%m-%d %H:%M %Z}")
    return 0 if decision.allowed else 1


if __name__ == "__main__":
    raise SystemExit(main())
