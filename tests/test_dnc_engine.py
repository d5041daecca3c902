"""The engine consults do-not-call lists: ``Engine(policy, suppression=...)``.

Expected values are worked out by hand: a list of 2026-11-28 is obtained at
its date's first instant anywhere, 00:00 at UTC+14 = 2026-11-27T10:00Z, so with
``max_age: P31D`` it is fresh until 2026-12-28T10:00Z (inclusive); the US
federal hours (TSR, TCPA) are 08:00-21:00 on the called person's clock, and
Washington DC (area code 202) is on Eastern time (EST = UTC-5 in December).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import callwindow as cw

DNC = cw.ReasonCode.DO_NOT_CALL
AS_OF = date(2026, 11, 28)
LISTED, UNLISTED = "+12025550143", "+12025550144"
US_DNC = cw.presets.get("US-DNC")
MONDAY_NOON = "2026-12-28T17:00:00Z"  # 12:00 EST, the day the list goes stale at 05:00 EST
TUESDAY_10 = "2026-12-01T15:00:00Z"   # 10:00 EST, the list four days old

#: Both shells: Engine, and AsyncEngine through the bridge (conftest).
SHELLS = pytest.mark.parametrize("ledgers", ["memory", "memory+async"], indirect=True)


def us_list(*numbers: str, as_of: date = AS_OF, registry: str = "US-DNC",
            **options: Any) -> cw.SuppressionList:
    return cw.SuppressionList.from_numbers(numbers, registry=registry, as_of=as_of,
                                           **options)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def person(phone: str | None, **fields: Any) -> cw.Consumer:
    return cw.Consumer(id=f"c-{phone}", phone=phone, **fields)


def messages(decision: cw.Decision) -> list[str]:
    return [reason.message for reason in decision.reasons]


Make = Callable[..., Any]


@SHELLS
def test_a_listed_number_is_refused_for_good_naming_the_registry_and_date(
        make_engine: Make) -> None:
    engine = make_engine([cw.presets.get("US"), US_DNC], suppression=us_list(LISTED))
    refused = engine.check(person(LISTED), TUESDAY_10)
    assert not refused.allowed
    assert refused.codes == (DNC,)
    assert messages(refused) == ["the number is on the US-DNC list of 2026-11-28"]
    assert refused.reasons[0].policy_id == "US-DNC"
    assert refused.next_allowed_at is None
    assert engine.next_allowed_at(person(LISTED), TUESDAY_10) is None
    assert engine.windows(person(LISTED), "2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z") == []
    assert engine.check(person(UNLISTED), TUESDAY_10).allowed


@SHELLS
def test_a_stale_list_refuses_every_call_the_rule_governs(make_engine: Make) -> None:
    engine = make_engine([cw.presets.get("US"), US_DNC], suppression=us_list(LISTED))
    for phone in (LISTED, UNLISTED):
        stale = engine.check(person(phone), MONDAY_NOON)
        assert not stale.allowed
        assert DNC in stale.codes
        assert "no US-DNC list newer than P31D is loaded" in messages(stale)
        assert stale.next_allowed_at is None
    # Sunday 27 December, 08:00-21:00 EST = 13:00Z to 02:00Z; on Monday the list is stale
    # (10:00Z) before the day opens (13:00Z): no window after it, no next allowed time
    # (and Saturday's 19:00-21:00 EST = 00:00Z-02:00Z on the 27th)
    assert engine.windows(person(UNLISTED), "2026-12-27T00:00:00Z", "2026-12-30T00:00:00Z") == [
        (utc("2026-12-27T00:00:00Z"), utc("2026-12-27T02:00:00Z")),
        (utc("2026-12-27T13:00:00Z"), utc("2026-12-28T02:00:00Z"))]
    assert engine.next_allowed_at(person(UNLISTED), "2026-12-27T03:00:00Z") == utc(
        "2026-12-27T13:00:00Z")
    assert engine.next_allowed_at(person(UNLISTED), "2026-12-28T03:00:00Z") is None


@SHELLS
def test_no_list_at_all_refuses_every_call_the_rule_governs(make_engine: Make) -> None:
    engine = make_engine(US_DNC)
    refused = engine.check(person(UNLISTED), TUESDAY_10)
    assert messages(refused) == ["no US-DNC list newer than P31D is loaded"]
    assert refused.next_allowed_at is None
    # a list of another registry is not the one the rule asks for
    tps = make_engine(US_DNC, suppression=us_list(registry="TPS"))
    assert messages(tps.check(person(UNLISTED), TUESDAY_10)) == [
        "no US-DNC list newer than P31D is loaded"]


@SHELLS
def test_the_freshness_boundary_to_the_microsecond(make_engine: Make) -> None:
    engine = make_engine(US_DNC, suppression=us_list(LISTED))  # no hours: the list decides
    assert engine.check(person(UNLISTED), "2026-12-27T10:00:00Z").allowed  # a day inside
    assert engine.check(person(UNLISTED), "2026-12-28T10:00:00Z").allowed  # 31 days to the µs
    assert not engine.check(person(UNLISTED), "2026-12-28T10:00:00.000001Z").allowed
    # obtained 2026-11-27T10:00Z: not before
    assert not engine.check(person(UNLISTED), "2026-11-27T09:59:59Z").allowed
    early = engine.check(person(UNLISTED), "2026-11-27T09:00:00Z")
    assert early.next_allowed_at == utc("2026-11-27T10:00:00Z")
    assert engine.windows(person(UNLISTED), "2026-12-28T00:00:00Z", "2026-12-29T00:00:00Z") == [
        (utc("2026-12-28T00:00:00Z"), utc("2026-12-28T10:00:00.000001Z"))]


@SHELLS
@pytest.mark.parametrize(("preset", "registry", "phone", "exempts"), [
    ("US-DNC", "US-DNC", "+12025550143", True),     # TSR (B)(i): signed written agreement
    ("UK-TPS", "TPS", "+447700900123", True),       # PECR reg 21(4): non-objection notice
    ("CA-DNCL", "DNCL", "+14165550143", False),     # exemptions not encoded
])
def test_consent_exempts_only_where_the_rule_says(make_engine: Make, preset: str,
                                                   registry: str, phone: str,
                                                   exempts: bool) -> None:
    country = cw.presets.get(preset).applies_to.country  # type: ignore[union-attr]
    engine = make_engine(cw.presets.get(preset), suppression=us_list(phone, registry=registry))
    other = phone[:-1] + "9"  # unlisted: the rule and its fresh list allow it
    assert engine.check(person(other, country=country), TUESDAY_10).allowed
    consenting = engine.check(person(phone, country=country, consent=True), TUESDAY_10)
    assert consenting.allowed is exempts
    # the audit record keeps the consent where a rule lets it exempt a listing
    assert consenting.to_dict()["consent"] is (True if exempts else None)
    refused = engine.check(person(phone, country=country), TUESDAY_10)
    assert messages(refused) == [f"the number is on the {registry} list of 2026-11-28"]


@SHELLS
def test_a_dated_consent_exempts_from_when_it_is_given(make_engine: Make) -> None:
    engine = make_engine([cw.presets.get("US"), US_DNC], suppression=us_list(LISTED))
    consenting = person(LISTED, consent=cw.Consent(given_at="2026-12-01T00:00:00Z"))
    before = engine.check(consenting, "2026-11-30T15:00:00Z")  # 10:00 EST, not yet given
    assert messages(before) == ["the number is on the US-DNC list of 2026-11-28; consent "
                                "would exempt it, and none that counts at this time is "
                                "recorded"]
    # given at 19:00 EST on 30 November, within the hours: allowed from then
    assert before.next_allowed_at == utc("2026-12-01T00:00:00Z")
    assert engine.check(consenting, "2026-12-01T00:00:00Z").allowed


@SHELLS
def test_lists_without_a_rule_refuse_listed_numbers_and_unknown_ones(
        make_engine: Make) -> None:
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    house = cw.Policy(id="house", hours=dict.fromkeys(weekdays, ("09:00-18:00",)))
    engine = make_engine(house, suppression=[us_list(LISTED, registry="house")])
    listed = engine.check(person(LISTED), TUESDAY_10)
    assert messages(listed) == ["the number is on the house list of 2026-11-28"]
    assert listed.reasons[0].policy_id is None
    assert engine.check(person(UNLISTED), TUESDAY_10).allowed
    # a list of no registry rule never goes stale: years later, still judged
    assert engine.check(person(UNLISTED), "2030-01-08T15:00:00Z").allowed
    # no number: the number dialled cannot be looked up (fail closed)
    unknown = engine.check(cw.Consumer(id="n", timezone="America/New_York"), TUESDAY_10)
    assert messages(unknown) == ["no phone number that parses is known for the consumer, so "
                                 "it cannot be checked against the house list"]
    assert unknown.next_allowed_at is None


@SHELLS
def test_a_preset_without_a_rule_is_not_affected(make_engine: Make) -> None:
    # Debt collection (Regulation F) and the US composite require no list: a listed
    # number is allowed by engines given no list
    for policy in (cw.presets.get("US-REGF"), cw.presets.get("US")):
        assert make_engine(policy).check(person(LISTED), TUESDAY_10).allowed


@SHELLS
def test_a_hashed_list_works_through_the_engine(make_engine: Make) -> None:
    secret = "a-secret-of-at-least-16-bytes"
    engine = make_engine(US_DNC, suppression=us_list(LISTED, secret=secret))
    assert messages(engine.check(person(LISTED), TUESDAY_10)) == [
        "the number is on the US-DNC list of 2026-11-28"]
    assert engine.check(person(UNLISTED), TUESDAY_10).allowed
    # the number in national format: Consumer.e164 normalises it before the lookup
    assert not engine.check(person("(202) 555-0143", country="US"), TUESDAY_10).allowed


def test_acquire_records_nothing_for_a_refused_call(make_engine: Make) -> None:
    # every backend, through both shells
    once = cw.Policy(id="once", limits=[{"max_attempts": 1, "period": "P1D",
                                         "per": ["consumer"]}])
    engine = make_engine([once, US_DNC], suppression=us_list(LISTED))
    refused = engine.acquire(cw.Consumer(id="x", phone=LISTED), TUESDAY_10)
    assert (refused.allowed, refused.attempt_id, refused.codes) == (False, None, (DNC,))
    # had the refused call been recorded, the one allowed attempt a day would be used
    allowed = engine.acquire(cw.Consumer(id="x", phone=UNLISTED), TUESDAY_10)
    assert allowed.allowed
    assert allowed.attempt_id is not None


@SHELLS
def test_check_many_and_check_table_screen_each_number(make_engine: Make) -> None:
    pytest.importorskip("pyarrow")
    engine = make_engine([cw.presets.get("US"), US_DNC], suppression=us_list(LISTED))
    people = [person(LISTED), person(UNLISTED), person(LISTED, consent=True)]
    assert [d.allowed for d in engine.check_many(people, TUESDAY_10)] == [False, True, True]
    import pyarrow as pa

    table = engine.check_table(pa.table({"id": ["a", "b", "c"],
                                         "phone": [LISTED, UNLISTED, LISTED]}), TUESDAY_10)
    assert table.column("allowed").to_pylist() == [False, True, False]
    assert table.column("reasons").to_pylist() == [["do_not_call"], [], ["do_not_call"]]


def test_the_suppression_argument_is_checked() -> None:
    with pytest.raises(TypeError, match=r"suppression\[1\]: expected a callwindow"):
        cw.Engine(US_DNC, suppression=[us_list(), "us.cwdnc"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="suppression: expected"):
        cw.Engine(US_DNC, suppression="us.cwdnc")  # type: ignore[arg-type]
    lst = us_list()
    assert cw.Engine(US_DNC, suppression=lst).suppression == (lst,)
    assert cw.Engine(US_DNC).suppression == ()


NUMBERS = [f"+1416555{n:04d}" for n in range(140, 146)]  # Toronto


@settings(max_examples=60, deadline=None)
@given(listed=st.sets(st.sampled_from(NUMBERS)), phone=st.sampled_from(NUMBERS),
       minutes=st.integers(0, 60 * 24 * 40), consent=st.booleans())
def test_a_listed_number_is_never_allowed_and_check_agrees_with_windows(
        listed: set[str], phone: str, minutes: int, consent: bool) -> None:
    # CA-DNCL: no consent exempts; no hours, so the list and its age alone decide
    engine = cw.Engine(cw.presets.get("CA-DNCL"),
                       suppression=us_list(*sorted(listed), registry="DNCL"))
    at = datetime(2026, 11, 20, tzinfo=UTC).timestamp() + minutes * 60
    moment = datetime.fromtimestamp(at, UTC)
    consumer = person(phone, consent=consent)
    decision = engine.check(consumer, moment)
    fresh = utc("2026-11-27T10:00:00Z") <= moment <= utc("2026-12-28T10:00:00Z")
    assert decision.allowed is (fresh and phone not in listed)
    windows = engine.windows(consumer, moment, "2027-01-01T00:00:00Z")
    assert bool(windows) is (phone not in listed and moment <= utc("2026-12-28T10:00:00Z"))
    if windows:
        assert windows[0][0] == max(moment, utc("2026-11-27T10:00:00Z"))
        assert engine.check(consumer, windows[0][0]).allowed
