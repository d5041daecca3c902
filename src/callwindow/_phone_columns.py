"""Phone numbers placed a column at a time, for the columnar path (``_table``).

What the engine makes of a number (its zones, country, area-code regions,
whether it is valid) depends, for the common spellings, only on a prefix: the
country calling code, and in NANP the area code.  Arrow compute finds that
prefix for every row and tests the number's validity with the same
phonenumbers patterns the row path uses (``_zones``); each distinct *class*
of number is then worked out once, on one number of the class, by the row
path itself.  Classes:

- ``1|<area code>``: an E.164 NANP number (``+12125550123``) whose area code
  the area-code table gives one region and ``_zones`` places;
- ``+|<calling code>``: an E.164 number of a country whose numbers all share
  one zone set, valid by that country's pattern (as ``_zones``' fast path), the
  calling code being that country's alone;
- ``+!|<calling code>``: one of these numbers that is not valid, which
  phonenumbers reads as it is (no trunk prefix, a possible length): placed in
  no zone, in its country;
- ``US|<area code>``: a US number in national format (``2125550123``) with
  ``country`` US, valid as a US number;
- ``N|<calling code>``: a national number with its trunk prefix
  (``0612345678``) and ``country`` of a one-zone-set country, valid.

Every other number (spaces, dashes, country-level numbers beside a zone or
region, numbers that are not valid) has no class: the row path judges it.
The E.164 form of each classed number is worked out too (it keys per-phone
limits), as phonenumbers formats it.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from . import _zones

__all__ = ["PhoneClasses", "phone_classes"]

_ASCII_SPACE = " \t\n\r\x0b\x0c"
_E164 = r"^\+[1-9][0-9]{6,14}$"
_NANP = r"^\+1[2-9][0-9]{2}[2-9][0-9]{6}$"
_US_NATIONAL = r"^[2-9][0-9]{2}[2-9][0-9]{6}$"


class PhoneClasses:
    """Per row: the number's class (null: none) and its E.164 form (null when unclassed)."""

    __slots__ = ("classes", "e164")

    def __init__(self, classes: pa.Array, e164: pa.Array) -> None:
        self.classes = classes
        self.e164 = e164


def phone_classes(phone: pa.Array, country: pa.Array | None, placed: pa.Array | None
                  ) -> PhoneClasses:
    """The classes of a column of numbers (strings).

    ``country``: the rows' ``country`` column (strings) or ``None``;
    ``placed``: per row, whether a zone or region is also given (a number
    outside NANP then takes the row path: whether it adds its zones depends
    on its type, see ``_zones.zone_evidence``), or ``None`` for none.
    """
    rows = len(phone)
    text = pc.utf8_trim(phone, _ASCII_SPACE)
    classes = pa.nulls(rows, pa.string())
    e164 = pa.nulls(rows, pa.string())
    is_e164 = _filled(pc.match_substring_regex(text, _E164))
    # NANP in E.164: the area code decides.
    nanp = _filled(pc.match_substring_regex(text, _NANP))
    if pc.any(nanp).as_py():
        area = pc.utf8_slice_codeunits(text, 2, 5)
        good = _filled(pc.and_(nanp, pc.is_in(area, value_set=_nanp_areas())))
        classes = pc.if_else(good, pc.binary_join_element_wise("1", area, "|"), classes)
        e164 = pc.if_else(good, text, e164)
    # Elsewhere in E.164: the calling code decides, for a number valid by its pattern.
    other = pc.and_(is_e164, pc.invert(pc.starts_with(text, "+1")))
    if placed is not None:
        other = _filled(pc.and_(other, pc.invert(placed)))
    if pc.any(other).as_py():
        code = _calling_codes(text, other)
        for value in pc.unique(pc.drop_null(code)).to_pylist():
            # One zone set is not one country: +590 is Guadeloupe, Saint-Barthélemy
            # and Saint-Martin, whose laws differ; a code shared by regions takes the
            # row path, which tells them apart.
            if _uniform_zones(value) is None or not _one_region(value):
                continue
            rows_of_code = _filled(pc.equal(code, value))
            national = pc.utf8_slice_codeunits(text, 1 + len(value))
            valid = _valid(national, _fast_types(value))
            good = pc.and_(rows_of_code, valid)
            classes = pc.if_else(good, pa.scalar("+|" + value), classes)
            e164 = pc.if_else(good, text, e164)
            invalid = _invalid(national, value)
            if invalid is not None:
                bad = _filled(pc.and_(pc.and_(rows_of_code, pc.invert(valid)), invalid))
                classes = pc.if_else(bad, pa.scalar("+!|" + value), classes)
                e164 = pc.if_else(bad, text, e164)
    if country is not None:
        classes, e164 = _national(text, country, placed, classes, e164)
    return PhoneClasses(classes, e164)


