"""Whose law, where: routing by place, never failing open, ranked zone evidence, dated consent.

Every expected value is worked out by hand from the rules (the presets' hours, the
calendar of the date) and the routing rules of docs/concepts.md ("Whose law, which
zones"), never computed by the code under test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import callwindow as cw
from callwindow.testing import policy

MakeEngine = Callable[..., cw.Engine]


FR_AND_US = [cw.presets.get("FR"), cw.presets.get("US")]
NEW_YORKER = cw.Consumer(id="ny", phone="+12125550123")
PARISIAN = cw.Consumer(id="fr", phone="+33612345678")


# -- routing by place ------------------------------------------------------------------------

def test_a_new_yorker_under_fr_and_us_is_judged_by_us_law_only(make_engine: MakeEngine) -> None:
    # Tuesday 1 Dec 2026, 10:00 EST: within the TCPA's 08:00-21:00; France's opt-in
    # (no consent recorded) does not reach a New York number.
    engine = make_engine(FR_AND_US)
    decision = engine.check(NEW_YORKER, "2026-12-01T10:00:00-05:00")
    assert decision.allowed
    assert decision.policy_ids == ("US", "US-TCPA", "US-TSR")


def test_a_parisian_under_fr_and_us_is_judged_by_french_law_only(make_engine: MakeEngine) -> None:
    # Tuesday 1 Dec 2026, 10:30 in Paris: D223-9 allows, the opt-in needs a consent.
    engine = make_engine(FR_AND_US)
    refused = engine.check(PARISIAN, "2026-12-01T10:30:00+01:00")
    assert refused.codes == (cw.ReasonCode.CONSENT_REQUIRED,)
    assert refused.policy_ids == ("FR", "FR-optin-2026")
    consenting = PARISIAN.model_copy(update={"consent": True})
    assert engine.check(consenting, "2026-12-01T10:30:00+01:00").allowed


def test_a_french_mobile_with_an_italian_address_is_judged_by_both_laws() -> None:
    # Candidate countries FR (the number) and IT (the address): both laws apply.
    # Saturday 5 Dec 2026, 10:00 in Paris and Rome: Assocontact allows Saturdays
    # 10:00-19:00, D223-9 closes Saturdays, so the call is refused by FR alone.
    engine = cw.Engine([cw.presets.get("FR"), cw.presets.get("IT-assocontact")])
    person = cw.Consumer(id="fr-it", phone="+33612345678", country="IT", consent=True)
    decision = engine.check(person, "2026-12-05T10:00:00+01:00")
    assert decision.policy_ids == ("FR", "FR-optin-2026", "IT-assocontact")
    assert decision.codes == (cw.ReasonCode.CLOSED_DAY,)
    assert {reason.policy_id for reason in decision.reasons} == {"FR"}


def test_a_puerto_rican_number_reaches_us_pr() -> None:
    # +1 787 is Puerto Rico's: US law (a territory) and Ley 210-2003 (09:00-21:00).
    engine = cw.Engine(cw.presets.get("US"))
    person = cw.Consumer(id="pr", phone="+17875550123")
    early = engine.check(person, "2026-12-01T08:30:00-04:00")
    assert {"US-PR", "US-TCPA"} <= set(early.policy_ids)
    assert early.codes == (cw.ReasonCode.OUTSIDE_HOURS,)
    assert engine.check(person, "2026-12-01T09:00:00-04:00").allowed


def test_a_house_rule_without_applies_to_reaches_everyone() -> None:
    house = policy(id="house", hours={day: ["09:00-18:00"] for day in
                                      ("mon", "tue", "wed", "thu", "fri")})
    engine = cw.Engine([house, cw.presets.get("FR")])
    decision = engine.check(NEW_YORKER, "2026-12-01T10:00:00-05:00")
    assert decision.allowed
    assert decision.policy_ids == ("house",)


# -- never fail open -------------------------------------------------------------------------

def test_us_fl_alone_refuses_a_consumer_it_cannot_place(make_engine: MakeEngine) -> None:
    engine = make_engine(cw.presets.get("US-FL"))
    nowhere = cw.Consumer(id="x", phone="not a number")
    decision = engine.check(nowhere, "2026-12-01T10:00:00-05:00")
    assert not decision.allowed
    assert decision.codes == (cw.ReasonCode.NO_POLICY,)
    assert decision.next_allowed_at is None
    assert "'US-FL'" in decision.reasons[0].message


def test_a_consumer_no_policy_governs_is_refused_with_no_policy() -> None:
    engine = cw.Engine(cw.presets.get("FR"))
    decision = engine.check(NEW_YORKER, "2026-12-01T10:00:00-05:00")
    assert decision.codes == (cw.ReasonCode.NO_POLICY,)
    assert decision.next_allowed_at is None
    assert decision.policy_ids == ()
    message = decision.reasons[0].message
    assert "place (US" in message
    assert "engine ('FR')" in message


def test_an_unplaceable_consumer_is_refused_even_when_a_house_rule_reaches_them() -> None:
    # The house rule has only a rolling limit (no zone needed), but whether France's
    # law governs the consumer cannot be told: refused.
    house = policy(id="house", limits=[{"max_attempts": 3, "period": "P7D"}])
    engine = cw.Engine([house, cw.presets.get("FR")])
    decision = engine.check(cw.Consumer(id="x", timezone="Etc/GMT+5"),
                            "2026-12-01T10:00:00-05:00")
    assert decision.codes == (cw.ReasonCode.NO_POLICY,)
    # Alone, the same house rule needs no place and no zone.
    assert cw.Engine(house).check(cw.Consumer(id="x"), "2026-12-01T10:00:00-05:00").allowed


def test_a_limits_only_policy_with_calendar_days_needs_a_zone() -> None:
    daily = policy(id="daily", limits=[{"max_attempts": 1, "period": "P1D",
                                        "window": "calendar_days"}])
    decision = cw.Engine(daily).check(cw.Consumer(id="x"), "2026-12-01T10:00:00+00:00")
    assert decision.codes == (cw.ReasonCode.UNKNOWN_TIMEZONE,)
    assert decision.next_allowed_at is None


# -- ranked location evidence ----------------------------------------------------------------

def test_an_australian_mobile_with_a_sydney_zone_has_one_zone() -> None:
    # The mobile says only "somewhere in Australia"; the zone says Sydney.
    sydney = cw.Consumer(id="au", phone="+61412345678", timezone="Australia/Sydney")
    assert sydney.candidate_zones == ("Australia/Sydney",)
    # Tuesday 1 Dec 2026 09:00 AEDT: the AU window opens (Perth would read 06:00).
    decision = cw.Engine(cw.presets.get("AU")).check(sydney, "2026-12-01T09:00:00+11:00")
    assert decision.allowed
    assert decision.to_dict()["zone_evidence"] == {"Australia/Sydney": ["timezone"]}


def test_strict_zone_evidence_keeps_every_zone_of_the_mobile() -> None:
    sydney = cw.Consumer(id="au", phone="+61412345678", timezone="Australia/Sydney")
    engine = cw.Engine(cw.presets.get("AU"), zone_evidence="strict")
    decision = engine.check(sydney, "2026-12-01T09:00:00+11:00")
    assert not decision.allowed  # Perth reads 06:00
    assert {"Australia/Perth", "Australia/Darwin", "Australia/Sydney"} <= set(decision.timezones)
    assert decision.to_dict()["zone_evidence"]["Australia/Sydney"] == ["timezone", "phone"]


def test_an_850_number_and_a_pacific_zone_give_three_zones() -> None:
    # 850 spans Central and Eastern (the Florida panhandle), the address is Pacific:
    # geographic phone evidence keeps adding its zones.  TCPA 08:00-21:00 in all
    # three: from 08:00 Pacific (11:00 Eastern) to 21:00 Eastern (18:00 Pacific).
    person = cw.Consumer(id="pan", phone="+18505550123", timezone="America/Los_Angeles")
    assert person.candidate_zones == ("America/Chicago", "America/Los_Angeles",
                                      "America/New_York")
    engine = cw.Engine(cw.presets.get("US-TCPA"))
    assert not engine.check(person, "2026-12-01T07:59:00-08:00").allowed
    assert engine.check(person, "2026-12-01T08:00:00-08:00").allowed
    assert engine.check(person, "2026-12-01T17:59:00-08:00").allowed   # 20:59 Eastern
    assert not engine.check(person, "2026-12-01T18:00:00-08:00").allowed  # 21:00 Eastern
    assert engine.check(person, "2026-12-01T12:00:00-08:00").to_dict()["zone_evidence"] == {
        "America/Chicago": ["phone"], "America/Los_Angeles": ["timezone"],
        "America/New_York": ["phone"]}


def test_reg_f_eastern_mobile_and_pacific_address_stays_1100_to_2100_eastern() -> None:
    # Reg F comment 6(b)(1)(i)-2: a 212 mobile, a California address.
    person = cw.Consumer(id="regf", phone="+12125550123", region="CA", country="US")
    assert person.candidate_zones == ("America/Los_Angeles", "America/New_York")
    engine = cw.Engine(cw.presets.get("US-REGF"))
    assert not engine.check(person, "2026-12-01T10:59:00-05:00").allowed
    assert engine.check(person, "2026-12-01T11:00:00-05:00").allowed
    assert engine.check(person, "2026-12-01T20:59:00-05:00").allowed
    assert not engine.check(person, "2026-12-01T21:00:00-05:00").allowed


def test_toronto_and_ontario_are_allowed_at_0900_edt() -> None:
    # Monday 5 Oct 2026, 09:00 EDT: the CRTC window opens at 09:00; Ontario's
    # Central-time corner (Winnipeg, 08:00) no longer counts beside the explicit zone.
    person = cw.Consumer(id="on", timezone="America/Toronto", region="ON", country="CA")
    assert person.candidate_zones == ("America/Toronto",)
    engine = cw.Engine(cw.presets.get("CA"))
    assert engine.check(person, "2026-10-05T09:00:00-04:00").allowed
    strict = cw.Engine(cw.presets.get("CA"), zone_evidence="strict")
    assert strict.check(person, "2026-10-05T09:00:00-04:00").codes == (
        cw.ReasonCode.OUTSIDE_HOURS,)


def test_texas_sunday_noon_with_an_explicit_chicago_zone_is_allowed() -> None:
    # Sunday 29 Nov 2026, 12:00 CST: Texas 301.051 allows Sundays 12:00-21:00; El Paso
    # (Mountain, 11:00) no longer counts beside the explicit zone.  Region TX still
    # says which state's law applies.
    person = cw.Consumer(id="tx", timezone="America/Chicago", region="TX", country="US")
    engine = cw.Engine(cw.presets.get("US-TX"))
    decision = engine.check(person, "2026-11-29T12:00:00-06:00")
    assert decision.allowed
    assert decision.policy_ids == ("US-TX",)
    assert not engine.check(person, "2026-11-29T11:59:00-06:00").allowed
    strict = cw.Engine(cw.presets.get("US-TX"), zone_evidence="strict")
    assert not strict.check(person, "2026-11-29T12:00:00-06:00").allowed


def test_a_mobile_of_another_country_still_adds_its_zones() -> None:
    # A French mobile with a zone in Italy: both countries, both zones.
    person = cw.Consumer(id="x", phone="+33612345678", timezone="Europe/Rome")
    assert person.candidate_zones == ("Europe/Paris", "Europe/Rome")
    assert person.countries == frozenset({"FR", "IT"})


def test_an_unknown_zone_evidence_option_is_refused() -> None:
    with pytest.raises(cw.InvalidInputError, match="zone_evidence"):
        cw.Engine(cw.presets.get("FR"), zone_evidence="loose")  # type: ignore[arg-type]


# -- dated consent ---------------------------------------------------------------------------

# Requires a consent that lasts a year; no hours, so only consent decides.
YEARLY = policy(id="yearly", requires_consent=True, consent_valid_for="P1Y")
GIVEN = "2026-01-15T10:00:00+01:00"  # 09:00 UTC


def consumer(consent: bool | cw.Consent) -> cw.Consumer:
    return cw.Consumer(id="c", timezone="Europe/Paris", consent=consent)


def test_a_dated_consent_counts_from_when_it_was_given(make_engine: MakeEngine) -> None:
    engine = make_engine(YEARLY)
    person = consumer(cw.Consent(given_at=GIVEN, proof="rec-881"))
    before = engine.check(person, "2026-01-15T08:59:59+00:00")
    assert before.codes == (cw.ReasonCode.CONSENT_REQUIRED,)
    assert before.next_allowed_at is not None
    assert before.next_allowed_at.isoformat() == "2026-01-15T09:00:00+00:00"
    assert "given at 2026-01-15T10:00:00+01:00, after this call" in before.reasons[0].message
    assert engine.check(person, "2026-01-15T09:00:00+00:00").allowed


def test_a_dated_consent_lapses_after_the_policys_validity(make_engine: MakeEngine) -> None:
    engine = make_engine(YEARLY)
    person = consumer(cw.Consent(given_at=GIVEN))
    assert engine.check(person, "2027-01-15T08:59:59+00:00").allowed
    lapsed = engine.check(person, "2027-01-15T09:00:00+00:00")
    assert lapsed.codes == (cw.ReasonCode.CONSENT_REQUIRED,)
    assert lapsed.next_allowed_at is None
    message = lapsed.reasons[0].message
    assert "given at 2026-01-15T10:00:00+01:00 lapsed at 2027-01-15T10:00:00+01:00" in message
    assert "P1Y" in message


def test_an_expiry_before_the_validity_ends_the_consent() -> None:
    engine = cw.Engine(YEARLY)
    person = consumer(cw.Consent(given_at=GIVEN, expires_at="2026-06-01T00:00:00+00:00"))
    assert engine.check(person, "2026-05-31T23:59:59+00:00").allowed
    lapsed = engine.check(person, "2026-06-01T00:00:00+00:00")
    assert lapsed.codes == (cw.ReasonCode.CONSENT_REQUIRED,)
    assert "lapsed at 2026-06-01T00:00:00+00:00 (its expiry)" in lapsed.reasons[0].message
    windows = engine.windows(person, "2026-05-01T00:00:00+00:00", "2026-07-01T00:00:00+00:00")
    assert [(s.isoformat(), e.isoformat()) for s, e in windows] == [
        ("2026-05-01T00:00:00+00:00", "2026-06-01T00:00:00+00:00")]


def test_an_undated_consent_does_not_satisfy_a_declared_validity() -> None:
    decision = cw.Engine(YEARLY).check(consumer(True), "2026-02-01T10:00:00+00:00")
    assert decision.codes == (cw.ReasonCode.CONSENT_REQUIRED,)
    assert "has no date" in decision.reasons[0].message
    assert decision.next_allowed_at is None


def test_an_undated_consent_still_satisfies_a_policy_without_validity() -> None:
    plain = policy(id="plain", requires_consent=True)
    engine = cw.Engine(plain)
    assert engine.check(consumer(True), "2026-02-01T10:00:00+00:00").allowed
    assert engine.check(consumer(False), "2026-02-01T10:00:00+00:00").codes == (
        cw.ReasonCode.CONSENT_REQUIRED,)
    # A dated consent without expiry counts for ever from when it was given.
    assert engine.check(consumer(cw.Consent(given_at=GIVEN)), "2036-02-01T10:00:00+00:00").allowed


def test_a_consent_given_after_the_french_opt_in_starts_opens_from_then() -> None:
    # FR from 11 Aug 2026 needs a consent.  Given Tuesday 1 Sep 2026 at 10:00 Paris:
    # Monday 31 Aug 10:30 is refused, and the next allowed instant is the consent's.
    engine = cw.Engine(cw.presets.get("FR"))
    person = cw.Consumer(id="p", phone="+33612345678",
                         consent=cw.Consent(given_at="2026-09-01T10:00:00+02:00"))
    refused = engine.check(person, "2026-08-31T10:30:00+02:00")
    assert refused.codes == (cw.ReasonCode.CONSENT_REQUIRED,)
    assert refused.next_allowed_at is not None
    assert refused.next_allowed_at.isoformat() == "2026-09-01T08:00:00+00:00"
    # Before the opt-in is in force no consent is needed: Monday 3 Aug 2026 10:30.
    assert engine.check(person, "2026-08-03T10:30:00+02:00").allowed


def test_consent_and_consent_valid_for_are_validated() -> None:
    with pytest.raises(cw.ConsumerError, match=r"consent\.given_at"):
        cw.Consumer(consent={"given_at": "2026-01-15T10:00:00"})
    with pytest.raises(cw.ConsumerError, match="not after given_at"):
        cw.Consumer(consent={"given_at": GIVEN, "expires_at": "2026-01-01T00:00:00+00:00"})
    with pytest.raises(cw.PolicyError, match="consent_valid_for"):
        policy(id="bad", requires_consent=True, consent_valid_for="30 days")
    with pytest.raises(cw.PolicyError, match="consent_valid_for"):
        policy(id="bad", requires_consent=True, consent_valid_for="P999Y")


@settings(max_examples=200, deadline=None)
@given(given_day=st.integers(0, 700), given_minute=st.integers(0, 1439),
       expiry_days=st.one_of(st.none(), st.integers(1, 500)),
       probe_days=st.integers(-30, 800), probe_minute=st.integers(0, 1439))
def test_a_dated_consent_counts_exactly_while_it_is_valid(
        given_day: int, given_minute: int, expiry_days: int | None, probe_days: int,
        probe_minute: int) -> None:
    # Allowed exactly when given_at <= t < min(expires_at, given_at + 1 year), the year
    # taken on the calendar (1 Jan 2026 + 1 year = 1 Jan 2027; 29 Feb has no +1 year
    # here: 2026-2028 hold a 29 Feb only in 2028, after every given day + 1 year).
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=given_day, minutes=given_minute)
    expires = None if expiry_days is None else start + timedelta(days=expiry_days)
    at = start + timedelta(days=probe_days, minutes=probe_minute - given_minute)
    year_later = start.replace(year=start.year + 1)
    end = year_later if expires is None else min(expires, year_later)
    person = consumer(cw.Consent(given_at=start, expires_at=expires))
    decision = cw.Engine(YEARLY).check(person, at)
    assert decision.allowed == (start <= at < end)
    if at < start:
        assert decision.next_allowed_at == start
    elif at >= end:
        assert decision.next_allowed_at is None


def test_ranked_zones_are_among_the_strict_ones() -> None:
    people = [
        cw.Consumer(phone="+61412345678", timezone="Australia/Sydney"),
        cw.Consumer(phone="+61412345678", region="NSW"),
        cw.Consumer(phone="+18505550123", timezone="America/Los_Angeles", region="CA",
                    country="US"),
        cw.Consumer(timezone="America/Toronto", region="ON", country="CA"),
        cw.Consumer(phone="+33612345678", timezone="Europe/Rome"),
        cw.Consumer(phone="+34612345678", timezone="Atlantic/Canary"),
    ]
    for person in people:
        ranked = set(person.candidate_zones)
        strict = {zone for zone, _sources in person.strict_zone_evidence}
        assert ranked
        assert ranked <= strict


def test_a_spanish_mobile_with_a_canary_zone_is_judged_in_the_canaries_only() -> None:
    # A Spanish mobile is "Madrid or the Canaries"; the explicit zone says which.
    person = cw.Consumer(phone="+34612345678", timezone="Atlantic/Canary")
    assert person.candidate_zones == ("Atlantic/Canary",)
    assert {zone for zone, _ in person.strict_zone_evidence} == {"Atlantic/Canary",
                                                                 "Europe/Madrid"}


# -- the audit record ------------------------------------------------------------------------

def test_the_audit_record_says_what_decided() -> None:
    engine = cw.Engine(FR_AND_US)
    consent = cw.Consent(given_at="2026-09-01T10:00:00+02:00", proof="rec-881")
    person = cw.Consumer(id="p", phone="+33612345678", consent=consent)
    record = engine.check(person, "2026-12-01T10:30:00+01:00").to_dict()
    json.dumps(record)  # JSON-ready
    assert record["library_version"] == cw.__version__
    assert sorted(record["policy_digests"]) == ["FR", "FR-optin-2026"]
    assert all(digest.startswith("sha256:") and len(digest) == 71
               for digest in record["policy_digests"].values())
    assert record["zone_evidence"] == {"Europe/Paris": ["phone"]}
    assert record["consent"] == {"given_at": "2026-09-01T10:00:00+02:00", "expires_at": None,
                                 "proof": "rec-881"}


def test_the_record_names_a_consent_only_where_a_policy_judged_it() -> None:
    hours = policy(id="hours", hours={"mon": ["09:00-18:00"]})
    engine = cw.Engine(hours)
    first = cw.Consumer(id="a", timezone="Europe/Paris",
                        consent=cw.Consent(given_at="2026-01-01T00:00:00+00:00"))
    second = first.model_copy(update={"id": "b", "consent": {
        "given_at": "2026-02-01T00:00:00+00:00"}})
    at = "2026-11-23T10:00:00+01:00"  # a Monday
    assert engine.check(first, at).to_dict()["consent"] is None
    assert engine.check(second, at).allowed
    assert len(engine._judge.planner.plans) == 1  # no policy asks: one plan for both


def test_a_change_of_rules_changes_the_digest() -> None:
    hours = {"mon": ["09:00-18:00"]}
    first = policy(id="house", hours=hours).digest
    assert policy(id="house", hours=hours).digest == first
    assert policy(id="house", hours={"mon": ["09:00-19:00"]}).digest != first


# -- per row ---------------------------------------------------------------------------------

def test_check_many_routes_each_row_to_its_own_law() -> None:
    engine = cw.Engine([cw.presets.get("FR"), cw.presets.get("IT-assocontact"),
                        cw.presets.get("US")])
    rows = [cw.Consumer(id="fr", phone="+33612345678"),
            cw.Consumer(id="it", phone="+393471234567"),
            cw.Consumer(id="us", phone="+12125550123")]
    # Tuesday 1 Dec 2026, 16:00 UTC: 17:00 in Paris and Rome, 11:00 in New York.
    decisions = engine.check_many(rows, "2026-12-01T16:00:00+00:00")
    assert [d.policy_ids for d in decisions] == [("FR", "FR-optin-2026"), ("IT-assocontact",),
                                                ("US", "US-TCPA", "US-TSR")]
    assert [d.allowed for d in decisions] == [False, True, True]  # no French consent
