"""Moving-day rules in ``holidays.add``: the grammar, its errors, and presets that never run out.

Expected dates are written by hand from published Easter tables and the weekday
of 1 January (2031 Wed, 2034 Sun, 2035 Mon; 1 Aug is 212 days later, 1 Nov 304,
i.e. +2 and +3 weekdays in a common year):

* Easter Sunday: 13 Apr 2031, 9 Apr 2034, 25 Mar 2035 (and 5 Apr 2026).
* Good Friday (-2): 11 Apr 2031, 7 Apr 2034, 23 Mar 2035.
* Easter Monday (+1): 14 Apr 2031, 10 Apr 2034, 26 Mar 2035.
* Mardi Gras (-47): 25 Feb 2031, 21 Feb 2034, 6 Feb 2035.
* 1 Aug is a Fri in 2031, Tue in 2034, Wed in 2035: first Mondays 4, 7, 6 Aug.
* 1 Nov is a Sat in 2031, Wed in 2034, Thu in 2035: first Mondays 3, 6, 5 Nov, so
  Election Day (the Tuesday after) is 4 Nov 2031, 7 Nov 2034, 6 Nov 2035.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import callwindow as cw
from callwindow import _holidays

HOLIDAY = cw.ReasonCode.HOLIDAY


def _policy(add: list[Any], remove: list[Any] | None = None, *, country: str = "US",
            subdivision: str | None = None) -> cw.Policy:
    return cw.Policy.model_validate({
        "id": "rules",
        "hours": {day: ["08:00-21:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                   "sun")},
        "holidays": {"country": country, "subdivision": subdivision, "add": add,
                     "remove": remove or []},
    })


# -- The grammar ---------------------------------------------------------------------------

@pytest.mark.parametrize(("rule", "year", "expected"), [
    ("easter", 2026, date(2026, 4, 5)),
    ("easter", 2031, date(2031, 4, 13)),
    ("easter-2", 2031, date(2031, 4, 11)),
    ("easter-2", 2034, date(2034, 4, 7)),
    ("easter-2", 2035, date(2035, 3, 23)),
    ("easter+1", 2031, date(2031, 4, 14)),
    ("easter+1", 2034, date(2034, 4, 10)),
    ("easter+1", 2035, date(2035, 3, 26)),
    ("easter-47", 2031, date(2031, 2, 25)),
    ("easter-47", 2034, date(2034, 2, 21)),
    ("easter-47", 2035, date(2035, 2, 6)),
    ("first monday of august", 2031, date(2031, 8, 4)),
    ("first monday of august", 2034, date(2034, 8, 7)),
    ("First Monday of August", 2035, date(2035, 8, 6)),
    ("1st mon of aug", 2035, date(2035, 8, 6)),
    ("tuesday after first monday of november", 2031, date(2031, 11, 4)),
    ("tuesday after first monday of november", 2034, date(2034, 11, 7)),
    ("tuesday after first monday of november", 2035, date(2035, 11, 6)),
    # Election Day also reads as the first Tuesday after 1 November.
    ("first tuesday after 11-01", 2034, date(2034, 11, 7)),
    # "after" is strict: 1 Nov 2033 is a Tuesday (2033 starts on a Saturday, +3).
    ("tuesday after 11-01", 2033, date(2033, 11, 8)),
    # Memorial Day 2026: 31 May 2026 is a Sunday, so the last Monday is 25 May.
    ("last monday of may", 2026, date(2026, 5, 25)),
    # Thanksgiving 2034: 1 Nov a Wednesday, Thursdays 2, 9, 16, 23.
    ("fourth thursday of november", 2034, date(2034, 11, 23)),
    # The second Sunday after Easter 2031 (13 Apr): 20, then 27 Apr.
    ("second sunday after easter", 2031, date(2031, 4, 27)),
])
def test_rule_gives_the_day(rule: str, year: int, expected: date) -> None:
    assert _holidays.parse_moving_day(rule).dates_in(year) == (expected,)


@pytest.mark.parametrize(("entry", "words"), [
    ("first mondy of august", ["'first mondy of august'", "unknown weekday 'mondy'"]),
    ("first monday of agust", ["unknown month 'agust'"]),
    ("fifth monday of may", ["unknown ordinal 'fifth'", "not every month"]),
    ("last tuesday after 11-01", ["unknown ordinal 'last'"]),
    ("tuesday after", ["nothing after 'after'"]),
    ("tuesday after monday after 11-01", ["only one 'after'"]),
    ("easter+400", ["'easter+400'", "more than 366 days"]),
    ("easter*2", ["'easter*2'", "not easter, easter+N or easter-N"]),
    ("easter+260", ["does not fall once in every year", "crosses the new year"]),
    ("monday after 12-30", ["crosses the new year"]),
    ("monday after 02-29", ["'02-29' is not a day of every year"]),
    ("Good Friday", ["'Good Friday' is not a holiday rule", "docs/policies.md"]),
    ("13-01", ["'13-01' is not a valid month-day"]),
    ("2026-13-01", ["'2026-13-01' is not a date (YYYY-MM-DD)"]),
])
def test_a_bad_add_entry_is_refused_naming_its_path_and_value(entry: str,
                                                              words: list[str]) -> None:
    with pytest.raises(cw.PolicyError) as caught:
        _policy(["06-14", entry])
    [(field, message)] = caught.value.problems
    assert field == "holidays.add.1"
    for word in words:
        assert word in message


def test_a_non_text_add_entry_is_refused() -> None:
    with pytest.raises(cw.PolicyError) as caught:
        _policy([5])
    assert caught.value.problems == (
        ("holidays.add.0", "5 is not a date (YYYY-MM-DD), a yearly day (MM-DD) or a "
                           "holiday rule (e.g. 'easter-2')"),)


def test_a_misspelt_rule_in_remove_is_an_unknown_name() -> None:
    with pytest.raises(cw.PolicyError, match=r"'easter\+l' is not a holiday name"):
        _policy([], ["easter+l"], country="CA", subdivision="ON")


def test_rules_survive_a_round_trip_as_written() -> None:
    policy = _policy(["easter-2", "tuesday after first monday of november"])
    assert policy.holidays is not None
    assert policy.holidays.add == ("easter-2", "tuesday after first monday of november")
    again = cw.Policy.model_validate_json(policy.model_dump_json())
    assert again == policy


# -- Through the engine --------------------------------------------------------------------

NEW_YORK = cw.Consumer(id="ny", timezone="America/New_York")


def test_an_added_rule_closes_its_day_and_only_that_day() -> None:
    engine = cw.Engine(_policy(["easter-2"]))
    # Good Friday 2035 is Fri 23 Mar (EDT from 11 Mar 2035).
    assert engine.check(NEW_YORK, "2035-03-23T12:00:00-04:00").codes == (HOLIDAY,)
    assert engine.check(NEW_YORK, "2035-03-22T12:00:00-04:00").allowed
    assert engine.check(NEW_YORK, "2035-03-24T12:00:00-04:00").allowed
    refused = engine.check(NEW_YORK, "2035-03-23T12:00:00-04:00")
    assert refused.next_allowed_at is not None
    assert refused.next_allowed_at.isoformat() == "2035-03-24T12:00:00+00:00"  # 08:00 EDT


def test_a_removed_rule_opens_a_package_holiday() -> None:
    # The package's Ontario calendar has Good Friday (11 Apr 2031); removing easter-2
    # opens it, and Easter Monday (14 Apr 2031), added, closes.
    engine = cw.Engine(_policy(["easter+1"], ["easter-2"], country="CA", subdivision="ON"))
    toronto = cw.Consumer(id="on", timezone="America/Toronto")
    assert engine.check(toronto, "2031-04-11T12:00:00-04:00").allowed
    assert engine.check(toronto, "2031-04-14T12:00:00-04:00").codes == (HOLIDAY,)


# -- Invariants ----------------------------------------------------------------------------

_ORDINAL = st.sampled_from([("first", 1), ("second", 2), ("third", 3), ("fourth", 4),
                            ("last", -1)])
_WEEKDAY = st.sampled_from(list(enumerate(("monday", "tuesday", "wednesday", "thursday",
                                           "friday", "saturday", "sunday"))))
_MONTH = st.sampled_from(list(enumerate(("january", "february", "march", "april", "may",
                                         "june", "july", "august", "september", "october",
                                         "november", "december"), 1)))
_YEAR = st.integers(min_value=1900, max_value=2400)


@given(_ORDINAL, _WEEKDAY, _MONTH, _YEAR)
def test_nth_weekday_of_month_is_that_weekday_in_that_week(
        ordinal: tuple[str, int], weekday: tuple[int, str], month: tuple[int, str],
        year: int) -> None:
    (word, nth), (weekday_no, weekday_word), (month_no, month_word) = ordinal, weekday, month
    [day] = _holidays.parse_moving_day(f"{word} {weekday_word} of {month_word}").dates_in(year)
    assert (day.year, day.month, day.weekday()) == (year, month_no, weekday_no)
    if nth > 0:
        assert 7 * (nth - 1) < day.day <= 7 * nth
    else:
        following = date(year + month_no // 12, month_no % 12 + 1, 1)
        assert 0 < (following - day).days <= 7


@given(st.integers(min_value=1, max_value=4), _WEEKDAY, _ORDINAL, _WEEKDAY, _MONTH, _YEAR)
def test_weekday_after_is_strictly_after_and_within_n_weeks(
        nth: int, weekday: tuple[int, str], ordinal: tuple[str, int],
        anchor_weekday: tuple[int, str], month: tuple[int, str], year: int) -> None:
    anchor_text = f"{ordinal[0]} {anchor_weekday[1]} of {month[1]}"
    nth_word = ("first", "2nd", "third", "4th")[nth - 1]
    text = f"{nth_word} {weekday[1]} after {anchor_text}"
    try:
        rule = _holidays.parse_moving_day(text)
    except ValueError:  # late-December anchors may cross the new year
        assume(month[0] != 12)
        raise
    [day] = rule.dates_in(year)
    # A day after a December anchor may always land in the next January.
    anchors = [found for base in (year - 1, year)
               for found in _holidays.parse_moving_day(anchor_text).dates_in(base)]
    anchor = max(found for found in anchors if found < day)
    assert day.weekday() == weekday[0]
    assert 7 * (nth - 1) < (day - anchor).days <= 7 * nth


@given(st.integers(min_value=-80, max_value=250), _YEAR)
def test_easter_offsets_count_days_from_easter(offset: int, year: int) -> None:
    [sunday] = _holidays.parse_moving_day("easter").dates_in(year)
    assert sunday.weekday() == 6
    assert (sunday.month, sunday.day) >= (3, 22)
    assert (sunday.month, sunday.day) <= (4, 25)
    text = f"easter{offset:+d}"
    [day] = _holidays.parse_moving_day(text).dates_in(year)
    assert (day - sunday).days == offset


# -- The presets never run out -------------------------------------------------------------

THIS_YEAR = date.today().year
NEXT_30_YEARS = range(THIS_YEAR, THIS_YEAR + 31)


def _holiday_rules() -> list[tuple[str, cw.HolidayRule]]:
    found: dict[str, cw.HolidayRule] = {}
    for preset in cw.presets.ids():
        for part in cw.presets.get(preset).flattened():
            if part.holidays is not None:
                found[part.id] = part.holidays
    return sorted(found.items())


def _ids(value: object) -> str:
    return value if isinstance(value, str) else ""


def test_the_walk_reaches_the_moving_holidays() -> None:
    # Guard against a walk over nothing: the six rewritten presets hold rules.
    with_rules = {preset for preset, rule in _holiday_rules()
                  for item in (*rule.add, *rule.remove)
                  if _holidays.parse_holiday_item(item, names_allowed=True)[0] == "rule"}
    assert {"US-PA-holidays", "US-RI", "US-AL", "CA-ON-collections"} <= with_rules


@pytest.mark.parametrize(("preset", "rule"), _holiday_rules(), ids=_ids)
def test_every_holiday_entry_gives_a_day_in_each_of_the_next_30_years(
        preset: str, rule: cw.HolidayRule) -> None:
    for year in NEXT_30_YEARS:
        assert _holidays.public_holidays(rule.country, rule.subdivision, year), (preset, year)
        for item in (*rule.add, *rule.remove):
            kind, value = _holidays.parse_holiday_item(item, names_allowed=True)
            if isinstance(value, _holidays.MovingDay):
                assert len(value.dates_in(year)) == 1, (preset, item, year)
            elif isinstance(value, tuple):
                month, day = value
                assert (month, day) != (2, 29), (preset, item)  # a day of every year
            else:
                assert kind == "name", (preset, item)
        calendar = _holidays.HolidayCalendar(rule.country, [rule.subdivision], rule.add,
                                             rule.remove)
        for item in rule.add:
            kind, value = _holidays.parse_holiday_item(item, names_allowed=False)
            if isinstance(value, _holidays.MovingDay):
                assert value.dates_in(year)[0] in calendar.for_year(year), (preset, item)


# Every date is the nth (or last) weekday of its month, so a rule could give any
# year-bound date a preset lists: a preset lists none.  A genuinely one-off day (a
# holiday proclaimed once) would be named here, with the reason.
ONE_OFF_DAYS: dict[str, set[date]] = {}


@pytest.mark.parametrize(("preset", "rule"), _holiday_rules(), ids=_ids)
def test_no_preset_lists_a_year_bound_date(preset: str, rule: cw.HolidayRule) -> None:
    dated = {item for item in (*rule.add, *rule.remove) if isinstance(item, date)}
    assert dated <= ONE_OFF_DAYS.get(preset, set()), (
        f"{preset} lists {sorted(dated)}: write the rule that gives them (docs/policies.md)")


def test_no_preset_ends_within_30_years() -> None:
    ending = {part.id: part.effective_to for preset in cw.presets.ids()
              for part in cw.presets.get(preset).flattened()
              if part.effective_to is not None and part.effective_to.year <= THIS_YEAR + 30}
    assert ending == {}