def _national(text: pa.Array, country: pa.Array, placed: pa.Array | None,
              classes: pa.Array, e164: pa.Array) -> tuple[pa.Array, pa.Array]:
    """National numbers, with the country the row gives."""
    digits = _filled(pc.match_substring_regex(text, r"^[0-9]+$"))
    if not pc.any(digits).as_py():
        return classes, e164
    region = pc.utf8_upper(pc.utf8_trim(country, _ASCII_SPACE))
    for value in pc.unique(pc.drop_null(pc.if_else(digits, region, None))).to_pylist():
        of_country = _filled(pc.and_(digits, pc.equal(region, value)))
        if value == "US":
            # Valid as a US number: parsed with the region US, it is placed in the US
            # (the first NANP region phonenumbers tries; Canada's take the row path).
            area = pc.utf8_slice_codeunits(text, 0, 3)
            good = _filled(pc.and_(
                pc.and_(of_country, pc.match_substring_regex(text, _US_NATIONAL)),
                pc.and_(pc.is_in(area, value_set=_nanp_areas()),
                        _valid_in(text, "US"))))
            classes = pc.if_else(good, pc.binary_join_element_wise("US", area, "|"), classes)
            e164 = pc.if_else(good, pc.binary_join_element_wise("+1", text, ""), e164)
            continue
        trunk = _trunk(value)
        if trunk is None:
            continue
        prefix, code, general, international = trunk
        if placed is not None:
            of_country = _filled(pc.and_(of_country, pc.invert(placed)))
        national = pc.utf8_slice_codeunits(text, len(prefix))
        # parse() strips the trunk prefix when what is left still fits the
        # country's numbers and the whole does not; a number that starts like
        # an international call or the calling code is read otherwise.
        good = _filled(pc.and_(
            pc.and_(pc.and_(of_country, pc.starts_with(text, prefix)),
                    pc.invert(pc.match_substring_regex(text, f"^(?:{general})$"))),
            pc.and_(pc.and_(pc.invert(pc.match_substring_regex(text, f"^(?:{international})")),
                            pc.invert(pc.starts_with(text, code))),
                    _valid_in(national, value))))
        classes = pc.if_else(good, pa.scalar("N|" + code), classes)
        e164 = pc.if_else(good, pc.binary_join_element_wise("+" + code, national, ""), e164)
    return classes, e164


def _filled(mask: pa.Array) -> pa.Array:
    """A boolean mask with nulls as false."""
    return pc.fill_null(mask, False)


def _valid(national: pa.Array, types: list[tuple[tuple[int, ...], str]]) -> pa.Array:
    """Whether each national number fits one of ``types`` (lengths and pattern, as RE2)."""
    length = pc.utf8_length(national)
    found = pa.array([False] * len(national), pa.bool_())
    by_lengths: dict[tuple[int, ...], list[str]] = {}
    for lengths, pattern in types:
        by_lengths.setdefault(lengths, []).append(pattern)
    for lengths, patterns in by_lengths.items():
        matched = pc.match_substring_regex(
            national, "^(?:" + "|".join(f"(?:{p})" for p in patterns) + ")$")
        if lengths:
            matched = pc.and_(matched, pc.is_in(length, value_set=pa.array(lengths, length.type)))
        found = pc.or_(found, _filled(matched))
    return found


