"""The ``callwindow`` command, run as a user runs it.

A few tests start the real command in a subprocess (``python -m callwindow``
and the installed ``callwindow`` script); the others call the same entry
point, ``callwindow.cli.main(argv)``, in this process, which keeps the file
fast.  Expected values are worked out by hand from the rules (FR: Monday to
Friday 10:00-13:00 and 14:00-20:00 Paris time; US-TCPA: 08:00-21:00 local).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

import callwindow as cw
from callwindow.cli import main
from callwindow.cli._scrub import history_free, scrub

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_POLICY = ROOT / "examples" / "fr-d223-9.yaml"
SATURDAY = "2026-11-21T11:00:00+01:00"  # 10:00 UTC
MONDAY = "2026-11-23T10:30:00+01:00"  # 09:30 UTC
FR_SATURDAY = ("--preset", "FR", "--phone", "+33612345678", "--at", SATURDAY)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """``cli(*argv)``: run the command in this process; its exit code, stdout, stderr."""
    def run(*argv: str) -> Result:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)
    return run


def subprocess_cli(*argv: str, command: list[str] | None = None) -> Result:
    done = subprocess.run([*(command or [sys.executable, "-m", "callwindow"]), *argv],
                          capture_output=True, text=True, timeout=60, check=False)
    return Result(done.returncode, done.stdout, done.stderr)


def assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), lines
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


# -- check ---------------------------------------------------------------------------------


def test_check_json_as_a_user_runs_it() -> None:
    result = subprocess_cli("check", *FR_SATURDAY, "--consent", "--json")
    assert result.code == 1, result
    data = result.json()
    assert data["allowed"] is False
    assert data["at"] == "2026-11-21T10:00:00+00:00"
    assert data["codes"] == ["closed_day"]
    assert data["next_allowed_at"] == "2026-11-23T09:00:00+00:00"  # Monday 10:00 Paris
    assert data["next_allowed_local"] == {"Europe/Paris": "2026-11-23T10:00:00+01:00"}
    assert data["next_allowed_human"] == "in 2 days"
    assert data["local_times"] == {"Europe/Paris": "2026-11-21T11:00:00+01:00"}
    assert data["timezones"] == ["Europe/Paris"]
    assert data["policy_ids"] == ["FR", "FR-optin-2026"]
    assert data["consumer_id"] == "+33612345678"
    assert data["attempt_id"] is None
    [reason] = data["reasons"]
    assert set(reason) == {"code", "message", "policy_id", "source", "timezone", "local_time"}
    assert reason["code"] == "closed_day"
    assert reason["policy_id"] == "FR"
    assert reason["source"].startswith("Code de la consommation art. D223-9")
    assert reason["timezone"] == "Europe/Paris"
    assert reason["local_time"] == "2026-11-21T11:00:00+01:00"
    assert "Saturdays" in reason["message"]


def test_check_for_people_shows_reasons_local_times_and_the_next_time(cli: Any) -> None:
    result = cli("check", *FR_SATURDAY, "--consent")
    assert result.code == 1
    text = result.out
    assert text.startswith("REFUSED at 2026-11-21T10:00:00+00:00\n")
    assert "Europe/Paris (phone): Saturday 2026-11-21 11:00 CET (UTC+01:00)" in text
    assert "closed_day" in text
    assert "no calls are allowed on Saturdays" in text
    assert "policy FR; source: Code de la consommation" in text
    assert "Next allowed: 2026-11-23T09:00:00+00:00, in 2 days" in text
    assert "Europe/Paris  Monday 2026-11-23 10:00 CET (UTC+01:00)" in text


def test_check_without_consent_lists_every_reason_and_no_next_time(cli: Any) -> None:
    result = cli("check", *FR_SATURDAY, "--json")
    assert result.code == 1
    data = result.json()
    assert data["codes"] == ["closed_day", "consent_required"]
    assert [reason["policy_id"] for reason in data["reasons"]] == ["FR", "FR-optin-2026"]
    assert data["next_allowed_at"] is None
    assert data["next_allowed_local"] == {}
    assert data["next_allowed_human"] is None
    text = cli("check", *FR_SATURDAY).out
    assert "Next allowed: never (no later time is allowed: closed_day, consent_required)" in text


def test_check_allowed_exits_0_and_its_next_time_is_now(cli: Any) -> None:
    result = cli("check", "--preset", "FR", "--phone", "+33612345678", "--consent",
                 "--at", MONDAY, "--json")
    assert result.code == 0
    data = result.json()
    assert data["allowed"] is True
    assert data["reasons"] == []
    assert data["codes"] == []
    assert data["next_allowed_at"] == "2026-11-23T09:30:00+00:00"
    assert data["next_allowed_human"] == "now"
    human = cli("check", "--preset", "FR", "--phone", "+33612345678", "--consent",
                "--at", MONDAY)
    assert human.code == 0
    assert human.out.startswith("ALLOWED at 2026-11-23T09:30:00+00:00\n")


def test_check_judges_every_candidate_zone(cli: Any) -> None:
    # Area code 850 spans Central and Eastern time: 07:30 in Chicago is too early.
    result = cli("check", "--preset", "US-TCPA", "--phone", "+18505550123",
                 "--at", "2026-11-23T13:30:00Z", "--json")
    assert result.code == 1
    data = result.json()
    assert data["local_times"] == {"America/Chicago": "2026-11-23T07:30:00-06:00",
                                   "America/New_York": "2026-11-23T08:30:00-05:00"}
    assert data["codes"] == ["outside_hours"]
    assert data["reasons"][0]["timezone"] == "America/Chicago"
    assert data["next_allowed_at"] == "2026-11-23T14:00:00+00:00"
    assert data["next_allowed_local"] == {"America/Chicago": "2026-11-23T08:00:00-06:00",
                                          "America/New_York": "2026-11-23T09:00:00-05:00"}
    assert data["next_allowed_human"] == "in 30 minutes"


def test_check_takes_zones_region_country_and_tags(cli: Any) -> None:
    # A national-format French number, a second zone, a tag: 10:30 Paris is 04:30 in
    # New York, outside the French hours there; both zones open at 10:00 New York.
    result = cli("check", "--policy", str(EXAMPLE_POLICY), "--phone", "06 12 34 56 78",
                 "--country", "fr", "--timezone", "America/New_York", "--tag", "debt=D-1",
                 "--region", "75", "--at", MONDAY, "--json")
    assert result.code == 1
    data = result.json()
    assert data["timezones"] == ["America/New_York", "Europe/Paris"]
    assert data["codes"] == ["outside_hours"]
    assert data["next_allowed_at"] == "2026-11-23T15:00:00+00:00"
    assert data["next_allowed_local"]["Europe/Paris"] == "2026-11-23T16:00:00+01:00"


def test_acquire_records_attempts_in_the_shared_ledger(cli: Any, tmp_path: Path) -> None:
    ledger = f"sqlite:///{tmp_path / 'attempts.db'}"
    args = ("--policy", str(EXAMPLE_POLICY), "--phone", "+33612345678", "--at", MONDAY,
            "--ledger", ledger, "--json")
    for _ in range(4):  # at most 4 attempts in 30 calendar days
        result = cli("check", *args, "--acquire")
        assert result.code == 0
        assert result.json()["attempt_id"]
    for command in (("check", "--acquire"), ("check",)):
        refused = cli(*command, *args)
        assert refused.code == 1
        data = refused.json()
        assert data["codes"] == ["frequency_limit"]
        assert data["attempt_id"] is None
        # 23 November is day 1; the attempts stop counting on day 31, 23 December.
        assert data["next_allowed_at"] == "2026-12-23T09:00:00+00:00"
    # Without the ledger, a check sees no attempts.
    assert cli("check", *args[:-3], "--json").code == 0


# -- next ----------------------------------------------------------------------------------


def test_next_prints_the_next_allowed_time(cli: Any) -> None:
    result = cli("next", *FR_SATURDAY, "--consent", "--json")
    assert result.code == 0
    assert result.json() == {
        "at": "2026-11-21T10:00:00+00:00",
        "next_allowed_at": "2026-11-23T09:00:00+00:00",
        "local": {"Europe/Paris": "2026-11-23T10:00:00+01:00"},
        "human": "in 2 days",
        "codes": ["closed_day"],
    }
    text = cli("next", *FR_SATURDAY, "--consent").out
    assert text == ("Next allowed: 2026-11-23T09:00:00+00:00, in 2 days\n"
                    "  Europe/Paris  Monday 2026-11-23 10:00 CET (UTC+01:00)\n")


def test_next_exits_1_when_there_is_no_next_time(cli: Any) -> None:
    result = cli("next", *FR_SATURDAY, "--json")
    assert result.code == 1
    assert result.json() == {"at": "2026-11-21T10:00:00+00:00", "next_allowed_at": None,
                             "local": {}, "human": None,
                             "codes": ["closed_day", "consent_required"]}


# -- presets -------------------------------------------------------------------------------


def test_presets_lists_every_preset(cli: Any) -> None:
    result = cli("presets", "--json")
    assert result.code == 0
    listed = result.json()
    assert [item["id"] for item in listed] == list(cw.presets.ids())
    assert {"id": "FR", "name": "France - Code de la consommation art. D223-9 (décret 2022-1313)",
            "confidence": "confirmed-from-official-text", "effective_from": "2023-03-01",
            "effective_to": None, "scope": ["telemarketing", "telemarketing_automated"]
            } in listed
    human = cli("presets")
    assert human.code == 0
    assert f"{len(cw.presets.ids())} presets" in human.out
    assert "US-REGF" in human.out
    assert "confirmed-from-official-text" in human.out


def test_presets_show_prints_everything(cli: Any) -> None:
    result = cli("presets", "show", "FR", "--json")
    assert result.code == 0
    data = result.json()
    assert data["id"] == "FR"
    assert data["hours"]["mon"] == ["10:00-13:00", "14:00-20:00"]
    assert data["holidays"]["country"] == "FR"
    assert data["limits"][0]["max_attempts"] == 4
    assert data["limits"][0]["period"] == "P30D"
    assert data["cooldowns"][0]["after"] == ["refusal"]
    assert data["stack"] == ["FR-optin-2026"]
    assert data["source"].startswith("Code de la consommation art. D223-9")
    assert "Bloctel" in data["notes"]
    human = cli("presets", "show", "FR").out
    for fragment in ("mon-fri 10:00-13:00, 14:00-20:00", "sat-sun closed",
                     "at most 4 per P30D (calendar_days) per consumer",
                     "no call for P60D after refusal", "FR-optin-2026",
                     "confirmed-from-official-text", "Bloctel"):
        assert fragment in human, fragment


def test_an_unknown_preset_is_one_line(cli: Any) -> None:
    assert_one_line_error(cli("presets", "show", "XX"), "unknown preset 'XX'")
    assert_one_line_error(cli("check", "--preset", "XX", "--phone", "+33612345678"),
                          "--preset", "unknown preset 'XX'")


# -- validate ------------------------------------------------------------------------------


BROKEN = """\
id: broken
hours:
  funday: ["10:00-12:00"]
