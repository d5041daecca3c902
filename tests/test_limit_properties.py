"""Invariants of limits and cooldowns, by hypothesis, over random histories.

- ``check`` agrees with a naive oracle that counts attempts by clock time or
  by local dates in every zone, written here from the rules' wording;
- ``next_allowed_at`` is allowed and minimal, with hours and history together;
- ``windows`` agree with ``check``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

import callwindow as cw
from test_properties import assert_next_allowed_is_allowed_and_minimal
from test_properties import policies as hour_policies

OUTCOMES = ("no_answer", "voicemail", "conversation", "refusal", "opt_out")
ZONES = ("Europe/Paris", "America/New_York", "America/Los_Angeles", "Australia/Sydney",
         "Pacific/Chatham", "Asia/Kolkata")
START = datetime(2026, 3, 1, tzinfo=UTC)  # histories span the March DST changes
ONE_US = timedelta(microseconds=1)


@st.composite
def limit_rules(draw: st.DrawFn) -> dict[str, object]:
    window = draw(st.sampled_from(["rolling", "calendar_days"]))
    days = draw(st.integers(1, 10))
    period = f"P{days}D" if window == "calendar_days" or draw(st.booleans()) else (
        f"PT{draw(st.integers(1, 72))}H")
    counts = draw(st.one_of(st.none(), st.lists(st.sampled_from(OUTCOMES), min_size=1,
                                                max_size=3, unique=True)))
    return {"max_attempts": draw(st.integers(1, 4)), "period": period, "window": window,
            "counts": counts}


@st.composite
def cooldown_rules(draw: st.DrawFn) -> dict[str, object]:
    window = draw(st.sampled_from(["rolling", "calendar_days"]))
    period = draw(st.one_of(st.none(), st.integers(1, 9).map(lambda d: f"P{d}D")))
    return {"after": draw(st.lists(st.sampled_from(OUTCOMES), min_size=1, max_size=2,
                                   unique=True)),
            "period": period, "window": window,
            "day_one": (draw(st.sampled_from(["event", "next_day"]))
                        if window == "calendar_days" else "event")}


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[datetime, str]]:
    moments = draw(st.lists(st.integers(0, 10 * 24 * 60), max_size=12))
    return [(START + timedelta(minutes=m), draw(st.sampled_from(OUTCOMES))) for m in moments]


@st.composite
def cases(draw: st.DrawFn, with_hours: bool) -> tuple[cw.Policy, cw.Consumer,
                                                      list[tuple[datetime, str]]]:
    fields: dict[str, object] = {"id": "random"}
    if with_hours:
        fields = dict(draw(hour_policies()).model_dump(exclude_none=True))
    fields["limits"] = draw(st.lists(limit_rules(), max_size=2))
    fields["cooldowns"] = draw(st.lists(cooldown_rules(), max_size=2))
    zones = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=2, unique=True))
    consumer = cw.Consumer(id="p", timezone=zones)
    return cw.Policy.model_validate(fields), consumer, draw(histories())


def engine_with(policy: cw.Policy, consumer: cw.Consumer,
                history: list[tuple[datetime, str]]) -> cw.Engine:
    engine = cw.Engine(policy)
    for at, outcome in history:
        engine.record(consumer, at=at, outcome=outcome)
    return engine


def local_date(at: datetime, zone: str) -> date:
    return at.astimezone(ZoneInfo(zone)).date()


def refused_by_history(policy: cw.Policy, consumer: cw.Consumer,
                       history: list[tuple[datetime, str]], at: datetime) -> bool:
    """The rules as worded: attempts recorded so far, counted back from ``at``."""
    for limit in policy.limits:
        counted = [t for t, outcome in history
                   if limit.counts is None or outcome in limit.counts]
        if limit.window == "rolling":
            span = timedelta(seconds=limit.period_seconds)
            if sum(1 for t in counted if t > at - span) >= limit.max_attempts:
                return True
        else:  # the last N local dates, today being day 1, in some candidate zone
            days = limit.period_seconds // 86400
            for zone in consumer.timezone:
                today = local_date(at, zone)
                recent = [t for t in counted if (today - local_date(t, zone)).days < days]
                if len(recent) >= limit.max_attempts:
                    return True
    for cooldown in policy.cooldowns:
        events = [t for t, outcome in history if outcome in cooldown.after]
        if cooldown.period_seconds is None:  # never again
            if events:
                return True
            continue
        span = timedelta(seconds=cooldown.period_seconds)
        if cooldown.window == "rolling":
            if any(t > at - span for t in events):
                return True
        else:
            days = cooldown.period_seconds // 86400 + (cooldown.day_one == "next_day")
            for zone in consumer.timezone:
                today = local_date(at, zone)
                if any((today - local_date(t, zone)).days < days for t in events):
                    return True
    return False


instants = st.integers(0, 40 * 24 * 60).map(lambda m: START + timedelta(minutes=m))


def edges(policy: cw.Policy, consumer: cw.Consumer,
          history: list[tuple[datetime, str]]) -> list[datetime]:
    """Where counts change: an attempt plus a period, or a local midnight that many
    days after it, and a microsecond either side."""
    periods = [limit.period_seconds for limit in policy.limits]
    periods += [c.period_seconds for c in policy.cooldowns if c.period_seconds is not None]
    found = []
    for at, _ in history:
        for seconds in periods:
            days = seconds // 86400
            found.append(at + timedelta(seconds=seconds))
            for zone in consumer.timezone:
                for shift in (days - 1, days, days + 1):
                    midnight = datetime.combine(local_date(at, zone) + timedelta(days=shift),
                                                datetime.min.time(), ZoneInfo(zone))
                    found.append(midnight.astimezone(UTC))
    return [edge + delta for edge in found for delta in (-ONE_US, timedelta(0), ONE_US)]


@given(cases(with_hours=False), instants)
def test_check_agrees_with_the_rules_as_worded(
        case: tuple[cw.Policy, cw.Consumer, list[tuple[datetime, str]]], at: datetime) -> None:
    policy, consumer, history = case
    engine = engine_with(policy, consumer, history)
    for probe in [at, *edges(policy, consumer, history)]:
        expected = not refused_by_history(policy, consumer, history, probe)
        assert engine.check(consumer, probe).allowed is expected, probe


@given(cases(with_hours=True), instants)
def test_next_allowed_at_is_allowed_and_minimal(
        case: tuple[cw.Policy, cw.Consumer, list[tuple[datetime, str]]], at: datetime) -> None:
    policy, consumer, history = case
    engine = engine_with(policy, consumer, history)
    assert_next_allowed_is_allowed_and_minimal(engine, consumer, at)


@given(cases(with_hours=True), instants, st.lists(st.floats(0, 1), min_size=1, max_size=8))
def test_windows_agree_with_check(
        case: tuple[cw.Policy, cw.Consumer, list[tuple[datetime, str]]], at: datetime,
        fractions: list[float]) -> None:
    policy, consumer, history = case
    engine = engine_with(policy, consumer, history)
    end = at + timedelta(days=12)
    spans = engine.windows(consumer, at, end)
    probes = [at + (end - at) * f for f in fractions]
    probes += [edge for start, stop in spans for edge in (start, stop - ONE_US)]
    for probe in probes:
        if not at <= probe < end:
            continue
        inside = any(start <= probe < stop for start, stop in spans)
        assert engine.check(consumer, probe).allowed is inside, probe
