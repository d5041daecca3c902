"""The jurisdiction presets against the law, as each preset's cited source reads.

Every expected instant below is a literal worked out by hand from the rule quoted
next to it and a calendar; nothing here is computed by callwindow.  Calendar
facts used throughout:

* Mon 23 Nov 2026 is the usual weekday; Sat 28 / Sun 29 Nov 2026 the weekend.
* Offsets: Paris/Rome/Madrid/Brussels/Berlin UTC+1 in winter, +2 in summer (EU DST
  29 Mar 2026 - 25 Oct 2026, from 28 Mar 2027); US Eastern -5/-4, Central -6/-5,
  Mountain -7/-6, Pacific -8/-7 (US DST ends 1 Nov 2026, starts 14 Mar 2027);
  Sydney +11 in summer, +10 in winter (AU DST starts 4 Oct 2026, ends 4 Apr 2027).
* Windows are half-open: "08:00-21:00" allows 08:00 and 20:59, refuses 21:00.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from _pytest.mark.structures import ParameterSet

import callwindow as cw

OUT = cw.ReasonCode.OUTSIDE_HOURS
CLOSED = cw.ReasonCode.CLOSED_DAY
HOLIDAY = cw.ReasonCode.HOLIDAY
FREQ = cw.ReasonCode.FREQUENCY_LIMIT
COOL = cw.ReasonCode.COOLDOWN
OPTED = cw.ReasonCode.OPTED_OUT
CONSENT = cw.ReasonCode.CONSENT_REQUIRED
BLACK = cw.ReasonCode.BLACKOUT

REQUIRED_IDS = (
    "FR", "IT-assocontact", "IT-garante-2024", "ES", "BE", "DE", "PT", "UK",
    "US-TCPA", "US-TSR", "US-REGF", "US-FL", "US-OK", "US-MD", "US-TX", "US-LA",
    "US-AL", "US-MS", "US-WA", "US-CT", "US-MA", "US-RI", "US-UT", "US-KY", "US-PA",
    "US-NY", "US", "CA", "CA-BC", "CA-ON-collections", "AU", "AU-research",
    "AU-collections", "NZ",
    # The 2026 addendum (reference/jurisdictions-us-states-2026.md).
    "US-NM", "US-WY", "US-OR", "US-MI", "US-MN", "US-KY-ADAD", "US-IL-securities",
    "US-MS-charity", "US-SD-ADAD", "US-ME-ADAD", "US-CA-ADAD", "US-NV-ADAD", "US-PR",
    "US-WA-collections", "US-VA", "US-PA-SB992",
)


def _person(id: str, *, phone: str | None = None, **fields: Any) -> cw.Consumer:
    return cw.Consumer(id=id, phone=phone, **fields)


SOLAR = {"subject": "solar", "debt": "D1", "account": "A1"}

# Each consumer is placed by one number whose zone is unambiguous (and, for US
# states, the address state too, which adds every zone of that state).
PEOPLE: dict[str, cw.Consumer] = {
    "paris": _person("fr-1", phone="+33612345678"),
    "paris+consent": _person("fr-1", phone="+33612345678", consent=True),
    "metz": _person("fr-2", phone="+33387123456", region="57"),  # Moselle
    "rome": _person("it-1", phone="+390612345678"),
    "madrid": _person("es-1", timezone="Europe/Madrid"),
    "barcelona": _person("es-2", timezone="Europe/Madrid", region="CT"),
    "es-mobile": _person("es-3", phone="+34612345678"),  # Madrid or the Canaries
    "brussels": _person("be-1", phone="+3225551234"),
    "berlin": _person("de-1", phone="+4930123456"),
    "berlin+consent": _person("de-1", phone="+4930123456", consent=True),
    "lisbon": _person("pt-1", phone="+351211234567"),
    "lisbon+consent": _person("pt-1", phone="+351211234567", consent=True),
    "london": _person("uk-1", phone="+442079460000"),
    "nyc": _person("us-1", phone="+12125550123", tags=SOLAR),
    "nyc-debt2": _person("us-1", phone="+12125550123", tags={**SOLAR, "debt": "D2"}),
    "nyc-ny": _person("us-1", phone="+12125550123", region="NY", tags=SOLAR),
    "los-angeles": _person("us-2", phone="+12135550123"),
    "chicago": _person("us-3", phone="+13125550123"),
    "miami": _person("us-4", phone="+13055550123", tags=SOLAR),
    "miami-roofing": _person("us-4", phone="+13055550123",
                             tags={**SOLAR, "subject": "roofing"}),
    # A Florida address and a New York number: Eastern and Central (the panhandle).
    "fl-resident": _person("us-5", phone="+12125550123", region="FL", tags=SOLAR),
    "okc": _person("us-6", phone="+14055550123", region="OK", tags=SOLAR),
    "okc-phone": _person("us-6", phone="+14055550123", tags=SOLAR),
    "baltimore": _person("us-7", phone="+14105550123", region="MD", tags=SOLAR),
    # Texas spans Central and Mountain (El Paso): both zones are candidates.
    "houston": _person("us-8", phone="+17135550123", region="TX"),
    "houston-phone": _person("us-8", phone="+17135550123"),
    "new-orleans": _person("us-9", phone="+15045550123", region="LA"),
    "birmingham": _person("us-10", phone="+12055550123", region="AL"),
    "jackson": _person("us-11", phone="+16015550123", region="MS"),
    "seattle": _person("us-12", phone="+12065550123", region="WA"),
    "hartford": _person("us-13", phone="+18605550123", region="CT"),
    "hartford+consent": _person("us-13", phone="+18605550123", region="CT", consent=True),
    "hartford-phone+consent": _person("us-13", phone="+18605550123", consent=True),
    "boston": _person("us-14", phone="+16175550123", region="MA"),
    "providence": _person("us-15", phone="+14015550123", region="RI"),
    "salt-lake": _person("us-16", phone="+18015550123", region="UT"),
    "philadelphia": _person("us-17", phone="+12155550123", region="PA"),
    "toronto": _person("ca-1", phone="+14165550123"),
    # An Ontario address: Eastern and Central (north-western Ontario).
    "toronto-on": _person("ca-1", phone="+14165550123", region="ON"),
    # A BC address: Pacific, Mountain (East Kootenay) and Fort Nelson (UTC-7 all year).
    "vancouver-bc": _person("ca-2", phone="+16045550123", region="BC"),
    "sydney": _person("au-1", phone="+61298765432", tags=SOLAR),
    "auckland": _person("nz-1", timezone="Pacific/Auckland"),
}


def case(preset: str, who: str, at: str, *codes: cw.ReasonCode, why: str) -> ParameterSet:
    """One check: ``codes`` empty means allowed."""
    return pytest.param(preset, who, at, codes, id=f"{preset}: {why}")


def next_case(preset: str, who: str, at: str, expected: str | None, *, why: str
              ) -> ParameterSet:
    """A refused check whose next allowed instant is ``expected`` (UTC; None: never)."""
    return pytest.param(preset, who, at, expected, id=f"{preset}: {why}")


def engine_for(preset: str, **kwargs: Any) -> cw.Engine:
    return cw.Engine(cw.presets.get(preset, **kwargs))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- Metadata ---------------------------------------------------------------------------

def test_every_named_preset_is_listed() -> None:
    missing = sorted(set(REQUIRED_IDS) - set(cw.presets.ids()))
    assert missing == []


# The instrument each source must cite (URLs stripped first, so that a link alone
# does not count as a citation), from the "Source" rows of the reference.
CITATIONS: dict[str, str] = {
    "FR": r"D\.? ?223-9",
    "IT-assocontact": r"Assocontact",
    "IT-garante-2024": r"24A01602|n\. ?148|codice di condotta|code of conduct",
    "ES": r"\b96\b",
    "BE": r"VI\.11[1-4]|droit économique|Economisch Recht",
    "DE": r"§ ?7",
    "PT": r"13\.?º?-A",
    "UK": r"Ofcom|PECR|CONC",
    "US-TCPA": r"64\.1200",
    "US-TSR": r"310\.4",
    "US-REGF": r"1006\.(6|14)",
    "US-FL": r"501\.616",
    "US-OK": r"775C",
    "US-MD": r"14-45\d\d",
    "US-TX": r"301\.051",
    "US-LA": r"45:811",
    "US-AL": r"770-X-5-\.?17",
    "US-MS": r"77-3-723",
    "US-WA": r"19\.158\.040|80\.36\.390",
    "US-CT": r"42-288a",
    "US-MA": r"12\.02",
    "US-RI": r"5-61-3\.6",
    "US-UT": r"13-25a-103",
    "US-KY": r"367\.46955",
    "US-PA": r"2245",
    "US-NY": r"399-z",
    "US": r"CFR",
    "CA": r"Unsolicited Telecommunications Rules|CRTC",
    "CA-BC": r"Telemarketer Licensing Regulation|BPCPA|Business Practices",
    "CA-ON-collections": r"Reg(ulation|\.)? 74|Collection and Debt Settlement Services Act",
    "AU": r"Industry Standard 2017|Telemarketing and Research Calls",
    "AU-research": r"Industry Standard 2017|Telemarketing and Research Calls",
    "AU-collections": r"Debt collection guideline",
    "NZ": r"Code",
    "US-NM": r"57-12-22",
    "US-WY": r"40-12-302",
    "US-OR": r"646\.563",
    "US-MI": r"750\.540e",
    "US-MN": r"325E\.30",
    "US-KY-ADAD": r"367\.461",
    "US-IL-securities": r"815 ILCS 5/8b",
    "US-MS-charity": r"79-11-524",
    "US-SD-ADAD": r"37-30-28",
    "US-ME-ADAD": r"1498",
    "US-CA-ADAD": r"2872",
    "US-NV-ADAD": r"597\.814",
    "US-PR": r"210",
    "US-WA-collections": r"19\.16\.250",
    "US-VA": r"59\.1-514",
    "US-PA-SB992": r"SB 992",
}

# The confidence label each preset may carry: the label of its entry in the
# reference's machine-readable summary (UK is its "UK-ofcom"), or, where the
# reference labels the preset's rules differently (e.g. Washington: hours official,
# one-year pause secondary), the label of the weakest rule the preset encodes.
CONF = "confirmed-from-official-text"
SECOND = "from-secondary-source"
UNCONF = "unconfirmed"
CONFIDENCE: dict[str, set[str]] = {
    "FR": {CONF, SECOND},  # D223-9 official; Alsace-Moselle/DOM holidays secondary
    "IT-assocontact": {SECOND},
    "IT-garante-2024": {SECOND},
    "ES": {SECOND},
    "BE": {UNCONF, SECOND},  # opt-out list secondary; absence of hours unconfirmed
    "DE": {CONF, SECOND},  # § 7a official; absence of hours secondary
    "PT": {SECOND},
    "UK": {SECOND},
    "US-TCPA": {CONF, SECOND},  # (c)(1) official; exemptions secondary
    "US-TSR": {SECOND},
    "US-REGF": {CONF},
    "US-FL": {CONF},
    "US-OK": {SECOND},
    "US-MD": {SECOND},
    "US-TX": {SECOND},
    "US-LA": {CONF, SECOND},  # statute official; LPSC holiday list secondary
    "US-AL": {CONF, UNCONF},  # rule official; scope unconfirmed
    "US-MS": {CONF, SECOND},  # statute official; holiday change secondary
    "US-WA": {CONF, SECOND},  # hours official; one-year pause secondary
    "US-CT": {SECOND},
    "US-MA": {CONF},
    "US-RI": {CONF},
    "US-UT": {CONF},
    "US-KY": {SECOND},  # 10:00 start: quoted by secondary sources (2026 addendum)
    "US-PA": {CONF, SECOND},  # hours official; holiday list secondary
    "US-NY": {CONF},
    "CA": {CONF},
    "CA-BC": {SECOND},
    "CA-ON-collections": {SECOND, UNCONF},  # hours secondary; which holidays unconfirmed
    "AU": {CONF, UNCONF},  # hours official; holiday definition unconfirmed
    "AU-research": {CONF, UNCONF},  # hours official; holiday ban unconfirmed
    "AU-collections": {CONF},
    "NZ": {UNCONF},
    "US-NM": {CONF},  # 2006 official copy; current wording secondary
    "US-WY": {SECOND},
    "US-OR": {SECOND},  # hours and cap secondary; effective date unconfirmed (notes)
    "US-MI": {SECOND},
    "US-MN": {SECOND},
    "US-KY-ADAD": {CONF},
    "US-IL-securities": {CONF},
    "US-MS-charity": {CONF},
    "US-SD-ADAD": {CONF},
    "US-ME-ADAD": {CONF},
    "US-CA-ADAD": {CONF},
    "US-NV-ADAD": {CONF},
    "US-PR": {SECOND},
    "US-WA-collections": {CONF},
    "US-VA": {CONF},
    "US-PA-SB992": {UNCONF},
}

# (purposes the scope must include, purposes it must not), from "purposes" and
# "excluded_purposes" in the reference.
SCOPES: dict[str, tuple[set[str], set[str]]] = {
    "FR": ({"telemarketing"}, {"debt_collection", "survey", "informational"}),
    "IT-assocontact": ({"telemarketing"}, set()),
    "IT-garante-2024": ({"telemarketing"}, {"survey", "informational"}),
    "ES": ({"telemarketing"}, {"debt_collection"}),
    "BE": ({"telemarketing"}, set()),
    "DE": ({"telemarketing"}, set()),
    "PT": ({"telemarketing"}, set()),
    "UK": ({"telemarketing"}, set()),
    "US-TCPA": ({"telemarketing"}, {"debt_collection", "informational"}),
    "US-TSR": ({"telemarketing"}, set()),
    "US-REGF": ({"debt_collection"}, {"telemarketing"}),
    "US-FL": ({"telemarketing"}, set()),
    "US-OK": ({"telemarketing"}, set()),
    "US-MD": ({"telemarketing"}, set()),
    "US-TX": ({"telemarketing"}, set()),
    "US-LA": ({"telemarketing", "survey"}, set()),  # 45:811 covers polls too
    "US-AL": ({"telemarketing"}, set()),
    "US-MS": ({"telemarketing"}, set()),
    "US-WA": ({"telemarketing"}, set()),
    "US-CT": ({"telemarketing"}, set()),
    "US-MA": ({"telemarketing"}, set()),
    "US-RI": ({"telemarketing"}, set()),
    "US-UT": ({"telemarketing"}, set()),
    # Kentucky: the 10:00 rule for solicitation to a residence; the automated-call
    # rule of KRS 367.461 is US-KY-ADAD.
    "US-KY": ({"telemarketing"}, {"debt_collection", "telemarketing_automated"}),
    "US-PA": ({"telemarketing"}, {"debt_collection"}),
    "US-NY": ({"telemarketing"}, set()),
    "US": ({"telemarketing"}, set()),
    "CA": ({"telemarketing"}, {"debt_collection", "survey"}),
    "CA-BC": ({"telemarketing"}, set()),
    "CA-ON-collections": ({"debt_collection"}, {"telemarketing"}),
    "AU": ({"telemarketing"}, {"survey", "debt_collection"}),
    "AU-research": ({"survey"}, {"telemarketing"}),
    "AU-collections": ({"debt_collection"}, {"telemarketing"}),
    "NZ": ({"telemarketing"}, set()),
    "US-NM": ({"telemarketing", "telemarketing_automated"}, {"debt_collection"}),
    "US-WY": ({"telemarketing", "telemarketing_automated"}, {"debt_collection"}),
    "US-OR": ({"telemarketing", "telemarketing_automated"}, {"debt_collection"}),
    "US-MI": ({"telemarketing", "telemarketing_automated"}, {"debt_collection"}),
    "US-MN": ({"telemarketing", "telemarketing_automated"}, {"debt_collection"}),
    "US-KY-ADAD": ({"telemarketing_automated"}, {"telemarketing", "debt_collection"}),
    "US-IL-securities": ({"telemarketing"}, {"debt_collection"}),
    "US-MS-charity": ({"telemarketing"}, {"debt_collection"}),
    "US-SD-ADAD": ({"telemarketing_automated"}, {"telemarketing", "debt_collection"}),
    "US-ME-ADAD": ({"telemarketing_automated"}, {"telemarketing", "debt_collection"}),
    "US-CA-ADAD": ({"telemarketing_automated"}, {"telemarketing", "debt_collection"}),
    "US-NV-ADAD": ({"telemarketing_automated"}, {"telemarketing", "debt_collection"}),
    "US-PR": ({"telemarketing"}, {"debt_collection"}),
    "US-WA-collections": ({"debt_collection"}, {"telemarketing"}),
    "US-VA": ({"telemarketing"}, {"debt_collection"}),
    "US-PA-SB992": ({"telemarketing"}, {"debt_collection"}),
}

_URL = re.compile(r"https?://\S+")


def _sources(preset: str) -> list[tuple[str, str]]:
    """(id, source) of the preset, or of every part of a composite (``US``)."""
    policy = cw.presets.get(preset)
    if policy.stack and preset == "US":
        return [(part.id, part.source or "") for part in policy.flattened()[1:]]
    return [(policy.id, policy.source or "")]


@pytest.mark.parametrize("preset", REQUIRED_IDS)
def test_preset_loads_with_source_confidence_and_scope(preset: str) -> None:
    policy = cw.presets.get(preset)
    assert policy.id == preset
    assert policy.source
    citation = " ".join(_URL.sub("", source) for _, source in _sources(preset))
    assert re.search(CITATIONS[preset], citation, re.IGNORECASE), (
        f"{preset}: {policy.source!r} does not cite {CITATIONS[preset]!r}")
    assert policy.confidence in (CONF, SECOND, UNCONF)
    if preset in CONFIDENCE:
        assert policy.confidence in CONFIDENCE[preset]
    included, excluded = SCOPES[preset]
    assert policy.scope
    assert included <= set(policy.scope)
    assert not excluded & set(policy.scope)


@pytest.mark.parametrize("preset", REQUIRED_IDS)
def test_source_has_a_url(preset: str) -> None:
    # A composite (US) cites through its parts: each of them needs a URL.
    # Where the reference cites no copy of the text at all, the notes must say so.
    missing = [part for part, source in _sources(preset) if not _URL.search(source)
               and "No URL" not in (cw.presets.get(part).notes or "")]
    assert missing == []


# Rules the reference marks `unconfirmed`: the preset's notes (its own or those of
# the policies it stacks) must say so, naming the rule.
UNCONFIRMED: list[ParameterSet] = [
    pytest.param("FR", r"D223-9", id="FR: D223-9 still in force after 11 Aug 2026"),
    pytest.param("FR", r"2026-662|decree|décret", id="FR: implementing decree (1-year consent)"),
    pytest.param("ES", r"10:00-15:00|operator", id="ES: operators' code 10-15/16-21"),
    pytest.param("BE", r"hour", id="BE: absence of calling hours"),
    pytest.param("UK", r"72", id="UK: Ofcom 72-hour re-call rule"),
    pytest.param("US-REGF", r"Sunday", id="US-REGF: Sundays not presumptively inconvenient"),
    pytest.param("US-AL", r"automated|scope|utilit", id="US-AL: scope of r. 770-X-5-.17"),
    pytest.param("US-PA", r"SB ?992", id="US-PA: SB 992 Sunday ban, 09:00-19:00"),
    pytest.param("US-PA-SB992", r"Act 47.*2026|enact", id="US-PA-SB992: enactment"),
    pytest.param("US-OR", r"1 January 2026", id="US-OR: HB 3865 effective date"),
    pytest.param("US-OR", r"area code", id="US-OR: area-code reliance"),
    pytest.param("US-MI", r"SB 351", id="US-MI: pending SB 351"),
    pytest.param("US-SD-ADAD", r"37-30A-3", id="US-SD-ADAD: live-call hours"),
    pytest.param("US-NV-ADAD", r"NAC 599B", id="US-NV-ADAD: live-call 08:00-21:00"),
    pytest.param("US", r"16-17-446", id="US: SC automated devices until 19:00"),
    pytest.param("US", r"IC 24-5-14-8", id="US: Indiana automated 09:00-20:00"),
    pytest.param("US", r"Colorado", id="US: states with no rule found"),
    pytest.param("US-NY", r"New York City|NYC|RCNY", id="US-NY: NYC collections cap"),
    pytest.param("CA-ON-collections", r"holiday", id="CA-ON-collections: which holidays"),
    pytest.param("AU", r"holiday", id="AU: national public holiday definition"),
    pytest.param("AU-research", r"holiday", id="AU-research: holiday ban for research"),
    pytest.param("NZ", r"08:00|21:00|code", id="NZ: code hours, one source"),
]


@pytest.mark.parametrize(("preset", "rule"), UNCONFIRMED)
def test_unconfirmed_rules_are_flagged_in_notes(preset: str, rule: str) -> None:
    notes = " ".join(part.notes or "" for part in cw.presets.get(preset).flattened())
    assert re.search(r"unconfirmed", notes, re.IGNORECASE), f"{preset}: {notes!r}"
    assert re.search(rule, notes, re.IGNORECASE), f"{preset}: {notes!r}"


# -- Hours, days, holidays, effective dates -----------------------------------------------

CHECKS: list[ParameterSet] = [
    # France, D223-9: Mon-Fri 10:00-13:00 and 14:00-20:00, no Sat/Sun/L3133-1 holiday,
    # from 1 Mar 2023.  Dates before the opt-in of 11 Aug 2026, in CEST (UTC+2).
    case("FR", "paris", "2026-06-22T09:59:00+02:00", OUT, why="Mon 09:59 before 10:00"),
    case("FR", "paris", "2026-06-22T10:00:00+02:00", why="Mon 10:00 first minute"),
    case("FR", "paris", "2026-06-22T12:59:00+02:00", why="Mon 12:59 last morning minute"),
    case("FR", "paris", "2026-06-22T13:00:00+02:00", OUT, why="Mon 13:00 lunch closed"),
    case("FR", "paris", "2026-06-22T13:59:00+02:00", OUT, why="Mon 13:59 lunch closed"),
    case("FR", "paris", "2026-06-22T14:00:00+02:00", why="Mon 14:00 afternoon opens"),
    case("FR", "paris", "2026-06-22T19:59:00+02:00", why="Mon 19:59 last minute"),
    case("FR", "paris", "2026-06-22T20:00:00+02:00", OUT, why="Mon 20:00 first refused"),
    case("FR", "paris", "2026-06-27T11:00:00+02:00", CLOSED, why="Saturday"),
    case("FR", "paris", "2026-06-28T11:00:00+02:00", CLOSED, why="Sunday"),
    case("FR", "paris", "2026-07-14T11:00:00+02:00", HOLIDAY, why="Tue 14 Jul Fête nationale"),
    case("FR", "paris", "2026-05-14T11:00:00+02:00", HOLIDAY, why="Thu 14 May Ascension"),
    # Good Friday (3 Apr 2026) is not in L3133-1; Moselle adds it (L3134-13),
    # the reference's conservative extra for consumers living there.
    case("FR", "paris", "2026-04-03T11:00:00+02:00", why="Good Friday not a national holiday"),
    case("FR", "metz", "2026-04-03T11:00:00+02:00", HOLIDAY, why="Good Friday in Moselle"),
    # Effective 1 Mar 2023 (a Wednesday): Sun 26 Feb 2023 is before, Sun 5 Mar after.
    case("FR", "paris", "2023-02-26T11:00:00+01:00", why="Sunday before 1 Mar 2023"),
    case("FR", "paris", "2023-03-05T11:00:00+01:00", CLOSED, why="Sunday after 1 Mar 2023"),
    # Loi 2025-594 art. 13: opt-in from Tue 11 Aug 2026.
    case("FR", "paris", "2026-08-10T10:00:00+02:00", why="Mon 10 Aug, no consent, before opt-in"),
    case("FR", "paris", "2026-08-11T10:00:00+02:00", CONSENT, why="11 Aug opt-in, no consent"),
    case("FR", "paris", "2026-11-23T11:00:00+01:00", CONSENT, why="Nov 2026, no consent"),
    case("FR", "paris+consent", "2026-08-11T10:00:00+02:00", why="11 Aug with consent"),

    # Italy, Garante code 2024: Mon-Fri 09:00-20:00; Sat and pre-holidays 10:00-19:00;
    # no Sundays or holidays; in force 28 Sep 2024.  Nov/Dec 2026 in CET (UTC+1).
    case("IT-garante-2024", "rome", "2026-11-23T08:59:00+01:00", OUT, why="Mon 08:59"),
    case("IT-garante-2024", "rome", "2026-11-23T09:00:00+01:00", why="Mon 09:00 first minute"),
    case("IT-garante-2024", "rome", "2026-11-23T19:59:00+01:00", why="Mon 19:59 last minute"),
    case("IT-garante-2024", "rome", "2026-11-23T20:00:00+01:00", OUT, why="Mon 20:00"),
    case("IT-garante-2024", "rome", "2026-11-28T09:59:00+01:00", OUT, why="Sat 09:59"),
    case("IT-garante-2024", "rome", "2026-11-28T10:00:00+01:00", why="Sat 10:00 first minute"),
    case("IT-garante-2024", "rome", "2026-11-28T18:59:00+01:00", why="Sat 18:59 last minute"),
    case("IT-garante-2024", "rome", "2026-11-28T19:00:00+01:00", OUT, why="Sat 19:00"),
    case("IT-garante-2024", "rome", "2026-11-29T12:00:00+01:00", CLOSED, why="Sunday"),
    case("IT-garante-2024", "rome", "2026-12-08T12:00:00+01:00", HOLIDAY,
         why="Tue 8 Dec Immacolata"),
    # Mon 7 Dec 2026 is the eve of the 8 Dec holiday: a "prefestivo", 10:00-19:00.
    case("IT-garante-2024", "rome", "2026-12-07T09:30:00+01:00", OUT, why="pre-holiday 09:30"),
    case("IT-garante-2024", "rome", "2026-12-07T10:00:00+01:00", why="pre-holiday 10:00"),
    case("IT-garante-2024", "rome", "2026-12-07T18:59:00+01:00", why="pre-holiday 18:59"),
    case("IT-garante-2024", "rome", "2026-12-07T19:00:00+01:00", OUT, why="pre-holiday 19:00"),
    # Fri 30 Apr 2027 is the eve of Sat 1 May 2027 (Festa dei lavoratori).
    case("IT-garante-2024", "rome", "2027-04-30T19:30:00+02:00", OUT,
         why="Fri 30 Apr 2027 pre-holiday 19:30"),
    case("IT-garante-2024", "rome", "2027-05-01T12:00:00+02:00", HOLIDAY,
         why="Sat 1 May 2027 Labour Day"),
    # In force 28 Sep 2024 (some outlets: 1 Oct): Sun 22 Sep before, Sun 6 Oct after.
    case("IT-garante-2024", "rome", "2024-09-22T12:00:00+02:00", why="Sunday before 28 Sep 2024"),
    case("IT-garante-2024", "rome", "2024-10-06T12:00:00+02:00", CLOSED,
         why="Sunday after 1 Oct 2024"),

    # Italy, Assocontact code 2016: Mon-Fri 09:00-21:00, Sat 10:00-19:00, no Sun/holidays.
    case("IT-assocontact", "rome", "2026-11-23T08:59:00+01:00", OUT, why="Mon 08:59"),
    case("IT-assocontact", "rome", "2026-11-23T09:00:00+01:00", why="Mon 09:00 first minute"),
    case("IT-assocontact", "rome", "2026-11-23T20:59:00+01:00", why="Mon 20:59 last minute"),
    case("IT-assocontact", "rome", "2026-11-23T21:00:00+01:00", OUT, why="Mon 21:00"),
    case("IT-assocontact", "rome", "2026-11-28T09:59:00+01:00", OUT, why="Sat 09:59"),
    case("IT-assocontact", "rome", "2026-11-28T10:00:00+01:00", why="Sat 10:00"),
    case("IT-assocontact", "rome", "2026-11-28T18:59:00+01:00", why="Sat 18:59"),
    case("IT-assocontact", "rome", "2026-11-28T19:00:00+01:00", OUT, why="Sat 19:00"),
    case("IT-assocontact", "rome", "2026-11-29T12:00:00+01:00", CLOSED, why="Sunday"),
    case("IT-assocontact", "rome", "2026-12-08T12:00:00+01:00", HOLIDAY,
         why="Tue 8 Dec Immacolata"),
    # No pre-holiday rule in this code: the eve of 8 Dec keeps 09:00-21:00.
    case("IT-assocontact", "rome", "2026-12-07T20:30:00+01:00", why="eve of holiday 20:30"),
    # Adopted March 2016: Sun 28 Feb 2016 before, Sun 3 Apr 2016 (CEST) after.
    case("IT-assocontact", "rome", "2016-02-28T12:00:00+01:00", why="Sunday before March 2016"),
    case("IT-assocontact", "rome", "2016-04-03T12:00:00+02:00", CLOSED,
         why="Sunday after March 2016"),

    # Spain, TRLGDCU art. 96.2: 09:00-21:00, no weekends, no festivos (national and
    # autonomous community).
    case("ES", "madrid", "2026-11-23T08:59:00+01:00", OUT, why="Mon 08:59"),
    case("ES", "madrid", "2026-11-23T09:00:00+01:00", why="Mon 09:00 first minute"),
    case("ES", "madrid", "2026-11-23T20:59:00+01:00", why="Mon 20:59 last minute"),
    case("ES", "madrid", "2026-11-23T21:00:00+01:00", OUT, why="Mon 21:00"),
    case("ES", "madrid", "2026-11-28T12:00:00+01:00", CLOSED, why="Saturday"),
    case("ES", "madrid", "2026-11-29T12:00:00+01:00", CLOSED, why="Sunday"),
    case("ES", "madrid", "2026-12-08T12:00:00+01:00", HOLIDAY,
         why="Tue 8 Dec Inmaculada Concepción"),
    case("ES", "madrid", "2026-09-11T12:00:00+02:00", why="Fri 11 Sep, not a Madrid holiday"),
    case("ES", "barcelona", "2026-09-11T12:00:00+02:00", HOLIDAY,
         why="Fri 11 Sep Diada, Catalonia"),
    # A Spanish mobile may be in the Canaries (one hour behind Madrid): 09:00
    # Canaries is 10:00 Madrid; 21:00 Madrid still ends it.
    case("ES", "es-mobile", "2026-11-23T09:30:00+01:00", OUT, why="mobile 09:30 Madrid"),
    case("ES", "es-mobile", "2026-11-23T10:00:00+01:00", why="mobile 10:00 Madrid"),
    case("ES", "es-mobile", "2026-11-23T21:00:00+01:00", OUT, why="mobile 21:00 Madrid"),
    # Ley 3/2014 (its application date in 2014 is not verified, so no date before
    # it is checked): Sun 1 Mar 2015 is after any 2014 date.
    case("ES", "madrid", "2015-03-01T12:00:00+01:00", CLOSED, why="Sunday in 2015"),

    # Belgium: opt-out list only (no consent needed); the absence of hours is
    # unconfirmed, so only a Monday morning is checked.
    case("BE", "brussels", "2026-11-23T11:00:00+01:00", why="Mon 11:00, no consent"),

    # Germany, UWG § 7(2) no. 1: prior express consent; no statutory hours or days.
    case("DE", "berlin", "2026-11-23T11:00:00+01:00", CONSENT, why="no consent"),
    case("DE", "berlin+consent", "2026-11-23T11:00:00+01:00", why="consent, Mon 11:00"),
    case("DE", "berlin+consent", "2026-11-28T23:30:00+01:00", why="consent, Sat 23:30"),
    case("DE", "berlin+consent", "2026-11-29T23:30:00+01:00", why="consent, Sun 23:30"),
    case("DE", "berlin+consent", "2026-12-25T12:00:00+01:00", why="consent, Christmas Day"),

    # Portugal, Lei 41/2004 art. 13-A: prior express consent; no fixed hours.
    case("PT", "lisbon", "2026-11-23T11:00:00+00:00", CONSENT, why="no consent"),
    case("PT", "lisbon+consent", "2026-11-28T23:30:00+00:00", why="consent, Sat 23:30"),
    case("PT", "lisbon+consent", "2026-11-29T23:30:00+00:00", why="consent, Sun 23:30"),
    case("PT", "lisbon+consent", "2026-12-08T12:00:00+00:00", why="consent, 8 Dec holiday"),

    # United Kingdom: no statutory calling hours for marketing or collections.
    case("UK", "london", "2026-11-28T23:30:00+00:00", why="Sat 23:30"),
    case("UK", "london", "2026-11-29T07:00:00+00:00", why="Sun 07:00"),
    case("UK", "london", "2026-12-25T12:00:00+00:00", why="Christmas Day"),

    # TCPA 47 CFR 64.1200(c)(1): 08:00-21:00 local, every day, no holiday rule.
    case("US-TCPA", "nyc", "2026-11-23T07:59:00-05:00", OUT, why="Mon 07:59 EST"),
    case("US-TCPA", "nyc", "2026-11-23T08:00:00-05:00", why="Mon 08:00 EST first minute"),
    case("US-TCPA", "nyc", "2026-11-23T20:59:00-05:00", why="Mon 20:59 EST last minute"),
    case("US-TCPA", "nyc", "2026-11-23T21:00:00-05:00", OUT, why="Mon 21:00 EST"),
    case("US-TCPA", "nyc", "2026-11-28T08:00:00-05:00", why="Sat 08:00"),
    case("US-TCPA", "nyc", "2026-11-29T20:59:00-05:00", why="Sun 20:59"),
    case("US-TCPA", "nyc", "2026-11-26T12:00:00-05:00", why="Thanksgiving, no holiday rule"),
    case("US-TCPA", "los-angeles", "2026-11-23T07:59:00-08:00", OUT, why="Mon 07:59 PST"),
    case("US-TCPA", "los-angeles", "2026-11-23T08:00:00-08:00", why="Mon 08:00 PST"),
    case("US-TCPA", "los-angeles", "2026-11-23T20:30:00-08:00", why="Mon 20:30 PST"),

    # TSR 16 CFR 310.4(c): 08:00-21:00 local, every day.
    case("US-TSR", "nyc", "2026-11-23T07:59:00-05:00", OUT, why="Mon 07:59"),
    case("US-TSR", "nyc", "2026-11-23T08:00:00-05:00", why="Mon 08:00"),
    case("US-TSR", "nyc", "2026-11-23T20:59:00-05:00", why="Mon 20:59"),
    case("US-TSR", "nyc", "2026-11-23T21:00:00-05:00", OUT, why="Mon 21:00"),
    case("US-TSR", "nyc", "2026-11-28T20:59:00-05:00", why="Sat 20:59"),
    case("US-TSR", "nyc", "2026-11-29T08:00:00-05:00", why="Sun 08:00"),
    case("US-TSR", "nyc", "2026-12-25T12:00:00-05:00", why="Christmas, no holiday rule"),

    # Reg F 1006.6(b)(1)(i): 08:00-21:00 at the consumer's location; no day or
    # holiday rule (Sundays: unconfirmed staff view, see notes); from 30 Nov 2021.
    case("US-REGF", "nyc", "2026-11-23T07:59:00-05:00", OUT, why="Mon 07:59"),
    case("US-REGF", "nyc", "2026-11-23T08:00:00-05:00", why="Mon 08:00"),
    case("US-REGF", "nyc", "2026-11-23T20:59:00-05:00", why="Mon 20:59"),
    case("US-REGF", "nyc", "2026-11-23T21:00:00-05:00", OUT, why="Mon 21:00"),
    case("US-REGF", "nyc", "2026-11-28T08:00:00-05:00", why="Sat 08:00"),
    case("US-REGF", "nyc", "2026-11-26T12:00:00-05:00", why="Thanksgiving, no holiday rule"),
    case("US-REGF", "nyc", "2021-11-29T07:00:00-05:00", why="Mon 29 Nov 2021, before Reg F"),
    case("US-REGF", "nyc", "2021-11-30T07:00:00-05:00", OUT, why="Tue 30 Nov 2021, in force"),

    # Florida 501.616(6)(a): 08:00-20:00 local, every day; residents or Florida
    # area codes (501.059 presumption); from 1 Jul 2021.
    case("US-FL", "miami", "2026-11-23T07:59:00-05:00", OUT, why="Mon 07:59"),
    case("US-FL", "miami", "2026-11-23T08:00:00-05:00", why="Mon 08:00"),
    case("US-FL", "miami", "2026-11-23T19:59:00-05:00", why="Mon 19:59 last minute"),
    case("US-FL", "miami", "2026-11-23T20:00:00-05:00", OUT, why="Mon 20:00"),
    case("US-FL", "miami", "2026-11-28T19:59:00-05:00", why="Sat 19:59"),
    case("US-FL", "miami", "2026-11-29T08:00:00-05:00", why="Sun 08:00"),
    case("US-FL", "miami", "2026-11-26T12:00:00-05:00", why="Thanksgiving, no holiday rule"),
    case("US-FL", "fl-resident", "2026-11-23T20:00:00-05:00", OUT,
         why="FL address, NY number, 20:00 EST"),
    # Alone, US-FL governs nobody outside Florida: never allowed with no rule at all.
    case("US-FL", "nyc", "2026-11-23T20:30:00-05:00", cw.ReasonCode.NO_POLICY,
         why="NY number, no FL address: n/a"),
    case("US-FL", "miami", "2021-06-30T20:30:00-04:00", why="Wed 30 Jun 2021, old 21:00 end"),
    case("US-FL", "miami", "2021-07-01T20:30:00-04:00", OUT, why="Thu 1 Jul 2021 in force"),

    # Oklahoma 775C: 08:00-20:00, every day; area-code presumption; from 1 Nov 2022.
    case("US-OK", "okc", "2026-11-23T07:59:00-06:00", OUT, why="Mon 07:59 CST"),
    case("US-OK", "okc", "2026-11-23T08:00:00-06:00", why="Mon 08:00 CST"),
    case("US-OK", "okc", "2026-11-23T19:59:00-06:00", why="Mon 19:59 CST"),
    case("US-OK", "okc", "2026-11-23T20:00:00-06:00", OUT, why="Mon 20:00 CST"),
    case("US-OK", "okc", "2026-11-28T19:59:00-06:00", why="Sat 19:59"),
    case("US-OK", "okc", "2026-11-29T08:00:00-06:00", why="Sun 08:00"),
    case("US-OK", "okc-phone", "2026-11-23T20:00:00-06:00", OUT,
         why="405 number, no address: area-code presumption"),
    case("US-OK", "okc", "2022-10-31T20:30:00-05:00", why="Mon 31 Oct 2022, before the Act"),
    case("US-OK", "okc", "2022-11-01T20:30:00-05:00", OUT, why="Tue 1 Nov 2022 in force"),

    # Maryland, Stop the Spam Calls Act: 08:00-20:00, every day; from 1 Jan 2024.
    case("US-MD", "baltimore", "2026-11-23T07:59:00-05:00", OUT, why="Mon 07:59"),
    case("US-MD", "baltimore", "2026-11-23T08:00:00-05:00", why="Mon 08:00"),
    case("US-MD", "baltimore", "2026-11-23T19:59:00-05:00", why="Mon 19:59"),
    case("US-MD", "baltimore", "2026-11-23T20:00:00-05:00", OUT, why="Mon 20:00"),
    case("US-MD", "baltimore", "2026-11-29T19:59:00-05:00", why="Sun 19:59"),
    case("US-MD", "baltimore", "2023-12-31T20:30:00-05:00", why="Sun 31 Dec 2023, before"),
    case("US-MD", "baltimore", "2024-01-01T20:30:00-05:00", OUT, why="Mon 1 Jan 2024 in force"),

    # Texas 301.051: Mon-Sat 09:00-21:00, Sun 12:00-21:00.  A Texas address is
    # Central or Mountain: the opening is read in Mountain (UTC-7), the close in
    # Central (UTC-6).
    case("US-TX", "houston", "2026-11-23T08:59:00-07:00", OUT, why="Mon 08:59 MST"),
    case("US-TX", "houston", "2026-11-23T09:00:00-07:00", why="Mon 09:00 MST"),
    case("US-TX", "houston", "2026-11-23T20:59:00-06:00", why="Mon 20:59 CST"),
    case("US-TX", "houston", "2026-11-23T21:00:00-06:00", OUT, why="Mon 21:00 CST"),
    case("US-TX", "houston", "2026-11-28T09:00:00-07:00", why="Sat 09:00 MST"),
    case("US-TX", "houston", "2026-11-29T11:59:00-07:00", OUT, why="Sun 11:59 MST"),
    case("US-TX", "houston", "2026-11-29T12:00:00-07:00", why="Sun 12:00 MST"),
    case("US-TX", "houston", "2026-11-29T20:59:00-06:00", why="Sun 20:59 CST"),
    case("US-TX", "houston", "2026-11-29T21:00:00-06:00", OUT, why="Sun 21:00 CST"),
    case("US-TX", "houston", "2026-11-26T12:00:00-06:00", why="Thanksgiving, no holiday rule"),
    case("US-TX", "houston-phone", "2026-11-29T10:00:00-06:00", cw.ReasonCode.NO_POLICY,
         why="713 number, no address: no presumption in 301.051"),

    # Louisiana 45:811: Mon-Sat 08:00-20:00; no Sundays; no LPSC holidays.
    case("US-LA", "new-orleans", "2026-11-23T07:59:00-06:00", OUT, why="Mon 07:59"),
    case("US-LA", "new-orleans", "2026-11-23T08:00:00-06:00", why="Mon 08:00"),
    case("US-LA", "new-orleans", "2026-11-23T19:59:00-06:00", why="Mon 19:59"),
    case("US-LA", "new-orleans", "2026-11-23T20:00:00-06:00", OUT, why="Mon 20:00"),
    case("US-LA", "new-orleans", "2026-11-28T19:59:00-06:00", why="Sat 19:59"),
    case("US-LA", "new-orleans", "2026-11-29T12:00:00-06:00", CLOSED, why="Sunday"),
    case("US-LA", "new-orleans", "2026-12-25T12:00:00-06:00", HOLIDAY, why="Christmas"),
    case("US-LA", "new-orleans", "2026-11-26T12:00:00-06:00", HOLIDAY, why="Thanksgiving"),
    case("US-LA", "new-orleans", "2027-02-09T12:00:00-06:00", HOLIDAY,
         why="Tue 9 Feb 2027 Mardi Gras (LPSC list)"),

    # Alabama r. 770-X-5-.17(1)(b): 08:00-20:00; no Sundays; no state holidays
    # (Ala. Code 1-3-8).
    case("US-AL", "birmingham", "2026-11-23T07:59:00-06:00", OUT, why="Mon 07:59"),
    case("US-AL", "birmingham", "2026-11-23T08:00:00-06:00", why="Mon 08:00"),
    case("US-AL", "birmingham", "2026-11-23T19:59:00-06:00", why="Mon 19:59"),
    case("US-AL", "birmingham", "2026-11-23T20:00:00-06:00", OUT, why="Mon 20:00"),
    case("US-AL", "birmingham", "2026-11-28T12:00:00-06:00", why="Saturday"),
    case("US-AL", "birmingham", "2026-11-29T12:00:00-06:00", CLOSED, why="Sunday"),
    case("US-AL", "birmingham", "2026-12-25T12:00:00-06:00", HOLIDAY, why="Christmas"),
    case("US-AL", "birmingham", "2027-04-26T12:00:00-05:00", HOLIDAY,
         why="Mon 26 Apr 2027 Confederate Memorial Day (4th Mon of April)"),

    # Mississippi 77-3-723(1): 08:00-20:00 "Central Standard Time", no Sundays, no
    # holiday ban since 2024.  Reference: 08:00-20:00 in winter, 09:00-20:00 local
    # (CDT) while DST is in force.
    case("US-MS", "jackson", "2026-11-23T07:59:00-06:00", OUT, why="winter Mon 07:59 CST"),
    case("US-MS", "jackson", "2026-11-23T08:00:00-06:00", why="winter Mon 08:00 CST"),
    case("US-MS", "jackson", "2026-11-23T19:59:00-06:00", why="winter Mon 19:59 CST"),
    case("US-MS", "jackson", "2026-11-23T20:00:00-06:00", OUT, why="winter Mon 20:00 CST"),
    case("US-MS", "jackson", "2026-06-22T08:59:00-05:00", OUT, why="summer Mon 08:59 CDT"),
    case("US-MS", "jackson", "2026-06-22T09:00:00-05:00", why="summer Mon 09:00 CDT"),
    case("US-MS", "jackson", "2026-06-22T19:59:00-05:00", why="summer Mon 19:59 CDT"),
    case("US-MS", "jackson", "2026-06-22T20:00:00-05:00", OUT, why="summer Mon 20:00 CDT"),
    case("US-MS", "jackson", "2026-11-28T19:59:00-06:00", why="Sat 19:59"),
    case("US-MS", "jackson", "2026-11-29T12:00:00-06:00", CLOSED, why="Sunday"),
    case("US-MS", "jackson", "2026-12-25T12:00:00-06:00", why="Christmas: holiday ban dropped"),

    # Washington RCW 19.158.040(2): 08:00-20:00 recipient's local time, every day.
    case("US-WA", "seattle", "2026-11-23T07:59:00-08:00", OUT, why="Mon 07:59 PST"),
    case("US-WA", "seattle", "2026-11-23T08:00:00-08:00", why="Mon 08:00 PST"),
    case("US-WA", "seattle", "2026-11-23T19:59:00-08:00", why="Mon 19:59 PST"),
    case("US-WA", "seattle", "2026-11-23T20:00:00-08:00", OUT, why="Mon 20:00 PST"),
    case("US-WA", "seattle", "2026-11-28T08:00:00-08:00", why="Sat 08:00"),
    case("US-WA", "seattle", "2026-11-29T19:59:00-08:00", why="Sun 19:59"),
    case("US-WA", "seattle", "2026-11-26T12:00:00-08:00", why="Thanksgiving, no holiday rule"),

    # Connecticut 42-288a (P.A. 23-98): prior express written consent; 09:00-20:00
    # local, every day; CT area-code presumption; from Sun 1 Oct 2023.
    case("US-CT", "hartford", "2026-11-23T12:00:00-05:00", CONSENT, why="no consent"),
    case("US-CT", "hartford+consent", "2026-11-23T08:59:00-05:00", OUT, why="Mon 08:59"),
    case("US-CT", "hartford+consent", "2026-11-23T09:00:00-05:00", why="Mon 09:00"),
    case("US-CT", "hartford+consent", "2026-11-23T19:59:00-05:00", why="Mon 19:59"),
    case("US-CT", "hartford+consent", "2026-11-23T20:00:00-05:00", OUT, why="Mon 20:00"),
    case("US-CT", "hartford+consent", "2026-11-28T09:00:00-05:00", why="Sat 09:00"),
    case("US-CT", "hartford+consent", "2026-11-29T19:59:00-05:00", why="Sun 19:59"),
    case("US-CT", "hartford-phone+consent", "2026-11-23T08:30:00-05:00", OUT,
         why="860 number, no address: area-code presumption"),
    case("US-CT", "hartford", "2023-09-30T08:30:00-04:00", why="Sat 30 Sep 2023, before"),
    case("US-CT", "hartford", "2023-10-01T12:00:00-04:00", CONSENT, why="Sun 1 Oct 2023"),
    case("US-CT", "hartford+consent", "2023-10-02T08:30:00-04:00", OUT,
         why="Mon 2 Oct 2023 08:30, in force"),

    # Massachusetts 201 CMR 12.02(2): no sales calls 20:00-08:00, every day.
    case("US-MA", "boston", "2026-11-23T07:59:00-05:00", OUT, why="Mon 07:59"),
    case("US-MA", "boston", "2026-11-23T08:00:00-05:00", why="Mon 08:00"),
    case("US-MA", "boston", "2026-11-23T19:59:00-05:00", why="Mon 19:59"),
    case("US-MA", "boston", "2026-11-23T20:00:00-05:00", OUT, why="Mon 20:00"),
    case("US-MA", "boston", "2026-11-28T19:59:00-05:00", why="Sat 19:59"),
    case("US-MA", "boston", "2026-11-29T08:00:00-05:00", why="Sun 08:00"),
    case("US-MA", "boston", "2026-11-26T12:00:00-05:00", why="Thanksgiving, no holiday rule"),

    # Rhode Island 5-61-3.6: Mon-Fri 09:00-18:00 except state/federal holidays; Sat
    # 10:00-17:00; no Sunday.  Holidays: federal + R.I. Gen. Laws 25-1-1.
    case("US-RI", "providence", "2026-11-23T08:59:00-05:00", OUT, why="Mon 08:59"),
    case("US-RI", "providence", "2026-11-23T09:00:00-05:00", why="Mon 09:00"),
    case("US-RI", "providence", "2026-11-23T17:59:00-05:00", why="Mon 17:59 last minute"),
    case("US-RI", "providence", "2026-11-23T18:00:00-05:00", OUT, why="Mon 18:00"),
    case("US-RI", "providence", "2026-11-28T09:59:00-05:00", OUT, why="Sat 09:59"),
    case("US-RI", "providence", "2026-11-28T10:00:00-05:00", why="Sat 10:00"),
    case("US-RI", "providence", "2026-11-28T16:59:00-05:00", why="Sat 16:59"),
    case("US-RI", "providence", "2026-11-28T17:00:00-05:00", OUT, why="Sat 17:00"),
    case("US-RI", "providence", "2026-11-29T12:00:00-05:00", CLOSED, why="Sunday"),
    case("US-RI", "providence", "2026-11-26T12:00:00-05:00", HOLIDAY, why="Thanksgiving"),
    case("US-RI", "providence", "2026-10-12T12:00:00-04:00", HOLIDAY, why="Columbus Day"),
    case("US-RI", "providence", "2027-08-09T12:00:00-04:00", HOLIDAY,
         why="Mon 9 Aug 2027 Victory Day (2nd Mon of Aug)"),
    case("US-RI", "providence", "2026-11-03T12:00:00-05:00", HOLIDAY,
         why="Tue 3 Nov 2026 Election Day (25-1-1)"),
    case("US-RI", "providence", "2027-05-04T12:00:00-04:00", HOLIDAY,
         why="Tue 4 May 2027 RI Independence Day (25-1-1)"),
    # Conservative reading the reference recommends: a Saturday holiday is closed too.
    case("US-RI", "providence", "2026-07-04T12:00:00-04:00", HOLIDAY,
         why="Sat 4 Jul 2026 Independence Day"),

    # Utah 13-25a-103(3): not 21:00-08:00, not Sunday, not a legal holiday (63G-1-301).
    case("US-UT", "salt-lake", "2026-11-23T07:59:00-07:00", OUT, why="Mon 07:59 MST"),
    case("US-UT", "salt-lake", "2026-11-23T08:00:00-07:00", why="Mon 08:00"),
    case("US-UT", "salt-lake", "2026-11-23T20:59:00-07:00", why="Mon 20:59"),
    case("US-UT", "salt-lake", "2026-11-23T21:00:00-07:00", OUT, why="Mon 21:00"),
    case("US-UT", "salt-lake", "2026-11-28T20:59:00-07:00", why="Sat 20:59"),
    case("US-UT", "salt-lake", "2026-11-29T12:00:00-07:00", CLOSED, why="Sunday"),
    case("US-UT", "salt-lake", "2026-07-24T12:00:00-06:00", HOLIDAY, why="Fri 24 Jul Pioneer Day"),
    case("US-UT", "salt-lake", "2027-02-15T12:00:00-07:00", HOLIDAY,
         why="Mon 15 Feb 2027 Washington and Lincoln Day"),

    # Pennsylvania 73 P.S. 2245(a)(1): 08:00-21:00; (a)(10) from 3 Dec 2019: no legal
    # holidays (reported list incl. Good Friday, Flag Day, Election Day; not the day
    # after Thanksgiving).  The SB 992 Sunday ban is not in force.
    case("US-PA", "philadelphia", "2026-11-23T07:59:00-05:00", OUT, why="Mon 07:59"),
    case("US-PA", "philadelphia", "2026-11-23T08:00:00-05:00", why="Mon 08:00"),
    case("US-PA", "philadelphia", "2026-11-23T20:59:00-05:00", why="Mon 20:59"),
    case("US-PA", "philadelphia", "2026-11-23T21:00:00-05:00", OUT, why="Mon 21:00"),
    case("US-PA", "philadelphia", "2026-11-28T20:59:00-05:00", why="Sat 20:59"),
    case("US-PA", "philadelphia", "2026-11-29T12:00:00-05:00", why="Sunday: SB 992 pending"),
    case("US-PA", "philadelphia", "2026-11-26T12:00:00-05:00", HOLIDAY, why="Thanksgiving"),
    case("US-PA", "philadelphia", "2026-11-27T12:00:00-05:00",
         why="Fri 27 Nov, day after Thanksgiving: not in the list"),
    case("US-PA", "philadelphia", "2027-03-26T12:00:00-04:00", HOLIDAY,
         why="Fri 26 Mar 2027 Good Friday"),
    case("US-PA", "philadelphia", "2027-06-14T12:00:00-04:00", HOLIDAY,
         why="Mon 14 Jun 2027 Flag Day"),
    case("US-PA", "philadelphia", "2026-11-03T12:00:00-05:00", HOLIDAY,
         why="Tue 3 Nov 2026 Election Day"),
    case("US-PA", "philadelphia", "2026-10-12T12:00:00-04:00", HOLIDAY, why="Columbus Day"),
    case("US-PA", "philadelphia", "2019-11-28T12:00:00-05:00",
         why="Thanksgiving 2019, before 3 Dec 2019"),
    case("US-PA", "philadelphia", "2019-12-25T12:00:00-05:00", HOLIDAY,
         why="Christmas 2019, after 3 Dec 2019"),

    # New York GBL 399-z(2): 08:00-21:00 at the customer's location.
    case("US-NY", "nyc-ny", "2026-11-23T07:59:00-05:00", OUT, why="Mon 07:59"),
    case("US-NY", "nyc-ny", "2026-11-23T08:00:00-05:00", why="Mon 08:00"),
    case("US-NY", "nyc-ny", "2026-11-23T20:59:00-05:00", why="Mon 20:59"),
    case("US-NY", "nyc-ny", "2026-11-23T21:00:00-05:00", OUT, why="Mon 21:00"),
    case("US-NY", "nyc-ny", "2026-11-28T08:00:00-05:00", why="Sat 08:00"),
    case("US-NY", "nyc-ny", "2026-11-29T20:59:00-05:00", why="Sun 20:59"),
    case("US-NY", "nyc-ny", "2026-11-26T12:00:00-05:00", why="Thanksgiving, no holiday rule"),

    # US composite: federal (08:00-21:00) and every state that reaches the consumer.
    case("US", "miami", "2026-11-23T19:59:00-05:00", why="Miami 19:59"),
    case("US", "miami", "2026-11-23T20:00:00-05:00", OUT, why="Miami 20:00, Florida cutoff"),
    case("US", "miami", "2026-11-23T20:30:00-05:00", OUT, why="Miami 20:30"),
    case("US", "fl-resident", "2026-11-23T19:59:00-05:00", why="FL address 19:59 EST"),
    case("US", "fl-resident", "2026-11-23T20:00:00-05:00", OUT,
         why="FL address, NY number, 20:00 EST"),
    case("US", "nyc", "2026-11-23T20:30:00-05:00", why="New York 20:30"),
    case("US", "nyc", "2026-11-23T21:00:00-05:00", OUT, why="New York 21:00, TCPA"),
    case("US", "nyc", "2026-11-23T07:59:00-05:00", OUT, why="New York 07:59, TCPA"),
    case("US", "chicago", "2026-11-23T20:30:00-06:00", why="Illinois 20:30 CST, federal only"),
    case("US", "houston", "2026-11-29T11:59:00-07:00", OUT, why="Texas Sunday 11:59 MST"),
    case("US", "houston", "2026-11-29T12:00:00-07:00", why="Texas Sunday 12:00 MST"),
    case("US", "new-orleans", "2026-11-29T12:00:00-06:00", CLOSED, why="Louisiana Sunday"),
    case("US", "philadelphia", "2026-11-26T12:00:00-05:00", HOLIDAY,
         why="Pennsylvania Thanksgiving"),
    case("US", "hartford", "2026-11-23T12:00:00-05:00", CONSENT,
         why="Connecticut without consent"),
    case("US", "jackson", "2026-06-22T08:30:00-05:00", OUT, why="Mississippi summer 08:30 CDT"),

    # Canada, CRTC Telemarketing Rules: weekdays 09:00-21:30, weekends 10:00-18:00,
    # called consumer's local time; no holiday rule.
    case("CA", "toronto", "2026-11-23T08:59:00-05:00", OUT, why="Mon 08:59"),
    case("CA", "toronto", "2026-11-23T09:00:00-05:00", why="Mon 09:00"),
    case("CA", "toronto", "2026-11-23T21:29:00-05:00", why="Mon 21:29 last minute"),
    case("CA", "toronto", "2026-11-23T21:30:00-05:00", OUT, why="Mon 21:30"),
    case("CA", "toronto", "2026-11-28T09:59:00-05:00", OUT, why="Sat 09:59"),
    case("CA", "toronto", "2026-11-28T10:00:00-05:00", why="Sat 10:00"),
    case("CA", "toronto", "2026-11-28T17:59:00-05:00", why="Sat 17:59"),
    case("CA", "toronto", "2026-11-28T18:00:00-05:00", OUT, why="Sat 18:00"),
    case("CA", "toronto", "2026-11-29T10:00:00-05:00", why="Sun 10:00"),
    case("CA", "toronto", "2026-11-29T18:00:00-05:00", OUT, why="Sun 18:00"),
    case("CA", "toronto", "2026-12-25T12:00:00-05:00", why="Christmas, no federal holiday rule"),

    # British Columbia: as CRTC, plus no statutory holidays.  A BC address is Pacific,
    # Mountain (UTC-7 in Nov) or Fort Nelson (UTC-7): the opening is read in Pacific,
    # the close in Mountain.
    case("CA-BC", "vancouver-bc", "2026-11-23T08:59:00-08:00", OUT, why="Mon 08:59 PST"),
    case("CA-BC", "vancouver-bc", "2026-11-23T09:00:00-08:00", why="Mon 09:00 PST"),
    case("CA-BC", "vancouver-bc", "2026-11-23T21:29:00-07:00", why="Mon 21:29 MST"),
    case("CA-BC", "vancouver-bc", "2026-11-23T21:30:00-07:00", OUT, why="Mon 21:30 MST"),
    case("CA-BC", "vancouver-bc", "2026-11-28T09:59:00-08:00", OUT, why="Sat 09:59 PST"),
    case("CA-BC", "vancouver-bc", "2026-11-28T10:00:00-08:00", why="Sat 10:00 PST"),
    case("CA-BC", "vancouver-bc", "2026-11-29T17:59:00-07:00", why="Sun 17:59 MST"),
    case("CA-BC", "vancouver-bc", "2026-11-29T18:00:00-07:00", OUT, why="Sun 18:00 MST"),
    case("CA-BC", "vancouver-bc", "2026-11-11T12:00:00-08:00", HOLIDAY,
         why="Wed 11 Nov Remembrance Day"),
    case("CA-BC", "vancouver-bc", "2027-08-02T12:00:00-07:00", HOLIDAY,
         why="Mon 2 Aug 2027 British Columbia Day"),

    # Ontario collection agencies: not 21:00-07:00, Sundays only 13:00-17:00, not on
    # holidays.  An Ontario address is Eastern or Central: openings are read in
    # Central (UTC-6), closes in Eastern (UTC-5).
    case("CA-ON-collections", "toronto-on", "2026-11-23T06:59:00-06:00", OUT,
         why="Mon 06:59 CST"),
    case("CA-ON-collections", "toronto-on", "2026-11-23T07:00:00-06:00", why="Mon 07:00 CST"),
    case("CA-ON-collections", "toronto-on", "2026-11-23T20:59:00-05:00", why="Mon 20:59 EST"),
    case("CA-ON-collections", "toronto-on", "2026-11-23T21:00:00-05:00", OUT,
         why="Mon 21:00 EST"),
    case("CA-ON-collections", "toronto-on", "2026-11-28T07:00:00-06:00", why="Sat 07:00 CST"),
    case("CA-ON-collections", "toronto-on", "2026-11-29T12:59:00-06:00", OUT,
         why="Sun 12:59 CST"),
    case("CA-ON-collections", "toronto-on", "2026-11-29T13:00:00-06:00", why="Sun 13:00 CST"),
    case("CA-ON-collections", "toronto-on", "2026-11-29T16:59:00-05:00", why="Sun 16:59 EST"),
    case("CA-ON-collections", "toronto-on", "2026-11-29T17:00:00-05:00", OUT,
         why="Sun 17:00 EST"),
    case("CA-ON-collections", "toronto-on", "2026-12-25T12:00:00-05:00", HOLIDAY,
         why="Christmas Day"),
    case("CA-ON-collections", "toronto-on", "2027-07-01T12:00:00-04:00", HOLIDAY,
         why="Thu 1 Jul 2027 Canada Day"),

    # Australia, Telemarketing and Research Calls Industry Standard 2017
    # (telemarketing): Mon-Fri 09:00-20:00, Sat 09:00-17:00, no Sunday, no national
    # public holiday.  Sydney in Nov 2026 is AEDT (UTC+11).
    case("AU", "sydney", "2026-11-23T08:59:00+11:00", OUT, why="Mon 08:59"),
    case("AU", "sydney", "2026-11-23T09:00:00+11:00", why="Mon 09:00"),
    case("AU", "sydney", "2026-11-23T19:59:00+11:00", why="Mon 19:59"),
    case("AU", "sydney", "2026-11-23T20:00:00+11:00", OUT, why="Mon 20:00"),
    case("AU", "sydney", "2026-11-28T08:59:00+11:00", OUT, why="Sat 08:59"),
    case("AU", "sydney", "2026-11-28T09:00:00+11:00", why="Sat 09:00"),
    case("AU", "sydney", "2026-11-28T16:59:00+11:00", why="Sat 16:59"),
    case("AU", "sydney", "2026-11-28T17:00:00+11:00", OUT, why="Sat 17:00"),
    case("AU", "sydney", "2026-11-29T12:00:00+11:00", CLOSED, why="Sunday"),
    case("AU", "sydney", "2026-12-25T12:00:00+11:00", HOLIDAY, why="Christmas Day"),
    case("AU", "sydney", "2026-12-26T12:00:00+11:00", HOLIDAY, why="Sat 26 Dec Boxing Day"),
    case("AU", "sydney", "2027-01-26T12:00:00+11:00", HOLIDAY, why="Tue 26 Jan Australia Day"),

    # Same Standard, research calls: Mon-Fri 09:00-20:30, Sat and Sun 09:00-17:00
    # (holidays: unconfirmed, see notes).
    case("AU-research", "sydney", "2026-11-23T08:59:00+11:00", OUT, why="Mon 08:59"),
    case("AU-research", "sydney", "2026-11-23T09:00:00+11:00", why="Mon 09:00"),
    case("AU-research", "sydney", "2026-11-23T20:29:00+11:00", why="Mon 20:29"),
    case("AU-research", "sydney", "2026-11-23T20:30:00+11:00", OUT, why="Mon 20:30"),
    case("AU-research", "sydney", "2026-11-28T08:59:00+11:00", OUT, why="Sat 08:59"),
    case("AU-research", "sydney", "2026-11-28T09:00:00+11:00", why="Sat 09:00"),
    case("AU-research", "sydney", "2026-11-28T16:59:00+11:00", why="Sat 16:59"),
    case("AU-research", "sydney", "2026-11-28T17:00:00+11:00", OUT, why="Sat 17:00"),
    case("AU-research", "sydney", "2026-11-29T09:00:00+11:00", why="Sun 09:00"),
    case("AU-research", "sydney", "2026-11-29T16:59:00+11:00", why="Sun 16:59"),
    case("AU-research", "sydney", "2026-11-29T17:00:00+11:00", OUT, why="Sun 17:00"),

    # ACCC/ASIC debt collection guideline: Mon-Fri 07:30-21:00, weekends 09:00-21:00,
    # no contact on national public holidays.
    case("AU-collections", "sydney", "2026-11-23T07:29:00+11:00", OUT, why="Mon 07:29"),
    case("AU-collections", "sydney", "2026-11-23T07:30:00+11:00", why="Mon 07:30"),
    case("AU-collections", "sydney", "2026-11-23T20:59:00+11:00", why="Mon 20:59"),
    case("AU-collections", "sydney", "2026-11-23T21:00:00+11:00", OUT, why="Mon 21:00"),
    case("AU-collections", "sydney", "2026-11-28T08:59:00+11:00", OUT, why="Sat 08:59"),
    case("AU-collections", "sydney", "2026-11-28T09:00:00+11:00", why="Sat 09:00"),
    case("AU-collections", "sydney", "2026-11-29T20:59:00+11:00", why="Sun 20:59"),
    case("AU-collections", "sydney", "2026-11-29T21:00:00+11:00", OUT, why="Sun 21:00"),
    case("AU-collections", "sydney", "2026-12-25T12:00:00+11:00", HOLIDAY, why="Christmas"),
    case("AU-collections", "sydney", "2026-12-26T12:00:00+11:00", HOLIDAY,
         why="Sat 26 Dec Boxing Day"),
]


@pytest.mark.parametrize(("preset", "who", "at", "codes"), CHECKS)
def test_check(preset: str, who: str, at: str, codes: tuple[cw.ReasonCode, ...]) -> None:
    decision = engine_for(preset).check(PEOPLE[who], at)
    assert decision.codes == codes
    assert decision.allowed is (not codes)


# -- Next allowed time ---------------------------------------------------------------------

NEXT: list[ParameterSet] = [
    # France (before the opt-in): Fri 26 Jun 2026 20:00 -> Mon 29 Jun 10:00 CEST.
    next_case("FR", "paris", "2026-06-26T20:00:00+02:00", "2026-06-29T08:00:00+00:00",
              why="weekend"),
    # Lunch: Mon 22 Jun 13:00 -> 14:00 CEST.
    next_case("FR", "paris", "2026-06-22T13:00:00+02:00", "2026-06-22T12:00:00+00:00",
              why="lunch"),
    # EU DST starts Sun 29 Mar 2026: Fri 27 Mar 20:00 CET -> Mon 30 Mar 10:00 CEST.
    next_case("FR", "paris", "2026-03-27T20:00:00+01:00", "2026-03-30T08:00:00+00:00",
              why="DST"),
    # Mon 13 Jul 20:00 -> Tue 14 Jul Fête nationale -> Wed 15 Jul 10:00 CEST.
    next_case("FR", "paris", "2026-07-13T20:00:00+02:00", "2026-07-15T08:00:00+00:00",
              why="holiday"),
    # Without consent, the opt-in from 11 Aug 2026 closes every later day: never.
    next_case("FR", "paris", "2026-08-10T20:00:00+02:00", None,
              why="opt-in, no consent"),
    next_case("FR", "paris", "2026-11-23T11:00:00+01:00", None,
              why="no consent"),
    # Garante: Sat 5 Dec 19:00 -> Sun closed -> Mon 7 Dec, eve of 8 Dec: 10:00 CET.
    next_case("IT-garante-2024", "rome", "2026-12-05T19:00:00+01:00", "2026-12-07T09:00:00+00:00",
              why="weekend to pre-holiday"),
    # Mon 7 Dec 19:00 -> Tue 8 Dec holiday -> Wed 9 Dec 09:00 CET.
    next_case("IT-garante-2024", "rome", "2026-12-07T19:00:00+01:00", "2026-12-09T08:00:00+00:00",
              why="holiday"),
    # EU DST ends Sun 25 Oct 2026: Sat 24 Oct 19:00 CEST -> Mon 26 Oct 09:00 CET.
    next_case("IT-garante-2024", "rome", "2026-10-24T19:00:00+02:00", "2026-10-26T08:00:00+00:00",
              why="DST"),
    # Assocontact: Sat 28 Nov 19:00 -> Mon 30 Nov 09:00 CET.
    next_case("IT-assocontact", "rome", "2026-11-28T19:00:00+01:00", "2026-11-30T08:00:00+00:00",
              why="weekend"),
    # EU DST starts Sun 28 Mar 2027 (Easter); Mon 29 Mar is Easter Monday:
    # Sat 27 Mar 19:00 CET -> Tue 30 Mar 09:00 CEST.
    next_case("IT-assocontact", "rome", "2027-03-27T19:00:00+01:00", "2027-03-30T07:00:00+00:00",
              why="DST and Easter Monday"),
    # Spain: Fri 27 Nov 21:00 -> Mon 30 Nov 09:00 CET.
    next_case("ES", "madrid", "2026-11-27T21:00:00+01:00", "2026-11-30T08:00:00+00:00",
              why="weekend"),
    # Fri 23 Oct 21:00 CEST -> (DST ends Sun 25 Oct) -> Mon 26 Oct 09:00 CET.
    next_case("ES", "madrid", "2026-10-23T21:00:00+02:00", "2026-10-26T08:00:00+00:00",
              why="DST"),
    # Mon 7 Dec 21:00 -> Tue 8 Dec holiday -> Wed 9 Dec 09:00 CET.
    next_case("ES", "madrid", "2026-12-07T21:00:00+01:00", "2026-12-09T08:00:00+00:00",
              why="holiday"),
    # Consent-gated presets: without consent there is no allowed time.
    next_case("DE", "berlin", "2026-11-23T11:00:00+01:00", None,
              why="no consent"),
    next_case("PT", "lisbon", "2026-11-23T11:00:00+00:00", None,
              why="no consent"),
    next_case("US-CT", "hartford", "2026-11-23T12:00:00-05:00", None,
              why="no consent"),
    # TCPA: Sat 31 Oct 21:00 EDT -> (DST ends) Sun 1 Nov 08:00 EST.
    next_case("US-TCPA", "nyc", "2026-10-31T21:00:00-04:00", "2026-11-01T13:00:00+00:00",
              why="DST end"),
    # Sat 13 Mar 2027 21:00 EST -> (DST starts) Sun 14 Mar 08:00 EDT.
    next_case("US-TCPA", "nyc", "2027-03-13T21:00:00-05:00", "2027-03-14T12:00:00+00:00",
              why="DST start"),
    next_case("US-TSR", "nyc", "2027-03-13T21:00:00-05:00", "2027-03-14T12:00:00+00:00",
              why="DST start"),
    next_case("US-REGF", "nyc", "2026-10-31T21:00:00-04:00", "2026-11-01T13:00:00+00:00",
              why="DST end"),
    # Florida: Sat 31 Oct 20:00 EDT -> Sun 1 Nov 08:00 EST.
    next_case("US-FL", "miami", "2026-10-31T20:00:00-04:00", "2026-11-01T13:00:00+00:00",
              why="DST end"),
    # Oklahoma: Sat 13 Mar 2027 20:00 CST -> Sun 14 Mar 08:00 CDT.
    next_case("US-OK", "okc", "2027-03-13T20:00:00-06:00", "2027-03-14T13:00:00+00:00",
              why="DST start"),
    next_case("US-MD", "baltimore", "2026-10-31T20:00:00-04:00", "2026-11-01T13:00:00+00:00",
              why="DST end"),
    # Texas: Sat 28 Nov 21:00 CST -> Sun 29 Nov 12:00 MST (13:00 CST).
    next_case("US-TX", "houston", "2026-11-28T21:00:00-06:00", "2026-11-29T19:00:00+00:00",
              why="Sunday noon"),
    # Sat 31 Oct 21:00 CDT -> (DST ends) Sun 1 Nov 12:00 MST.
    next_case("US-TX", "houston", "2026-10-31T21:00:00-05:00", "2026-11-01T19:00:00+00:00",
              why="DST end, Sunday"),
    # Louisiana: Sat 28 Nov 20:00 CST -> Sun closed -> Mon 30 Nov 08:00 CST.
    next_case("US-LA", "new-orleans", "2026-11-28T20:00:00-06:00", "2026-11-30T14:00:00+00:00",
              why="weekend"),
    # Sat 13 Mar 2027 20:00 CST -> Sun closed (DST starts) -> Mon 15 Mar 08:00 CDT.
    next_case("US-LA", "new-orleans", "2027-03-13T20:00:00-06:00", "2027-03-15T13:00:00+00:00",
              why="weekend and DST start"),
    # Alabama: Sat 31 Oct 20:00 CDT -> Sun closed (DST ends) -> Mon 2 Nov 08:00 CST.
    next_case("US-AL", "birmingham", "2026-10-31T20:00:00-05:00", "2026-11-02T14:00:00+00:00",
              why="weekend and DST end"),
    # Mississippi: Sat 13 Mar 2027 20:00 CST -> Sun closed -> Mon 15 Mar 09:00 CDT
    # (08:00 CST is 09:00 CDT).
    next_case("US-MS", "jackson", "2027-03-13T20:00:00-06:00", "2027-03-15T14:00:00+00:00",
              why="weekend and DST start"),
    # Sat 31 Oct 20:00 CDT -> Sun closed -> Mon 2 Nov 08:00 CST.
    next_case("US-MS", "jackson", "2026-10-31T20:00:00-05:00", "2026-11-02T14:00:00+00:00",
              why="weekend and DST end"),
    # Washington: Sat 31 Oct 20:00 PDT -> Sun 1 Nov 08:00 PST.
    next_case("US-WA", "seattle", "2026-10-31T20:00:00-07:00", "2026-11-01T16:00:00+00:00",
              why="DST end"),
    # Connecticut: Sat 31 Oct 20:00 EDT -> Sun 1 Nov 09:00 EST.
    next_case("US-CT", "hartford+consent", "2026-10-31T20:00:00-04:00", "2026-11-01T14:00:00+00:00",
              why="DST end"),
    # Massachusetts: Sat 13 Mar 2027 20:00 EST -> Sun 14 Mar 08:00 EDT.
    next_case("US-MA", "boston", "2027-03-13T20:00:00-05:00", "2027-03-14T12:00:00+00:00",
              why="DST start"),
    # Rhode Island: Fri 27 Nov 18:00 -> Sat 28 Nov 10:00 EST.
    next_case("US-RI", "providence", "2026-11-27T18:00:00-05:00", "2026-11-28T15:00:00+00:00",
              why="Friday to Saturday"),
    # Sat 28 Nov 17:00 -> Sun closed -> Mon 30 Nov 09:00 EST.
    next_case("US-RI", "providence", "2026-11-28T17:00:00-05:00", "2026-11-30T14:00:00+00:00",
              why="weekend"),
    # Sat 13 Mar 2027 17:00 EST -> Sun closed -> Mon 15 Mar 09:00 EDT.
    next_case("US-RI", "providence", "2027-03-13T17:00:00-05:00", "2027-03-15T13:00:00+00:00",
              why="weekend and DST start"),
    # Wed 25 Nov 18:00 -> Thanksgiving -> Fri 27 Nov 09:00 EST.
    next_case("US-RI", "providence", "2026-11-25T18:00:00-05:00", "2026-11-27T14:00:00+00:00",
              why="Thanksgiving"),
    # Utah: Sat 28 Nov 21:00 MST -> Sun closed -> Mon 30 Nov 08:00 MST.
    next_case("US-UT", "salt-lake", "2026-11-28T21:00:00-07:00", "2026-11-30T15:00:00+00:00",
              why="weekend"),
    # Sat 13 Mar 2027 21:00 MST -> Sun closed -> Mon 15 Mar 08:00 MDT.
    next_case("US-UT", "salt-lake", "2027-03-13T21:00:00-07:00", "2027-03-15T14:00:00+00:00",
              why="weekend and DST start"),
    # Thu 23 Jul 21:00 MDT -> Fri 24 Jul Pioneer Day -> Sat 25 Jul 08:00 MDT.
    next_case("US-UT", "salt-lake", "2026-07-23T21:00:00-06:00", "2026-07-25T14:00:00+00:00",
              why="Pioneer Day"),
    # Pennsylvania: Wed 25 Nov 21:00 -> Thanksgiving -> Fri 27 Nov 08:00 EST.
    next_case("US-PA", "philadelphia", "2026-11-25T21:00:00-05:00", "2026-11-27T13:00:00+00:00",
              why="Thanksgiving"),
    next_case("US-PA", "philadelphia", "2026-10-31T21:00:00-04:00", "2026-11-01T13:00:00+00:00",
              why="DST end"),
    # New York: Sat 13 Mar 2027 21:00 EST -> Sun 14 Mar 08:00 EDT.
    next_case("US-NY", "nyc-ny", "2027-03-13T21:00:00-05:00", "2027-03-14T12:00:00+00:00",
              why="DST start"),
    # US composite: Miami at 20:00 EST -> Tue 24 Nov 08:00 EST.
    next_case("US", "miami", "2026-11-23T20:00:00-05:00", "2026-11-24T13:00:00+00:00",
              why="Florida cutoff"),
    # CRTC: Fri 27 Nov 21:30 -> Sat 28 Nov 10:00 EST.
    next_case("CA", "toronto", "2026-11-27T21:30:00-05:00", "2026-11-28T15:00:00+00:00",
              why="weekend opening"),
    # Sun 29 Nov 18:00 -> Mon 30 Nov 09:00 EST.
    next_case("CA", "toronto", "2026-11-29T18:00:00-05:00", "2026-11-30T14:00:00+00:00",
              why="weekend end"),
    # Sat 31 Oct 18:00 EDT -> (DST ends) Sun 1 Nov 10:00 EST.
    next_case("CA", "toronto", "2026-10-31T18:00:00-04:00", "2026-11-01T15:00:00+00:00",
              why="DST end"),
    # BC: Fri 27 Nov 21:30 MST -> Sat 28 Nov 10:00 PST.
    next_case("CA-BC", "vancouver-bc", "2026-11-27T21:30:00-07:00", "2026-11-28T18:00:00+00:00",
              why="weekend opening"),
    # Sat 31 Oct 18:00 MDT (Mountain closes first) -> Sun 1 Nov 10:00 PST (after DST).
    next_case("CA-BC", "vancouver-bc", "2026-10-31T18:00:00-06:00", "2026-11-01T18:00:00+00:00",
              why="DST end"),
    # Ontario collections: Sat 31 Oct 21:00 EDT -> Sun 1 Nov 13:00 CST (DST ended).
    next_case("CA-ON-collections", "toronto-on", "2026-10-31T21:00:00-04:00",
              "2026-11-01T19:00:00+00:00", why="DST end, Sunday 13:00"),
    # Sun 29 Nov 17:00 EST -> Mon 30 Nov 07:00 CST.
    next_case("CA-ON-collections", "toronto-on", "2026-11-29T17:00:00-05:00",
              "2026-11-30T13:00:00+00:00", why="Sunday to Monday"),
    # Australia: Sat 28 Nov 17:00 -> Sun closed -> Mon 30 Nov 09:00 AEDT.
    next_case("AU", "sydney", "2026-11-28T17:00:00+11:00", "2026-11-29T22:00:00+00:00",
              why="weekend"),
    # AU DST ends Sun 4 Apr 2027: Sat 3 Apr 17:00 AEDT -> Mon 5 Apr 09:00 AEST.
    next_case("AU", "sydney", "2027-04-03T17:00:00+11:00", "2027-04-04T23:00:00+00:00",
              why="DST end"),
    # Mon 25 Jan 2027 20:00 -> Tue 26 Jan Australia Day -> Wed 27 Jan 09:00 AEDT.
    next_case("AU", "sydney", "2027-01-25T20:00:00+11:00", "2027-01-26T22:00:00+00:00",
              why="Australia Day"),
    # Research: Sat 3 Apr 2027 17:00 AEDT -> Sun 4 Apr 09:00 AEST (DST ended at 03:00).
    next_case("AU-research", "sydney", "2027-04-03T17:00:00+11:00", "2027-04-03T23:00:00+00:00",
              why="DST end, Sunday"),
    # Collections: Sat 3 Oct 2026 21:00 AEST -> Sun 4 Oct 09:00 AEDT (DST began 02:00).
    next_case("AU-collections", "sydney", "2026-10-03T21:00:00+10:00", "2026-10-03T22:00:00+00:00",
              why="DST start, Sunday"),
]


@pytest.mark.parametrize(("preset", "who", "at", "expected"), NEXT)
def test_next_allowed(preset: str, who: str, at: str, expected: str | None) -> None:
    engine = engine_for(preset)
    decision = engine.check(PEOPLE[who], at)
    assert not decision.allowed
    if expected is None:
        assert decision.next_allowed_at is None
    else:
        assert decision.next_allowed_at == utc(expected)
        assert engine.check(PEOPLE[who], expected).allowed


# -- Limits and cooldowns ----------------------------------------------------------------

History = tuple[tuple[str, str, str], ...]  # (who, at, outcome)


def history_case(preset: str, history: History, who: str, at: str, *codes: cw.ReasonCode,
                 next_at: str | None = "", why: str) -> ParameterSet:
    """A check after ``history``; ``next_at`` "" means not asserted, None means never."""
    return pytest.param(preset, history, who, at, codes, next_at, id=f"{preset}: {why}")


# France D223-9: 4 attempts in any 30 calendar days (today is day 1).  Attempts on
# Mon 1 .. Thu 4 Jun 2026 (CEST); 1 Jun counts on 1..30 Jun, so 1 Jul frees one.
FR_THREE: History = tuple(("paris", f"2026-06-0{day}T10:30:00+02:00", "no_answer")
                          for day in (1, 2, 3))
FR_FOUR: History = (*FR_THREE, ("paris", "2026-06-04T10:30:00+02:00", "no_answer"))
# A refusal on Thu 2 Apr 2026: 60 full days from the next day, 3 Apr .. 1 Jun
# (28 days of April + 31 of May + 1 June); released Tue 2 Jun 00:00, open 10:00.
FR_REFUSAL: History = (("paris", "2026-04-02T11:00:00+02:00", "refusal"),)
# After 11 Aug 2026 a refusal is a permanent suppression (amended L221-16).
FR_REFUSAL_OPTIN: History = (("paris+consent", "2026-09-01T11:00:00+02:00", "refusal"),)

# Reg F 1006.14(b)(2)(i): 7 calls in 7 consecutive days per person per debt; calls
# on Tue 17 .. Mon 23 Nov at 10:00 EST fill days 17..23; on Tue 24 the window is
# 18..24 (six calls).
REGF_SIX: History = tuple(("nyc", f"2026-11-{day}T10:00:00-05:00", "no_answer")
                          for day in range(17, 23))
REGF_SEVEN: History = (*REGF_SIX, ("nyc", "2026-11-23T10:00:00-05:00", "no_answer"))
# A conversation on Mon 26 Oct 2026 (day 1): no calls through Sun 1 Nov (day 7).
REGF_TALK: History = (("nyc", "2026-10-26T10:00:00-04:00", "conversation"),)

# Florida 501.616(6)(b), Oklahoma, Maryland: at most 3 calls to a person in 24
# hours on one subject, from any number.  Tue 24 Nov at 10:00, 11:00, 12:00 local;
# the first drops out 24 h later, Wed 25 Nov 10:00.


def three_calls(who: str, offset: str) -> History:
    return tuple((who, f"2026-11-24T{hour}:00:00{offset}", "no_answer")
                 for hour in ("10", "11", "12"))


# Three Florida calls on Sat 31 Oct 18:00, 18:30, 19:00 EDT (22:00Z..23:00Z): the
# first frees a slot at 22:00Z on Sun 1 Nov, which after DST ends is 17:00 EST.
FL_DST: History = (("miami", "2026-10-31T18:00:00-04:00", "no_answer"),
                   ("miami", "2026-10-31T18:30:00-04:00", "no_answer"),
                   ("miami", "2026-10-31T19:00:00-04:00", "no_answer"))

# Washington RCW 80.36.390: no call for one year after a do-not-call request.
# Mon 23 Nov 2026 10:00 PST + 1 year = Tue 23 Nov 2027 10:00 PST (365 days, no 29 Feb).
# Periods have no years, so a preset may hold a day longer (366 days) to be at least
# a year whatever the start: refused before the anniversary, allowed a day after it.
WA_DNC: History = (("seattle", "2026-11-23T10:00:00-08:00", "opt_out"),)
# TCPA 64.1200(d): a do-not-call request is kept 5 years.  Mon 23 Nov 2026 12:00
# EST + 5 years = Sun 23 Nov 2031 12:00 EST (1826 days: 29 Feb 2028 falls inside);
# as for Washington, the release may come up to a day later (1827 days).
TCPA_DNC: History = (("nyc", "2026-11-23T12:00:00-05:00", "opt_out"),)
# CRTC: a do-not-call request is kept 3 years and 14 days.  Mon 23 Nov 2026 12:00
# EST + 3 years = 23 Nov 2029, + 14 days = Fri 7 Dec 2029 12:00 EST (1110 days).
CA_DNC: History = (("toronto", "2026-11-23T12:00:00-05:00", "opt_out"),)

# BC: one contact per 30 days.  A conversation on Mon 2 Nov 2026 10:00 PST
# (18:00Z) counts until Wed 2 Dec 10:00 PST (no DST change in between).
BC_CONTACT: History = (("vancouver-bc", "2026-11-02T10:00:00-08:00", "conversation"),)

# Ontario: at most 3 contacts in any 7 days after the first conversation; a
# voicemail counts, an unanswered ring does not.  Mon 16 .. Wed 18 Nov 10:00 EST;
# the first drops out Mon 23 Nov 10:00 EST.
ON_THREE: History = (("toronto-on", "2026-11-16T10:00:00-05:00", "conversation"),
                     ("toronto-on", "2026-11-17T10:00:00-05:00", "voicemail"),
                     ("toronto-on", "2026-11-18T10:00:00-05:00", "voicemail"))
ON_RINGS: History = (*ON_THREE[:2],
                     *(("toronto-on", f"2026-11-18T{hour}:00:00-05:00", "no_answer")
                       for hour in ("10", "11", "12")))

# ACCC/ASIC: at most 3 contacts per week (rolling 7 days) and 10 per month per
# account; actual contacts only.  Mon 16 .. Wed 18 Nov 10:00 AEDT; the first
# drops out Mon 23 Nov 10:00 AEDT (2026-11-22T23:00Z).
AU_WEEK: History = (("sydney", "2026-11-16T10:00:00+11:00", "conversation"),
                    ("sydney", "2026-11-17T10:00:00+11:00", "voicemail"),
                    ("sydney", "2026-11-18T10:00:00+11:00", "conversation"))
AU_RINGS: History = (*AU_WEEK[:2],
                     *(("sydney", f"2026-11-18T{hour}:00:00+11:00", "no_answer")
                       for hour in ("10", "11", "12", "13")))
# Ten contacts, three a week (Mon-Wed of 2, 9, 16 Nov, and Mon 23 Nov), none in the
# weekly limit on Tue 24 Nov; the month ("P1M": 30 or 31 days) still holds ten until
# 2 Dec 10:00 at the earliest and frees one by 3 Dec 10:00 at the latest.
AU_MONTH: History = tuple(("sydney", f"2026-11-{day:02d}T10:00:00+11:00", "conversation")
                          for day in (2, 3, 4, 9, 10, 11, 16, 17, 18, 23))

HISTORIES: list[ParameterSet] = [
    history_case("FR", FR_THREE, "paris", "2026-06-04T10:30:00+02:00",
                 why="4th attempt in 30 days allowed"),
    history_case("FR", FR_FOUR, "paris", "2026-06-05T10:30:00+02:00", FREQ,
                 next_at="2026-07-01T08:00:00+00:00", why="5th refused until Wed 1 Jul 10:00"),
    history_case("FR", FR_FOUR, "paris", "2026-06-30T19:59:00+02:00", FREQ,
                 why="Tue 30 Jun (day 30 of 1 Jun) still refused"),
    history_case("FR", FR_FOUR, "paris", "2026-07-01T10:00:00+02:00",
                 why="Wed 1 Jul 10:00 released"),
    history_case("FR", FR_REFUSAL, "paris", "2026-04-07T11:00:00+02:00", COOL,
                 why="after refusal"),
    history_case("FR", FR_REFUSAL, "paris", "2026-06-01T19:59:00+02:00", COOL,
                 next_at="2026-06-02T08:00:00+00:00",
                 why="Mon 1 Jun is day 60 of the pause"),
    history_case("FR", FR_REFUSAL, "paris", "2026-06-02T10:00:00+02:00",
                 why="Tue 2 Jun 10:00 released"),
    # Day 60 of D223-9's pause after a refusal on Tue 1 Sep is Sat 31 Oct (2 Sep ..
    # 31 Oct: 29 + 31 days); on Mon 2 Nov only the permanent suppression is left.
    history_case("FR", FR_REFUSAL_OPTIN, "paris+consent", "2026-11-02T11:00:00+01:00", OPTED,
                 next_at=None, why="refusal after opt-in is permanent"),
    history_case("FR", FR_REFUSAL_OPTIN, "paris+consent", "2027-09-01T11:00:00+02:00", OPTED,
                 why="refusal after opt-in, a year later"),

    history_case("US-REGF", REGF_SIX, "nyc", "2026-11-23T10:00:00-05:00",
                 why="7th call in 7 days allowed"),
    history_case("US-REGF", REGF_SEVEN, "nyc", "2026-11-23T20:59:00-05:00", FREQ,
                 next_at="2026-11-24T13:00:00+00:00", why="8th refused until Tue 08:00"),
    history_case("US-REGF", REGF_SEVEN, "nyc", "2026-11-24T08:00:00-05:00",
                 why="Tue 24 Nov 08:00: 17 Nov is day 8"),
    history_case("US-REGF", REGF_SEVEN, "nyc-debt2", "2026-11-23T20:59:00-05:00",
                 why="another debt counts apart"),
    history_case("US-REGF", REGF_TALK, "nyc", "2026-10-31T20:59:00-04:00", COOL,
                 next_at="2026-11-02T13:00:00+00:00",
                 why="conversation Mon 26 Oct: days 26 Oct..1 Nov, free Mon 2 Nov 08:00 EST"),
    history_case("US-REGF", REGF_TALK, "nyc", "2026-11-02T08:00:00-05:00",
                 why="Mon 2 Nov 08:00 EST released"),

    history_case("US-FL", three_calls("miami", "-05:00")[:2], "miami",
                 "2026-11-24T12:00:00-05:00", why="3rd call in 24 h allowed"),
    history_case("US-FL", three_calls("miami", "-05:00"), "miami", "2026-11-24T12:30:00-05:00",
                 FREQ, next_at="2026-11-25T15:00:00+00:00", why="4th refused until Wed 10:00"),
    history_case("US-FL", three_calls("miami", "-05:00"), "miami", "2026-11-25T09:59:00-05:00",
                 FREQ, why="Wed 09:59 still within 24 h"),
    history_case("US-FL", three_calls("miami", "-05:00"), "miami", "2026-11-25T10:00:00-05:00",
                 why="Wed 10:00 released"),
    history_case("US-FL", three_calls("miami", "-05:00"), "miami-roofing",
                 "2026-11-24T12:30:00-05:00", why="another subject counts apart"),
    history_case("US-FL", FL_DST, "miami", "2026-11-01T16:59:00-05:00", FREQ,
                 next_at="2026-11-01T22:00:00+00:00", why="24 h across DST end: 16:59 EST"),
    history_case("US-FL", FL_DST, "miami", "2026-11-01T17:00:00-05:00",
                 why="24 h across DST end: 17:00 EST released"),
    history_case("US-OK", three_calls("okc", "-06:00"), "okc", "2026-11-24T12:30:00-06:00",
                 FREQ, next_at="2026-11-25T16:00:00+00:00", why="4th refused until Wed 10:00"),
    history_case("US-OK", three_calls("okc", "-06:00"), "okc", "2026-11-25T10:00:00-06:00",
                 why="Wed 10:00 CST released"),
    history_case("US-MD", three_calls("baltimore", "-05:00"), "baltimore",
                 "2026-11-24T12:30:00-05:00", FREQ, next_at="2026-11-25T15:00:00+00:00",
                 why="4th refused until Wed 10:00"),
    history_case("US-MD", three_calls("baltimore", "-05:00"), "baltimore",
                 "2026-11-25T10:00:00-05:00", why="Wed 10:00 released"),

    # The US composite applies Florida's limit to Miami numbers and FL addresses only.
    history_case("US", three_calls("miami", "-05:00"), "miami", "2026-11-24T12:30:00-05:00",
                 FREQ, next_at="2026-11-25T15:00:00+00:00", why="Miami: Florida 3 per 24 h"),
    history_case("US", three_calls("fl-resident", "-05:00"), "fl-resident",
                 "2026-11-24T12:30:00-05:00", FREQ, why="FL address: Florida 3 per 24 h"),
    history_case("US", three_calls("nyc", "-05:00"), "nyc", "2026-11-24T12:30:00-05:00",
                 why="New York: no per-day cap"),

    history_case("US-WA", WA_DNC, "seattle", "2026-11-24T10:00:00-08:00", OPTED,
                 why="do-not-call request, next day"),
    history_case("US-WA", WA_DNC, "seattle", "2027-11-22T10:00:00-08:00", OPTED,
                 why="a year less a day"),
    history_case("US-WA", WA_DNC, "seattle", "2027-11-23T09:59:00-08:00", OPTED,
                 why="one year less a minute"),
    history_case("US-WA", WA_DNC, "seattle", "2027-11-24T10:00:00-08:00",
                 why="a year and a day later"),
    history_case("US-TCPA", TCPA_DNC, "nyc", "2026-11-24T12:00:00-05:00", OPTED,
                 why="do-not-call request, next day"),
    history_case("US-TCPA", TCPA_DNC, "nyc", "2031-11-22T12:00:00-05:00", OPTED,
                 why="5 years less a day"),
    history_case("US-TCPA", TCPA_DNC, "nyc", "2031-11-23T11:59:00-05:00", OPTED,
                 why="5 years less a minute"),
    history_case("US-TCPA", TCPA_DNC, "nyc", "2031-11-24T12:00:00-05:00",
                 why="5 years and a day later"),
    history_case("CA", CA_DNC, "toronto", "2026-11-24T12:00:00-05:00", OPTED,
                 why="do-not-call request, next day"),
    history_case("CA", CA_DNC, "toronto", "2029-12-06T12:00:00-05:00", OPTED,
                 why="3 years 14 days less a day"),
    history_case("CA", CA_DNC, "toronto", "2029-12-07T12:00:00-05:00",
                 why="exactly 3 years 14 days later"),

    history_case("CA-BC", BC_CONTACT, "vancouver-bc", "2026-11-23T10:00:00-08:00", FREQ,
                 next_at="2026-12-02T18:00:00+00:00", why="2nd contact in 30 days"),
    history_case("CA-BC", BC_CONTACT, "vancouver-bc", "2026-12-02T09:59:00-08:00", FREQ,
                 why="30 days less a minute"),
    history_case("CA-BC", BC_CONTACT, "vancouver-bc", "2026-12-02T10:00:00-08:00",
                 why="exactly 30 days later"),

    history_case("CA-ON-collections", ON_THREE[:2], "toronto-on", "2026-11-18T10:00:00-05:00",
                 why="3rd contact in 7 days allowed"),
    history_case("CA-ON-collections", ON_THREE, "toronto-on", "2026-11-19T10:00:00-05:00",
                 FREQ, next_at="2026-11-23T15:00:00+00:00", why="4th refused until Mon 10:00"),
    history_case("CA-ON-collections", ON_THREE, "toronto-on", "2026-11-23T09:59:00-05:00",
                 FREQ, why="7 days less a minute"),
    history_case("CA-ON-collections", ON_THREE, "toronto-on", "2026-11-23T10:00:00-05:00",
                 why="exactly 7 days later"),
    history_case("CA-ON-collections", ON_RINGS, "toronto-on", "2026-11-19T10:00:00-05:00",
                 why="unanswered rings do not count"),

    history_case("AU-collections", AU_WEEK[:2], "sydney", "2026-11-18T10:00:00+11:00",
                 why="3rd contact in a week allowed"),
    history_case("AU-collections", AU_WEEK, "sydney", "2026-11-19T10:00:00+11:00", FREQ,
                 next_at="2026-11-22T23:00:00+00:00", why="4th refused until Mon 10:00"),
    history_case("AU-collections", AU_WEEK, "sydney", "2026-11-23T09:59:00+11:00", FREQ,
                 why="a week less a minute"),
    history_case("AU-collections", AU_WEEK, "sydney", "2026-11-23T10:00:00+11:00",
                 why="exactly a week later"),
    history_case("AU-collections", AU_RINGS, "sydney", "2026-11-19T10:00:00+11:00",
                 why="attempts without contact do not count"),
    history_case("AU-collections", AU_MONTH, "sydney", "2026-11-24T10:00:00+11:00", FREQ,
                 why="11th contact in a month"),
    history_case("AU-collections", AU_MONTH, "sydney", "2026-12-02T09:59:00+11:00", FREQ,
                 why="11th contact, 30 days less a minute"),
    history_case("AU-collections", AU_MONTH, "sydney", "2026-12-03T10:00:00+11:00",
                 why="31 days after the first contact"),
]


@pytest.mark.parametrize(("preset", "history", "who", "at", "codes", "next_at"), HISTORIES)
def test_limits_and_cooldowns(preset: str, history: History, who: str, at: str,
                              codes: tuple[cw.ReasonCode, ...], next_at: str | None) -> None:
    engine = engine_for(preset)
    for person, when, outcome in history:
        engine.record(PEOPLE[person], at=when, outcome=outcome)
    decision = engine.check(PEOPLE[who], at)
    assert decision.codes == codes
    assert decision.allowed is (not codes)
    if next_at != "":
        assert decision.next_allowed_at == (None if next_at is None else utc(next_at))


def test_acquire_then_refusal_outcome_starts_the_french_pause() -> None:
    # The same pause reached through acquire + set_outcome: a refusal on Thu 2 Apr
    # 2026 at 11:00 CEST blocks through Mon 1 Jun; Tue 2 Jun opens at 10:00 CEST.
    engine = engine_for("FR")
    decision = engine.acquire(PEOPLE["paris"], at="2026-04-02T11:00:00+02:00")
    assert decision.allowed
    assert decision.attempt_id is not None
    engine.set_outcome(decision.attempt_id, cw.Outcome.REFUSAL)
    later = engine.check(PEOPLE["paris"], "2026-04-03T11:00:00+02:00")
    assert later.codes == (COOL,)
    assert later.next_allowed_at == utc("2026-06-02T08:00:00+00:00")


# -- Louisiana blackouts (La. R.S. 45:844.31) --------------------------------------------

# A declared emergency from Thu 27 Aug 2026 12:00 to Thu 10 Sep 2026 12:00 CDT.
EMERGENCY = {"US-LA": [{"start": "2026-08-27T12:00:00-05:00",
                        "end": "2026-09-10T12:00:00-05:00",
                        "reason": "Governor's declared state of emergency (La. R.S. 45:844.31)"}]}

BLACKOUTS: list[ParameterSet] = [
    case("US-LA", "new-orleans", "2026-08-27T11:59:00-05:00", why="Thu 11:59 before it"),
    case("US-LA", "new-orleans", "2026-08-27T12:00:00-05:00", BLACK, why="Thu 12:00 it starts"),
    case("US-LA", "new-orleans", "2026-09-09T10:00:00-05:00", BLACK, why="Wed 9 Sep inside"),
    case("US-LA", "new-orleans", "2026-09-10T11:59:00-05:00", BLACK, why="its last minute"),
    case("US-LA", "new-orleans", "2026-09-10T12:00:00-05:00", why="Thu 10 Sep 12:00 it ends"),
    case("US", "new-orleans", "2026-09-09T10:00:00-05:00", BLACK, why="composite, Louisiana"),
    case("US", "nyc", "2026-09-09T11:00:00-04:00", why="composite, New York unaffected"),
]


@pytest.mark.parametrize(("preset", "who", "at", "codes"), BLACKOUTS)
def test_louisiana_blackout(preset: str, who: str, at: str,
                            codes: tuple[cw.ReasonCode, ...]) -> None:
    decision = engine_for(preset, blackouts=EMERGENCY).check(PEOPLE[who], at)
    assert decision.codes == codes
    assert decision.allowed is (not codes)


def test_louisiana_blackout_next_allowed_is_its_end() -> None:
    # Inside the period on Wed 9 Sep 10:00 CDT: next is its end, Thu 10 Sep 12:00
    # CDT (17:00Z), a Thursday within 08:00-20:00.
    decision = engine_for("US-LA", blackouts=EMERGENCY).check(
        PEOPLE["new-orleans"], "2026-09-09T10:00:00-05:00")
    assert decision.next_allowed_at == utc("2026-09-10T17:00:00+00:00")
