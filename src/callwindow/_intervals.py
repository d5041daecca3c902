"""Half-open intervals ``[start, end)`` of microseconds: intersect, subtract, merge.

Every list here is sorted by start and its intervals do not overlap; every
function returns such a list.  One home for this arithmetic, used by the
calendar tables (blackouts cut out of the open hours), ``Engine.windows``
(the zones' open hours intersected) and the history (refused stretches
subtracted).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["Span", "intersect", "merge", "subtract"]

Span = tuple[int, int]


def intersect(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """The instants in both ``a`` and ``b``."""
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(spans: Sequence[Span], cuts: Sequence[Span]) -> list[Span]:
    """The instants of ``spans`` in none of ``cuts``."""
    out: list[Span] = []
    j = 0
    for lo, hi in spans:
        while j < len(cuts) and cuts[j][1] <= lo:  # cuts wholly before this span
            j += 1
        k = j
        while lo < hi and k < len(cuts) and cuts[k][0] < hi:
            cut_lo, cut_hi = cuts[k]
            if lo < cut_lo:
                out.append((lo, cut_lo))
            lo = max(lo, cut_hi)
            k += 1
        if lo < hi:
            out.append((lo, hi))
    return out


def merge(spans: Iterable[Span]) -> list[Span]:
    """``spans`` (sorted by start, possibly overlapping or touching) as disjoint spans."""
    out: list[list[int]] = []
    for lo, hi in spans:
        if lo >= hi:
            continue
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]
