"""Policies in words, for the CLI and the generated presets page."""

from __future__ import annotations

from ._models import DAY_KEYS, Policy

__all__ = ["do_not_call_text", "hours_lines"]


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


def do_not_call_text(policy: Policy) -> str | None:
    """``a US-DNC list at most P31D old (consent exempts)``, or ``None`` without a rule."""
    rule = policy.do_not_call
    if rule is None:
        return None
    age = f" at most {rule.max_age} old" if rule.max_age else ""
    consent = "exempts" if rule.consent_exempts else "does not exempt"
    return f"a {rule.registry} list{age} (consent {consent})"
