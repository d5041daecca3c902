"""The ledger benchmarks' workload, in one place (bench_ledgers, bench_async,
bench_pg_threads): a France-like policy with no calling hours, so that every
acquire reaches the ledger, 4 attempts in 30 calendar days and 60 days after
a refusal."""

from __future__ import annotations

import callwindow as cw

LEDGER_POLICY = cw.Policy.model_validate({
    "id": "fr-like-limits",
    "limits": [{"max_attempts": 4, "period": "P30D", "window": "calendar_days"}],
    "cooldowns": [{"after": ["refusal"], "period": "P60D", "window": "calendar_days",
                   "day_one": "next_day"}],
})
