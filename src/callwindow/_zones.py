"""Phone number and region -> the time zones the consumer may be in.

The E.164 fast path answers from a prefix table built from phonenumbers' own
time-zone data (each country's part when its first number is seen), so the
common case costs a few dict look-ups instead of a full ``phonenumbers.parse``
(tens of microseconds).  It gives the same answer
as ``phonenumbers.timezone.time_zones_for_number`` wherever that answer does
not depend on the number's type, and defers to the full parse where it does:

- NANP (+1): a number is placed by its area code, which maps to every zone
  any of its exchanges is in, plus zones the data misses
  (``NANP_SPLIT_AREA_CODES``), because people keep their numbers when they
  move.  Both paths answer this way.
- A country whose numbers all map to one zone set: answered from the table
  once the national number fits a number type of the country (its pattern
  and possible lengths, as ``is_valid_number`` tests after parsing).  In a
  sample of 2,500 random digit strings one invalid German number still got
  its country's zone; a valid number always gets the parse's answer.
- Elsewhere (Australia, Spain, Russia, Brazil, ...): a mobile is placed
  anywhere in the country while a landline is placed by its prefix, and
  telling them apart needs the parse, so these numbers take the slow path.

Non-E.164 input (national formats, spaces, dashes) is always parsed.
A number that cannot be parsed or is not a valid number has no zone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

import phonenumbers
from phonenumbers import timezone as _pn_timezone
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from . import _time

__all__ = [
    "EXTRA_ZONES",
    "NANP_SPLIT_AREA_CODES",
    "PARENT_COUNTRY",
    "REGION_ZONES",
    "US_TERRITORIES",
    "ZONE_CORRECTIONS",
    "Evidence",
    "countries_of_region",
    "phone_country",
    "zone_country",
    "zone_evidence",
    "zones_for_phone",
    "zones_for_region",
]

Zones = tuple[str, ...]
#: Each candidate zone with the sources that gave it (``"timezone"``, ``"region"``,
#: ``"phone"``), sorted by zone.
Evidence = tuple[tuple[str, tuple[str, ...]], ...]

#: Territories with an ISO code (and phone country) of their own whose country's
#: law reaches them: the US territories (each also the "region" a US territory
#: preset names), and France's overseas departments and the collectivities where
#: the Code de la consommation applies (not New Caledonia, French Polynesia or
#: Wallis and Futuna, which have consumer codes of their own).
PARENT_COUNTRY: Mapping[str, str] = MappingProxyType({
    **dict.fromkeys(("PR", "GU", "VI", "AS", "MP"), "US"),
    **dict.fromkeys(("GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"), "FR"),
})
US_TERRITORIES = frozenset(code for code, parent in PARENT_COUNTRY.items() if parent == "US")

#: Area codes that span two zones though phonenumbers' area-code entry lists
#: one (checked against its data: +1 850 gives New_York only, yet the western
#: Florida panhandle keeps Central time).
NANP_SPLIT_AREA_CODES: Mapping[str, Zones] = MappingProxyType({
    "850": ("America/Chicago", "America/New_York"),   # Florida panhandle west of the Apalachicola
    "812": ("America/Chicago", "America/New_York"),   # south-west Indiana
    "541": ("America/Boise", "America/Los_Angeles"),  # Malheur County, Oregon
    "906": ("America/Chicago", "America/New_York"),   # Upper Peninsula counties on Wisconsin
    "308": ("America/Chicago", "America/Denver"),     # western Nebraska
})

#: Zones phonenumbers' data leaves out, by country calling code and national
#: prefix: Australia's Northern Territory (UTC+09:30, no DST) is in none of
#: its entries, though a mobile (4...) may be there and 8 89.. is NT's range.
EXTRA_ZONES: Mapping[int, tuple[tuple[str, Zones], ...]] = MappingProxyType({
    61: (("4", ("Australia/Darwin",)), ("889", ("Australia/Darwin",))),
})

#: Zones phonenumbers' data gets wrong, by calling code, each replaced by the
#: right ones.  Morocco (+212) has kept Africa/Casablanca's time (UTC+1, UTC+0
#: in Ramadan) since 2018; the data names Atlantic/Canary (UTC+0, UTC+1 in
#: summer), an hour behind every winter, which would let a call through at
#: 21:30 in Casablanca as 20:30.  (Western Sahara's Africa/El_Aaiun keeps the
#: same time.)
ZONE_CORRECTIONS: Mapping[str, Mapping[str, Zones]] = MappingProxyType({
    "212": MappingProxyType({"Atlantic/Canary": ("Africa/Casablanca",)}),
})


def _corrected(code: str, zones: Iterable[str]) -> Zones:
    """phonenumbers' zones for a number of calling code ``code``, corrected."""
    fixes = ZONE_CORRECTIONS.get(code)
    if fixes is None:
        return tuple(zones)
    return tuple(fixed for zone in zones for fixed in fixes.get(zone, (zone,)))


