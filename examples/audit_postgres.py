"""Keep every decision in the PostgreSQL database that holds the attempt ledger.

    python examples/audit_postgres.py postgresql://dialer@db.internal/calls

A compliance team wants each decision filed: when, whom, allowed or not, and
why.  ``Engine(..., on_decision=...)`` hands the hook each decision's audit
record (``Decision.to_dict()``) once the decision is made; ``AuditTable``
below appends it to a table ``callwindow_decisions`` of the same database as
the ledger (``callwindow_attempts``), one committed row per decision, the
record whole in a ``jsonb`` column.  If the insert fails, the engine logs the
error on the ``callwindow`` logger and the decision stands: the dialer is
never stopped by the audit.

The script acquires at Monday 23 November 2026, 10:30 in Paris for three
contacts (twice for one), then prints the rows it filed.  Needs the
``postgres`` extra (psycopg).  Exit code 0, 2 on a bad argument.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

import callwindow as cw
from callwindow.testing import FrozenClock

# --8<-- [start:hook]
SCHEMA = """
CREATE TABLE IF NOT EXISTS callwindow_decisions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decided_at  timestamptz NOT NULL,
    consumer_id text,
    allowed     boolean NOT NULL,
    record      jsonb NOT NULL
)
"""


class AuditTable:
    """An ``on_decision`` hook: one row per decision, committed at once."""

    def __init__(self, url: str) -> None:
        # Its own connection: the ledger's transactions and the audit's stay apart.
        # psycopg serialises the calls of several threads on one connection.
        self._connection = psycopg.connect(url, autocommit=True)
        self._connection.execute(SCHEMA)

    def __call__(self, record: dict[str, Any]) -> None:
        self._connection.execute(
            "INSERT INTO callwindow_decisions (decided_at, consumer_id, allowed, record)"
            " VALUES (%s, %s, %s, %s)",
            (record["at"], record["consumer_id"], record["allowed"], Jsonb(record)))

    def close(self) -> None:
        self._connection.close()
# --8<-- [end:hook]


POLICY = cw.Policy.model_validate({
    "id": "weekdays-4-a-month",
    "hours": {day: ["10:00-13:00", "14:00-20:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    "limits": [{"max_attempts": 4, "period": "P30D", "window": "calendar_days"}],
})
CONTACTS = (
    cw.Consumer(id="fr-paris", phone="+33612345678"),
    cw.Consumer(id="fr-paris", phone="+33612345678"),
    cw.Consumer(id="us-nyc", timezone="America/New_York"),  # 04:30 there
    cw.Consumer(id="fr-lyon", timezone="Europe/Paris"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the PostgreSQL database of the ledger (postgresql://...)")
    args = parser.parse_args()
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")  # hook errors show here

    audit = AuditTable(args.url)
    clock = FrozenClock("2026-11-23T10:30:00+01:00")
    with cw.Engine(POLICY, ledger=args.url, clock=clock, on_decision=audit) as engine:
        for consumer in CONTACTS:
            decision = engine.acquire(consumer)
            codes = ", ".join(decision.codes) or "-"
            print(f"{consumer.id:10} {'allowed' if decision.allowed else 'refused'} {codes}")

    with psycopg.connect(args.url) as connection:
        rows = connection.execute(
            "SELECT consumer_id, allowed, record->'reasons'->0->>'code',"
            " record->'local_times' FROM callwindow_decisions ORDER BY id").fetchall()
    print(f"{len(rows)} rows in callwindow_decisions:")
    for consumer_id, allowed, code, local_times in rows:
        clocks = ", ".join(f"{zone} {at[11:16]}" for zone, at in local_times.items())
        print(f"  {consumer_id:10} allowed={allowed!s:5} {code or '-':14} {clocks}")
    audit.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
