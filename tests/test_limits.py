"""Limits, cooldowns and consent, from the texts of the law, on every ledger.

Each expected instant below was worked out by hand from the rule and a
calendar, and is written as a literal: nothing here is computed by callwindow.
The ``backend`` fixture (conftest.py) runs every test against the memory,
SQLite, Redis and PostgreSQL ledgers.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import callwindow as cw
from callwindow.testing import policy

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
EVERY_DAY = (*WEEKDAYS, "sat", "sun")

MakeEngine = Callable[..., cw.Engine]


# Code de la consommation D223-9: Mon-Fri 10:00-13:00 and 14:00-20:00, no public
# holidays, at most 4 attempts in any 30 calendar days, and no new attempt before
# 60 full days have passed since a refusal (counted from the day after it).
FRANCE = policy(
    id="fr-d223-9",
    hours={day: ["10:00-13:00", "14:00-20:00"] for day in WEEKDAYS},
    holidays={"country": "FR"},
    limits=[{"max_attempts": 4, "period": "P30D", "window": "calendar_days"}],
    cooldowns=[{"after": ["refusal"], "period": "P60D", "window": "calendar_days",
                "day_one": "next_day"}],
)

# Fla. Stat. 501.616(6): 08:00-20:00, at most 3 calls per 24 hours to a person on
# the same subject matter.
FLORIDA = policy(
    id="us-fl",
    hours={day: ["08:00-20:00"] for day in EVERY_DAY},
    limits=[{"max_attempts": 3, "period": "PT24H", "per": ["consumer", "tag:subject"]}],
)

# 12 CFR 1006.14(b)(2): not more than 7 calls within 7 consecutive days per
# person per debt, nor within 7 consecutive days after a conversation about the
# debt (the date of the conversation is day 1); 1006.6(b)(1)(i): 08:00-21:00.
REG_F = policy(
    id="us-regf",
    hours={day: ["08:00-21:00"] for day in EVERY_DAY},
    limits=[{"max_attempts": 7, "period": "P7D", "window": "calendar_days",
             "per": ["consumer", "tag:debt"]}],
    cooldowns=[{"after": ["conversation"], "period": "P7D", "window": "calendar_days",
                "per": ["consumer", "tag:debt"]}],
)

PARIS = cw.Consumer(id="fr-1", phone="+33612345678")


# -- France -------------------------------------------------------------------------------

def test_france_fifth_attempt_in_30_days_is_refused_until_the_first_drops_out(
        make_engine: MakeEngine) -> None:
    engine = make_engine(FRANCE)
    for day in ("02", "03", "04", "05"):  # Monday 2 to Thursday 5 November 2026
        decision = engine.acquire(PARIS, f"2026-11-{day}T10:30:00+01:00")
        assert decision.allowed, day
        assert decision.attempt_id
    fifth = engine.acquire(PARIS, "2026-11-06T10:30:00+01:00")
    assert not fifth.allowed
    assert fifth.attempt_id is None
    assert fifth.codes == (cw.ReasonCode.FREQUENCY_LIMIT,)
    # The 2 November attempt counts on 2 Nov .. 1 Dec (30 days); Wednesday
    # 2 December opens at 10:00 Paris (09:00 UTC).
    assert fifth.next_allowed_at is not None
    assert fifth.next_allowed_at.isoformat() == "2026-12-02T09:00:00+00:00"
    assert not engine.check(PARIS, "2026-12-01T19:59:00+01:00").allowed
    assert engine.check(PARIS, "2026-12-02T10:00:00+01:00").allowed
    # A refused acquire recorded nothing: still four attempts.
    assert engine.acquire(PARIS, "2026-12-02T10:00:00+01:00").allowed


def test_france_no_attempt_for_60_full_days_after_a_refusal(make_engine: MakeEngine) -> None:
    engine = make_engine(FRANCE)
    call = engine.acquire(PARIS, "2026-12-02T11:00:00+01:00")
    assert call.attempt_id is not None
    engine.set_outcome(call.attempt_id, cw.Outcome.REFUSAL)
    # 3 Dec .. 31 Jan are the 60 full days; Friday 29 January is still inside.
    blocked = engine.check(PARIS, "2027-01-29T10:00:00+01:00")
    assert blocked.codes == (cw.ReasonCode.COOLDOWN,)
    assert "refusal" in blocked.reasons[0].message
    assert blocked.reasons[0].policy_id == "fr-d223-9"
    # Monday 1 February 2027, 10:00 Paris.
    assert blocked.next_allowed_at is not None
    assert blocked.next_allowed_at.isoformat() == "2027-02-01T09:00:00+00:00"
    assert engine.check(PARIS, "2027-02-01T10:00:00+01:00").allowed



# One attempt per calendar day in Mumbai (UTC+05:30: local midnight falls at 18:30 UTC,
# inside a UTC hour), calls allowed around the clock.
ONE_A_DAY = policy("00:00-24:00", days="mon-sun", id="one-a-day",
                   limits=[{"max_attempts": 1, "period": "P1D", "window": "calendar_days"}])


def test_a_new_local_day_within_one_utc_hour_is_a_new_question(make_engine: MakeEngine
                                                                ) -> None:
    # A check, then an acquire of the same consumer in the same UTC hour but on either
    # side of midnight in Mumbai: the acquire asks about its own day, not the check's.
    engine = make_engine(ONE_A_DAY)
    mumbai = cw.Consumer(id="in-1", timezone="Asia/Kolkata")
    assert engine.acquire(mumbai, "2026-12-01T10:00:00+05:30").allowed  # Tuesday 1 Dec
    assert not engine.check(mumbai, "2026-12-01T18:10:00+00:00").allowed  # 23:40 there
    assert engine.acquire(mumbai, "2026-12-01T18:50:00+00:00").allowed  # 00:20 on the 2nd
    assert not engine.check(mumbai, "2026-12-01T18:55:00+00:00").allowed  # the 2nd's one

def test_france_refusal_recorded_as_a_string_outcome(make_engine: MakeEngine) -> None:
    engine = make_engine(FRANCE)
    engine.record(PARIS, at="2026-12-02T11:00:00+01:00", outcome="refusal")
    assert engine.check(PARIS, "2026-12-03T11:00:00+01:00").codes == (cw.ReasonCode.COOLDOWN,)


# -- Florida ------------------------------------------------------------------------------

def test_florida_three_calls_per_24_hours_on_one_subject(make_engine: MakeEngine) -> None:
    engine = make_engine(FLORIDA)
    miami = cw.Consumer(id="fl-1", phone="+13055550123", tags={"subject": "solar"})
    for hour in ("09", "12", "15"):  # Monday 9 November 2026, EST (UTC-5)
        assert engine.acquire(miami, f"2026-11-09T{hour}:00:00-05:00").allowed
    fourth = engine.acquire(miami, "2026-11-09T18:00:00-05:00")
    assert fourth.codes == (cw.ReasonCode.FREQUENCY_LIMIT,)
    # 24 hours after the first call: Tuesday 09:00 EST.
    assert fourth.next_allowed_at is not None
    assert fourth.next_allowed_at.isoformat() == "2026-11-10T14:00:00+00:00"
    assert not engine.check(miami, "2026-11-10T08:59:59-05:00").allowed
    assert engine.check(miami, "2026-11-10T09:00:00-05:00").allowed
    # Another subject is another count.
    roofing = miami.model_copy(update={"tags": {"subject": "roofing"}})
    assert engine.acquire(roofing, "2026-11-09T18:00:00-05:00").allowed


# -- Regulation F -------------------------------------------------------------------------

def test_reg_f_seven_calls_in_seven_days_per_debt(make_engine: MakeEngine) -> None:
    engine = make_engine(REG_F)
    chicago = cw.Consumer(id="rf-1", timezone="America/Chicago", tags={"debt": "A-17"})
    times = ("2026-11-02T09:00", "2026-11-02T10:00", "2026-11-03T09:00", "2026-11-04T09:00",
             "2026-11-05T09:00", "2026-11-06T09:00", "2026-11-07T09:00")
    for when in times:  # CST, UTC-6
        assert engine.acquire(chicago, when + ":00-06:00").allowed, when
    eighth = engine.acquire(chicago, "2026-11-08T09:00:00-06:00")
    assert eighth.codes == (cw.ReasonCode.FREQUENCY_LIMIT,)
    # The two calls of 2 November fall out of the 7 days on 9 November (08:00 CST).
    assert eighth.next_allowed_at is not None
    assert eighth.next_allowed_at.isoformat() == "2026-11-09T14:00:00+00:00"
    other_debt = chicago.model_copy(update={"tags": {"debt": "B-02"}})
    assert engine.acquire(other_debt, "2026-11-08T09:00:00-06:00").allowed


def test_reg_f_no_call_within_seven_days_after_a_conversation(make_engine: MakeEngine) -> None:
    engine = make_engine(REG_F)
    chicago = cw.Consumer(id="rf-2", timezone="America/Chicago", tags={"debt": "C-9"})
    call = engine.acquire(chicago, "2026-11-11T10:00:00-06:00")
    assert call.attempt_id is not None
    engine.set_outcome(call.attempt_id, cw.Outcome.CONVERSATION)
    # Day 1 is 11 November; days 1-7 run to 17 November.
    late = engine.check(chicago, "2026-11-17T20:59:00-06:00")
    assert late.codes == (cw.ReasonCode.COOLDOWN,)
    assert late.next_allowed_at is not None
    assert late.next_allowed_at.isoformat() == "2026-11-18T14:00:00+00:00"
    assert engine.check(chicago, "2026-11-18T08:00:00-06:00").allowed


def test_reg_f_days_are_counted_in_every_candidate_zone(make_engine: MakeEngine) -> None:
    # Mobile area code in New York, home address in Los Angeles (comment
    # 6(b)(1)(i)-2).  Seven calls at 00:30 EST on 3 November are 21:30 PST on
    # 2 November: they leave the Pacific count on 9 November, the Eastern one
    # on 10 November, and the later date governs.
    engine = make_engine(REG_F)
    both = cw.Consumer(id="rf-3", phone="+12125550123", timezone="America/Los_Angeles",
                       tags={"debt": "D-1"})
    for _ in range(7):
        engine.record(both, at="2026-11-03T05:30:00+00:00", outcome=cw.Outcome.NO_ANSWER)
    refused = engine.check(both, "2026-11-09T17:00:00+00:00")  # 12:00 EST, 09:00 PST
    assert refused.codes == (cw.ReasonCode.FREQUENCY_LIMIT,)
    # 10 November 00:00 EST, then the Pacific 08:00 opening: 11:00 EST.
    assert refused.next_allowed_at is not None
    assert refused.next_allowed_at.isoformat() == "2026-11-10T16:00:00+00:00"


# -- scopes, counts, outcomes -------------------------------------------------------------

def test_two_spellings_of_one_number_are_one_count(make_engine: MakeEngine) -> None:
    per_phone = policy(id="per-phone", limits=[{"max_attempts": 1, "period": "P1D",
                                                "per": ["phone"]}])
    engine = make_engine(per_phone)
    assert engine.acquire(cw.Consumer(id="a", phone="+33612345678"),
                          "2026-11-02T10:00:00+01:00").allowed
    other_spelling = cw.Consumer(id="b", phone="06 12 34 56 78", country="FR")
    with_trunk_zero = cw.Consumer(id="c", phone="+330612345678")
    for consumer in (other_spelling, with_trunk_zero):
        assert engine.check(consumer, "2026-11-02T18:00:00+01:00").codes == (
            cw.ReasonCode.FREQUENCY_LIMIT,)
        assert engine.check(consumer, "2026-11-03T10:00:00+01:00").allowed


def test_counts_select_outcomes_and_pending_always_counts(make_engine: MakeEngine) -> None:
    # Ontario-style: only contacts count (a voicemail does, an unanswered ring does not).
    contacts = policy(id="contacts", limits=[{"max_attempts": 2, "period": "P7D",
                                              "counts": ["conversation", "voicemail"]}])
    engine = make_engine(contacts)
    person = cw.Consumer(id="on-1", timezone="America/Toronto")
    for _ in range(5):
        engine.record(person, at="2026-11-02T10:00:00-05:00", outcome="no_answer")
    first = engine.acquire(person, "2026-11-02T11:00:00-05:00")
    second = engine.acquire(person, "2026-11-02T11:01:00-05:00")
    assert first.allowed
    assert second.allowed
    # Two calls still ringing may both become contacts: a third waits.
    assert not engine.check(person, "2026-11-02T11:02:00-05:00").allowed
    assert second.attempt_id is not None
    assert first.attempt_id is not None
    engine.set_outcome(second.attempt_id, cw.Outcome.NO_ANSWER)
    assert engine.check(person, "2026-11-02T11:03:00-05:00").allowed
    engine.set_outcome(first.attempt_id, cw.Outcome.VOICEMAIL)
    engine.record(person, at="2026-11-02T12:00:00-05:00", outcome="conversation")
    refused = engine.check(person, "2026-11-03T09:00:00-05:00")
    assert refused.codes == (cw.ReasonCode.FREQUENCY_LIMIT,)
    # The voicemail at 11:00 EST on 2 November stops counting 7 days later.
    assert refused.next_allowed_at is not None
    assert refused.next_allowed_at.isoformat() == "2026-11-09T16:00:00+00:00"


def test_an_opt_out_is_permanent(make_engine: MakeEngine) -> None:
    opt_out = policy(id="dnc", cooldowns=[{"after": ["opt_out"]}])
    engine = make_engine(opt_out)
    person = cw.Consumer(id="o-1", timezone="Europe/Paris")
    call = engine.acquire(person, "2026-11-02T10:00:00+01:00")
    assert call.attempt_id is not None
    engine.set_outcome(call.attempt_id, "opt_out")
    later = engine.check(person, "2036-11-02T10:00:00+01:00")
    assert later.codes == (cw.ReasonCode.OPTED_OUT,)
    assert later.next_allowed_at is None
    assert engine.next_allowed_at(person, "2026-11-03T10:00:00+01:00") is None


def test_a_missing_tag_counts_with_all_the_consumers_attempts(make_engine: MakeEngine) -> None:
    per_debt = policy(id="per-debt", limits=[{"max_attempts": 2, "period": "P1D",
                                              "per": ["tag:debt"]}])
    engine = make_engine(per_debt)
    untagged = cw.Consumer(id="u-1", timezone="Europe/Paris")
    tagged = untagged.model_copy(update={"tags": {"debt": "X"}})
    assert engine.acquire(tagged, "2026-11-02T10:00:00+01:00").allowed
    assert engine.acquire(untagged, "2026-11-02T10:01:00+01:00").allowed
    # Without a debt tag every attempt of the consumer counts: two so far.
    assert not engine.check(untagged, "2026-11-02T10:02:00+01:00").allowed
    # Another untagged consumer is not lumped in with this one.
    stranger = cw.Consumer(id="u-2", timezone="Europe/Paris")
    assert engine.check(stranger, "2026-11-02T10:02:00+01:00").allowed


def test_limits_of_a_policy_not_yet_in_force_do_not_count(make_engine: MakeEngine) -> None:
    later = policy(id="from-2027", effective_from="2027-01-01",
                   limits=[{"max_attempts": 1, "period": "P30D"}])
    engine = make_engine(later)
    person = cw.Consumer(id="e-1", timezone="Europe/Paris")
    assert engine.acquire(person, "2026-12-20T10:00:00+01:00").allowed
    assert engine.acquire(person, "2026-12-21T10:00:00+01:00").allowed
    # From 1 January the limit counts the December attempts too (made within
    # 30 days): the next is allowed 30 days after the second, 20 January 10:00.
    refused = engine.check(person, "2027-01-02T10:00:00+01:00")
    assert refused.codes == (cw.ReasonCode.FREQUENCY_LIMIT,)
    assert refused.next_allowed_at is not None
    assert refused.next_allowed_at.isoformat() == "2027-01-20T09:00:00+00:00"
    # Asked on 31 December, the answer is now; on 1 January at midnight it is not.
    assert engine.next_allowed_at(person, "2026-12-31T23:00:00+01:00") is not None
    assert not engine.check(person, "2027-01-01T00:00:00+01:00").allowed


def test_windows_leave_out_what_the_history_refuses(make_engine: MakeEngine) -> None:
    engine = make_engine(FLORIDA)
    miami = cw.Consumer(id="fl-w", phone="+13055550199", tags={"subject": "solar"})
    for hour in ("09", "12", "15"):
        engine.record(miami, at=f"2026-11-09T{hour}:00:00-05:00", outcome="no_answer")
    spans = [(a.isoformat(), b.isoformat()) for a, b in
             engine.windows(miami, "2026-11-09T05:00:00+00:00", "2026-11-11T05:00:00+00:00")]
    assert spans == [
        # Recorded attempts count from the start (the history is taken as it
        # stands), so Monday is used up; Tuesday opens at 09:00 EST, 24 hours
        # after the first call, and closes at 20:00 EST.
        ("2026-11-10T14:00:00+00:00", "2026-11-11T01:00:00+00:00"),
    ]


# -- the engine's contract around the ledger ---------------------------------------------

def test_set_outcome_of_an_unknown_attempt_names_it(make_engine: MakeEngine) -> None:
    engine = make_engine(FRANCE)
    with pytest.raises(ValueError, match="no-such-attempt"):
        engine.set_outcome("no-such-attempt", "refusal")
    with pytest.raises(ValueError, match="'hung_up' is not one of"):
        engine.set_outcome("whatever", "hung_up")


def test_forget_erases_the_history(make_engine: MakeEngine) -> None:
    engine = make_engine(FRANCE)
    for day in ("02", "03", "04", "05"):
        engine.acquire(PARIS, f"2026-11-{day}T10:30:00+01:00")
    assert not engine.check(PARIS, "2026-11-06T10:30:00+01:00").allowed
    assert engine.forget(PARIS) == 4
    assert engine.check(PARIS, "2026-11-06T10:30:00+01:00").allowed
    assert engine.forget(PARIS) == 0


def test_acquire_outside_hours_records_nothing(make_engine: MakeEngine) -> None:
    engine = make_engine(FRANCE)
    night = engine.acquire(PARIS, "2026-11-02T22:00:00+01:00")
    assert night.codes == (cw.ReasonCode.OUTSIDE_HOURS,)
    assert night.attempt_id is None
    assert engine.forget(PARIS) == 0


def test_a_consumer_with_no_id_and_no_number_cannot_be_counted(
        make_engine: MakeEngine) -> None:
    engine = make_engine(FRANCE)
    nobody = cw.Consumer(timezone="Europe/Paris", phone="not a number")
    for decision in (engine.check(nobody, "2026-11-02T10:30:00+01:00"),
                     engine.acquire(nobody, "2026-11-02T10:30:00+01:00"),
                     engine.check_many([PARIS, nobody], "2026-11-02T10:30:00+01:00")[1]):
        assert not decision.allowed
        assert decision.codes == (cw.ReasonCode.FREQUENCY_LIMIT,)
        assert "id or a phone number" in decision.reasons[0].message
        assert decision.next_allowed_at is None
    assert engine.check_many([PARIS], "2026-11-02T10:30:00+01:00")[0].allowed
    with pytest.raises(ValueError, match="id or a phone number"):
        engine.record(nobody, outcome="no_answer", at="2026-11-02T10:30:00+01:00")


def test_calendar_days_without_a_zone_refuse(make_engine: MakeEngine) -> None:
    # A limit of one call per calendar day counts the consumer's local dates:
    # nothing says where the consumer is, so the call is refused (fail closed),
    # and no time lifts it.  With a zone the same limit allows the first call.
    daily = policy(id="daily", limits=[{"max_attempts": 1, "period": "P1D",
                                        "window": "calendar_days"}])
    engine = make_engine(daily)
    somewhere = cw.Consumer(id="nowhere-1")
    refused = engine.acquire(somewhere, "2026-11-02T09:00:00+00:00")
    assert refused.codes == (cw.ReasonCode.UNKNOWN_TIMEZONE,)
    assert refused.next_allowed_at is None
    assert engine.acquire(cw.Consumer(id="paris-1", timezone="Europe/Paris"),
                          "2026-11-02T09:00:00+00:00").allowed


def test_an_outcome_set_by_another_engine_does_not_cut_the_history_short() -> None:
    # Engine A counts 1 call per 30 days; engine B, on the same ledger, only
    # 5 per day.  B setting the outcome must not make the ledger forget the
    # attempt before A's 30 days are over.
    seconds = [0.0]
    ledger = cw.ledgers.MemoryLedger(clock=lambda: seconds[0])
    monthly = cw.Engine(policy(id="monthly", limits=[{"max_attempts": 1, "period": "P30D"}]),
                        ledger=ledger)
    daily = cw.Engine(policy(id="daily", limits=[{"max_attempts": 5, "period": "P1D"}]),
                      ledger=ledger)
    person = cw.Consumer(id="shared-1", timezone="Europe/Paris")
    call = monthly.acquire(person, "2026-11-02T10:00:00+01:00")
    assert call.attempt_id is not None
    daily.set_outcome(call.attempt_id, "no_answer")
    seconds[0] += 2 * 86400
    assert not monthly.check(person, "2026-11-04T10:00:00+01:00").allowed


def test_an_attempt_dated_ahead_of_the_clock_is_kept_long_enough() -> None:
    # The ledger's clock says it is now; the attempt is dated in 2030.  The
    # limit counts 7 days from 2030, so the ledger must keep it past that.
    seconds = [0.0]
    ledger = cw.ledgers.MemoryLedger(clock=lambda: seconds[0])
    weekly = cw.Engine(policy(id="weekly", limits=[{"max_attempts": 1, "period": "P7D"}]),
                       ledger=ledger)
    person = cw.Consumer(id="ahead-1", timezone="Europe/Paris")
    assert weekly.acquire(person, "2030-01-01T10:00:00+01:00").allowed
    seconds[0] += 8 * 86400
    assert not weekly.check(person, "2030-01-06T10:00:00+01:00").allowed