# The zones of the regions (states, provinces) of countries that span zones,
# keyed by (ISO country, region code as in the `holidays` package).  An
# address in a region is a location fact (Reg F comment 6(b)(1)(i)-2 uses the
# home address), so its zones join the candidates.  Every zone any part of
# the region keeps is listed; most restrictive wins.
_REGION_ZONES: dict[tuple[str, str], Zones] = {
    **{("US", state): zones for state, zones in {
        "AL": ("America/Chicago",), "AK": ("America/Adak", "America/Anchorage",
                                           "America/Juneau", "America/Metlakatla",
                                           "America/Nome", "America/Sitka",
                                           "America/Yakutat"),
        "AZ": ("America/Denver", "America/Phoenix"), "AR": ("America/Chicago",),
        "CA": ("America/Los_Angeles",), "CO": ("America/Denver",),
        "CT": ("America/New_York",), "DE": ("America/New_York",),
        "DC": ("America/New_York",), "FL": ("America/Chicago", "America/New_York"),
        "GA": ("America/New_York",), "HI": ("Pacific/Honolulu",),
        "ID": ("America/Boise", "America/Los_Angeles"),
        "IL": ("America/Chicago",),
        "IN": ("America/Chicago", "America/Indiana/Indianapolis"),
        "IA": ("America/Chicago",), "KS": ("America/Chicago", "America/Denver"),
        "KY": ("America/Chicago", "America/New_York"), "LA": ("America/Chicago",),
        "ME": ("America/New_York",), "MD": ("America/New_York",),
        "MA": ("America/New_York",), "MI": ("America/Detroit", "America/Menominee"),
        "MN": ("America/Chicago",), "MS": ("America/Chicago",),
        "MO": ("America/Chicago",), "MT": ("America/Denver",),
        "NE": ("America/Chicago", "America/Denver"), "NV": ("America/Denver",
                                                            "America/Los_Angeles"),
        "NH": ("America/New_York",), "NJ": ("America/New_York",),
        "NM": ("America/Denver",), "NY": ("America/New_York",),
        "NC": ("America/New_York",),
        "ND": ("America/Chicago", "America/Denver", "America/North_Dakota/Center"),
        "OH": ("America/New_York",), "OK": ("America/Chicago",),
        "OR": ("America/Boise", "America/Los_Angeles"), "PA": ("America/New_York",),
        "RI": ("America/New_York",), "SC": ("America/New_York",),
        "SD": ("America/Chicago", "America/Denver"),
        "TN": ("America/Chicago", "America/New_York"),
        "TX": ("America/Chicago", "America/Denver"), "UT": ("America/Denver",),
        "VT": ("America/New_York",), "VA": ("America/New_York",),
        "WA": ("America/Los_Angeles",), "WV": ("America/New_York",),
        "WI": ("America/Chicago",), "WY": ("America/Denver",),
        "PR": ("America/Puerto_Rico",), "GU": ("Pacific/Guam",),
        "VI": ("America/St_Thomas",), "AS": ("Pacific/Pago_Pago",),
        "MP": ("Pacific/Saipan",),
    }.items()},
    **{("CA", province): zones for province, zones in {
        "AB": ("America/Edmonton",),
        "BC": ("America/Edmonton", "America/Fort_Nelson", "America/Vancouver"),
        "MB": ("America/Winnipeg",), "NB": ("America/Moncton",),
        "NL": ("America/Halifax", "America/St_Johns"),
        "NS": ("America/Halifax",), "NT": ("America/Edmonton",),
        "NU": ("America/Iqaluit", "America/Rankin_Inlet", "America/Cambridge_Bay"),
        "ON": ("America/Toronto", "America/Winnipeg"),
        "PE": ("America/Halifax",), "QC": ("America/Halifax", "America/Toronto"),
        "SK": ("America/Edmonton", "America/Regina"), "YT": ("America/Whitehorse",),
    }.items()},
    **{("AU", state): zones for state, zones in {
        "ACT": ("Australia/Sydney",), "NSW": ("Australia/Broken_Hill", "Australia/Sydney"),
        "NT": ("Australia/Darwin",), "QLD": ("Australia/Brisbane",),
        "SA": ("Australia/Adelaide",), "TAS": ("Australia/Hobart",),
        "VIC": ("Australia/Melbourne",), "WA": ("Australia/Eucla", "Australia/Perth"),
    }.items()},
}
REGION_ZONES: Mapping[tuple[str, str], Zones] = MappingProxyType(_REGION_ZONES)

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_NANP = re.compile(r"^\+1[2-9][0-9]{2}[2-9][0-9]{6}$")


