"""Every script in examples/ runs as a user runs it, and does what was worked out by hand."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MONDAY = "2026-11-23T10:00:00+01:00"  # Monday 23 November 2026, 10:00 in Paris
FRIDAY = "2026-11-27T10:30:00+01:00"


def run(script: str, *args: str, cwd: Path, code: int = 0) -> list[str]:
    """Run ``examples/<script>`` in ``cwd``; its stdout's lines, spaces squeezed."""
    done = subprocess.run([sys.executable, str(EXAMPLES / script), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == code, done.stdout + done.stderr
    assert done.stderr == ""
    return [re.sub(r"\s+", " ", line).strip() for line in done.stdout.splitlines()]


def rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return {row["id"]: row for row in csv.DictReader(file)}


def test_every_example_script_is_run_here() -> None:
    text = Path(__file__).read_text(encoding="utf-8")
    for script in EXAMPLES.glob("*.py"):
        assert f'"{script.name}"' in text, f"{script.name} is not run by {__file__}"


def test_the_crm_example_of_the_testing_docs_is_run_by_test_docs() -> None:
    assert "# crm_sync.py" in (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    assert '"testing.md"' in (ROOT / "tests" / "test_docs.py").read_text(encoding="utf-8")


def test_check_now_refuses_a_saturday(tmp_path: Path) -> None:
    out = run("check_now.py", "--at", "2026-11-21T11:00:00+01:00", cwd=tmp_path, code=1)
    assert any("closed_day" in line for line in out)
    assert "next allowed in Europe/Paris: Monday 2026-11-23 10:00 CET" in out


def test_dialer_fifth_attempt_in_30_days_waits_for_the_first_to_stop_counting(
        tmp_path: Path) -> None:
    # One call a day from Monday: four are allowed (the FR cap, 4 per 30
    # calendar days); Friday's is refused until 23 December, when the
    # attempt of 23 November (day 1 of 30) stops counting: 10:00 in Paris.
    out = run("dialer_loop.py", "--start", MONDAY, "--contact", "fr-paris", cwd=tmp_path)
    assert out == [
        "Mon 2026-11-23 10:00 CET fr-paris allowed (no_answer)",
        "Tue 2026-11-24 10:00 CET fr-paris allowed (no_answer)",
        "Wed 2026-11-25 10:00 CET fr-paris allowed (no_answer)",
        "Thu 2026-11-26 10:00 CET fr-paris allowed (no_answer)",
        "Fri 2026-11-27 10:00 CET fr-paris refused frequency_limit -> Wed 2026-12-23 10:00 CET",
        "Wed 2026-12-23 10:00 CET fr-paris allowed (no_answer); script done",
        "5 calls placed",
    ]


def test_dialer_under_fr_drops_the_unconsented_and_the_refusing(tmp_path: Path) -> None:
    # From 11 August 2026 (FR-optin-2026): no consent, no call; a refusal is final.
    out = run("dialer_loop.py", "--start", MONDAY, "--contact", "fr-lyon",
              "--contact", "fr-nantes", cwd=tmp_path)
    assert out == [
        "Mon 2026-11-23 10:00 CET fr-lyon allowed (no_answer)",
        "Mon 2026-11-23 10:00 CET fr-nantes refused consent_required -> never: dropped",
        "Tue 2026-11-24 10:00 CET fr-lyon allowed (refusal)",
        "Wed 2026-11-25 10:00 CET fr-lyon refused cooldown,opted_out -> never: dropped",
        "2 calls placed",
    ]


def test_dialer_under_d223_9_alone_waits_60_full_days_after_a_refusal(tmp_path: Path) -> None:
    # Refusal on Tuesday 24 November: 60 full days from the 25th run to Saturday
    # 23 January 2027; Sunday is closed, so the next call is Monday 25 January.
    ledger = tmp_path / "attempts.db"
    out = run("dialer_loop.py", "--start", MONDAY, "--contact", "fr-lyon",
              "--policy", str(EXAMPLES / "fr-d223-9.yaml"), "--ledger", f"sqlite:///{ledger}",
              cwd=tmp_path)
    assert out == [
        "Mon 2026-11-23 10:00 CET fr-lyon allowed (no_answer)",
        "Tue 2026-11-24 10:00 CET fr-lyon allowed (refusal)",
        "Wed 2026-11-25 10:00 CET fr-lyon refused cooldown -> Mon 2027-01-25 10:00 CET",
        "Mon 2027-01-25 10:00 CET fr-lyon allowed (conversation); script done",
        "3 calls placed",
    ]
    assert ledger.exists()


def test_dialer_whole_queue_reschedules_by_each_consumers_clock(tmp_path: Path) -> None:
    out = run("dialer_loop.py", "--start", MONDAY, cwd=tmp_path)
    # 09:00 UTC is 03:00 in Chicago and 04:00 in New York: 850 spans both
    # zones, and Florida's 08:00 must hold in each.
    assert ("Mon 2026-11-23 03:00 CST / 04:00 EST us-florida refused outside_hours -> "
            "Mon 2026-11-23 08:00 CST / 09:00 EST") in out
    # +262 may be Mayotte (UTC+3) or Réunion (UTC+4): 13:00 in Réunion is the lunch break.
    assert ("Mon 2026-11-23 12:00 EAT / 13:00 +04 fr-reunion refused outside_hours -> "
            "Mon 2026-11-23 14:00 EAT / 15:00 +04") in out
    assert "Mon 2026-11-23 08:00 CST / 09:00 EST us-florida allowed (busy)" in out
    assert out[-1] == "14 calls placed"
    assert not any("Sat " in line or "Sun " in line for line in out if " allowed " in line)


def test_dialer_bad_start_is_an_error(tmp_path: Path) -> None:
    out = run("dialer_loop.py", "--start", "2026-11-23T10:00:00", cwd=tmp_path, code=2)
    assert out[0].startswith("error:")


@pytest.mark.parametrize(("workers", "campaigns", "ledger"),
                         [("4", "6", "memory://"), ("8", "10", "sqlite")])
def test_async_workers_racing_never_exceed_4_in_30_days(
        tmp_path: Path, workers: str, campaigns: str, ledger: str) -> None:
    url = f"sqlite:///{tmp_path / 'attempts.db'}" if ledger == "sqlite" else ledger
    out = run("dialer_loop_async.py", "--start", MONDAY, "--days", "60", "--quiet",
              "--workers", workers, "--campaigns", campaigns, "--ledger", url, cwd=tmp_path)
    # Every campaign races for each contact on 23 November: 4 calls, then none
    # until the first stops counting on 23 December: 4 more (and Réunion,
    # called earlier in the UTC day, gets a third round on 22 January).
    assert out == [
        f"28 calls placed by {workers} workers for {campaigns} campaigns",
        "fr-paris 8 calls, at most 4 in any 30 calendar days",
        "fr-lyon 8 calls, at most 4 in any 30 calendar days",
        "fr-reunion 12 calls, at most 4 in any 30 calendar days",
    ]


def test_async_log_shows_the_losers_of_the_race(tmp_path: Path) -> None:
    out = run("dialer_loop_async.py", "--start", MONDAY, "--days", "1", cwd=tmp_path)
    first = [line for line in out if "fr-paris Mon 2026-11-23 10:00 CET" in line]
    assert sum(" allowed " in line for line in first) == 4
    assert sum("refused frequency_limit -> Wed 2026-12-23 10:00 CET" in line
               for line in first) == 2


def test_scrub_splits_the_list(tmp_path: Path) -> None:
    out = run("nightly_scrub.py", "--at", FRIDAY, "--chunk-size", "5",
              "--out-dir", "lists", cwd=tmp_path)
    assert out == [
        "12 rows at 2026-11-27T10:30:00+01:00: 4 allowed, 8 refused",
        "consent_required 1", "invalid_row 3", "no_policy 2", "outside_hours 2",
        "allowed: lists/allowed.csv", "refused: lists/refused.csv",
    ]
    assert list(rows(tmp_path / "lists" / "allowed.csv")) == [
        "fr-paris", "fr-lyon", "c-03", "c-07"]
    refused = rows(tmp_path / "lists" / "refused.csv")
    assert {key: (row["reasons"], row["next_allowed_at"]) for key, row in refused.items()} == {
        "c-04": ("consent_required", ""),
        # 13:30 in Réunion (lunch), opening at 14:00 there (UTC+4): 10:00 UTC.  The
        # mobile (Réunion or Mayotte) adds no zone beside the explicit Réunion one.
        "c-05": ("outside_hours", "2026-11-27T10:00:00+00:00"),
        # 05:30 in Guadeloupe (UTC-4): opens at 10:00 local, 14:00 UTC
        "c-06": ("outside_hours", "2026-11-27T14:00:00+00:00"),
        # Nothing places them, so no country's law can be seen to reach them.
        "c-08": ("no_policy", ""),
        "c-09": ("no_policy", ""),
        "c-10": ("invalid_row", ""),
        "c-11": ("invalid_row", ""),
        "": ("invalid_row", ""),
    }
    assert refused["c-11"]["why"].startswith("unknown time zone 'Mars/Olympus'")


def test_scrub_without_out_dir_writes_to_a_new_temporary_directory(tmp_path: Path) -> None:
    out = run("nightly_scrub.py", "--at", FRIDAY, cwd=tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing left in the working directory
    allowed = Path(out[-2].removeprefix("allowed: "))
    refused = Path(out[-1].removeprefix("refused: "))
    try:
        assert allowed.parent == refused.parent
        assert allowed.parent.name.startswith("nightly-scrub-")
        assert Path(tempfile.gettempdir()) in allowed.parents
        assert list(rows(allowed)) == ["fr-paris", "fr-lyon", "c-03", "c-07"]
        assert len(rows(refused)) == 8
    finally:
        shutil.rmtree(allowed.parent)


def test_scrub_on_the_dialers_ledger_sees_their_calls(tmp_path: Path) -> None:
    ledger = f"sqlite:///{tmp_path / 'attempts.db'}"
    run("dialer_loop.py", "--start", MONDAY, "--days", "4", "--ledger", ledger, cwd=tmp_path)
    out = run("nightly_scrub.py", "--at", FRIDAY, "--ledger", ledger, "--out-dir", ".",
              "--allowed", "call.csv", "--refused", "held.csv", cwd=tmp_path)
    assert out[0].endswith("2 allowed, 10 refused")
    assert out[-2:] == ["allowed: call.csv", "refused: held.csv"]
    assert list(rows(tmp_path / "call.csv")) == ["c-03", "c-07"]
    held = rows(tmp_path / "held.csv")
    assert (held["fr-paris"]["reasons"], held["fr-paris"]["next_allowed_at"]) == (
        "frequency_limit", "2026-12-23T09:00:00+00:00")
    assert (held["fr-lyon"]["reasons"], held["fr-lyon"]["next_allowed_at"]) == (
        "cooldown;opted_out", "")


def test_audit_postgres_files_every_decision_in_the_ledgers_database(
        tmp_path: Path, postgres_server: Any) -> None:
    url = postgres_server.fresh_database_url()
    # Monday 23 November 2026, 10:30 in Paris: 04:30 in New York, before 10:00.
    out = run("audit_postgres.py", url, cwd=tmp_path)
    assert out == [
        "fr-paris allowed -",
        "fr-paris allowed -",
        "us-nyc refused outside_hours",
        "fr-lyon allowed -",
        "4 rows in callwindow_decisions:",
        "fr-paris allowed=True - Europe/Paris 10:30",
        "fr-paris allowed=True - Europe/Paris 10:30",
        "us-nyc allowed=False outside_hours America/New_York 04:30",
        "fr-lyon allowed=True - Europe/Paris 10:30",
    ]
    import psycopg

    with psycopg.connect(url) as connection:  # the ledger's attempts, in the same database
        row = connection.execute("SELECT count(*) FROM callwindow_attempts").fetchone()
    assert row == (3,)  # fr-paris twice, fr-lyon
