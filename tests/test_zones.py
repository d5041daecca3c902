"""Phone number and region -> candidate zones.

Expected zones are written by hand from geography (which zones an area code,
state or country spans), never computed by the code under test.  The one
exception is the fast-path/slow-path consistency test, which compares two
code paths of callwindow against each other on phonenumbers' example numbers.
"""

from __future__ import annotations

import phonenumbers
import pytest

import callwindow as cw
from callwindow._zones import _fast_zones, _parsed_zones, zones_for_phone, zones_for_region
from callwindow.testing import policy

# --------------------------------------------------------------------------
# Fast E.164 path == full phonenumbers parse
# --------------------------------------------------------------------------

_TYPE_NAMES: dict[int, str] = {
    value: name
    for name, value in vars(phonenumbers.PhoneNumberType).items()
    if name.isupper() and isinstance(value, int)
}


def _example_numbers() -> list[tuple[str, str, str]]:
    """(region, type name, E.164) for every valid example number phonenumbers has."""
    found: list[tuple[str, str, str]] = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for number_type, type_name in sorted(_TYPE_NAMES.items()):
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is None or not phonenumbers.is_valid_number(example):
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            found.append((region, type_name, e164))
    return found


_EXAMPLES = _example_numbers()


def test_example_number_table_covers_many_regions() -> None:
    # Guards the parametrized test below against silently running on nothing.
    assert len({region for region, _, _ in _EXAMPLES}) > 200


@pytest.mark.parametrize(
    ("region", "type_name", "e164"),
    _EXAMPLES,
    ids=[f"{region}-{type_name}-{e164}" for region, type_name, e164 in _EXAMPLES],
)
def test_fast_e164_path_agrees_with_full_parse(region: str, type_name: str, e164: str) -> None:
    # The fast path may decline (None), and the full parse answers; when it
    # answers, it must answer as the parse does.
    assert _fast_zones(e164) in (None, _parsed_zones(e164, None))


def test_fast_e164_path_answers_most_example_numbers() -> None:
    # Guards the test above against a fast path that declines everything: it
    # answers for most of the example numbers (it declines ranges whose zones
    # vary inside a country, which the full parse places).
    answered = sum(_fast_zones(e164) is not None for _, _, e164 in _EXAMPLES)
    assert answered > 0.75 * len(_EXAMPLES)


def test_fast_path_answers_nanp_and_french_numbers_without_parsing() -> None:
    # The consistency test above only means something if the fast path answers.
    # Manhattan (212) is Eastern; metropolitan France is one zone.
    assert _fast_zones("+12125550123") == ("America/New_York",)
    assert _fast_zones("+33612345678") == ("Europe/Paris",)


def test_number_written_with_spaces_gets_same_zones_as_its_e164_form() -> None:
    # Jamaica is a single-zone NANP country; its mobiles are in Jamaica however
    # the number is written.
    assert zones_for_phone("+1 876 210 1234") == zones_for_phone("+18762101234")
    assert zones_for_phone("+18762101234") == ("America/Jamaica",)


# --------------------------------------------------------------------------
# Hand-written cases: phone numbers
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("phone", "required"),
    [
        # Florida panhandle: west of the Apalachicola is Central, east is Eastern.
        ("+18505550123", {"America/Chicago", "America/New_York"}),
        # South-west Indiana (Evansville Central, Bloomington Eastern).
        ("+18125550123", {"America/Chicago", "America/New_York"}),
        # Oregon: Malheur County is Mountain (Boise), the rest Pacific.
        ("+15415550123", {"America/Boise", "America/Los_Angeles"}),
        # Michigan's Upper Peninsula: counties on Wisconsin are Central.
        ("+19065550123", {"America/Chicago", "America/New_York"}),
        # Nebraska: the west (Panhandle) is Mountain, the east Central.
        ("+13085550123", {"America/Chicago", "America/Denver"}),
    ],
    ids=["850-florida", "812-indiana", "541-oregon", "906-upper-peninsula", "308-nebraska"],
)
def test_split_nanp_area_code_gives_both_zones(phone: str, required: set[str]) -> None:
    assert required <= set(zones_for_phone(phone))


def test_manhattan_212_is_only_eastern() -> None:
    assert zones_for_phone("+12125550123") == ("America/New_York",)