def zones_for_region(country: str | None, region: str | None, phone: str | None = None
                     ) -> Zones:
    """The zones of a state or province of a multi-zone country, else ``()``.

    Without ``country`` the phone number says which country the region is in
    ("WA" is Washington for a +1 number and Western Australia for +61); with
    neither, the region places no zone (it still routes: see ``countries_of_region``).
    """
    if not region:
        return ()
    region = region.upper()
    if country:
        return REGION_ZONES.get((country.upper(), region), ())
    if phone is None:
        return ()
    if phone.startswith("+1"):  # US states and Canadian provinces share no code
        return REGION_ZONES.get(("US", region)) or REGION_ZONES.get(("CA", region), ())
    found = phone_country(phone)
    return REGION_ZONES.get((found, region), ()) if found else ()


def countries_of_region(country: str | None, region: str, phone: str | None = None
                        ) -> tuple[str, ...]:
    """The countries ``region`` may belong to (``("AU", "US")`` for a bare ``"WA"``)."""
    region = region.upper()
    if country:
        return (country.upper(),)
    if phone is not None:
        found = phone_country(phone)
        if found is not None:
            return (PARENT_COUNTRY.get(found, found),)
    return tuple(sorted(c for c, r in REGION_ZONES if r == region))


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    # zone.tab of the IANA database, as the `tzdata` package ships it: one country per
    # canonical zone.  Backward links (US/Eastern) are not in it and place no country.
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and line[0] != "#")
    return {row[2]: row[0] for row in rows}


def zone_country(zone: str) -> str | None:
    """The ISO country of an IANA zone (``"FR"`` for Europe/Paris), or ``None`` (UTC, links)."""
    return _zone_countries().get(zone)


def zone_evidence(phone: str | None, timezones: Zones, region: str | None,
                  country: str | None, *, strict: bool = False) -> Evidence:
    """The candidate zones of what is known of a consumer, each with its sources.

    Every source adds its zones (most restrictive wins), except evidence that
    carries no information beside a better one (``strict``: none is dropped):

    - an explicit zone supersedes the zones of a region of the same country
      (both describe the address);
    - a number that only places the consumer somewhere in its country (a
      number outside NANP that is not a fixed line: mobiles, non-geographic
      ranges) adds nothing when an explicit zone or a region's zones in that
      same country are known.  NANP area codes and fixed lines always add
      their zones (Reg F comment 6(b)(1)(i)-2).
    """
    found: dict[str, list[str]] = {}
    for zone in timezones:
        found.setdefault(zone, []).append("timezone")
    region_zones = zones_for_region(country, region, phone) if region else ()
    explicit_countries = {zone_country(zone) for zone in timezones}
    if strict or not explicit_countries & {zone_country(zone) for zone in region_zones}:
        for zone in region_zones:
            found.setdefault(zone, []).append("region")
    if phone:
        phone_zones = zones_for_phone(phone, country)
        if phone_zones and (timezones or region_zones) and not strict:
            known = explicit_countries | {zone_country(zone) for zone in region_zones}
            known.discard(None)
            if _country_level(phone, country) and phone_country(phone, country) in known:
                phone_zones = ()
        for zone in phone_zones:
            found.setdefault(zone, []).append("phone")
    return tuple((zone, tuple(found[zone])) for zone in sorted(found))


