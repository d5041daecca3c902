"""Every reason message callwindow writes: one home for the words of a refusal.

The engine decides; this module only says why, in words a compliance officer
can file.  Each function takes what was found (a closed calendar, a rule and
the attempts it counted, a missing consent) and returns a ``Reason``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._decision import Reason
from ._enums import ReasonCode
from ._errors import LedgerError
from ._models import Consent, Consumer, CooldownRule, LimitRule, Policy
from ._time import from_us, to_us

if TYPE_CHECKING:
    from datetime import date

    from ._calendar import Closure, ZoneCalendar
    from ._frequency import Rule

__all__ = ["closed", "consent_lapsed", "consent_required", "do_not_call_listed",
           "do_not_call_stale", "do_not_call_unchecked", "format_windows",
           "ledger_unavailable", "no_policy", "nobody_to_count", "rule_refuses",
           "unknown_timezone"]

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def closed(calendar: ZoneCalendar, closure: Closure) -> Reason:
    """Why ``calendar`` is closed: hours, a closed day, a holiday, a blackout, consent."""
    policy = calendar.schedule.policy
    local = closure.local
    clock = f"{local:%H:%M} on {_DAY_NAMES[local.weekday()]} {local:%Y-%m-%d}"
    where = f"in {calendar.zone_name}"
    if closure.code is ReasonCode.BLACKOUT:
        message = f"no calls are allowed at this time ({clock} {where}): {closure.blackout}"
    elif closure.code is ReasonCode.HOLIDAY:
        message = f"{local:%Y-%m-%d} is a public holiday {where} ({closure.holiday})"
        message += (f" and {local:%H:%M} is outside the holiday hours "
                    f"{format_windows(closure.windows)}" if closure.windows
                    else ", when no calls are allowed")
    elif closure.code is ReasonCode.CLOSED_DAY:
        message = f"no calls are allowed on {_DAY_NAMES[local.weekday()]}s ({clock} {where})"
    elif closure.in_window and calendar.schedule.buffer:
        message = (f"{clock} {where} is within the end buffer ({policy.end_buffer}) before "
                   f"the window closes ({format_windows(closure.windows)})")
    else:
        message = (f"{clock} {where} is outside the allowed hours "
                   f"{format_windows(closure.windows)}")
    return Reason(closure.code, message, policy.id, policy.source, calendar.zone_name, local)


def consent_required(policy: Policy, *, while_in_force: bool = False) -> Reason:
    """The policy needs the consumer's prior consent and none is recorded."""
    when = " while it is in force" if while_in_force else ""
    return Reason(ReasonCode.CONSENT_REQUIRED,
                  f"policy {policy.id!r} requires the consumer's prior consent{when}, "
                  f"and none is recorded", policy.id, policy.source)


def consent_lapsed(policy: Policy, consent: bool | Consent, t: int | None = None) -> Reason:
    """The policy needs a consent that counts at ``t``; the one recorded does not
    (none, undated where a validity is declared, given later, lapsed).  ``t`` is
    needed only for a dated consent."""
    in_force = policy.effective_from is not None or policy.effective_to is not None
    if consent is False:
        return consent_required(policy, while_in_force=in_force)
    needs = f"policy {policy.id!r} requires the consumer's prior consent"
    if consent is True:
        message = (f"{needs}, dated and at most {policy.consent_valid_for} old; the consent "
                   f"recorded has no date (record it as Consent(given_at=...))")
    else:
        assert isinstance(consent, Consent)
        given = consent.given_at.isoformat()
        proof = f" (proof {consent.proof!r})" if consent.proof else ""
        assert t is not None
        if t < to_us(consent.given_at):
            message = f"{needs}; the consent{proof} was given at {given}, after this call"
        else:
            ends = [(consent.expires_at, "its expiry")] if consent.expires_at else []
            lapse = policy.consent_lapses_at(consent.given_at)
            if lapse is not None:
                ends.append((lapse, f"the {policy.consent_valid_for} this policy lets a "
                                    f"consent last"))
            lapsed, why = min(ends, key=lambda end: end[0])
            message = (f"{needs}; the consent{proof} given at {given} lapsed at "
                       f"{lapsed.isoformat()} ({why})")
    return Reason(ReasonCode.CONSENT_REQUIRED, message, policy.id, policy.source)


