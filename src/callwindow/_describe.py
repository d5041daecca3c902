"""Policies in words, for the CLI and the generated presets page."""

from __future__ import annotations

from ._models import DAY_KEYS, Policy

__all__ = ["hours_lines"]


def hours_lines(policy: Policy) -> list[str]:
    """One line per run of days with the same hours (``mon-fri 10:00-13:00, 14:00-20:00``),
    then the day-before-a-holiday hours if any; ``[]`` when there is no hour rule."""
    if policy.hours is None:
        return []
    groups: list[tuple[list[str], str]] = []
    for day in DAY_KEYS:
        windows = ", ".join(policy.hours.get(day, ())) or "closed"
        if groups and groups[-1][1] == windows:
            groups[-1][0].append(day)
        else:
            groups.append(([day], windows))
    lines = [f"{days[0]}-{days[-1]} {windows}" if len(days) > 1 else f"{days[0]} {windows}"
             for days, windows in groups]
    if "pre_holiday" in policy.hours:
        lines.append("day before a holiday " + ", ".join(policy.hours["pre_holiday"]))
    return lines