end_buffer: soon
"""


def test_validate_a_good_file_summarises_it(cli: Any) -> None:
    result = cli("validate", str(EXAMPLE_POLICY))
    assert result.code == 0
    for fragment in ("valid", "fr-d223-9-example", "mon-fri 10:00-13:00, 14:00-20:00",
                     "FR public holidays", "at most 4 per P30D"):
        assert fragment in result.out, fragment
    data = cli("validate", str(EXAMPLE_POLICY), "--json").json()
    assert data["valid"] is True
    assert data["policy"]["id"] == "fr-d223-9-example"


def test_validate_names_every_problem_by_field(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = cli("validate", str(path))
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [
        f"error: {path}: hours.funday: unknown day key 'funday' (expected mon, tue, wed, thu, fri, "
        f"sat, sun, holiday or pre_holiday)",
        f"error: {path}: end_buffer: 'soon' is not an ISO-8601 duration (e.g. 'PT15M', 'P30D')",
    ]
    data = cli("validate", str(path), "--json")
    assert data.code == 2
    assert [problem["field"] for problem in data.json()["problems"]] == [
        "hours.funday", "end_buffer"]
    # Used as a policy, the same file is one line naming both problems.
    assert_one_line_error(cli("check", "--policy", str(path)), "funday", "end_buffer")


def test_validate_a_missing_file(cli: Any, tmp_path: Path) -> None:
    assert_one_line_error(cli("validate", str(tmp_path / "none.yaml")),
                          "none.yaml", "cannot read the policy file")


# -- input errors --------------------------------------------------------------------------


def test_a_naive_at_is_one_line_without_a_traceback() -> None:
    result = subprocess_cli("check", "--preset", "FR", "--phone", "+33612345678",
                            "--at", "2026-11-21T11:00:00")
    assert_one_line_error(result, "--at '2026-11-21T11:00:00' has no UTC offset",
                          "2026-11-21T11:00:00+01:00")


@pytest.mark.parametrize(("argv", "fragments"), [
    (("check", "--preset", "FR", "--timezone", "Mars/Base"),
     ("--timezone", "unknown time zone 'Mars/Base'")),
    (("check", "--preset", "FR", "--tag", "debt"), ("--tag 'debt'", "KEY=VALUE")),
    (("check", "--phone", "+33612345678"), ("--preset ID or --policy FILE",)),
    (("next", "--preset", "FR", "--at", "tomorrow"), ("--at", "'tomorrow'", "ISO-8601")),
    (("check", "--preset", "FR", "--ledger", "ftp://x"), ("unknown scheme 'ftp'",)),
    (("check", "--policy", "/nonexistent/policy.yaml"), ("cannot read the policy file",)),
])
def test_bad_values_are_one_line_naming_them(cli: Any, argv: tuple[str, ...],
                                             fragments: tuple[str, ...]) -> None:
    assert_one_line_error(cli(*argv), *fragments)


def test_usage_errors_exit_2(cli: Any) -> None:
    result = cli("check", "--no-such-option")
    assert result.code == 2
    assert "No such option: --no-such-option" in result.err or "--no-such-option" in result.err
    assert cli("frobnicate").code == 2


@pytest.mark.parametrize("argv", [(), ("check",), ("next",), ("presets",), ("presets", "show"),
                                  ("validate",), ("scrub",), ("calendar",)])
def test_every_command_has_help(cli: Any, argv: tuple[str, ...]) -> None:
    result = cli(*argv, "--help")
    assert result.code == 0
    assert result.out.startswith(f"Usage: callwindow {' '.join(argv)}".rstrip() + " ")
    assert "--help" in result.out


def test_help_says_what_the_default_ledger_sees(cli: Any) -> None:
    text = " ".join(cli("check", "--help").out.split())
    assert "memory://" in text
    assert "no past attempts" in text
    assert "Exit code: 0 allowed, 1 refused, 2 usage or input error" in text


def test_the_installed_script() -> None:
    script = Path(sysconfig.get_path("scripts")) / "callwindow"
    assert script.exists(), f"{script}: run pip install -e '.[cli]'"
    result = subprocess_cli("next", *FR_SATURDAY, "--consent", "--json", command=[str(script)])
    assert result.code == 0, result
    assert result.json()["next_allowed_at"] == "2026-11-23T09:00:00+00:00"


def test_without_click_or_rich_main_names_the_extra() -> None:
    code = ("import sys; sys.modules['click'] = None; "
            "from callwindow.cli import main; raise SystemExit(main(['presets']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: the callwindow command needs click, which is not installed: "
        "pip install 'callwindow[cli]'"]


# -- scrub -----------------------------------------------------------------------------------


CONTACTS = """\
id,name,phone,timezone,consent,note
c-1,Ana,+33612345678,,yes,"first, with a comma"
c-2,Ben,+33612345679,,no,
c-3,Cy,+33612345680,Mars/Base,true,
c-4,Di,,,true,no phone
c-5,Ed,+33612345681,,maybe,
c-6,Flo,+18505550123,America/Chicago|America/New_York,1,two zones
c-7,Gus,+33612345682,,true,extra,field
"""
# At Monday 10:30 Paris under FR: c-1 may be called; c-2 has no consent (FR-optin-2026);
# c-6 is a US number, which France's law does not govern: no policy of the engine does.
EXPECTED = [
    ("c-1", "true", "", "2026-11-23T09:30:00+00:00"),
    ("c-2", "false", "consent_required", ""),
    ("c-3", "false", "invalid_row: timezone: unknown time zone 'Mars/Base' (expected an IANA "
                     "name such as 'Europe/Paris')", ""),
    ("c-4", "false", "invalid_row: missing phone", ""),
    ("c-5", "false", "invalid_row: consent 'maybe' is not one of true, false, 1, 0, yes, no", ""),
    ("c-6", "false", "no_policy", ""),
    ("c-7", "false", "invalid_row: 7 fields where the header has 6", ""),
]


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_scrub_round_trip_keeps_rows_columns_and_order(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text(CONTACTS, encoding="utf-8")
    target = tmp_path / "scrubbed.csv"
    result = cli("scrub", str(source), "--preset", "FR", "--at", MONDAY, "-o", str(target))
    assert result.code == 0, result
    assert result.err.strip() == (f"scrubbed 7 rows at 2026-11-23T09:30:00+00:00: 1 allowed, "
                                  f"2 refused, 4 invalid -> {target}")
    rows = read_csv(target.read_text(encoding="utf-8"))
    original = read_csv(CONTACTS)
    assert rows[0] == [*original[0], "allowed", "reasons", "next_allowed_at"]
    assert [(row[0], *row[-3:]) for row in rows[1:]] == EXPECTED
    for before, after in zip(original[1:-1], rows[1:-1], strict=True):
        assert after[:-3] == before  # every input column kept as it was
    assert rows[1][5] == "first, with a comma"
    assert rows[-1][:6] == original[-1][:6]  # the row with an extra field, cut to the header
    assert sorted(path.name for path in tmp_path.iterdir()) == ["contacts.csv", "scrubbed.csv"]


def test_scrub_to_stdout_as_a_user_runs_it(tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text(CONTACTS, encoding="utf-8")
    result = subprocess_cli("scrub", str(source), "--preset", "FR", "--at", MONDAY, "-o", "-")
    assert result.code == 0, result
    rows = read_csv(result.out)
    assert [(row[0], *row[-3:]) for row in rows[1:]] == EXPECTED
    assert result.err.startswith("scrubbed 7 rows")


def test_scrub_json_summary_and_overwritten_columns(cli: Any, tmp_path: Path) -> None:
    # An input that already has the added columns (a list scrubbed before) gets them replaced.
    source = tmp_path / "again.csv"
    source.write_text("phone,allowed,id,consent\n+33612345678,false,c-1,true\n",
                      encoding="utf-8")
    target = tmp_path / "out.csv"
    result = cli("scrub", str(source), "--preset", "FR", "--at", MONDAY, "-o", str(target),
                 "--json")
    assert result.code == 0
    assert result.json() == {"rows": 1, "allowed": 1, "refused": 0, "invalid": 0,
                             "at": "2026-11-23T09:30:00+00:00", "output": str(target)}
    assert read_csv(target.read_text(encoding="utf-8")) == [
        ["phone", "allowed", "id", "consent", "reasons", "next_allowed_at"],
        ["+33612345678", "true", "c-1", "true", "", "2026-11-23T09:30:00+00:00"]]


def test_scrub_with_a_forced_progress_bar_and_a_bad_output(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text(CONTACTS, encoding="utf-8")
    target = tmp_path / "out.csv"
    result = cli("scrub", str(source), "--preset", "FR", "--at", MONDAY, "-o", str(target),
                 "--progress")
    assert result.code == 0
    assert [row[0] for row in read_csv(target.read_text(encoding="utf-8"))[1:]] == [
        f"c-{index}" for index in range(1, 8)]
    assert_one_line_error(cli("scrub", str(source), "--preset", "FR", "-o",
                              str(tmp_path / "no" / "out.csv")), "does not exist")
    assert_one_line_error(cli("scrub", str(source), "--preset", "FR", "-o", str(tmp_path)),
                          "is a directory")
    assert_one_line_error(cli("scrub", str(source), "--preset", "FR", "-o", "-", "--json"),
                          "--json")


def test_scrub_counts_past_attempts_in_the_given_ledger(cli: Any, tmp_path: Path) -> None:
    ledger = f"sqlite:///{tmp_path / 'attempts.db'}"
    for _ in range(4):
        assert cli("check", "--policy", str(EXAMPLE_POLICY), "--phone", "+33612345678",
                   "--id", "c-1", "--at", MONDAY, "--ledger", ledger, "--acquire").code == 0
    source = tmp_path / "one.csv"
    source.write_text("id,phone\nc-1,+33612345678\nc-2,+33612345679\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    assert cli("scrub", str(source), "--policy", str(EXAMPLE_POLICY), "--at", MONDAY,
               "--ledger", ledger, "-o", str(target)).code == 0
    rows = read_csv(target.read_text(encoding="utf-8"))
    assert rows[1] == ["c-1", "+33612345678", "false", "frequency_limit",
                       "2026-12-23T09:00:00+00:00"]
    assert rows[2] == ["c-2", "+33612345679", "true", "", "2026-11-23T09:30:00+00:00"]


@pytest.mark.parametrize(("content", "fragments"), [
    (None, ("missing.csv", "No such file or directory")),
    ("id,name\nc-1,Ana\n", ("no 'phone' column", "id, name")),
    ("", ("the file is empty",)),
    (b"id,phone\nc-1,\xff\n", ("line 2 is not UTF-8",)),
])
def test_scrub_input_errors_exit_2_and_write_nothing(cli: Any, tmp_path: Path,
                                                    content: str | bytes | None,
                                                    fragments: tuple[str, ...]) -> None:
    source = tmp_path / "missing.csv"
    if isinstance(content, str):
        source.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        source.write_bytes(content)
    target = tmp_path / "out.csv"
    assert_one_line_error(cli("scrub", str(source), "--preset", "FR", "-o", str(target)),
                          *fragments)
    assert sorted(path.name for path in tmp_path.iterdir()) == (
        [] if content is None else ["missing.csv"])


def test_scrub_streams_in_chunks() -> None:
    """Each chunk is judged with one call (check_table, or check_many without pyarrow) and
    written before the next is read."""
    read = [0]
    written: list[tuple[int, int]] = []

    def lines() -> Iterator[str]:
        yield "id,phone,timezone\n"
        for index in range(7):
            read[0] += 1
            yield f"c-{index},+3361234567{index},Europe/Paris\n"

    class Counting(cw.Engine):
        calls: ClassVar[list[int]] = []

        def check_many(self, consumers: Iterable[cw.Consumer], at: Any = None
                       ) -> list[cw.Decision]:
            consumers = list(consumers)
            self.calls.append(len(consumers))
            return super().check_many(consumers, at)

        def check_table(self, table: Any, at: Any = None) -> Any:
            self.calls.append(table.num_rows)
            return super().check_table(table, at)

    out = io.StringIO()
    stats = scrub(lines(), out, Counting(cw.presets.get("FR")),
                  datetime.fromisoformat(MONDAY), chunk_rows=3,
                  on_chunk=lambda stats: written.append((read[0], out.getvalue().count("\n"))))
    assert Counting.calls == [3, 3, 1]
    # After the first chunk: 3 rows read (plus the one that filled it), header + 3 written.
    assert written[0] == (3, 4)
    assert (stats.rows, stats.refused, stats.invalid) == (7, 7, 0)  # no consent


# -- the scrub's shortcut on an empty ledger ----------------------------------------------------


@pytest.mark.parametrize("preset_id", ["FR", "US", "US-REGF", "AU-collections", "IT-garante-2024"])
def test_without_history_rules_an_empty_ledger_judges_the_same(preset_id: str) -> None:
    full = cw.Engine(cw.presets.get(preset_id))
    lean = cw.Engine(history_free(cw.presets.get(preset_id)))
    assert not any(part.limits or part.cooldowns
                   for part in lean.policies[0].flattened())
    consumers = [
        cw.Consumer(id="fr", phone="+33612345678", consent=True),
        cw.Consumer(id="fr-no", phone="+33612345679"),
        cw.Consumer(id="fl", phone="+18505550123", consent=True, tags={"debt": "D-1"}),
        cw.Consumer(id="ny", phone="+12125550123", region="NY"),
        cw.Consumer(id="au", phone="+61412345678", consent=True),
        cw.Consumer(id="rome", timezone="Europe/Rome", phone="+390612345678", consent=True),
        cw.Consumer(id="nozone", phone="12"),
    ]
    for at in ("2026-11-21T11:00:00+01:00", "2026-11-23T10:30:00+01:00",
               "2026-12-08T15:00:00+01:00", "2026-11-26T20:30:00-05:00",
               "2027-03-14T07:59:00-05:00"):
        for a, b in zip(full.check_many(consumers, at), lean.check_many(consumers, at),
                        strict=True):
            assert a == b, (preset_id, at, a, b)


# -- docs/cli.md shows real output ---------------------------------------------------------


def doc_sessions() -> list[tuple[str, str]]:
    """Every ``$ command`` of docs/cli.md's text blocks, with the output shown under it.

    A command may go on over lines that end with a backslash.
    """
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    sessions = []
    for block in re.findall(r"```text\n(.*?)```", text, flags=re.DOTALL):
        for part in re.split(r"^(?=\$ )", block, flags=re.MULTILINE):
            if part.startswith("$ "):
                command, _, shown = part.partition("\n")
                while command.endswith("\\"):
                    more, _, shown = shown.partition("\n")
                    command = command[:-1].rstrip() + " " + more.strip()
                sessions.append((command[2:], shown.strip("\n")))
    return sessions


def test_docs_cli_shows_what_the_commands_print(cli: Any, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for name in os.environ:
        if name.startswith("CALLWINDOW_") and name != "CALLWINDOW_REQUIRE_SERVERS":
            monkeypatch.delenv(name)  # the defaults shown are the built-in ones
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fr-d223-9.yaml").write_bytes(EXAMPLE_POLICY.read_bytes())
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    checked = 0
    for command, shown in doc_sessions():
        argv = shlex.split(command)
        environment = {}
        while "=" in argv[0]:  # NAME=value callwindow ...
            name, _, value = argv.pop(0).partition("=")
            environment[name] = value
        if argv[0] == "cat":
            path = tmp_path / argv[1]
            if path.exists():  # an output: what the command wrote
                assert path.read_text(encoding="utf-8").strip("\n") == shown, command
            else:  # an input the example starts from
                path.write_text(shown + "\n", encoding="utf-8")
            continue
        assert argv[0] == "callwindow", command
        if "--acquire" in argv or shown.endswith("..."):
            continue  # needs attempts recorded before it / shown in part
        expected, marker, code = shown.rpartition("[exit ")
        with monkeypatch.context() as scoped:
            for name, value in environment.items():
                scoped.setenv(name, value)
            result = cli(*argv[1:])
        printed = "\n".join(line.rstrip() for line in (result.out + result.err).splitlines())
        assert printed.strip("\n") == (expected.strip("\n") if marker else shown), command
        if marker:
            assert result.code == int(code.rstrip("]")), command
        checked += 1
    assert checked >= 15


# -- every command, as a user runs it (validate and scrub need files: the next test) -------

def _contacts(tmp_path: Path) -> list[str]:
    source = tmp_path / "in.csv"
    source.write_text("id,phone,note\na,+33612345678,first\nb,not a number,second\n",
                      encoding="utf-8")
    return [str(source), "--preset", "FR", "--at", "2026-11-23T10:30:00+01:00",
            "-o", str(tmp_path / "out.csv")]


def _policy_file(tmp_path: Path) -> list[str]:
    path = tmp_path / "p.yaml"
    path.write_text("id: p\nhours:\n  mon: ['09:00-17:00']\n", encoding="utf-8")
    return [str(path)]


@pytest.mark.parametrize(("argv", "code", "shown"), [
    # Monday 23 November 2026, 10:30 Paris: inside D223-9's morning window.
    (["check", "--preset", "FR", "--phone", "+33612345678", "--consent",
      "--at", "2026-11-23T10:30:00+01:00"], 0, "ALLOWED"),
    # Saturday 21 November: closed; next Monday 10:00 Paris, 09:00 UTC.
    (["next", "--preset", "FR", "--phone", "+33612345678", "--consent",
      "--at", "2026-11-21T11:00:00+01:00"], 0, "2026-11-23T09:00:00+00:00"),
    (["presets"], 0, "IT-garante-2024"),
    (["presets", "show", "US-FL"], 0, "501.616"),
    (["calendar", "--preset", "FR", "--phone", "+33612345678", "--consent",
      "--from", "2026-12-21", "--days", "7"], 0, "Christmas Day"),
    (["--help"], 0, "scrub"),
], ids=["check", "next", "presets", "presets-show", "calendar", "help"])
def test_every_command_runs_as_a_user_runs_it(argv: list[str], code: int, shown: str) -> None:
    result = subprocess_cli(*argv)
    assert result.code == code, result
    assert shown in result.out
    assert "Traceback" not in result.err


def test_validate_and_scrub_run_as_a_user_runs_them(tmp_path: Path) -> None:
    validated = subprocess_cli("validate", *_policy_file(tmp_path))
    assert validated.code == 0, validated
    assert "p" in validated.out
    scrubbed = subprocess_cli("scrub", *_contacts(tmp_path))
    assert scrubbed.code == 0, scrubbed
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert [row["id"] for row in rows] == ["a", "b"]
    assert [row["note"] for row in rows] == ["first", "second"]
    # Without consent the opt-in regime (from 11 August 2026) refuses the first;
    # the second number does not parse.
    assert rows[0]["allowed"] == "false"
    assert "consent_required" in rows[0]["reasons"]
    assert rows[1]["allowed"] == "false"


def test_scrub_writes_with_the_input_delimiter(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "semicolons.csv"
    source.write_text("id;phone;consent;note\nc-1;+33612345678;yes;a, b\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    assert cli("scrub", str(source), "--preset", "FR", "--at", MONDAY, "-o", str(target),
               "--delimiter", ";").code == 0
    assert target.read_text(encoding="utf-8") == (
        "id;phone;consent;note;allowed;reasons;next_allowed_at\n"
        "c-1;+33612345678;yes;a, b;true;;2026-11-23T09:30:00+00:00\n")


def test_scrub_reads_and_writes_the_given_encoding(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "excel.csv"
    source.write_bytes("id,phone,consent,name\nc-1,+33612345678,yes,Hélène\n".encode("latin-1"))
    target = tmp_path / "out.csv"
    assert_one_line_error(cli("scrub", str(source), "--preset", "FR", "-o", str(target)),
                          "line 2 is not UTF-8")
    assert cli("scrub", str(source), "--preset", "FR", "--at", MONDAY, "-o", str(target),
               "--encoding", "latin-1").code == 0
    assert target.read_bytes().decode("latin-1").splitlines()[1] == (
        "c-1,+33612345678,yes,Hélène,true,,2026-11-23T09:30:00+00:00")
    assert_one_line_error(cli("scrub", str(source), "--preset", "FR", "-o", str(target),
                              "--encoding", "klingon"), "--encoding 'klingon'")
    # UTF-16 (Excel's "Unicode text"): a newline is two bytes, so lines decode across.
    source.write_bytes("id\tphone\tconsent\nc-1\t+33612345678\tyes\n".encode("utf-16"))
    assert cli("scrub", str(source), "--preset", "FR", "--at", MONDAY, "-o", str(target),
               "--encoding", "utf-16", "--delimiter", "\t").code == 0
    assert target.read_bytes().decode("utf-16").splitlines() == [
        "id\tphone\tconsent\tallowed\treasons\tnext_allowed_at",
        "c-1\t+33612345678\tyes\ttrue\t\t2026-11-23T09:30:00+00:00"]


def test_scrub_progress_off_a_terminal_is_plain_lines(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text(CONTACTS, encoding="utf-8")
    result = cli("scrub", str(source), "--preset", "FR", "--at", MONDAY, "-o",
                 str(tmp_path / "out.csv"), "--progress")
    assert result.code == 0
    # stderr is captured here, not a terminal: a line after the first chunk, no blank line.
    assert result.err.splitlines() == [
        "scrubbing: 7 rows (100%)",
        f"scrubbed 7 rows at 2026-11-23T09:30:00+00:00: 1 allowed, 2 refused, 4 invalid -> "
        f"{tmp_path / 'out.csv'}"]


def test_scrub_flushes_each_chunk() -> None:
    class Flushes(io.StringIO):
        flushed: ClassVar[list[int]] = []

        def flush(self) -> None:
            self.flushed.append(self.getvalue().count("\n"))

    lines = ["id,phone\n", *(f"c-{i},+3361234567{i}\n" for i in range(5))]
    scrub(lines, Flushes(), cw.Engine(cw.presets.get("FR")), datetime.fromisoformat(MONDAY),
          chunk_rows=2)
    assert Flushes.flushed == [3, 5, 6]  # header and two rows, two more, the last one


@pytest.mark.parametrize("suffix", [".parquet", ".arrow"])
def test_scrub_columnar_files_in_the_same_format(cli: Any, tmp_path: Path,
                                                 suffix: str) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"id": ["c-1", "c-2", "c-3"],
                      "phone": ["+33612345678", "+33612345679", "+33612345680"],
                      "timezone": [None, None, "Mars/Base"],
                      "consent": [True, False, True], "name": ["Ana", "Ben", "Cy"]})
    source, target = tmp_path / f"list{suffix}", tmp_path / f"out{suffix}"
    if suffix == ".parquet":
        pq.write_table(table, source)
    else:
        with pa.ipc.new_file(str(source), table.schema) as sink:
            sink.write_table(table)
    result = cli("scrub", str(source), "--preset", "FR", "--at", MONDAY, "-o", str(target),
                 "--json")
    assert result.code == 0, result
    assert result.json()["rows"] == 3
    assert (result.json()["allowed"], result.json()["refused"], result.json()["invalid"]) == (
        1, 1, 1)
    found = (pq.read_table(target) if suffix == ".parquet"
             else pa.ipc.open_file(str(target)).read_all())
    assert found.column_names == ["id", "phone", "timezone", "consent", "name", "allowed",
                                  "reasons", "next_allowed_at", "error"]
    rows = found.to_pylist()
    assert [row["name"] for row in rows] == ["Ana", "Ben", "Cy"]
    assert [(row["allowed"], row["reasons"]) for row in rows] == [
        (True, []), (False, ["consent_required"]), (False, None)]
    assert rows[0]["next_allowed_at"] == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert "timezone: unknown time zone 'Mars/Base'" in rows[2]["error"]
    assert_one_line_error(cli("scrub", str(source), "--preset", "FR", "-o",
                              str(tmp_path / "out.csv")), "same format as the input")


def test_scrub_by_table_writes_what_the_row_path_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """With pyarrow the CSV is judged a table at a time; without it, a Consumer per row:
    the same bytes either way (the row path is the fallback when pyarrow is absent)."""
    from callwindow.cli import _scrub

    lines = ["id,phone,timezone,country,consent,consent_given,tag:debt,note\n",
             "a,+33612345678,,,yes,,,x\n", "b,0612345679,,FR,1,,D-1,y\n",
             "c,2125550123,,US,true,,,z\n", "d,+12125550124,America/Chicago,,no,,,\n",
             "e,+18005550123,,,yes,,,\n", "f,+14165550123,,,yes,,,\n",
             "g,+33691234567,,,yes,,,\n", "h,+33612345670,Mars/Olympus,,yes,,,\n",
             ",+33612345671,,,yes,,,\n", "i,+33612345672,,,maybe,,,\n",
             "j,+33612345673,,,,2026-09-01T10:00:00+02:00,,\n", "k,not a phone,,,yes,,,\n",
             "l,+33612345674, Europe/Paris | America/New_York ,,yes,,,\n", "m,+33612345675\n",
             "n,+33612345676,,,yes,,,,one too many\n", "o,,,,yes,,,\n",
             " p ,0612345677,,fr,YES,,D-2,\n"]
    outputs = []
    for arrow in (True, False):
        monkeypatch.setattr(_scrub, "_ARROW", arrow)
        out = io.StringIO()
        scrub(iter(lines), out, cw.Engine([cw.presets.get("FR"), cw.presets.get("US")]),
              datetime.fromisoformat(MONDAY), chunk_rows=5)
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]
    # No id, consent 'maybe', zone Mars/Olympus, 9 fields, no phone.
    assert outputs[0].count("invalid_row") == 5
