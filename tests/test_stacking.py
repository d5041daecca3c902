"""Stacks, applies_to, blackouts and pre-holiday hours: hand-written cases.

Every expected instant is written as a literal, worked out from the rule and
a calendar in the comment beside it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import callwindow as cw
from callwindow.testing import policy

EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


FEDERAL = policy(id="federal", hours={day: ["08:00-21:00"] for day in EVERY_DAY})
FLORIDA = policy(
    id="florida",
    hours={day: ["08:00-20:00"] for day in EVERY_DAY},
    limits=[{"max_attempts": 3, "period": "PT24H"}],
    applies_to={"country": "US", "regions": ["FL"], "by_phone": True},
)
TEXAS_BY_ADDRESS = policy(
    id="texas",
    hours={day: ["09:00-21:00"] for day in EVERY_DAY},
    applies_to={"country": "US", "regions": ["TX"]},
)
NATION = policy(id="nation", stack=[FEDERAL, FLORIDA, TEXAS_BY_ADDRESS])

# Monday 9 November 2026, 20:30 EST: after Florida's 20:00, before 21:00.
EVENING = "2026-11-09T20:30:00-05:00"


@pytest.mark.parametrize(("consumer", "allowed", "policies"), [
    # A Miami number: Florida presumes residence from the area code.
    (cw.Consumer(id="a", phone="+13055550123"), False, ("nation", "federal", "florida")),
    # A New York number with a Florida address: the address brings Florida in.
    (cw.Consumer(id="b", phone="+12125550123", region="FL"), False,
     ("nation", "federal", "florida")),
    # A New York number, no address: federal hours only.
    (cw.Consumer(id="c", phone="+12125550123"), True, ("nation", "federal")),
    # A Dallas number: Texas (here) applies by address only, not by area code.
    (cw.Consumer(id="d", phone="+12145550123", timezone="America/New_York"), True,
     ("nation", "federal")),
])
def test_a_stack_judges_each_consumer_by_the_policies_that_reach_them(
        consumer: cw.Consumer, allowed: bool, policies: tuple[str, ...]) -> None:
    decision = cw.Engine(NATION).check(consumer, EVENING)
    assert decision.allowed is allowed
    assert decision.policy_ids == policies
    if not allowed:
        assert decision.codes == (cw.ReasonCode.OUTSIDE_HOURS,)
        assert decision.reasons[0].policy_id == "florida"


def test_limits_apply_only_where_their_policy_does() -> None:
    engine = cw.Engine(NATION)
    miami = cw.Consumer(id="m", phone="+13055550123")
    new_york = cw.Consumer(id="n", phone="+12125550123")
    for hour in ("09", "12", "15"):
        assert engine.acquire(miami, f"2026-11-09T{hour}:00:00-05:00").allowed
        assert engine.acquire(new_york, f"2026-11-09T{hour}:00:00-05:00").allowed
    # Florida's 3 per 24 hours stops the Miami consumer, not the New Yorker.
    assert engine.acquire(miami, "2026-11-09T16:00:00-05:00").codes == (
        cw.ReasonCode.FREQUENCY_LIMIT,)
    assert engine.acquire(new_york, "2026-11-09T16:00:00-05:00").allowed


def test_texas_by_address_with_a_texas_region() -> None:
    # A New York number, a Texas address: Texas spans Central and Mountain time
    # (El Paso), so the zones are New York, Chicago and Denver.
    texan = cw.Consumer(id="t", phone="+12125550123", region="TX")
    # 09:30 CST is 10:30 EST and 08:30 MST: federal hours allow it everywhere
    # (from 08:00), Texas's 09:00 not yet in Denver ...
    decision = cw.Engine(NATION).check(texan, "2026-11-09T09:30:00-06:00")
    assert decision.codes == (cw.ReasonCode.OUTSIDE_HOURS,)
    assert {reason.policy_id for reason in decision.reasons} == {"texas"}
    # ... until 09:00 MST, 16:00 UTC.
    assert decision.next_allowed_at is not None
    assert decision.next_allowed_at.isoformat() == "2026-11-09T16:00:00+00:00"


def test_a_region_of_another_country_does_not_bring_a_state_in() -> None:
    # WA is Washington in the US and Western Australia: an Australian number
    # with region WA is not in Washington.
    washington = policy(id="wa", hours={"mon": ["08:00-09:00"]},
                        applies_to={"country": "US", "regions": ["WA"]})
    perth = cw.Consumer(id="p", phone="+61892345678", region="WA")
    assert cw.Engine(washington).check(perth, "2026-11-09T12:00:00+08:00").policy_ids == ()


LOUISIANA = policy(id="louisiana", hours={day: ["08:00-20:00"] for day in EVERY_DAY},
                   holidays={"country": "US"})
EMERGENCY = {"start": "2026-08-27T00:00:00-05:00", "end": "2026-09-10T00:00:00-05:00",
             "reason": "state of emergency declared by the governor"}


def test_a_blackout_refuses_inside_and_opens_at_its_end() -> None:
    engine = cw.Engine(LOUISIANA.with_blackouts([EMERGENCY]))
    person = cw.Consumer(id="la", phone="+15045550123")  # New Orleans, Central time
    inside = engine.check(person, "2026-09-01T10:00:00-05:00")
    assert inside.codes == (cw.ReasonCode.BLACKOUT,)
    assert "state of emergency" in inside.reasons[0].message
    # The blackout ends at midnight on Thursday 10 September; the day opens at 08:00.
    assert inside.next_allowed_at is not None
    assert inside.next_allowed_at.isoformat() == "2026-09-10T13:00:00+00:00"
    assert not engine.check(person, "2026-09-09T19:59:00-05:00").allowed
    assert engine.check(person, "2026-09-10T08:00:00-05:00").allowed
    assert engine.check(person, "2026-08-26T19:59:00-05:00").allowed


def test_a_blackout_only_policy_refuses_a_consumer_with_no_zone() -> None:
    # A blackout is a period of the called person's place, judged like hours: with
    # no zone at all the engine cannot say the consumer is outside it (fail closed).
    only = policy(id="only-blackouts", blackouts=[EMERGENCY])
    engine = cw.Engine(only)
    nowhere = cw.Consumer(id="x")
    assert engine.check(nowhere, "2026-09-10T05:00:00+00:00").codes == (
        cw.ReasonCode.UNKNOWN_TIMEZONE,)
    chicago = cw.Consumer(id="y", timezone="America/Chicago")
    assert engine.check(chicago, "2026-09-01T10:00:00-05:00").codes == (
        cw.ReasonCode.BLACKOUT,)
    assert engine.check(chicago, "2026-09-10T05:00:00+00:00").allowed


def test_blackouts_load_from_a_file_and_reach_the_named_preset(tmp_path: Path) -> None:
    path = tmp_path / "emergencies.yaml"
    path.write_text("FR:\n  - start: 2026-11-24T00:00:00+01:00\n"
                    "    end: 2026-11-25T00:00:00+01:00\n    reason: national mourning\n")
    loaded = cw.presets.load_blackouts(path)
    engine = cw.Engine(cw.presets.get("FR", blackouts=loaded))
    paris = cw.Consumer(id="fr", phone="+33612345678", consent=True)
    assert engine.check(paris, "2026-11-24T10:30:00+01:00").codes == (cw.ReasonCode.BLACKOUT,)
    assert engine.check(paris, "2026-11-25T10:30:00+01:00").allowed
    assert cw.Engine(cw.presets.get("FR")).check(paris, "2026-11-24T10:30:00+01:00").allowed


@pytest.mark.parametrize(("text", "problem"), [
    ("FR:\n  - start: 2026-11-24T00:00:00\n    end: 2026-11-25T00:00:00+01:00\n"
     "    reason: r\n", "start"),
    ("FR:\n  - start: 2026-11-25T00:00:00+01:00\n    end: 2026-11-24T00:00:00+01:00\n"
     "    reason: r\n", "not after"),
    ("FR: 3\n", "list of periods"),
])
def test_a_bad_blackout_file_is_named(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(cw.PolicyError, match=problem):
        cw.presets.load_blackouts(path)


def test_blackouts_for_an_unknown_preset_are_refused() -> None:
    with pytest.raises(cw.PolicyError, match="XX-NOPE"):
        cw.presets.get("FR", blackouts={"XX-NOPE": [EMERGENCY]})


# The Garante code: weekdays 09:00-20:00, Saturdays and the day before a holiday
# 10:00-19:00, nothing on Sundays and holidays.
GARANTE_LIKE = policy(
    id="garante-like",
    hours={**{day: ["09:00-20:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
           "sat": ["10:00-19:00"], "pre_holiday": ["10:00-19:00"]},
    holidays={"country": "IT"},
)
ROME = cw.Consumer(id="it", timezone="Europe/Rome")


@pytest.mark.parametrize(("at", "allowed"), [
    # Monday 7 December 2026 is the eve of the Immaculate Conception (Tue 8 Dec).
    ("2026-12-07T09:30:00+01:00", False),   # before the eve's 10:00
    ("2026-12-07T10:00:00+01:00", True),
    ("2026-12-07T18:59:00+01:00", True),
    ("2026-12-07T19:00:00+01:00", False),   # the eve closes at 19:00, not 20:00
    ("2026-12-08T12:00:00+01:00", False),   # the holiday itself
    ("2026-12-09T19:30:00+01:00", True),    # an ordinary Wednesday: until 20:00
    ("2026-12-05T10:00:00+01:00", True),    # Saturday
    ("2026-12-06T12:00:00+01:00", False),   # Sunday
])
def test_pre_holiday_hours(at: str, allowed: bool) -> None:
    assert cw.Engine(GARANTE_LIKE).check(ROME, at).allowed is allowed


def test_a_closed_day_before_a_holiday_stays_closed() -> None:
    # Sunday 7 December 2025 is the eve of the Immaculate Conception (Monday
    # 8 December): a Sunday, closed, and the eve's hours do not open it.
    engine = cw.Engine(GARANTE_LIKE)
    assert not engine.check(ROME, "2025-12-07T12:00:00+01:00").allowed
    # Monday 1 June 2026, eve of Republic Day (Tuesday 2 June): 10:00-19:00.
    assert not engine.check(ROME, "2026-06-01T09:30:00+02:00").allowed
    assert engine.check(ROME, "2026-06-01T18:30:00+02:00").allowed
    assert not engine.check(ROME, "2026-06-01T19:30:00+02:00").allowed


def test_one_policy_reached_twice_is_judged_once() -> None:
    engine = cw.Engine([NATION, FEDERAL])
    decision = engine.check(cw.Consumer(id="c", phone="+12125550123"), EVENING)
    assert decision.policy_ids == ("nation", "federal")


def test_stack_and_blackouts_survive_a_round_trip_through_json() -> None:
    louisiana = LOUISIANA.with_blackouts([EMERGENCY])
    again = cw.Policy.model_validate_json(policy(id="s", stack=[louisiana]).model_dump_json())
    assert again.stack[0].blackouts[0].reason == EMERGENCY["reason"]