# Zones with distinct clock rules on the Australian mainland: WA (Perth), the
# Eucla strip, NT (Darwin: +09:30 all year, no DST), SA (Adelaide), QLD
# (Brisbane: no DST) and NSW/VIC/ACT (Sydney).  A mobile may be in any of them.
_AUSTRALIAN_MAINLAND = {
    "Australia/Perth",
    "Australia/Eucla",
    "Australia/Darwin",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
}


@pytest.mark.parametrize("phone", ["+61412345678", "+61 412 345 678"])
def test_australian_mobile_includes_every_mainland_zone(phone: str) -> None:
    zones = set(zones_for_phone(phone))
    assert "Australia/Perth" in zones
    assert "Australia/Sydney" in zones
    missing = _AUSTRALIAN_MAINLAND - zones
    assert not missing, sorted(missing)


def test_darwin_landline_includes_australia_darwin() -> None:
    # (08) 89xx xxxx is the Northern Territory (Darwin 8999...): ACST, no DST.
    assert "Australia/Darwin" in zones_for_phone("+61889991234")


@pytest.mark.parametrize("phone", ["+34612345678", "+34 612 34 56 78"])
def test_spanish_mobile_is_madrid_or_canary_islands(phone: str) -> None:
    assert zones_for_phone(phone) == ("Atlantic/Canary", "Europe/Madrid")


def test_spanish_landlines_are_placed_by_province_prefix() -> None:
    assert zones_for_phone("+34912345678") == ("Europe/Madrid",)    # 91: Madrid
    assert zones_for_phone("+34922123456") == ("Atlantic/Canary",)  # 922: Tenerife


@pytest.mark.parametrize("phone", ["+212612345678", "+212522123456", "+212 6 12 34 56 78"])
def test_moroccan_numbers_are_in_casablanca_not_the_canaries(phone: str) -> None:
    # phonenumbers' data names Atlantic/Canary for +212; Morocco keeps UTC+1.
    assert zones_for_phone(phone) == ("Africa/Casablanca",)


def test_a_moroccan_number_is_judged_on_casablanca_time() -> None:
    # 1 December 2026, 20:30 UTC: 21:30 in Casablanca (UTC+1 outside Ramadan), 20:30
    # in the Canaries (UTC+0 in winter).  Calls until 21:00: refused.
    engine = cw.Engine(policy("08:00-21:00", days="mon-sun"))
    decision = engine.check(cw.Consumer(id="ma", phone="+212612345678"),
                            "2026-12-01T20:30:00+00:00")
    assert not decision.allowed
    assert decision.local_times["Africa/Casablanca"].isoformat() == "2026-12-01T21:30:00+01:00"


@pytest.mark.parametrize("phone", ["+33612345678", "+33 6 12 34 56 78"])
def test_french_mobile_is_only_paris(phone: str) -> None:
    assert zones_for_phone(phone) == ("Europe/Paris",)


def test_french_national_format_with_consumer_country_fr_is_paris() -> None:
    assert cw.Consumer(phone="06 12 34 56 78", country="FR").candidate_zones == (
        "Europe/Paris",)
    assert zones_for_phone("06 12 34 56 78", "FR") == ("Europe/Paris",)


def test_consumer_country_is_case_insensitive_for_national_numbers() -> None:
    assert cw.Consumer(phone="06 12 34 56 78", country="fr").candidate_zones == (
        "Europe/Paris",)


def test_national_format_without_country_is_not_guessed() -> None:
    assert zones_for_phone("06 12 34 56 78") == ()
    assert cw.Consumer(phone="06 12 34 56 78").candidate_zones == ()


@pytest.mark.parametrize(
    "phone", ["+1 (212) 555-0123", "+1-212-555-0123", "+1 212 555 0123", "+1.212.555.0123"])
def test_punctuated_international_number_is_parsed(phone: str) -> None:
    assert zones_for_phone(phone) == ("America/New_York",)


@pytest.mark.parametrize(
    "phone",
    [
        "garbage",
        "+1234",
        "",
        "+",
        "+1 212 123 0123",   # a NANP exchange cannot begin with 1
        "+33012345678",      # French trunk 0 kept after +33: not a French number
        "+33000000000",      # no French number begins with 0
        "+81000000000",      # Japanese trunk 0 kept after +81
    ],
)
def test_unplaceable_or_invalid_number_has_no_zone(phone: str) -> None:
    assert zones_for_phone(phone) == ()


