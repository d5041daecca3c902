"""The presets of the 2026 US addendum, at every window edge and every cap's edge.

Expected values are written by hand from reference/jurisdictions-us-states-2026.md and a
calendar; nothing is computed by callwindow.  Calendar facts:

* Mon 23 Nov 2026 is a weekday, Sat 28 / Sun 29 Nov the weekend; US DST ended Sun 1 Nov
  2026, so Eastern is UTC-5, Central -6, Mountain -7, Pacific -8; Puerto Rico is UTC-4
  all year.  DST 2026 began Sun 8 Mar; in 2035 it begins Sun 11 Mar and ends Sun 4 Nov;
  it ends Sun 2 Nov 2031 and Sun 5 Nov 2034.
* A state address makes every zone of that state a candidate zone, and a call must be
  inside the window in each (the most restrictive zone): Oregon is Pacific and Mountain
  (Malheur County), Michigan Eastern and Central, Kentucky Eastern and Central, South
  Dakota Central and Mountain, Nevada Pacific and Mountain (West Wendover).
* Windows are half-open: "09:00-21:00" allows 09:00 and 20:59, refuses 21:00.
* Moving holidays (Easter tables; 1 Nov 2031 Sat, 2034 Wed, 2035 Thu; 1 Aug 2031 Fri,
  2034 Tue, 2035 Wed): Good Friday 11 Apr 2031, 7 Apr 2034, 23 Mar 2035; Easter Monday
  14 Apr 2031, 10 Apr 2034, 26 Mar 2035; Mardi Gras 25 Feb 2031, 21 Feb 2034, 6 Feb
  2035; Election Day 4 Nov 2031, 7 Nov 2034, 6 Nov 2035; Ontario's Civic Holiday
  4 Aug 2031, 7 Aug 2034, 6 Aug 2035.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from _pytest.mark.structures import ParameterSet

import callwindow as cw
from test_presets import History, history_case

OUT = cw.ReasonCode.OUTSIDE_HOURS
CLOSED = cw.ReasonCode.CLOSED_DAY
HOLIDAY = cw.ReasonCode.HOLIDAY
FREQ = cw.ReasonCode.FREQUENCY_LIMIT
OPTED = cw.ReasonCode.OPTED_OUT
CONSENT = cw.ReasonCode.CONSENT_REQUIRED


def _person(id: str, phone: str, region: str | None, **fields: Any) -> cw.Consumer:
    return cw.Consumer(id=id, phone=phone, region=region, **fields)


PEOPLE: dict[str, cw.Consumer] = {
    "albuquerque": _person("nm", "+15055550123", "NM"),
    "cheyenne": _person("wy", "+13075550123", "WY"),
    "portland-or": _person("or", "+15035550123", "OR"),
    "detroit": _person("mi", "+13135550123", "MI"),
    "minneapolis": _person("mn", "+16125550123", "MN"),
    "louisville": _person("ky", "+15025550123", "KY"),
    "louisville+consent": _person("ky", "+15025550123", "KY", consent=True),
    "chicago": _person("il", "+13125550123", "IL"),
    # An Illinois address and a New York number: Central and Eastern.
    "il-resident": _person("il2", "+12125550123", "IL"),
    "jackson": _person("ms", "+16015550123", "MS"),
    "sioux-falls": _person("sd", "+16055550123", "SD"),
    "portland-me": _person("me", "+12075550123", "ME"),
    "los-angeles": _person("ca", "+12135550123", "CA"),
    "las-vegas": _person("nv", "+17025550123", "NV"),
    "san-juan": _person("pr", "+17875550123", "PR", country="US"),
    "seattle": _person("wa", "+12065550123", "WA"),
    "richmond": _person("va", "+18045550123", "VA"),
    # A Virginia number, no address: reached by the area code (§ 59.1-510).
    "richmond-phone": _person("va2", "+18045550123", None),
    "philadelphia": _person("pa", "+12155550123", "PA"),
    "providence": _person("ri", "+14015550123", "RI"),
    "birmingham": _person("al", "+12055550123", "AL"),
    "toronto-on": _person("on", "+14165550123", "ON"),
    "new-york": _person("ny", "+12125550123", "NY"),
}


def case(preset: str | tuple[str, ...], who: str, at: str, *codes: cw.ReasonCode,
         why: str) -> ParameterSet:
    """One check; ``codes`` empty means allowed."""
    presets = (preset,) if isinstance(preset, str) else preset
    return pytest.param(presets, who, at, codes, id=f"{'+'.join(presets)}: {why}")


def engine_for(presets: tuple[str, ...]) -> cw.Engine:
    return cw.Engine([cw.presets.get(preset) for preset in presets])


CHECKS: list[ParameterSet] = [
    # -- "Done when" ----------------------------------------------------------------------
    # Wyoming 40-12-302(d): 08:00-20:00; the federal 21:00 no longer lets 20:00 through.
    case("US", "cheyenne", "2026-11-23T19:59:00-07:00", why="WY 19:59 allowed"),
    case("US", "cheyenne", "2026-11-23T20:00:00-07:00", OUT, why="WY 20:00 refused"),
    # New Mexico 57-12-22(B)(5): 09:00-21:00.
    case("US", "albuquerque", "2026-11-23T08:59:00-07:00", OUT, why="NM 08:59 refused"),
    case("US", "albuquerque", "2026-11-23T09:00:00-07:00", why="NM 09:00 allowed"),
    # Kentucky 367.46955(16): 10:00-21:00 in both candidate zones, so 10:00 Central
    # (11:00 Eastern) is the first minute; 10:00 Eastern is 09:00 Central.
    case("US", "louisville", "2026-11-23T09:59:00-06:00", OUT, why="KY 09:59 CST refused"),
    case("US", "louisville", "2026-11-23T10:00:00-06:00", why="KY 10:00 CST allowed"),
    case("US", "louisville", "2026-11-23T10:00:00-05:00", OUT,
         why="KY 10:00 EST is 09:00 CST: refused"),
    case("US", "louisville", "2026-11-23T20:59:00-05:00", why="KY 20:59 EST allowed"),
    case("US", "louisville", "2026-11-23T21:00:00-05:00", OUT, why="KY 21:00 EST refused"),
    # Pennsylvania on a Sunday: US allows it; SB 992 (opt-in) refuses it.
    case("US", "philadelphia", "2026-11-29T12:00:00-05:00", why="PA Sunday under US"),
    case(("US", "US-PA-SB992"), "philadelphia", "2026-11-29T12:00:00-05:00", CLOSED,
         why="PA Sunday with SB 992"),
    case("US-PA-SB992", "philadelphia", "2026-11-29T12:00:00-05:00", CLOSED,
         why="PA Sunday, SB 992 alone"),
    case("US-PA", "philadelphia", "2026-11-29T12:00:00-05:00", why="PA Sunday under US-PA"),
    # Good Friday 2035 (Fri 23 Mar, EDT) under US-PA.
    case("US-PA", "philadelphia", "2035-03-23T12:00:00-04:00", HOLIDAY,
         why="Good Friday 2035"),

    # -- New Mexico: 09:00-21:00 every day --------------------------------------------------
    case("US-NM", "albuquerque", "2026-11-23T20:59:00-07:00", why="NM 20:59"),
    case("US-NM", "albuquerque", "2026-11-23T21:00:00-07:00", OUT, why="NM 21:00"),
    case("US-NM", "albuquerque", "2026-11-29T09:00:00-07:00", why="NM Sunday 09:00"),
    case("US-NM", "albuquerque", "2026-11-29T08:59:00-07:00", OUT, why="NM Sunday 08:59"),

    # -- Wyoming: 08:00-20:00 every day -----------------------------------------------------
    case("US-WY", "cheyenne", "2026-11-23T07:59:00-07:00", OUT, why="WY 07:59"),
    case("US-WY", "cheyenne", "2026-11-23T08:00:00-07:00", why="WY 08:00"),
    case("US-WY", "cheyenne", "2026-11-29T19:59:00-07:00", why="WY Sunday 19:59"),
    case("US-WY", "cheyenne", "2026-11-29T20:00:00-07:00", OUT, why="WY Sunday 20:00"),

    # -- Oregon: 08:00-20:00 in Pacific and Mountain: 08:00-19:00 Pacific ------------------
    case("US-OR", "portland-or", "2026-11-23T07:59:00-08:00", OUT, why="OR 07:59 PST"),
    case("US-OR", "portland-or", "2026-11-23T08:00:00-08:00", why="OR 08:00 PST"),
    case("US-OR", "portland-or", "2026-11-23T18:59:00-08:00", why="OR 18:59 PST (19:59 MST)"),
    case("US-OR", "portland-or", "2026-11-23T19:00:00-08:00", OUT,
         why="OR 19:00 PST (20:00 MST)"),
    case("US", "portland-or", "2026-11-23T19:00:00-08:00", OUT, why="OR 20:00 MST under US"),
    # In force from 1 Jan 2026 (unconfirmed date): 19:30 PST on 31 Dec 2025 is open.
    case("US-OR", "portland-or", "2025-12-31T19:30:00-08:00", why="OR before 2026"),
    case("US-OR", "portland-or", "2026-01-01T19:30:00-08:00", OUT, why="OR from 2026"),

    # -- Michigan: 09:00-21:00 in Eastern and Central: 10:00-21:00 Eastern ------------------
    case("US-MI", "detroit", "2026-11-23T09:59:00-05:00", OUT, why="MI 09:59 EST (08:59 CST)"),
    case("US-MI", "detroit", "2026-11-23T10:00:00-05:00", why="MI 10:00 EST (09:00 CST)"),
    case("US-MI", "detroit", "2026-11-23T20:59:00-05:00", why="MI 20:59 EST"),
    case("US-MI", "detroit", "2026-11-23T21:00:00-05:00", OUT, why="MI 21:00 EST"),
    case("US", "detroit", "2026-11-23T09:30:00-05:00", OUT, why="MI under US"),

    # -- Minnesota: 09:00-21:00 -------------------------------------------------------------
    case("US-MN", "minneapolis", "2026-11-23T08:59:00-06:00", OUT, why="MN 08:59"),
    case("US-MN", "minneapolis", "2026-11-23T09:00:00-06:00", why="MN 09:00"),
    case("US-MN", "minneapolis", "2026-11-23T20:59:00-06:00", why="MN 20:59"),
    case("US-MN", "minneapolis", "2026-11-23T21:00:00-06:00", OUT, why="MN 21:00"),
    case("US", "minneapolis", "2026-11-28T08:30:00-06:00", OUT, why="MN Sat 08:30 under US"),

    # -- Kentucky automated equipment: consent, then 08:00-21:00 in both zones -------------
    case("US-KY-ADAD", "louisville", "2026-11-23T12:00:00-06:00", CONSENT,
         why="KY-ADAD without consent"),
    case("US-KY-ADAD", "louisville+consent", "2026-11-23T07:59:00-06:00", OUT,
         why="KY-ADAD 07:59 CST"),
    case("US-KY-ADAD", "louisville+consent", "2026-11-23T08:00:00-06:00",
         why="KY-ADAD 08:00 CST (09:00 EST)"),
    case("US-KY-ADAD", "louisville+consent", "2026-11-23T20:59:00-05:00",
         why="KY-ADAD 20:59 EST"),
    case("US-KY-ADAD", "louisville+consent", "2026-11-23T21:00:00-05:00", OUT,
         why="KY-ADAD 21:00 EST"),
    # Not stacked by US: the consent rule of automated equipment does not apply there.
    case("US", "louisville", "2026-11-23T12:00:00-06:00", why="US has no consent gate in KY"),

    # -- Illinois securities: Mon-Sat 09:00-21:00, Sun 12:00-21:00, Central ------------------
    case("US-IL-securities", "chicago", "2026-11-23T08:59:00-06:00", OUT, why="IL-sec Mon 08:59"),
    case("US-IL-securities", "chicago", "2026-11-23T09:00:00-06:00", why="IL-sec Mon 09:00"),
    case("US-IL-securities", "chicago", "2026-11-23T20:59:00-06:00", why="IL-sec Mon 20:59"),
    case("US-IL-securities", "chicago", "2026-11-23T21:00:00-06:00", OUT, why="IL-sec Mon 21:00"),
    case("US-IL-securities", "chicago", "2026-11-28T09:00:00-06:00", why="IL-sec Sat 09:00"),
    case("US-IL-securities", "chicago", "2026-11-29T11:59:00-06:00", OUT, why="IL-sec Sun 11:59"),
    case("US-IL-securities", "chicago", "2026-11-29T12:00:00-06:00", why="IL-sec Sun 12:00"),
    case("US-IL-securities", "chicago", "2026-11-29T21:00:00-06:00", OUT, why="IL-sec Sun 21:00"),
    # The statute's clock is Central even for a consumer who may be in Eastern time:
    # 08:59 CST is 09:59 EST and still refused; 20:30 CST (21:30 EST) still allowed.
    case("US-IL-securities", "il-resident", "2026-11-23T08:59:00-06:00", OUT,
         why="IL-sec Central clock, 08:59"),
    case("US-IL-securities", "il-resident", "2026-11-23T20:30:00-06:00",
         why="IL-sec Central clock, 20:30"),
    case("US", "chicago", "2026-11-29T08:30:00-06:00", why="IL Sunday 08:30 under US"),

    # -- Mississippi charitable solicitors: Mon-Sat 09:00-21:00, no Sunday ------------------
    case("US-MS-charity", "jackson", "2026-11-23T08:59:00-06:00", OUT, why="MS-charity 08:59"),
    case("US-MS-charity", "jackson", "2026-11-23T09:00:00-06:00", why="MS-charity 09:00"),
    case("US-MS-charity", "jackson", "2026-11-28T20:59:00-06:00", why="MS-charity Sat 20:59"),
    case("US-MS-charity", "jackson", "2026-11-28T21:00:00-06:00", OUT, why="MS-charity Sat 21:00"),
    case("US-MS-charity", "jackson", "2026-11-29T12:00:00-06:00", CLOSED, why="MS-charity Sun"),

    # -- South Dakota automated: weekdays 09:00-21:00 in Central and Mountain ---------------
    case("US-SD-ADAD", "sioux-falls", "2026-11-23T09:59:00-06:00", OUT,
         why="SD-ADAD 09:59 CST (08:59 MST)"),
    case("US-SD-ADAD", "sioux-falls", "2026-11-23T10:00:00-06:00",
         why="SD-ADAD 10:00 CST (09:00 MST)"),
    case("US-SD-ADAD", "sioux-falls", "2026-11-27T20:59:00-06:00", why="SD-ADAD Fri 20:59 CST"),
    case("US-SD-ADAD", "sioux-falls", "2026-11-27T21:00:00-06:00", OUT,
         why="SD-ADAD Fri 21:00 CST"),
    case("US-SD-ADAD", "sioux-falls", "2026-11-28T12:00:00-06:00", CLOSED, why="SD-ADAD Sat"),
    case("US-SD-ADAD", "sioux-falls", "2026-11-29T12:00:00-06:00", CLOSED, why="SD-ADAD Sun"),
    case("US", "sioux-falls", "2026-11-28T12:00:00-06:00", why="SD Sat under US (opt-in)"),

    # -- Maine automated: weekdays 09:00-17:00 ---------------------------------------------
    case("US-ME-ADAD", "portland-me", "2026-11-23T08:59:00-05:00", OUT, why="ME-ADAD 08:59"),
    case("US-ME-ADAD", "portland-me", "2026-11-23T09:00:00-05:00", why="ME-ADAD 09:00"),
    case("US-ME-ADAD", "portland-me", "2026-11-23T16:59:00-05:00", why="ME-ADAD 16:59"),
    case("US-ME-ADAD", "portland-me", "2026-11-23T17:00:00-05:00", OUT, why="ME-ADAD 17:00"),
    case("US-ME-ADAD", "portland-me", "2026-11-28T12:00:00-05:00", CLOSED, why="ME-ADAD Sat"),
    case("US-ME-ADAD", "portland-me", "2026-11-29T12:00:00-05:00", CLOSED, why="ME-ADAD Sun"),

    # -- California automated: 09:00-21:00 California time ---------------------------------
    case("US-CA-ADAD", "los-angeles", "2026-11-23T08:59:00-08:00", OUT, why="CA-ADAD 08:59"),
    case("US-CA-ADAD", "los-angeles", "2026-11-23T09:00:00-08:00", why="CA-ADAD 09:00"),
    case("US-CA-ADAD", "los-angeles", "2026-11-29T20:59:00-08:00", why="CA-ADAD Sun 20:59"),
    case("US-CA-ADAD", "los-angeles", "2026-11-29T21:00:00-08:00", OUT, why="CA-ADAD Sun 21:00"),
    case("US", "los-angeles", "2026-11-23T08:30:00-08:00", why="CA 08:30 under US (opt-in)"),

    # -- Nevada automated: 09:00-21:00 in Pacific and Mountain: 09:00-20:00 Pacific ---------
    case("US-NV-ADAD", "las-vegas", "2026-11-23T08:59:00-08:00", OUT, why="NV-ADAD 08:59 PST"),
    case("US-NV-ADAD", "las-vegas", "2026-11-23T09:00:00-08:00", why="NV-ADAD 09:00 PST"),
    case("US-NV-ADAD", "las-vegas", "2026-11-23T19:59:00-08:00",
         why="NV-ADAD 19:59 PST (20:59 MST)"),
    case("US-NV-ADAD", "las-vegas", "2026-11-23T20:00:00-08:00", OUT,
         why="NV-ADAD 20:00 PST (21:00 MST)"),

    # -- Puerto Rico: 09:00-21:00, Atlantic time (UTC-4, no DST) -----------------------------
    case("US-PR", "san-juan", "2026-11-23T08:59:00-04:00", OUT, why="PR 08:59"),
    case("US-PR", "san-juan", "2026-11-23T09:00:00-04:00", why="PR 09:00"),
    case("US-PR", "san-juan", "2026-07-06T20:59:00-04:00", why="PR 20:59 in July (no DST)"),
    case("US-PR", "san-juan", "2026-07-06T21:00:00-04:00", OUT, why="PR 21:00 in July"),
    case("US", "san-juan", "2026-11-23T08:30:00-04:00", OUT, why="PR 08:30 under US"),

    # -- Washington collections: 07:30-21:00 at the residence -------------------------------
    case("US-WA-collections", "seattle", "2026-11-23T07:29:00-08:00", OUT, why="WA-coll 07:29"),
    case("US-WA-collections", "seattle", "2026-11-23T07:30:00-08:00", why="WA-coll 07:30"),
    case("US-WA-collections", "seattle", "2026-11-29T20:59:00-08:00", why="WA-coll Sun 20:59"),
    case("US-WA-collections", "seattle", "2026-11-29T21:00:00-08:00", OUT,
         why="WA-coll Sun 21:00"),
    # With Regulation F (FDCPA collectors), 08:00 still opens the day.
    case(("US-REGF", "US-WA-collections"), "seattle", "2026-11-23T07:45:00-08:00", OUT,
         why="WA-coll + Reg F 07:45"),

    # -- Virginia: 08:00-21:00 (= federal), by address or area code ------------------------
    case("US-VA", "richmond", "2026-11-23T07:59:00-05:00", OUT, why="VA 07:59"),
    case("US-VA", "richmond", "2026-11-23T08:00:00-05:00", why="VA 08:00"),
    case("US-VA", "richmond-phone", "2026-11-23T20:59:00-05:00", why="VA area code 20:59"),
    case("US-VA", "richmond-phone", "2026-11-23T21:00:00-05:00", OUT,
         why="VA area code 21:00"),

    # -- Pennsylvania SB 992 (opt-in, unconfirmed): Mon-Sat 09:00-19:00 from 18 Oct 2026 ---
    case("US-PA-SB992", "philadelphia", "2026-11-23T08:59:00-05:00", OUT, why="SB992 08:59"),
    case("US-PA-SB992", "philadelphia", "2026-11-23T09:00:00-05:00", why="SB992 09:00"),
    case("US-PA-SB992", "philadelphia", "2026-11-28T18:59:00-05:00", why="SB992 Sat 18:59"),
    case("US-PA-SB992", "philadelphia", "2026-11-28T19:00:00-05:00", OUT, why="SB992 Sat 19:00"),
    case("US-PA-SB992", "philadelphia", "2026-10-11T12:00:00-04:00",
         why="SB992 Sun 11 Oct, before 18 Oct"),
    case("US-PA-SB992", "philadelphia", "2026-10-18T12:00:00-04:00", CLOSED,
         why="SB992 Sun 18 Oct, first day"),
    case("US", "philadelphia", "2026-11-23T20:00:00-05:00", why="PA 20:00 under US"),

    # -- Moving holidays in 2031, 2034 and 2035 (rules, not lists of dates) ----------------
    case("US-PA", "philadelphia", "2031-04-11T12:00:00-04:00", HOLIDAY, why="Good Friday 2031"),
    case("US-PA", "philadelphia", "2034-04-07T12:00:00-04:00", HOLIDAY, why="Good Friday 2034"),
    case("US-PA", "philadelphia", "2035-03-22T12:00:00-04:00", why="Thu before Good Friday 2035"),
    case("US-PA", "philadelphia", "2035-03-24T12:00:00-04:00", why="Sat after Good Friday 2035"),
    case("US-PA", "philadelphia", "2031-11-04T12:00:00-05:00", HOLIDAY, why="Election Day 2031"),
    case("US-PA", "philadelphia", "2034-11-07T12:00:00-05:00", HOLIDAY, why="Election Day 2034"),
    case("US-PA", "philadelphia", "2035-11-06T12:00:00-05:00", HOLIDAY, why="Election Day 2035"),
    case("US-PA", "philadelphia", "2035-11-05T12:00:00-05:00", why="Mon before Election Day"),
    case("US", "philadelphia", "2034-11-07T12:00:00-05:00", HOLIDAY, why="Election Day 2034 US"),
    case("US-RI", "providence", "2031-11-04T12:00:00-05:00", HOLIDAY, why="RI Election Day 2031"),
    case("US-RI", "providence", "2034-11-07T12:00:00-05:00", HOLIDAY, why="RI Election Day 2034"),
    case("US-RI", "providence", "2035-11-06T12:00:00-05:00", HOLIDAY, why="RI Election Day 2035"),
    case("US-RI", "providence", "2035-11-07T12:00:00-05:00", why="RI Wed after Election Day"),
    case("US-AL", "birmingham", "2031-02-25T12:00:00-06:00", HOLIDAY, why="Mardi Gras 2031"),
    case("US-AL", "birmingham", "2034-02-21T12:00:00-06:00", HOLIDAY, why="Mardi Gras 2034"),
    case("US-AL", "birmingham", "2035-02-06T12:00:00-06:00", HOLIDAY, why="Mardi Gras 2035"),
    case("US-AL", "birmingham", "2035-02-07T12:00:00-06:00", why="Ash Wednesday 2035"),
    case("CA-ON-collections", "toronto-on", "2031-04-14T12:00:00-04:00", HOLIDAY,
         why="Easter Monday 2031"),
    case("CA-ON-collections", "toronto-on", "2034-04-10T12:00:00-04:00", HOLIDAY,
         why="Easter Monday 2034"),
    case("CA-ON-collections", "toronto-on", "2035-03-26T12:00:00-04:00", HOLIDAY,
         why="Easter Monday 2035"),
    case("CA-ON-collections", "toronto-on", "2035-03-27T12:00:00-04:00",
         why="Tue after Easter Monday 2035"),
    case("CA-ON-collections", "toronto-on", "2031-08-04T12:00:00-04:00", HOLIDAY,
         why="Civic Holiday 2031"),
    case("CA-ON-collections", "toronto-on", "2034-08-07T12:00:00-04:00", HOLIDAY,
         why="Civic Holiday 2034"),
    case("CA-ON-collections", "toronto-on", "2035-08-06T12:00:00-04:00", HOLIDAY,
         why="Civic Holiday 2035"),
    case("CA-ON-collections", "toronto-on", "2035-08-13T12:00:00-04:00",
         why="second Monday of August 2035"),
]


@pytest.mark.parametrize(("presets", "who", "at", "codes"), CHECKS)
def test_check(presets: tuple[str, ...], who: str, at: str,
               codes: tuple[cw.ReasonCode, ...]) -> None:
    decision = engine_for(presets).check(PEOPLE[who], at)
    assert decision.codes == codes
    assert decision.allowed is (not codes)


def test_sb992_refusal_names_its_preset_and_the_next_monday() -> None:
    engine = engine_for(("US", "US-PA-SB992"))
    decision = engine.check(PEOPLE["philadelphia"], "2026-11-29T12:00:00-05:00")
    assert [reason.policy_id for reason in decision.reasons] == ["US-PA-SB992"]
    assert decision.next_allowed_at == datetime.fromisoformat("2026-11-30T14:00:00+00:00")


# -- Caps and cooldowns at their edges ---------------------------------------------------


# Oregon: three solicitations Tue 24 Nov 2026 10:00, 11:00, 12:00 PST; the first drops out
# 24 hours later, Wed 25 Nov 10:00 PST (18:00Z).
OR_THREE: History = tuple(("portland-or", f"2026-11-24T{hour}:00:00-08:00", "no_answer")
                          for hour in (10, 11, 12))
# Maine: a completed call Mon 23 Nov 08:30 EST counts for 8 hours, until 16:30 EST.
ME_DONE: History = (("portland-me", "2026-11-23T08:30:00-05:00", "conversation"),)
ME_RING: History = (("portland-me", "2026-11-23T09:00:00-05:00", "no_answer"),)
# Nevada: the person hung up on the message (recorded as refusal) Mon 23 Nov 10:00 PST.
NV_HANGUP: History = (("las-vegas", "2026-11-23T10:00:00-08:00", "refusal"),)
NV_RING: History = (("las-vegas", "2026-11-23T10:00:00-08:00", "no_answer"),)
# Washington collections: two unanswered calls Mon 23 Nov 10:00, 11:00 PST fill the
# 2-a-day cap until the next local date; three conversations Mon 16, Tue 17, Wed 18 Nov
# 10:00 PST fill the 3-a-week cap until Mon 23 Nov 10:00 PST (18:00Z).
WA_DAY: History = (("seattle", "2026-11-23T10:00:00-08:00", "no_answer"),
                   ("seattle", "2026-11-23T11:00:00-08:00", "no_answer"))
WA_WEEK: History = tuple(("seattle", f"2026-11-{day}T10:00:00-08:00", "conversation")
                         for day in (16, 17, 18))
# Virginia: an opt-out Mon 23 Nov 2026 12:00 EST (17:00Z); 10 years with three leap days
# (29 Feb 2028, 2032, 2036) is 3653 days: 23 Nov 2036 12:00 EST.  The federal 5 years
# (US-TCPA) end in Nov 2031, when Virginia's still holds.
VA_OPT_OUT: History = (("richmond", "2026-11-23T12:00:00-05:00", "opt_out"),)
VA_OPT_OUT_PHONE: History = (("richmond-phone", "2026-11-23T12:00:00-05:00", "opt_out"),)


HISTORIES: list[ParameterSet] = [
    history_case("US-OR", OR_THREE[:2], "portland-or", "2026-11-24T12:00:00-08:00",
                 why="3rd solicitation in 24 h allowed"),
    history_case("US-OR", OR_THREE, "portland-or", "2026-11-24T13:00:00-08:00", FREQ,
                 next_at="2026-11-25T18:00:00+00:00", why="4th in 24 h refused"),
    history_case("US", OR_THREE, "portland-or", "2026-11-24T13:00:00-08:00", FREQ,
                 why="4th in 24 h refused under US"),
    history_case("US-OR", OR_THREE, "portland-or", "2026-11-25T09:59:00-08:00", FREQ,
                 why="24 h less a minute"),
    history_case("US-OR", OR_THREE, "portland-or", "2026-11-25T10:00:00-08:00",
                 why="exactly 24 h later"),

    history_case("US-ME-ADAD", ME_DONE, "portland-me", "2026-11-23T16:29:00-05:00", FREQ,
                 next_at="2026-11-23T21:30:00+00:00", why="2nd completed call within 8 h"),
    history_case("US-ME-ADAD", ME_DONE, "portland-me", "2026-11-23T16:30:00-05:00",
                 why="exactly 8 h later"),
    history_case("US-ME-ADAD", ME_RING, "portland-me", "2026-11-23T09:30:00-05:00",
                 why="an unanswered call does not count"),

    history_case("US-NV-ADAD", NV_HANGUP, "las-vegas", "2027-03-01T10:00:00-08:00", OPTED,
                 next_at=None, why="no second call after a hang-up, ever"),
    history_case("US-NV-ADAD", NV_RING, "las-vegas", "2026-11-23T10:05:00-08:00",
                 why="an unanswered call may be tried again"),

    history_case("US-WA-collections", WA_DAY, "seattle", "2026-11-23T12:00:00-08:00", FREQ,
                 next_at="2026-11-24T15:30:00+00:00", why="3rd call in a day refused"),
    history_case("US-WA-collections", WA_DAY, "seattle", "2026-11-23T20:59:00-08:00", FREQ,
                 why="3rd call, last open minute of the day"),
    history_case("US-WA-collections", WA_DAY[:1], "seattle", "2026-11-23T12:00:00-08:00",
                 why="2nd call in a day allowed"),
    history_case("US-WA-collections", WA_WEEK[:2], "seattle", "2026-11-18T10:00:00-08:00",
                 why="3rd communication in a week allowed"),
    history_case("US-WA-collections", WA_WEEK, "seattle", "2026-11-19T10:00:00-08:00", FREQ,
                 next_at="2026-11-23T18:00:00+00:00", why="4th in a week refused"),
    history_case("US-WA-collections", WA_WEEK, "seattle", "2026-11-23T09:59:00-08:00", FREQ,
                 why="a week less a minute"),
    history_case("US-WA-collections", WA_WEEK, "seattle", "2026-11-23T10:00:00-08:00",
                 why="exactly a week later"),

    history_case("US-VA", VA_OPT_OUT, "richmond", "2031-11-25T12:00:00-05:00", OPTED,
                 why="VA: 5 years and 2 days after an opt-out"),
    history_case("US", VA_OPT_OUT, "richmond", "2031-11-25T12:00:00-05:00", OPTED,
                 next_at="2036-11-23T17:00:00+00:00", why="VA under US after federal 5 years"),
    history_case("US-VA", VA_OPT_OUT, "richmond", "2036-11-23T11:59:00-05:00", OPTED,
                 why="VA: 10 years less a minute"),
    history_case("US-VA", VA_OPT_OUT, "richmond", "2036-11-23T12:00:00-05:00",
                 why="VA: exactly 10 years"),
    history_case("US", VA_OPT_OUT, "new-york", "2031-11-25T12:00:00-05:00",
                 why="someone else is not affected"),
    history_case("US", VA_OPT_OUT_PHONE, "richmond-phone", "2031-11-25T12:00:00-05:00", OPTED,
                 why="VA by area code alone"),
]


@pytest.mark.parametrize(("preset", "history", "who", "at", "codes", "next_at"), HISTORIES)
def test_limits_and_cooldowns(preset: str, history: History, who: str, at: str,
                              codes: tuple[cw.ReasonCode, ...], next_at: str | None) -> None:
    engine = cw.Engine(cw.presets.get(preset))
    for person, when, outcome in history:
        engine.record(PEOPLE[person], at=when, outcome=outcome)
    decision = engine.check(PEOPLE[who], at)
    assert decision.codes == codes
    assert decision.allowed is (not codes)
    if next_at != "":
        expected = None if next_at is None else datetime.fromisoformat(next_at)
        assert decision.next_allowed_at == expected


# -- Which presets the US composite stacks -----------------------------------------------

STACKED_BY_US = {"US-NM", "US-WY", "US-OR", "US-MI", "US-MN", "US-KY", "US-PR", "US-VA"}
OPT_IN = {"US-KY-ADAD", "US-SD-ADAD", "US-ME-ADAD", "US-CA-ADAD", "US-NV-ADAD",
          "US-IL-securities", "US-MS-charity", "US-WA-collections", "US-PA-SB992",
          "US-OK-ADAD", "US-REGF", "US-MA-collections"}


def test_us_stacks_solicitation_presets_and_leaves_the_others_opt_in() -> None:
    stacked = {part.id for part in cw.presets.get("US").flattened()}
    assert stacked >= STACKED_BY_US
    assert not stacked & OPT_IN
    assert not stacked & {part.id for preset in OPT_IN
                          for part in cw.presets.get(preset).flattened()}


def test_sb992_is_unconfirmed_dated_and_stacked_by_neither_us_nor_pa() -> None:
    policy = cw.presets.get("US-PA-SB992")
    assert policy.confidence == "unconfirmed"
    assert str(policy.effective_from) == "2026-10-18"
    for preset in ("US", "US-PA"):
        assert "US-PA-SB992" not in {part.id for part in cw.presets.get(preset).flattened()}


def test_us_notes_cite_the_states_equal_to_the_federal_rule() -> None:
    notes = cw.presets.get("US").notes or ""
    for citation in ("815 ILCS 413/15(a)", "N.J.S.A. 56:8-128(d)", "S.C. Code 37-21-30",
                     "MCA 30-14-1412(1)(d)", "D.C. Code 22-3226.08",
                     "1220-04-11-.02(1)", "86-248", "ATCP 127.16(3)", "G.S. 75-102(f)",
                     "RSMo 407.1076(5)", "N.D.C.C. 51-28-05", "HRS 481P-3(8)",
                     "46A-6F-601(a)(4)", "O.C.G.A. 46-5-23", "Ark. Code 4-99-405",
                     "A.R.S. 44-1278", "GBL 399-z(2)"):
        assert citation in notes, citation