def no_policy(consumer: Consumer, policies: Sequence[Policy], *, unplaced: bool) -> Reason:
    """No policy of the engine governs the consumer, or their place cannot be told."""
    ids = ", ".join(repr(policy.id) for policy in policies)
    if unplaced:
        message = (f"nothing places the consumer in a country (no country, region, phone "
                   f"number or time zone that says where), so it cannot be told which of "
                   f"the engine's policies ({ids}) govern them")
    else:
        places = ", ".join(sorted(consumer.countries))
        if consumer.region:
            places += f", region {consumer.region}"
        if consumer.phone_regions:
            places += f", area code of {'/'.join(consumer.phone_regions)}"
        message = (f"no policy of the engine ({ids}) governs the consumer's place "
                   f"({places})")
    return Reason(ReasonCode.NO_POLICY, message)


def unknown_timezone(policy: Policy) -> Reason:
    """No candidate zone, so the policy's local time cannot be judged."""
    return Reason(ReasonCode.UNKNOWN_TIMEZONE,
                  "no time zone is known for the consumer (no timezone, no phone number "
                  "that places them, no region of a multi-zone country), so the local "
                  "time cannot be judged", policy.id, policy.source)


def do_not_call_listed(registry: str, as_of: date, policy: Policy | None = None, *,
                       consent: bool = False) -> Reason:
    """The number is on a do-not-call list.  The number itself is not written: reasons
    go to audit records and logs, which hold no phone numbers."""
    unless = ("; consent would exempt it, and none that counts at this time is recorded"
              if consent else "")
    return Reason(ReasonCode.DO_NOT_CALL,
                  f"the number is on the {registry} list of {as_of.isoformat()}{unless}",
                  policy.id if policy else None, policy.source if policy else None)


def do_not_call_stale(registry: str, max_age: str | None, policy: Policy | None = None
                      ) -> Reason:
    """No list of the registry the policy names, obtained recently enough, is loaded."""
    newer = f" newer than {max_age}" if max_age else ""
    return Reason(ReasonCode.DO_NOT_CALL, f"no {registry} list{newer} is loaded",
                  policy.id if policy else None, policy.source if policy else None)


def do_not_call_unchecked(registries: str) -> Reason:
    """The consumer has no number that parses, so no list can be asked about it."""
    return Reason(ReasonCode.DO_NOT_CALL,
                  f"no phone number that parses is known for the consumer, so it cannot be "
                  f"checked against the {registries} list")


def ledger_unavailable(failure: LedgerError) -> Reason:
    """The attempt history could not be read (the call is refused: fail closed)."""
    return Reason(ReasonCode.LEDGER_UNAVAILABLE,
                  f"the attempt history could not be read, so the limits cannot be "
                  f"checked: {failure}")


def nobody_to_count(problem: str) -> Reason:
    """The consumer has neither an id nor a number that parses: nothing to count by."""
    return Reason(ReasonCode.FREQUENCY_LIMIT, problem)


def rule_refuses(rule: Rule, matches: Sequence[int], release: int | None,
                 zones: tuple[str, ...]) -> Reason:
    """Why a limit or cooldown refuses, from the attempts it counted."""
    source = rule.source_rule
    policy = rule.policy
    scope = " and ".join(rule.scopes)
    until = "never" if release is None else _iso(release)
    if isinstance(source, CooldownRule):
        outcomes = " or ".join(o.value for o in source.after)
        last = _iso(matches[-1])
        if source.period is None:
            message = (f"an attempt ended in {outcomes} at {last} (per {scope}); "
                       f"no further attempts are allowed")
        else:
            message = (f"an attempt ended in {outcomes} at {last} (per {scope}); "
                       f"no attempt for {source.period}{_window_words(source)} after it, "
                       f"until {until}")
    else:
        counted = ("attempts" if source.counts is None
                   else "attempts ending in " + " or ".join(o.value for o in source.counts)
                   + " (or still pending)")
        message = (f"{len(matches)} {counted} within {source.period}{_window_words(source)} "
                   f"per {scope}, and at most {source.max_attempts} are allowed; "
                   f"the oldest that counts stops counting at {until}")
    zone = zones[0] if len(zones) == 1 and source.window == "calendar_days" else None
    return Reason(rule.code, message, policy.id, policy.source, zone)


def format_windows(windows: Sequence[tuple[int, int]]) -> str:
    """Windows in minutes of the day as ``"10:00-13:00, 14:00-20:00"``."""
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}"
                     for s, e in windows)


def _iso(us: int) -> str:
    return from_us(us).isoformat()


def _window_words(rule: LimitRule | CooldownRule) -> str:
    if rule.window != "calendar_days":
        return ""
    if isinstance(rule, CooldownRule) and rule.day_one == "next_day":
        return " (whole local days, from the day after)"
    return " (whole local days, the first day counting as day 1)"