_GEOGRAPHIC_TYPES = frozenset({phonenumbers.PhoneNumberType.FIXED_LINE,
                               phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


@lru_cache(maxsize=65536)
def _country_level(phone: str, default_country: str | None) -> bool:
    """Whether the number places its holder only somewhere in its country: outside
    NANP, a number that is not a fixed line (a mobile, a non-geographic range).  A
    number that may be either (Mexico's, since 2019) keeps its prefix's zones."""
    if _NANP.match(phone):
        return False
    try:
        number = phonenumbers.parse(phone, default_country)
    except phonenumbers.NumberParseException:
        return False
    if number.country_code == 1:
        return False
    return phonenumbers.number_type(number) not in _GEOGRAPHIC_TYPES


def zones_for_phone(phone: str, default_country: str | None = None) -> Zones:
    """Every zone the number may be in, sorted; ``()`` if it cannot be placed."""
    if _E164.match(phone):
        fast = _fast_zones(phone)
        if fast is not None:
            return fast
    return _parsed_zones(phone, default_country)


def normalized(phone: str, default_country: str | None = None) -> str | None:
    """The number in E.164 (``+33612345678``), or ``None`` if it does not parse.

    Two spellings of one number (``06 12 34 56 78`` in France,
    ``+33 6 12 34 56 78``, even ``+330612345678`` with its trunk 0) give one
    string, which is what keys a per-phone limit: so every number is parsed
    (and kept in a cache), even one that already looks like E.164.
    """
    return _parsed_e164(phone, default_country)


@lru_cache(maxsize=65536)
def _parsed_e164(phone: str, default_country: str | None) -> str | None:
    try:
        number = phonenumbers.parse(phone, default_country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    text: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return text


def regions_for_phone(phone: str, default_country: str | None = None) -> tuple[str, ...]:
    """The US states or Canadian provinces a NANP number's area code serves, sorted.

    ``("FL",)`` for +1 305; ``()`` outside NANP or for an unknown area code.
    Read from a table generated from phonenumbers' geocoder (its place names)
    by ``scripts/gen_area_codes.py``: the geocoder itself is the whole world's
    place names, about 100 MB loaded for some 400 area codes.
    """
    if _NANP.match(phone):
        e164: str | None = phone
    elif _E164.match(phone) and not phone.startswith("+1"):
        return ()  # not NANP, no parse needed to tell (routing asks it of every number)
    else:
        e164 = normalized(phone, default_country)
    if not e164 or not e164.startswith("+1"):
        return ()
    return _area_code_regions().get(e164[2:5], ())


@lru_cache(maxsize=1)
def _area_code_regions() -> dict[str, tuple[str, ...]]:
    text = resources.files(__package__).joinpath("data", "nanp_regions.tsv").read_text(
        encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if not line.startswith("#"))
    return {area: tuple(codes.split()) for area, codes in rows}


def phone_country(phone: str, default_country: str | None = None) -> str | None:
    """The ISO country of a number (``"US"``, ``"FR"``, ``"PR"``), or ``None`` if unknown.

    An engine with policies for several countries asks it of every consumer: an
    E.164 number of a calling code with one country, or of a NANP area code of
    the area-code table, is answered without a parse (the parse gives the same
    answer; measured: 30 µs a number in a scrub); other numbers are parsed once.
    """
    if _E164.match(phone):
        fast = _fast_country(phone)
        if fast is not None:
            return fast
    return _parsed_country(phone, default_country)


@lru_cache(maxsize=65536)
def _parsed_country(phone: str, default_country: str | None) -> str | None:
    try:
        number = phonenumbers.parse(phone, default_country)
    except phonenumbers.NumberParseException:
        return None
    code: str | None = phonenumbers.region_code_for_number(number)
    return None if code in (None, "ZZ", "001") else code


_PROVINCES = frozenset({"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC",
                        "SK", "YT"})


def _fast_country(e164: str) -> str | None:
    """The country of an E.164 number when no parse is needed to tell, else ``None``."""
    if e164.startswith("+1"):
        if not _NANP.match(e164):
            return None
        regions = _area_code_regions().get(e164[2:5], ())
        if len(regions) != 1:
            return None
        region = regions[0]
        return region if region in US_TERRITORIES else "CA" if region in _PROVINCES else "US"
    codes = _one_country_codes()
    return codes.get(e164[1:3]) or codes.get(e164[1:4])


@lru_cache(maxsize=1)
def _one_country_codes() -> dict[str, str]:
    """Calling code (text) -> its country, for the codes of one country only."""
    return {str(code): regions[0]
            for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()
            if code != 1 and len(regions) == 1 and regions[0] != "001"}


def _fast_zones(e164: str) -> Zones | None:
    if e164.startswith("+1"):
        return _nanp_zones(e164[2:5]) if _NANP.match(e164) else None
    tables = _tables()
    for length in (1, 2, 3):
        country_code = e164[1:1 + length]
        if country_code in tables.uniform:
            uniform = tables.uniform[country_code]
        elif country_code in tables.calling_codes:
            uniform = tables.add_country(country_code)
        else:
            continue
        if uniform is None:
            return None  # a country whose zones depend on the number's type
        zones, pattern = uniform
        return zones if pattern.fullmatch(e164[1 + length:]) else None
    return None


@lru_cache(maxsize=65536)
def _parsed_zones(phone: str, default_country: str | None) -> Zones:
    try:
        number = phonenumbers.parse(phone, default_country)
    except phonenumbers.NumberParseException:
        return ()
    if not phonenumbers.is_valid_number(number):
        return ()
    national = phonenumbers.national_significant_number(number)
    area_zones = _nanp_zones(national[:3]) if number.country_code == 1 else None
    if area_zones is not None:
        # phonenumbers places Caribbean mobiles anywhere in NANP (Guam to
        # Adak, no window fits them all); the area code is the better fact.
        return area_zones
    found = set(_corrected(str(number.country_code),
                           _pn_timezone.time_zones_for_number(number)))
    found.discard(_pn_timezone.UNKNOWN_TIMEZONE)
    for prefix, extra in EXTRA_ZONES.get(number.country_code or 0, ()):
        if national.startswith(prefix):
            found.update(extra)
    return tuple(sorted(zone for zone in found if _time.is_zone(zone)))


_Uniform = tuple[Zones, re.Pattern[str]]


class _Tables:
    """The fast path's tables for countries outside NANP, each filled when first seen.

    Working a country out compiles a pattern from its number metadata, which
    phonenumbers loads per country; doing all ~200 at once costs a process
    half a second before its first check.
    """

    __slots__ = ("calling_codes", "uniform")

    def __init__(self) -> None:
        self.calling_codes = frozenset(
            str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        )
        #: Calling code -> (zones, valid national number) if every number of
        #: the country is in the same zones, else ``None``; filled as seen.
        self.uniform: dict[str, _Uniform | None] = {}

    def add_country(self, code: str) -> _Uniform | None:
        """Work out and keep ``uniform[code]`` (racing threads compute the same value)."""
        found = self.uniform[code] = self._uniform_country(code)
        return found

    @staticmethod
    def _uniform_country(code: str) -> _Uniform | None:
        # A calling code qualifies when its country-level entry and every longer
        # prefix under it name the same zones, so the number's type cannot
        # change the answer; the number's length must still be possible.
        country_level = TIMEZONE_DATA.get(code)
        if country_level is None:
            return None
        if any(zones != country_level for prefix, zones in TIMEZONE_DATA.items()
               if prefix.startswith(code) and len(prefix) <= TIMEZONE_LONGEST_PREFIX):
            return None
        zones = tuple(sorted(z for z in _corrected(code, country_level) if _time.is_zone(z)))
        pattern = _national_number_pattern(int(code))
        return (zones, pattern) if zones and pattern is not None else None


_NUMBER_TYPES = ("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
                 "personal_number", "voip", "pager", "uan", "voicemail")


def national_number_types(country_code: int) -> list[tuple[tuple[int, ...], str]] | None:
    """Each number type of each region of a calling code, as (possible lengths, pattern of
    the national number): a national number is valid when it fits one of them, the
    test ``is_valid_number`` makes after its parse.  ``None``: no metadata."""
    found = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ()):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
            country_code, region)
        if metadata is None:
            return None
        for name in _NUMBER_TYPES:
            desc = getattr(metadata, name, None)
            if desc is None or not desc.national_number_pattern:
                continue
            lengths = desc.possible_length or (
                metadata.general_desc.possible_length if metadata.general_desc else ())
            if any(length < 0 for length in lengths):  # -1: the type does not exist here
                continue
            found.append((tuple(lengths), desc.national_number_pattern))
    return found


def _national_number_pattern(country_code: int) -> re.Pattern[str] | None:
    # Each type's pattern, guarded by its possible lengths, compiled once.
    types = national_number_types(country_code)
    if types is None:
        return None
    alternatives = []
    for lengths, pattern in types:
        length_test = "|".join(f"[0-9]{{{length}}}" for length in lengths)
        guard = f"(?=(?:{length_test})$)" if length_test else ""
        alternatives.append(f"{guard}(?:{pattern})")
    return re.compile("|".join(f"(?:{alt})" for alt in alternatives)) if alternatives else None


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    return _Tables()


@lru_cache(maxsize=1)
def _nanp() -> dict[str, frozenset[str]]:
    """NANP area code -> the zone names phonenumbers gives its exchanges, plus splits."""
    by_area_code: dict[str, set[str]] = defaultdict(set)
    for prefix, zones in TIMEZONE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4:
            by_area_code[prefix[1:4]].update(zones)
    for area_code, zones in NANP_SPLIT_AREA_CODES.items():
        by_area_code[area_code].update(zones)
    return {area_code: frozenset(zones) for area_code, zones in by_area_code.items()}


@lru_cache(maxsize=1024)
def _nanp_zones(area_code: str) -> Zones | None:
    """The zones of one area code, ``None`` if it is unknown.

    Each area code's zones are checked against the tz database when it is
    first asked for: checking all of NANP's at once loads some 40 zones.
    """
    zones = _nanp().get(area_code)
    return None if zones is None else tuple(sorted(z for z in zones if _time.is_zone(z)))
