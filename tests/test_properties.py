"""Invariants of docs/design.md, checked by hypothesis over random policies, zones and instants.

The oracle is a deliberately naive stdlib evaluator: convert the instant to
the zone's wall clock and look the minute up in that day's windows.  It
agrees with the engine's semantics everywhere except inside a repeated
(fold) hour, where the engine takes the narrower reading on purpose; those
instants are left to the golden tables.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import callwindow as cw

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ZONES = (
    "Europe/Paris", "America/New_York", "America/Los_Angeles", "Australia/Sydney",
    "Australia/Lord_Howe",   # 30-minute DST shift
    "America/St_Johns",      # UTC-03:30
    "Pacific/Chatham",       # UTC+12:45 / +13:45
    "America/Santiago", "Africa/Casablanca", "Asia/Kolkata", "Pacific/Kiritimati", "UTC",
)
EPOCH_2025 = datetime(2025, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)

settings.register_profile("callwindow", deadline=None, max_examples=150,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("callwindow")


@st.composite
def day_windows(draw: st.DrawFn) -> list[str]:
    cuts = draw(st.lists(st.integers(0, 96), min_size=0, max_size=6, unique=True))
    cuts.sort()
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    return [f"{s * 15 // 60:02d}:{s * 15 % 60:02d}-{e * 15 // 60:02d}:{e * 15 % 60:02d}"
            for s, e in pairs]


@st.composite
def policies(draw: st.DrawFn) -> cw.Policy:
    hours = {day: draw(day_windows()) for day in DAYS}
    holidays = draw(st.sampled_from([None, {"country": "FR"}, {"country": "US"}]))
    return cw.Policy.model_validate({"id": "random", "hours": hours, "holidays": holidays})


instants = st.integers(0, 3 * 366 * 24 * 3600).map(
    lambda s: EPOCH_2025 + timedelta(seconds=s))
zones = st.sampled_from(ZONES)


def oracle(policy: cw.Policy, zone: str, at: datetime) -> bool:
    """Naive wall-clock evaluation in one zone (no end buffer, no effective dates)."""
    import holidays

    local = at.astimezone(ZoneInfo(zone))
    assert policy.hours is not None
    windows = policy.hours.get(DAYS[local.weekday()], ())
    if policy.holidays is not None:
        calendar = holidays.country_holidays(policy.holidays.country, years=local.year)
        if local.date() in calendar:
            windows = policy.hours.get("holiday", ())
    minute = local.hour * 60 + local.minute
    for text in windows:
        start, end = text.split("-")
        sh, sm = map(int, start.split(":"))
        eh, em = map(int, end.split(":"))
        if sh * 60 + sm <= minute < eh * 60 + em:
            return True
    return False


def in_fold(zone: str, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(zone))
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset()


def near_fold(zone: str, at: datetime) -> bool:
    # Within a day of a repeated hour, windows ending or starting there are
    # narrowed; the oracle does not model that.
    return any(in_fold(zone, at + timedelta(hours=h)) for h in range(-26, 27))


@given(policy=policies(), zone=zones, at=instants)
def test_check_agrees_with_a_naive_wall_clock_oracle(policy: cw.Policy, zone: str,
                                                       at: datetime) -> None:
    assume(not near_fold(zone, at))
    consumer = cw.Consumer(id="c", timezone=zone)
    assert cw.Engine(policy).check(consumer, at).allowed is oracle(policy, zone, at)


@given(policy=policies(), zone_set=st.lists(zones, min_size=1, max_size=3, unique=True),
       at=instants)
def test_next_allowed_is_allowed_and_minimal(policy: cw.Policy, zone_set: list[str],
                                             at: datetime) -> None:
    engine = cw.Engine(policy)
    consumer = cw.Consumer(id="c", timezone=zone_set)
    assert_next_allowed_is_allowed_and_minimal(engine, consumer, at)


def assert_next_allowed_is_allowed_and_minimal(engine: cw.Engine, consumer: cw.Consumer,
                                               at: datetime) -> None:
    """``next_allowed_at`` is the decision's, is allowed, and nothing before it is."""
    found = engine.next_allowed_at(consumer, at)
    decision = engine.check(consumer, at)
    assert decision.next_allowed_at == found
    if found is None:
        assert not decision.allowed
        return
    assert found >= at
    assert engine.check(consumer, found).allowed
    if found > at:
        assert not decision.allowed
        assert not engine.check(consumer, found - ONE_US).allowed
        assert engine.windows(consumer, at, found) == []


@given(policy=policies(), zone_set=st.lists(zones, min_size=1, max_size=3, unique=True),
       start=instants, hours=st.integers(1, 24 * 9),
       probes=st.lists(st.floats(0, 1), min_size=1, max_size=8))
@settings(max_examples=100)
def test_windows_agree_with_check(policy: cw.Policy, zone_set: list[str], start: datetime,
                                  hours: int, probes: list[float]) -> None:
    engine = cw.Engine(policy)
    consumer = cw.Consumer(id="c", timezone=zone_set)
    end = start + timedelta(hours=hours)
    spans = engine.windows(consumer, start, end)
    for (a, b), (c, _) in itertools.pairwise(spans):
        assert a < b < c   # sorted, disjoint, not touching (merged)
    for a, b in spans:
        assert start <= a < b <= end
        assert engine.check(consumer, a).allowed
        assert engine.check(consumer, b - ONE_US).allowed
        if a > start:
            assert not engine.check(consumer, a - ONE_US).allowed
        if b < end:
            assert not engine.check(consumer, b).allowed
    for fraction in probes:
        probe = start + (end - start) * fraction
        if probe >= end:
            continue
        inside = any(a <= probe < b for a, b in spans)
        assert engine.check(consumer, probe).allowed is inside


@given(policy=policies(), zone_set=st.lists(zones, min_size=2, max_size=4, unique=True),
       at=instants)
def test_several_zones_allow_only_what_every_zone_allows(policy: cw.Policy,
                                                         zone_set: list[str],
                                                         at: datetime) -> None:
    engine = cw.Engine(policy)
    together = engine.check(cw.Consumer(id="c", timezone=zone_set), at)
    alone = [engine.check(cw.Consumer(id="c", timezone=zone), at) for zone in zone_set]
    assert together.allowed is all(d.allowed for d in alone)
    refused_in = {r.timezone for r in together.reasons}
    assert refused_in == {zone for zone, d in zip(zone_set, alone, strict=True)
                          if not d.allowed}


@given(zone=zones, day=st.dates(date(2025, 1, 1), date(2027, 12, 31)))
def test_whole_day_policy_covers_every_instant_of_every_local_day(zone: str,
                                                                  day: date) -> None:
    # However long the local day (23, 24 or 25 hours), 00:00-24:00 every day
    # leaves no instant closed.
    engine = cw.Engine(cw.Policy.model_validate(
        {"id": "always", "hours": {d: ["00:00-24:00"] for d in DAYS}}))
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    consumer = cw.Consumer(id="c", timezone=zone)
    assert engine.windows(consumer, start, start + timedelta(days=2)) == [
        (start, start + timedelta(days=2))]
