"""The SQL both relational ledgers share: one table of attempts, one of their keys."""

from __future__ import annotations

from collections.abc import Sequence

from .._frequency import Constraint, over_limit
from ._base import Matches

__all__ = ["ATTEMPTS", "KEYS", "count_query", "group_matches", "over_limit"]


ATTEMPTS = "callwindow_attempts"
KEYS = "callwindow_attempt_keys"


def count_query(constraints: Sequence[Constraint], mark: str, now: float
                ) -> tuple[str, list[object]]:
    """One statement that lists, per constraint, the times of the attempts it counts.

    ``mark`` is the driver's placeholder (``?`` or ``%s``); ``now`` the
    current time in epoch seconds (attempts that expired are not counted).
    Rows are ``(constraint index, time)``.
    """
    attempts, keys = ATTEMPTS, KEYS
    parts: list[str] = []
    params: list[object] = []
    for index, constraint in enumerate(constraints):
        sql = (f"SELECT {index}, a.ts FROM {keys} k JOIN {attempts} a ON a.id = k.attempt_id "
               f"WHERE k.key = {mark} AND k.ts >= {mark} "
               f"AND (a.expires IS NULL OR a.expires > {mark})")
        params += [constraint.key, constraint.since, now]
        if constraint.outcomes is not None:
            sql += f" AND a.outcome IN ({', '.join([mark] * len(constraint.outcomes))})"
            params += sorted(constraint.outcomes)
        for key in constraint.also:
            sql += (f" AND EXISTS (SELECT 1 FROM {keys} x WHERE x.attempt_id = a.id "
                    f"AND x.key = {mark})")
            params.append(key)
        parts.append(sql)
    return " UNION ALL ".join(parts), params


def group_matches(rows: Sequence[tuple[int, int]], count: int) -> Matches:
    """Rows of ``count_query`` as sorted times per constraint."""
    found: list[list[int]] = [[] for _ in range(count)]
    for index, ts in rows:
        found[index].append(int(ts))
    return tuple(tuple(sorted(times)) for times in found)
