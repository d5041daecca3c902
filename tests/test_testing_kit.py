"""The testing kit: frozen clocks, frozen engines, assertions, the pytest plugin."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

import pytest
from hypothesis import given

import callwindow as cw
from callwindow.testing import (
    FrozenClock,
    RecordingLedger,
    assert_allowed,
    assert_blocked,
    consumer,
    frozen_engine,
    policy,
)
from callwindow.testing import strategies as cws

pytest_plugins = ["pytester"]


def test_a_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock("2026-12-08T11:00:00+01:00")
    assert clock.now() == datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    assert clock.now() == clock.now()
    assert clock.advance(days=1, hours=2, minutes=3, seconds=4) == datetime(
        2026, 12, 9, 12, 3, 4, tzinfo=UTC)
    assert clock.set("2027-01-01T00:00:00Z") == datetime(2027, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(hours=-1)
    with pytest.raises(cw.NaiveDatetimeError):
        FrozenClock("2026-12-08T11:00:00")
    with pytest.raises(cw.NaiveDatetimeError):
        clock.set(datetime(2026, 12, 8, 11))


def test_a_frozen_engine_judges_at_the_frozen_time() -> None:
    # Tuesday 8 December 2026 is the Immaculate Conception, a public holiday in Italy.
    with frozen_engine("IT-garante-2024", at="2026-12-08T11:00:00+01:00") as engine:
        rome = consumer(timezone="Europe/Rome")
        assert_blocked(engine.check(rome), reason="holiday")
        engine.clock.advance(days=1)  # Wednesday 9 December, 11:00
        assert_allowed(engine.check(rome))


def test_a_frozen_engine_counts_attempts_on_its_own_ledger() -> None:
    ledger = RecordingLedger()
    with frozen_engine("FR", at="2026-11-23T10:30:00+01:00", ledger=ledger) as engine:
        paris = consumer("+33612345678", consent=True)
        for _ in range(4):  # 10:30, 12:30, 14:30 and 16:30 Paris (not in the 13-14 break)
            assert_allowed(engine.acquire(paris))
            engine.clock.advance(hours=2)
        # 4 attempts within 30 days: the fifth waits.
        assert_blocked(engine.acquire(paris), reason=cw.ReasonCode.FREQUENCY_LIMIT)
        first = ledger.attempts[0]
        engine.set_outcome(first.id, cw.Outcome.REFUSAL)
    assert [a.at.isoformat() for a in ledger.attempts] == [
        "2026-11-23T09:30:00+00:00", "2026-11-23T11:30:00+00:00",
        "2026-11-23T13:30:00+00:00", "2026-11-23T15:30:00+00:00"]
    assert ledger.outcomes == ["refusal", "pending", "pending", "pending"]
    assert all(f"c:{paris.id}" in attempt.keys for attempt in ledger.attempts)


def test_a_recording_ledger_forgets_too() -> None:
    ledger = RecordingLedger()
    with frozen_engine(policy("09:00-20:00", days="mon-sun",
                              limits=[{"max_attempts": 9, "period": "P1D"}]),
                       at="2026-11-23T10:00:00Z", ledger=ledger) as engine:
        person = consumer(timezone="UTC")
        engine.acquire(person)
        assert engine.forget(person) == 1
    assert ledger.attempts == []


def test_assertion_messages_read_like_a_sentence() -> None:
    with frozen_engine(policy("10:00-13:00", days="mon-fri"),
                       at="2026-11-21T11:00:00+01:00") as engine:  # a Saturday
        paris = consumer(timezone="Europe/Paris")
        saturday = engine.check(paris)
        with pytest.raises(AssertionError) as caught:
            assert_allowed(saturday)
        message = str(caught.value)
        assert message.startswith("expected the call to be allowed, but it was refused.")
        assert "closed_day: no calls are allowed on Saturdays" in message
        assert "local time in Europe/Paris: Saturday 2026-11-21 11:00 CET" in message
        assert "next allowed in Europe/Paris: Monday 2026-11-23 10:00 CET" in message
        with pytest.raises(AssertionError, match="refused for holiday, but it was refused "
                                                 "for closed_day"):
            assert_blocked(saturday, reason="holiday")
        engine.clock.set("2026-11-23T10:00:00+01:00")
        with pytest.raises(AssertionError, match=r"refused \(closed_day\), but it was allowed"):
            assert_blocked(engine.check(paris), reason="closed_day")


def test_assertions_refuse_what_is_not_a_decision() -> None:
    with pytest.raises(TypeError, match="expected a Decision"):
        assert_allowed(True)  # type: ignore[arg-type]
    with (pytest.raises(ValueError, match="'sunny'"),
          frozen_engine(policy("10:00-11:00"), at="2026-11-23T10:00:00Z") as engine):
        assert_blocked(engine.check(consumer(timezone="UTC")), reason="sunny")


@pytest.mark.parametrize(("days", "open_on"), [
    ("mon-fri", ["mon", "tue", "wed", "thu", "fri"]),
    ("sat", ["sat"]),
    ("mon,wed,fri-sun", ["mon", "wed", "fri", "sat", "sun"]),
])
def test_policy_helper_spells_days(days: str, open_on: list[str]) -> None:
    made = policy(["09:00-12:00", "14:00-18:00"], days=days, holidays="FR")
    assert made.hours is not None
    assert sorted(made.hours) == sorted(open_on)
    assert made.hours[open_on[0]] == ("09:00-12:00", "14:00-18:00")
    assert made.holidays is not None
    assert made.holidays.country == "FR"


def test_policy_helper_names_bad_days() -> None:
    with pytest.raises(ValueError, match="'fri-mon' runs backwards"):
        policy("09:00-12:00", days="fri-mon")
    with pytest.raises(ValueError, match="'weekdays'"):
        policy("09:00-12:00", days="weekdays")


@given(cws.policies(), cws.consumers(), cws.instants())
def test_strategies_make_what_an_engine_takes(policy_: cw.Policy, person: cw.Consumer,
                                             at: datetime) -> None:
    decision = cw.Engine(policy_).check(person, at)
    assert decision.allowed in (True, False)
    assert at.tzinfo is not None


def test_the_plugin_gives_fixtures_to_a_project_that_only_installed_callwindow(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_crm=textwrap.dedent('''
        import callwindow as cw
        from callwindow.testing import assert_allowed, assert_blocked, consumer

        def test_clock_starts_on_a_monday_morning(callwindow_clock):
            assert callwindow_clock.now().isoformat() == "2026-01-05T09:00:00+00:00"

        def test_rome_is_not_called_on_8_december(callwindow_clock, callwindow_engine):
            engine = callwindow_engine("IT-garante-2024")
            rome = consumer(timezone="Europe/Rome")
            callwindow_clock.set("2026-12-08T11:00:00+01:00")
            assert_blocked(engine.check(rome), reason="holiday")
            callwindow_clock.advance(days=1)
            assert_allowed(engine.check(rome))

        def test_engines_share_the_clock(callwindow_clock, callwindow_engine):
            first, second = callwindow_engine("FR"), callwindow_engine("US-TCPA")
            assert first.clock is second.clock is callwindow_clock
    '''))
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_the_plugin_leaves_other_projects_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_nothing_to_do_with_calls():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "--fixtures")
    result.stdout.fnmatch_lines(["*callwindow_clock*", "*callwindow_engine*"])
    assert pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider").ret == 0