def _invalid(national: pa.Array, code: str) -> pa.Array | None:
    """Which numbers of a calling code of one country, not valid by its pattern, the
    row path also finds invalid, placed nowhere but in that country: those whose
    parse strips nothing (no trunk prefix to read) and whose length is possible (so
    their E.164 form is themselves).  ``None``: no such test for this code."""
    region = _zones._one_country_codes().get(code)
    if region is None:
        return None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None:
        return None
    lengths = [n for n in metadata.general_desc.possible_length if n > 0]
    if not lengths:
        return None
    found = pc.is_in(pc.utf8_length(national),
                     value_set=pa.array(lengths, pa.int32()))
    trunk = metadata.national_prefix_for_parsing or metadata.national_prefix
    if trunk:
        found = pc.and_(found, pc.invert(pc.match_substring_regex(national, f"^(?:{trunk})")))
    return found


def _calling_codes(text: pa.Array, mask: pa.Array) -> pa.Array:
    """The calling code of each E.164 number under ``mask`` (codes are prefix-free)."""
    codes = pa.array(sorted(str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
                            if code != 1))
    found = pa.nulls(len(text), pa.string())
    for length in (3, 2, 1):
        head = pc.utf8_slice_codeunits(text, 1, 1 + length)
        found = pc.if_else(_filled(pc.and_(mask, pc.is_in(head, value_set=codes))), head, found)
    return found


@lru_cache(maxsize=1)
def _nanp_areas() -> pa.Array:
    """The area codes the fast path places and gives one region (so one country)."""
    regions = _zones._area_code_regions()
    return pa.array(sorted(area for area, found in regions.items()
                           if len(found) == 1 and _zones._nanp_zones(area) is not None))


def _uniform_zones(code: str) -> _zones.Zones | None:
    tables = _zones._tables()
    uniform = tables.uniform[code] if code in tables.uniform else tables.add_country(code)
    return None if uniform is None else uniform[0]


def _one_region(code: str) -> bool:
    """Whether the calling code is one region's only (not +590, +290, +7, +44...)."""
    return len(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(code), ())) == 1


@lru_cache(maxsize=256)
def _fast_types(code: str) -> list[tuple[tuple[int, ...], str]]:
    """The types of the fast path's pattern for a calling code (``_zones._Tables``)."""
    return _zones.national_number_types(int(code)) or []


def _valid_in(national: pa.Array, region: str) -> pa.Array:
    """``is_valid_number_for_region`` of each national number: it fits the region's
    general description and one of its types (phonenumbers' ``_number_type_helper``)."""
    general, types = _region_types(region)
    return pc.and_(_valid(national, [general]), _valid(national, types))


@lru_cache(maxsize=256)
def _region_types(region: str) -> tuple[tuple[tuple[int, ...], str],
                                        list[tuple[tuple[int, ...], str]]]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    assert metadata is not None  # US, or a region _trunk accepted
    assert metadata.general_desc is not None
    types = []
    for name in _zones._NUMBER_TYPES:
        desc = getattr(metadata, name, None)
        if desc is None or not desc.national_number_pattern:
            continue
        if any(length < 0 for length in desc.possible_length):
            continue
        types.append((tuple(desc.possible_length), desc.national_number_pattern))
    general = metadata.general_desc
    return (tuple(general.possible_length), str(general.national_number_pattern)), types


@lru_cache(maxsize=256)
def _trunk(region: str) -> tuple[str, str, str, str] | None:
    """For a region whose national numbers are read simply (a trunk prefix to strip,
    no rule rewriting them, one region to its calling code, one zone set): the
    prefix, the calling code, the general pattern and the international prefix."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or not metadata.national_prefix or metadata.country_code is None:
        return None
    prefix = metadata.national_prefix
    code = str(metadata.country_code)
    if (not prefix.isdigit()
            or metadata.national_prefix_for_parsing not in (None, prefix)
            or metadata.national_prefix_transform_rule is not None
            or not _one_region(code)
            or _uniform_zones(code) is None
            or metadata.general_desc is None or not metadata.international_prefix
            or not metadata.general_desc.national_number_pattern):
        return None
    return (prefix, code, metadata.general_desc.national_number_pattern,
            metadata.international_prefix)