def test_consumer_with_invalid_number_and_nothing_else_has_no_candidate_zone() -> None:
    assert cw.Consumer(phone="garbage").candidate_zones == ()
    assert cw.Consumer().candidate_zones == ()


# --------------------------------------------------------------------------
# Regions (states, provinces)
# --------------------------------------------------------------------------

def test_florida_spans_central_and_eastern() -> None:
    assert zones_for_region("US", "FL") == ("America/Chicago", "America/New_York")


def test_western_australia_is_perth_and_eucla() -> None:
    assert zones_for_region("AU", "WA") == ("Australia/Eucla", "Australia/Perth")


def test_region_and_country_codes_are_case_insensitive() -> None:
    assert zones_for_region("us", "fl") == ("America/Chicago", "America/New_York")


def test_ontario_spans_eastern_and_central() -> None:
    # Kenora and Rainy River (north-west Ontario) keep Central time.
    assert {"America/Toronto", "America/Winnipeg"} <= set(zones_for_region("CA", "ON"))


@pytest.mark.parametrize(
    ("phone", "zones"),
    [
        ("+12065550123", ("America/Los_Angeles",)),                 # Washington state
        ("+61412345678", ("Australia/Eucla", "Australia/Perth")),   # Western Australia
    ],
    ids=["WA-is-washington-for-+1", "WA-is-western-australia-for-+61"],
)
def test_phone_says_which_country_a_region_is_in(phone: str, zones: tuple[str, ...]) -> None:
    assert zones_for_region(None, "WA", phone) == zones


def test_region_of_a_single_zone_country_adds_no_zone() -> None:
    # Moselle (57) is in metropolitan France: one zone, known from elsewhere.
    assert zones_for_region("FR", "57") == ()
    consumer = cw.Consumer(timezone="Europe/Paris", region="57", country="FR")
    assert consumer.candidate_zones == ("Europe/Paris",)


def test_reg_f_example_eastern_mobile_with_california_address_is_union() -> None:
    # Regulation F comment 6(b)(1)(i)-2: a mobile area code in Eastern time and a
    # home address in Pacific time -> both zones are candidates.
    consumer = cw.Consumer(phone="+12125550123", region="CA")
    assert consumer.candidate_zones == ("America/Los_Angeles", "America/New_York")


def test_region_with_country_and_no_phone_gives_its_zones() -> None:
    assert cw.Consumer(country="US", region="CA").candidate_zones == ("America/Los_Angeles",)


@pytest.mark.parametrize("region", ["CA", "WA", "FL"])
def test_region_without_country_or_phone_adds_nothing(region: str) -> None:
    assert zones_for_region(None, region) == ()
    assert cw.Consumer(region=region).candidate_zones == ()
    assert cw.Consumer(region=region, timezone="Europe/Paris").candidate_zones == (
        "Europe/Paris",)


# --------------------------------------------------------------------------
# Explicit timezone
# --------------------------------------------------------------------------

def test_explicit_timezone_as_one_string() -> None:
    assert cw.Consumer(timezone="Europe/Paris").candidate_zones == ("Europe/Paris",)


def test_explicit_timezone_as_a_list_is_kept_whole() -> None:
    consumer = cw.Consumer(timezone=["Europe/Paris", "America/New_York"])
    assert consumer.candidate_zones == ("America/New_York", "Europe/Paris")


def test_explicit_timezone_joins_the_zones_of_the_phone() -> None:
    consumer = cw.Consumer(phone="+33612345678", timezone="America/New_York")
    assert consumer.candidate_zones == ("America/New_York", "Europe/Paris")


@pytest.mark.parametrize("timezone", ["Mars/Olympus", ["Europe/Paris", "Mars/Olympus"]])
def test_unknown_explicit_timezone_raises_naming_it(timezone: str | list[str]) -> None:
    with pytest.raises(cw.ConsumerError, match="Mars/Olympus") as caught:
        cw.Consumer(timezone=timezone)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == ("timezone" if isinstance(timezone, str) else "timezone.1")
