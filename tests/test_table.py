"""The columnar path: ``check_table`` answers what ``check_many`` answers, row for row."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import callwindow as cw
from callwindow.testing import policy

pa = pytest.importorskip("pyarrow")

MONDAY = "2026-11-23T10:30:00+01:00"  # open in France (10:00-13:00, 14:00-20:00)
LUNCH = "2026-11-23T13:30:00+01:00"  # France's lunch break
FR = cw.presets.get("FR")
US = cw.presets.get("US")
# France's hours and cooldowns, two calls a rolling day.
LIMITED = cw.Policy.model_validate({**FR.model_dump(),
                                    "limits": [{"max_attempts": 2, "period": "PT24H"}]})
NO_HISTORY = cw.Policy.model_validate({**FR.model_dump(), "limits": [], "cooldowns": []})

phones = st.sampled_from((None, "+33612345678", "+33612345679", "06 12 34 56 78", "+12125550123",
                          "+13055550199", "+15125550100", "+999", "not a phone",
                          # numbers placed in Arrow (see _phone_columns)
                          "0612345678", "0698765432", "2125550123", "+33691234567",
                          "+14165550123", "+18005550123", "+19075550123", "+33698765432"))
zones = st.sampled_from((None, "Europe/Paris", "America/New_York", "Mars/Olympus_Mons"))
zone_lists = st.none() | st.lists(st.sampled_from(("America/Chicago", "America/Denver",
                                                   "Europe/Paris", "Nowhere/At_All")),
                                  max_size=2)
rows = st.fixed_dictionaries({
    "id": st.sampled_from((None, "c-0", "c-1", "c-2", " c-3 ")),
    "phone": phones,
    "country": st.sampled_from((None, "FR", "US", "us", "XX")),
    "region": st.sampled_from((None, "CA", "TX", "IDF")),
    "consent": st.sampled_from((None, True, False)),
    "tags.debt": st.sampled_from((None, "A", "B")),
})
instants = st.sampled_from((MONDAY, LUNCH, "2026-11-23T21:30:00+01:00",
                            "2026-12-25T15:00:00+01:00"))


def table_of(listed: list[dict[str, Any]], zone_column: list[Any], as_lists: bool) -> Any:
    columns = {name: [row[name] for row in listed] for name in listed[0]} if listed else {
        name: [] for name in ("id", "phone", "country", "region", "consent", "tags.debt")}
    types = {"consent": pa.bool_()}
    arrays = {name: pa.array(values, types.get(name, pa.string()))
              for name, values in columns.items()}
    arrays["timezone"] = pa.array(zone_column, pa.list_(pa.string()) if as_lists
                                  else pa.string())
    arrays["name"] = pa.array([f"Contact {i}" for i in range(len(zone_column))])  # ignored
    return pa.table(arrays)


def expected(engine: Any, listed: list[dict[str, Any]], zone_column: list[Any],
             at: str) -> list[dict[str, Any]]:
    """What check_many says of each row (a row that does not validate: its error)."""
    answers: list[dict[str, Any] | None] = []
    valid: list[cw.Consumer] = []
    for row, zone in zip(listed, zone_column, strict=True):
        given = {name: value for name, value in row.items()
                 if value is not None and not name.startswith("tags.")}
        if zone is not None:
            given["timezone"] = zone
        if row["tags.debt"] is not None:
            given["tags"] = {"debt": row["tags.debt"]}
        try:
            valid.append(cw.Consumer(**given))
        except cw.ConsumerError as error:
            answers.append({"allowed": False, "reasons": None, "next_allowed_at": None,
                            "error": str(error)})
        else:
            answers.append(None)
    decisions = iter(engine.check_many(valid, at))
    found = []
    for answer in answers:
        if answer is None:
            decision = next(decisions)
            answer = {"allowed": decision.allowed,
                      "reasons": [code.value for code in decision.codes],
                      "next_allowed_at": decision.next_allowed_at, "error": None}
        found.append(answer)
    return found


@st.composite
def lists(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[Any], bool]:
    listed = draw(st.lists(rows, max_size=30))
    as_lists = draw(st.booleans())
    zone_column = [draw(zone_lists if as_lists else zones) for _ in listed]
    return listed, zone_column, as_lists


@settings(max_examples=120, deadline=None)
@given(lists(), instants, st.sampled_from((NO_HISTORY, LIMITED, (LIMITED, US))))
def test_check_table_is_check_many_row_for_row(
        case: tuple[list[dict[str, Any]], list[Any], bool], at: str, policy: Any) -> None:
    engine = cw.Engine(policy)
    for consumer_id in ("c-0", "c-1"):
        for _ in range(2):
            engine.record(cw.Consumer(id=consumer_id, phone="+33698765432"),
                          outcome="no_answer", at="2026-11-23T09:00:00+01:00")
    listed, zone_column, as_lists = case
    table = table_of(listed, zone_column, as_lists)
    assert engine.check_table(table, at).to_pylist() == expected(engine, listed, zone_column, at)


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=lists(), at=instants)
def test_check_table_is_check_many_on_every_backend(
        make_engine: Any, case: tuple[list[dict[str, Any]], list[Any], bool], at: str) -> None:
    # (Recorded under a number no other test looks for: the Redis server is shared.)
    engine = make_engine(LIMITED)
    engine.record(cw.Consumer(id="c-0", phone="+33698765432"), outcome="no_answer",
                  at="2026-11-23T09:00:00+01:00")
    engine.record(cw.Consumer(id="c-0", phone="+33698765432"), outcome="refusal",
                  at="2026-11-23T09:10:00+01:00")
    listed, zone_column, as_lists = case
    table = table_of(listed, zone_column, as_lists)
    assert engine.check_table(table, at).to_pylist() == expected(engine, listed, zone_column, at)


def test_answers_written_by_hand() -> None:
    table = pa.table({
        "id": ["a", "b", "c", "d"],
        "phone": ["+33612345678", "+33612345679", "+33612345670", "+33612345671"],
        "timezone": [None, None, "Mars/Olympus_Mons", None],
        "consent": [True, True, True, None],
        "note": ["kept out", "of", "the", "answer"],
    })
    engine = cw.Engine(NO_HISTORY)
    open_now = engine.check_table(table, MONDAY).to_pylist()
    monday = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert [row["allowed"] for row in open_now] == [True, True, False, False]
    # Since 11 August 2026 canvassing in France needs consent (FR-optin-2026): time never
    # lifts that refusal.
    assert open_now[3] == {"allowed": False, "reasons": ["consent_required"],
                           "next_allowed_at": None, "error": None}
    assert open_now[0] == {"allowed": True, "reasons": [], "next_allowed_at": monday,
                           "error": None}
    assert open_now[2]["reasons"] is None
    assert open_now[2]["error"].startswith("consumer 'c' is invalid:\n  timezone:")
    lunch = engine.check_table(table, LUNCH).to_pylist()
    # Refused in the lunch break; France opens again at 14:00, 13:00 UTC.
    assert lunch[1] == {"allowed": False, "reasons": ["outside_hours"],
                        "next_allowed_at": datetime(2026, 11, 23, 13, 0, tzinfo=UTC),
                        "error": None}
    assert engine.check_table(table.slice(0, 0), MONDAY).num_rows == 0


def test_limits_count_each_row_by_its_id() -> None:
    engine = cw.Engine(LIMITED)
    for _ in range(2):
        engine.record(cw.Consumer(id="b", phone="+33612345679"), outcome="no_answer",
                      at="2026-11-23T09:00:00+01:00")
    table = pa.table({"id": ["a", "b"], "phone": ["+33612345678", "+33612345679"],
                      "consent": [True, True]})
    found = engine.check_table(table, MONDAY).to_pylist()
    assert [row["allowed"] for row in found] == [True, False]
    assert found[1]["reasons"] == ["frequency_limit"]
    # The two calls of 09:00 Paris leave the rolling day at 09:00 on Tuesday; France opens
    # at 10:00 (09:00 UTC).
    assert found[1]["next_allowed_at"] == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_bad_tables_are_refused_naming_the_problem() -> None:
    engine = cw.Engine(NO_HISTORY)
    with pytest.raises(TypeError, match="column 'id' must hold strings, not int64"):
        engine.check_table(pa.table({"id": [1, 2], "phone": ["+33612345678"] * 2}))
    with pytest.raises(TypeError, match=r"expected a pyarrow\.Table"):
        engine.check_table(42)


def test_import_callwindow_does_not_load_pyarrow() -> None:
    code = ("import sys, callwindow as cw; cw.Engine(cw.presets.get('FR')); "
            "print('pyarrow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# -- BatchScrubber: the function Spark's mapInArrow runs (see docs/scale.md) ------------------

def test_batch_scrubber_streams_batches_with_the_answers_appended() -> None:
    import pickle

    table = pa.table({"id": ["a", "b", "c"],
                      "phone": ["+33612345678", "+33612345679", "+12125550123"],
                      "consent": [True, False, True], "name": ["Ana", "Ben", "Cy"]})
    scrubber = pickle.loads(pickle.dumps(cw.BatchScrubber(NO_HISTORY, at=MONDAY)))
    batches = list(scrubber(table.to_batches(max_chunksize=2)))
    assert [batch.num_rows for batch in batches] == [2, 1]
    found = pa.Table.from_batches(batches)
    assert found.column_names == ["id", "phone", "consent", "name", "allowed", "reasons",
                                  "next_allowed_at", "error"]
    # A US number under the French preset alone: France's law does not reach a New
    # Yorker, and no other policy does: refused, for good.
    assert found.select(["allowed", "reasons", "next_allowed_at"]).to_pylist() == [
        {"allowed": True, "reasons": [], "next_allowed_at": datetime(2026, 11, 23, 9, 30,
                                                                      tzinfo=UTC)},
        {"allowed": False, "reasons": ["consent_required"], "next_allowed_at": None},
        {"allowed": False, "reasons": ["no_policy"], "next_allowed_at": None}]
    assert found.drop_columns(["id", "phone", "consent", "name"]).to_pylist() == (
        cw.Engine(NO_HISTORY).check_table(table, MONDAY).to_pylist())


def test_batch_scrubber_makes_one_engine_per_process_and_one_instant() -> None:
    import pickle

    scrubber = cw.BatchScrubber([NO_HISTORY], ledger="memory://")
    first = pickle.loads(pickle.dumps(scrubber))
    second = pickle.loads(pickle.dumps(scrubber))
    assert first._engine() is second._engine()  # two tasks of one worker share it
    assert first.at == scrubber.at  # fixed where it was made, not where it runs
    with pytest.raises(TypeError, match="ledger: expected a ledger URL"):
        cw.BatchScrubber(NO_HISTORY, ledger=cw.ledgers.MemoryLedger())  # type: ignore[arg-type]


# -- numbers placed a column at a time (_phone_columns) ----------------------------------------

NUMBERS = pa.table({
    "id": ["fr-national", "fr-e164", "ny-e164", "ny-national", "fr-unallocated", "toronto",
           "toll-free"],
    "phone": ["0612345678", "+33612345678", "+12125550123", "2125550123", "+33691234567",
              "+14165550123", "+18005550123"],
    "country": ["FR", None, None, "us", None, None, None],
    "consent": [True] * 7,
})


def test_numbers_are_classed_by_prefix_in_arrow() -> None:
    from callwindow._phone_columns import phone_classes

    found = phone_classes(NUMBERS.column("phone").combine_chunks(),
                          NUMBERS.column("country").combine_chunks(), None)
    # A French number with its trunk 0 and the country FR is +33 6..., valid; a US number
    # written nationally with the country US is valid in the US; +33 69 1 is not a French
    # range; 800 is no area code of one state or province: that number takes the row path.
    assert found.classes.to_pylist() == ["N|33", "+|33", "1|212", "US|212", "+!|33", "1|416",
                                         None]
    assert found.e164.to_pylist() == ["+33612345678", "+33612345678", "+12125550123",
                                      "+12125550123", "+33691234567", "+14165550123", None]


@pytest.mark.parametrize("limited", [False, True])
def test_numbers_answers_written_by_hand(limited: bool) -> None:
    policies = [LIMITED if limited else NO_HISTORY, US]
    engine = cw.Engine(policies)
    morning = engine.check_table(NUMBERS, "2026-11-23T15:30:00Z").to_pylist()
    night = engine.check_table(NUMBERS, "2026-11-24T02:30:00Z").to_pylist()
    at = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
    allowed = {"allowed": True, "reasons": [], "next_allowed_at": at, "error": None}
    # 16:30 in Paris, 10:30 in New York: both open.
    assert morning[:4] == [allowed] * 4
    # 03:30 in Paris: France opens at 10:00 (09:00 UTC); 21:30 in New York: the TCPA's
    # 08:00 is 13:00 UTC.
    paris = {"allowed": False, "reasons": ["outside_hours"],
             "next_allowed_at": datetime(2026, 11, 24, 9, 0, tzinfo=UTC), "error": None}
    new_york = {**paris, "next_allowed_at": datetime(2026, 11, 24, 13, 0, tzinfo=UTC)}
    assert night[:4] == [paris, paris, new_york, new_york]
    # No zone for a number of no French range: refused for good.
    for answers in (morning, night):
        assert answers[4] == {"allowed": False, "reasons": ["unknown_timezone"],
                              "next_allowed_at": None, "error": None}
        # Toronto: neither policy reaches Canada.
        assert answers[5] == {"allowed": False, "reasons": ["no_policy"],
                              "next_allowed_at": None, "error": None}
    # An 800 number may be anywhere in NANP, Guam (UTC+10) to Pago Pago (UTC-11): every
    # zone is between 08:00 and 21:00 only from 22:00 UTC (08:00 in Guam) to 00:30 UTC
    # (21:00 in Newfoundland).
    assert morning[6] == {"allowed": False, "reasons": ["outside_hours"],
                          "next_allowed_at": datetime(2026, 11, 23, 22, 0, tzinfo=UTC),
                          "error": None}
    for at_, found in (("2026-11-23T15:30:00Z", morning), ("2026-11-24T02:30:00Z", night)):
        assert found == expected(engine, [{k: v for k, v in row.items()
                                           if k != "timezone"} | {"region": None,
                                                                  "tags.debt": None}
                                          for row in NUMBERS.to_pylist()],
                                 [None] * 7, at_)


def test_a_calling_code_shared_by_territories_keeps_each_number_under_its_own_law() -> None:
    # +590 is Guadeloupe, Saint-Barthélemy and Saint-Martin (one zone, UTC-4): at
    # 18:00 UTC it is 14:00 there.  Guadeloupe's own rule (10:00-12:00 here) refuses
    # its mobile; the Saint-Barthélemy fixed line only meets the base hours.
    base = policy("08:00-21:00", days="mon-sun", id="base")
    guadeloupe = policy("10:00-12:00", days="mon-sun", id="gp",
                                   applies_to={"country": "GP"})
    engine = cw.Engine([base, guadeloupe])
    at = datetime(2026, 11, 30, 18, tzinfo=UTC)
    table = pa.table({"id": ["bl", "gp"], "phone": ["+590590271568", "+590690001217"]})
    result = engine.check_table(table, at)
    assert result.column("allowed").to_pylist() == [True, False]
    assert result.column("reasons").to_pylist()[1] == ["outside_hours"]
