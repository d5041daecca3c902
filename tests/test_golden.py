"""Golden tables: open intervals and decisions written by hand from the calendar.

Every expected instant below was worked out on paper from the tz rules and the
holiday calendar (the comments show the arithmetic), never by running the code.
"""

from __future__ import annotations

from datetime import datetime

import pytest

import callwindow as cw
from callwindow.testing import policy

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = (*WEEKDAYS, "sat", "sun")


def utc(text: str) -> datetime:
    """An ISO instant written with 'Z', as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def spans(engine: cw.Engine, consumer: cw.Consumer, start: str, end: str) -> list[tuple[str, str]]:
    return [(a.strftime("%Y-%m-%dT%H:%MZ"), b.strftime("%Y-%m-%dT%H:%MZ"))
            for a, b in engine.windows(consumer, start, end)]


FRANCE = policy(
    id="fr-test",
    source="Code de la consommation D223-9",
    hours={day: ["10:00-13:00", "14:00-20:00"] for day in WEEKDAYS},
    holidays={"country": "FR"},
)
PARIS = cw.Consumer(id="c-paris", timezone="Europe/Paris")


# -- split windows, half-open ends --------------------------------------------------

@pytest.mark.parametrize(("at", "allowed"), [
    ("2026-11-23T09:59:59+01:00", False),   # Monday, one second before opening
    ("2026-11-23T10:00:00+01:00", True),    # opening minute is allowed
    ("2026-11-23T12:59:59.999999+01:00", True),
    ("2026-11-23T13:00:00+01:00", False),   # lunch break: 13:00 is refused
    ("2026-11-23T13:59:59+01:00", False),
    ("2026-11-23T14:00:00+01:00", True),
    ("2026-11-23T19:59:59+01:00", True),
    ("2026-11-23T20:00:00+01:00", False),   # half-open: 20:00:00 is refused
    ("2026-11-21T11:00:00+01:00", False),   # Saturday
    ("2026-11-22T11:00:00+01:00", False),   # Sunday
])
def test_france_split_windows_are_half_open(at: str, allowed: bool) -> None:
    assert cw.Engine(FRANCE).check(PARIS, at).allowed is allowed


def test_france_windows_on_a_monday_in_winter() -> None:
    # CET is UTC+1: 10:00-13:00 -> 09:00-12:00Z, 14:00-20:00 -> 13:00-19:00Z.
    assert spans(cw.Engine(FRANCE), PARIS, "2026-11-23T00:00Z", "2026-11-24T00:00Z") == [
        ("2026-11-23T09:00Z", "2026-11-23T12:00Z"),
        ("2026-11-23T13:00Z", "2026-11-23T19:00Z"),
    ]


def test_refusal_reasons_name_the_rule_the_zone_and_the_local_time() -> None:
    decision = cw.Engine(FRANCE).check(PARIS, "2026-11-23T13:30:00+01:00")
    assert not decision.allowed
    assert decision.codes == (cw.ReasonCode.OUTSIDE_HOURS,)
    (reason,) = decision.reasons
    assert reason.policy_id == "fr-test"
    assert reason.source == "Code de la consommation D223-9"
    assert reason.timezone == "Europe/Paris"
    assert reason.local_time is not None
    assert reason.local_time.isoformat() == "2026-11-23T13:30:00+01:00"
    assert "13:30 on Monday" in reason.message
    assert "10:00-13:00, 14:00-20:00" in reason.message
    assert decision.next_allowed_at == utc("2026-11-23T13:00Z")


def test_saturday_is_a_closed_day_and_next_is_monday_morning() -> None:
    decision = cw.Engine(FRANCE).check(PARIS, "2026-11-21T11:00:00+01:00")
    assert decision.codes == (cw.ReasonCode.CLOSED_DAY,)
    assert decision.next_allowed_at == utc("2026-11-23T09:00Z")  # Mon 10:00 CET


def test_allowed_decision_next_allowed_is_the_instant_itself() -> None:
    decision = cw.Engine(FRANCE).check(PARIS, "2026-11-23T10:30:00+01:00")
    assert decision.allowed
    assert decision.reasons == ()
    assert decision.next_allowed_at == utc("2026-11-23T09:30Z")


def test_end_buffer_stops_launching_calls_before_the_close() -> None:
    engine = cw.Engine(policy(hours={"mon": ["10:00-13:00"]}, end_buffer="PT15M"))
    assert engine.check(PARIS, "2026-11-23T12:44:59+01:00").allowed
    late = engine.check(PARIS, "2026-11-23T12:45:00+01:00")
    assert not late.allowed
    assert late.codes == (cw.ReasonCode.OUTSIDE_HOURS,)
    assert "end buffer" in late.reasons[0].message
    assert late.next_allowed_at == utc("2026-11-30T09:00Z")  # next Monday 10:00 CET


def test_window_ending_at_24_00_joins_the_next_day_at_midnight() -> None:
    engine = cw.Engine(policy(hours={"mon": ["20:00-24:00"], "tue": ["00:00-02:00"]}))
    # Mon 20:00 CET = 19:00Z to Tue 02:00 CET = 01:00Z, one merged interval.
    assert spans(engine, PARIS, "2026-11-23T00:00Z", "2026-11-25T00:00Z") == [
        ("2026-11-23T19:00Z", "2026-11-24T01:00Z"),
    ]


# -- holidays -------------------------------------------------------------------------

def test_ascension_day_is_refused_as_a_holiday() -> None:
    # Easter 2026 is 5 April, so Ascension (Easter + 39) is Thursday 14 May.
    decision = cw.Engine(FRANCE).check(PARIS, "2026-05-14T11:00:00+02:00")
    assert decision.codes == (cw.ReasonCode.HOLIDAY,)
    assert "2026-05-14 is a public holiday" in decision.reasons[0].message
    assert decision.next_allowed_at == utc("2026-05-15T08:00Z")  # Fri 10:00 CEST


def test_may_day_then_weekend_then_victory_day() -> None:
    # Fri 1 May and Fri 8 May 2026 are holidays; Mon 4 May opens at 10:00 CEST.
    engine = cw.Engine(FRANCE)
    assert engine.next_allowed_at(PARIS, "2026-05-01T09:00:00+02:00") == utc("2026-05-04T08:00Z")
    assert engine.next_allowed_at(PARIS, "2026-05-07T20:00:00+02:00") == utc("2026-05-11T08:00Z")


def test_region_adds_its_subdivision_holidays() -> None:
    # Good Friday, 3 April 2026, is a holiday only in Alsace-Moselle (subdivision 57).
    engine = cw.Engine(FRANCE)
    at = "2026-04-03T11:00:00+02:00"
    assert engine.check(PARIS, at).allowed
    moselle = cw.Consumer(id="c-metz", timezone="Europe/Paris", region="57")
    decision = engine.check(moselle, at)
    assert decision.codes == (cw.ReasonCode.HOLIDAY,)
    assert "Good Friday" in decision.reasons[0].message


def test_holiday_is_judged_on_each_zones_local_date() -> None:
    # 2026-12-24T12:00Z is 13:00 on 24 Dec in Paris but 01:00 on 25 Dec in
    # Auckland (NZDT, UTC+13): Christmas there, so the call is refused.
    engine = cw.Engine(policy(hours={day: ["00:00-24:00"] for day in ALL_DAYS},
                              holidays={"country": "FR"}))
    both = cw.Consumer(id="c", timezone=["Europe/Paris", "Pacific/Auckland"])
    decision = engine.check(both, "2026-12-24T12:00Z")
    assert decision.codes == (cw.ReasonCode.HOLIDAY,)
    assert decision.reasons[0].timezone == "Pacific/Auckland"
    # Auckland leaves 25 Dec at 11:00Z, but then it is 25 Dec in Paris until
    # 26 Dec 00:00 CET = 25 Dec 23:00Z.  26 Dec is not an FR national holiday.
    assert decision.next_allowed_at == utc("2026-12-25T23:00Z")


def test_observed_us_holiday_is_closed() -> None:
    # 4 July 2026 is a Saturday; the federal holiday is observed on Friday 3 July.
    engine = cw.Engine(policy(hours={day: ["08:00-21:00"] for day in ALL_DAYS},
                              holidays={"country": "US"}))
    ny = cw.Consumer(id="c", timezone="America/New_York")
    decision = engine.check(ny, "2026-07-03T12:00:00-04:00")
    assert decision.codes == (cw.ReasonCode.HOLIDAY,)
    assert decision.next_allowed_at == utc("2026-07-05T12:00Z")  # Sun 08:00 EDT


def test_holiday_add_and_remove() -> None:
    engine = cw.Engine(policy(
        hours={day: ["10:00-20:00"] for day in WEEKDAYS},
        holidays={"country": "FR", "add": ["2026-12-24", "12-31"], "remove": ["Armistice Day"]},
    ))
    assert not engine.check(PARIS, "2026-12-24T11:00:00+01:00").allowed   # added date
    assert not engine.check(PARIS, "2027-12-31T11:00:00+01:00").allowed   # added yearly
    assert engine.check(PARIS, "2026-11-11T11:00:00+01:00").allowed       # removed by name


def test_holiday_hours_open_a_holiday_for_those_hours_only() -> None:
    engine = cw.Engine(policy(hours={**{d: ["09:00-20:00"] for d in WEEKDAYS},
                                     "holiday": ["10:00-12:00"]},
                              holidays={"country": "FR"}))
    assert engine.check(PARIS, "2026-05-14T10:30:00+02:00").allowed
    late = engine.check(PARIS, "2026-05-14T13:00:00+02:00")
    assert late.codes == (cw.ReasonCode.HOLIDAY,)
    assert "outside the holiday hours 10:00-12:00" in late.reasons[0].message


# -- DST: Europe, the United States, Australia -----------------------------------------

def test_paris_spring_forward_opening_in_the_gap_opens_at_the_transition() -> None:
    # 29 March 2026: 02:00 CET jumps to 03:00 CEST at 01:00Z.  A window opening
    # at 02:30 (which does not exist) opens at 03:00 CEST = 01:00Z; it closes
    # at 04:00 CEST = 02:00Z.
    engine = cw.Engine(policy(hours={"sun": ["02:30-04:00"]}))
    assert spans(engine, PARIS, "2026-03-28T00:00Z", "2026-03-30T00:00Z") == [
        ("2026-03-29T01:00Z", "2026-03-29T02:00Z"),
    ]


def test_paris_fall_back_ambiguous_times_take_the_narrower_reading() -> None:
    # 25 October 2026: 03:00 CEST falls back to 02:00 CET at 01:00Z, so
    # 02:00-03:00 happens twice.  A start at 02:30 takes the later reading
    # (02:30 CET = 01:30Z); an end at 02:30 takes the earlier one (02:30 CEST
    # = 00:30Z).
    starts = cw.Engine(policy(hours={"sun": ["02:30-05:00"]}))
    assert spans(starts, PARIS, "2026-10-24T00:00Z", "2026-10-26T00:00Z") == [
        ("2026-10-25T01:30Z", "2026-10-25T04:00Z"),   # 05:00 CET = 04:00Z
    ]
    ends = cw.Engine(policy(hours={"sun": ["00:00-02:30"]}))
    assert spans(ends, PARIS, "2026-10-24T00:00Z", "2026-10-26T00:00Z") == [
        ("2026-10-24T22:00Z", "2026-10-25T00:30Z"),   # 00:00 CEST = 22:00Z the day before
    ]


US_8_TO_21 = policy(hours={day: ["08:00-21:00"] for day in ALL_DAYS})
NEW_YORK = cw.Consumer(id="c-ny", timezone="America/New_York")


def test_new_york_windows_around_spring_forward() -> None:
    # Sat 7 March 2026 is EST (UTC-5); Sun 8 March jumps to EDT (UTC-4) at 07:00Z.
    # The range runs from Saturday 00:00 EST to Monday 00:00 EDT.
    assert spans(cw.Engine(US_8_TO_21), NEW_YORK, "2026-03-07T05:00Z", "2026-03-09T04:00Z") == [
        ("2026-03-07T13:00Z", "2026-03-08T02:00Z"),
        ("2026-03-08T12:00Z", "2026-03-09T01:00Z"),
    ]


def test_new_york_windows_around_fall_back() -> None:
    # Sat 31 Oct 2026 is EDT (UTC-4); Sun 1 Nov falls back to EST at 06:00Z.
    # The range runs from Saturday 00:00 EDT to Monday 00:00 EST.
    assert spans(cw.Engine(US_8_TO_21), NEW_YORK, "2026-10-31T04:00Z", "2026-11-02T05:00Z") == [
        ("2026-10-31T12:00Z", "2026-11-01T01:00Z"),
        ("2026-11-01T13:00Z", "2026-11-02T02:00Z"),
    ]


def test_new_york_window_inside_the_spring_gap_does_not_exist() -> None:
    # 02:15-02:45 on 8 March 2026 never shows on New York clocks.
    engine = cw.Engine(policy(hours={"sun": ["02:15-02:45"]}))
    assert spans(engine, NEW_YORK, "2026-03-08T00:00Z", "2026-03-09T00:00Z") == []
    assert engine.next_allowed_at(NEW_YORK, "2026-03-08T00:00Z") == utc("2026-03-15T06:15Z")


def test_new_york_start_in_the_fold_takes_the_later_reading() -> None:
    # 1 Nov 2026: 01:00-02:00 happens twice.  01:30 later reading = 01:30 EST
    # = 06:30Z; 02:30 exists once (EST) = 07:30Z.
    engine = cw.Engine(policy(hours={"sun": ["01:30-02:30"]}))
    assert spans(engine, NEW_YORK, "2026-11-01T00:00Z", "2026-11-02T00:00Z") == [
        ("2026-11-01T06:30Z", "2026-11-01T07:30Z"),
    ]


AUSTRALIA = policy(hours={**{d: ["09:00-20:00"] for d in WEEKDAYS}, "sat": ["09:00-17:00"]})
SYDNEY = cw.Consumer(id="c-syd", timezone="Australia/Sydney")


def test_sydney_next_allowed_across_a_weekend_and_the_end_of_dst() -> None:
    # Sat 4 April 2026 closes 17:00 AEDT (UTC+11) = 06:00Z.  DST ends Sun 5 April
    # (03:00 AEDT -> 02:00 AEST).  Sunday is closed; Mon 6 April opens 09:00
    # AEST (UTC+10) = Sun 5 April 23:00Z.
    decision = cw.Engine(AUSTRALIA).check(SYDNEY, "2026-04-04T06:00Z")
    assert decision.codes == (cw.ReasonCode.OUTSIDE_HOURS,)
    assert decision.next_allowed_at == utc("2026-04-05T23:00Z")


def test_sydney_windows_across_the_start_of_dst() -> None:
    # Sat 3 Oct 2026 is AEST (UTC+10): 09:00-17:00 = 2 Oct 23:00Z - 3 Oct 07:00Z.
    # DST starts Sun 4 Oct.  Mon 5 Oct is AEDT (UTC+11): 09:00-20:00 = 4 Oct 22:00Z - 5 Oct 09:00Z.
    assert spans(cw.Engine(AUSTRALIA), SYDNEY, "2026-10-02T12:00Z", "2026-10-05T12:00Z") == [
        ("2026-10-02T23:00Z", "2026-10-03T07:00Z"),
        ("2026-10-04T22:00Z", "2026-10-05T09:00Z"),
    ]


# -- candidate zones: most restrictive wins -------------------------------------------

def test_split_area_code_850_is_judged_in_both_zones() -> None:
    # +1 850 may be Eastern or Central.  On 23 Nov 2026 (EST UTC-5, CST UTC-6)
    # 08:00-21:00 in both is 14:00Z (08:00 CST) to 02:00Z (21:00 EST).
    panhandle = cw.Consumer(id="c", phone="+18505550123")
    engine = cw.Engine(US_8_TO_21)
    assert spans(engine, panhandle, "2026-11-23T06:00Z", "2026-11-24T06:00Z") == [
        ("2026-11-23T14:00Z", "2026-11-24T02:00Z"),
    ]
    early = engine.check(panhandle, "2026-11-23T13:30Z")   # 08:30 EST but 07:30 CST
    assert early.codes == (cw.ReasonCode.OUTSIDE_HOURS,)
    assert [r.timezone for r in early.reasons] == ["America/Chicago"]
    assert early.next_allowed_at == utc("2026-11-23T14:00Z")
    assert early.timezones == ("America/Chicago", "America/New_York")


def test_reg_f_example_eastern_mobile_and_pacific_address() -> None:
    # Reg F comment 6(b)(1)(i)-2: Eastern area code + Pacific address gives
    # 11:00-21:00 Eastern.  23 Nov 2026: 08:00 PST = 16:00Z, 21:00 EST = 02:00Z.
    consumer = cw.Consumer(id="c", phone="+12125550123", country="US", region="CA")
    assert spans(cw.Engine(US_8_TO_21), consumer, "2026-11-23T06:00Z", "2026-11-24T06:00Z") == [
        ("2026-11-23T16:00Z", "2026-11-24T02:00Z"),
    ]


def test_policy_with_a_fixed_zone_ignores_the_consumer_zone() -> None:
    # A statute in Central Standard Time: 08:00-20:00 CST on 23 Nov = 14:00Z-02:00Z.
    engine = cw.Engine(policy(timezone="America/Chicago", hours={"mon": ["08:00-20:00"]}))
    anyone = cw.Consumer(id="c", timezone="Asia/Tokyo")
    assert spans(engine, anyone, "2026-11-23T00:00Z", "2026-11-25T00:00Z") == [
        ("2026-11-23T14:00Z", "2026-11-24T02:00Z"),
    ]


def test_no_candidate_zone_is_refused_forever() -> None:
    decision = cw.Engine(FRANCE).check(cw.Consumer(id="c", phone="not a number"),
                                       "2026-11-23T11:00:00+01:00")
    assert decision.codes == (cw.ReasonCode.UNKNOWN_TIMEZONE,)
    assert "no time zone is known" in decision.reasons[0].message
    assert decision.next_allowed_at is None
    assert decision.reasons[0].policy_id == "fr-test"


# -- stacking, effective dates, consent -------------------------------------------------

def test_stacked_policies_must_all_allow() -> None:
    company = policy(id="acme", hours={day: ["09:00-12:00"] for day in WEEKDAYS})
    engine = cw.Engine([FRANCE, company])
    # 10:00-12:00 CET only: 09:00-11:00Z.
    assert spans(engine, PARIS, "2026-11-23T00:00Z", "2026-11-24T00:00Z") == [
        ("2026-11-23T09:00Z", "2026-11-23T11:00Z"),
    ]
    decision = engine.check(PARIS, "2026-11-23T14:30:00+01:00")
    assert [r.policy_id for r in decision.reasons] == ["acme"]
    assert decision.next_allowed_at == utc("2026-11-24T09:00Z")


def test_policy_applies_only_while_in_force_on_the_local_date() -> None:
    engine = cw.Engine(policy(hours={"mon": ["10:00-11:00"]},
                              effective_from="2026-12-01", effective_to="2026-12-31"))
    assert engine.check(PARIS, "2026-11-29T03:00:00+01:00").allowed        # before: no rule
    # 30 Nov 23:30Z is already Tue 1 Dec 00:30 in Paris: in force, and closed.
    assert not engine.check(PARIS, "2026-11-30T23:30Z").allowed
    assert engine.check(PARIS, "2027-01-01T03:00:00+01:00").allowed        # after: no rule
    # The last Monday in force is 28 Dec; Friday 1 Jan 2027 00:00 CET frees it.
    assert engine.next_allowed_at(PARIS, "2026-12-29T12:00Z") == utc("2026-12-31T23:00Z")


def test_consent_required_without_consent_is_refused_forever() -> None:
    engine = cw.Engine(policy(requires_consent=True, hours={"mon": ["10:00-20:00"]}))
    decision = engine.check(PARIS, "2026-11-23T11:00:00+01:00")
    assert decision.codes == (cw.ReasonCode.CONSENT_REQUIRED,)
    assert decision.next_allowed_at is None
    consenting = cw.Consumer(id="c", timezone="Europe/Paris", consent=True)
    assert engine.check(consenting, "2026-11-23T11:00:00+01:00").allowed


def test_a_policy_with_no_time_rule_needs_no_zone() -> None:
    engine = cw.Engine(policy())
    assert engine.check(cw.Consumer(id="anywhere"), "2026-11-23T03:00Z").allowed


# -- instants -------------------------------------------------------------------------------

def test_naive_datetime_and_offsetless_string_are_refused() -> None:
    engine = cw.Engine(FRANCE)
    with pytest.raises(cw.NaiveDatetimeError, match="2026-11-23T10:00:00"):
        engine.check(PARIS, datetime(2026, 11, 23, 10))
    with pytest.raises(cw.NaiveDatetimeError, match="at:"):
        engine.check(PARIS, "2026-11-23T10:00:00")
    with pytest.raises(ValueError, match="not an ISO-8601"):
        engine.check(PARIS, "next tuesday")


def test_the_engine_clock_is_used_when_no_instant_is_given() -> None:
    class Fixed:
        def now(self) -> datetime:
            return utc("2026-11-21T10:00Z")   # a Saturday

    decision = cw.Engine(FRANCE, clock=Fixed()).check(PARIS)
    assert decision.at == utc("2026-11-21T10:00Z")
    assert decision.codes == (cw.ReasonCode.CLOSED_DAY,)


def test_pendulum_instants_are_accepted() -> None:
    import pendulum

    at = pendulum.datetime(2026, 11, 23, 10, 30, tz="Europe/Paris")
    decision = cw.Engine(FRANCE).check(PARIS, at)
    assert decision.allowed
    assert type(decision.at) is datetime
    assert decision.at == utc("2026-11-23T09:30Z")


def test_audit_record_is_json_ready() -> None:
    import json

    record = cw.Engine(FRANCE).check(PARIS, "2026-11-21T11:00:00+01:00").to_dict()
    assert json.loads(json.dumps(record)) == record
    assert record["allowed"] is False
    assert record["next_allowed_at"] == "2026-11-23T09:00:00+00:00"
    assert record["local_times"] == {"Europe/Paris": "2026-11-21T11:00:00+01:00"}
    assert record["reasons"][0]["code"] == "closed_day"


def test_check_many_keeps_order_and_matches_check() -> None:
    engine = cw.Engine(US_8_TO_21)
    consumers = [cw.Consumer(id="ny", phone="+12125550123"),
                 cw.Consumer(id="la", phone="+13105550123"),
                 cw.Consumer(id="bad", phone="12"),
                 cw.Consumer(id="ny2", phone="+12125550199")]
    at = "2026-11-23T14:30Z"   # 09:30 EST, 06:30 PST
    decisions = engine.check_many(consumers, at)
    assert [d.consumer_id for d in decisions] == ["ny", "la", "bad", "ny2"]
    assert [d.allowed for d in decisions] == [True, False, False, True]
    assert decisions[1].next_allowed_at == utc("2026-11-23T16:00Z")   # 08:00 PST
    assert decisions[2].codes == (cw.ReasonCode.UNKNOWN_TIMEZONE,)
    assert decisions == [engine.check(c, at) for c in consumers]


def test_a_decision_is_immutable() -> None:
    decision = cw.Engine(FRANCE).check(PARIS, "2026-11-21T11:00:00+01:00")
    with pytest.raises(AttributeError):
        decision.allowed = True  # type: ignore[misc]
    with pytest.raises(AttributeError):
        decision.reasons = ()  # type: ignore[misc]


def test_lower_case_region_still_selects_the_state_holidays() -> None:
    # Cesar Chavez Day, Tuesday 31 March 2026, is a California state holiday.
    engine = cw.Engine(policy(hours={day: ["08:00-21:00"] for day in ALL_DAYS},
                              holidays={"country": "us"}))
    for region in ("CA", "ca"):
        consumer = cw.Consumer(id="c", timezone="America/Los_Angeles", region=region)
        decision = engine.check(consumer, "2026-03-31T12:00:00-07:00")
        assert decision.codes == (cw.ReasonCode.HOLIDAY,), region


def test_consent_is_required_only_while_the_policy_is_in_force() -> None:
    # France's opt-in regime applies from 11 August 2026 (loi 2025-594).
    engine = cw.Engine(policy(requires_consent=True, effective_from="2026-08-11"))
    before = engine.check(PARIS, "2026-08-10T12:00:00+02:00")
    assert before.allowed
    after = engine.check(PARIS, "2026-08-11T00:00:00+02:00")
    assert after.codes == (cw.ReasonCode.CONSENT_REQUIRED,)
    assert after.next_allowed_at is None
    lapsed = cw.Engine(policy(requires_consent=True, effective_to="2020-01-01"))
    assert lapsed.check(PARIS, "2026-08-11T12:00:00+02:00").allowed


def test_unknown_zone_message_carries_no_identifier_of_another_consumer() -> None:
    engine = cw.Engine(FRANCE)
    first = engine.check(cw.Consumer(id="a", phone="+33 garbage-111"), "2026-11-23T10:00Z")
    second = engine.check(cw.Consumer(id="b", phone="+99 222 333"), "2026-11-23T10:00Z")
    assert "garbage-111" not in second.reasons[0].message
    assert first.reasons[0].message == second.reasons[0].message


def test_bad_arguments_are_named() -> None:
    engine = cw.Engine(FRANCE)
    with pytest.raises(TypeError, match="consumer"):
        engine.check({"id": "x"}, "2026-11-23T10:00Z")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="9999-12-31"):
        engine.check(PARIS, "9999-12-31T23:00:00+00:00")
