"""The command's defaults (flag > environment > config file > built-in), completion, 80 columns.

Run in this process through ``callwindow.cli.main``, in a temporary working
directory.  The example policy allows 4 attempts per 30 calendar days, so a
fifth ``--acquire`` the same day is refused when (and only when) the four
before it were recorded in the same ledger.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.shell_completion import ShellComplete

from callwindow.cli import main
from callwindow.cli._app import cli as cli_group
from callwindow.cli._config import SETTINGS, load

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_POLICY = ROOT / "examples" / "fr-d223-9.yaml"
MONDAY = "2026-11-23T10:30:00+01:00"  # Monday, open under FR: 10:00-13:00 Paris
FR_CONSUMER = ("--phone", "+33612345678", "--consent", "--at", MONDAY)


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A working directory of its own, and none of the caller's CALLWINDOW_ settings."""
    for name in list(os.environ):
        if name.startswith("CALLWINDOW_") and name != "CALLWINDOW_REQUIRE_SERVERS":
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def check_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv, "check", *FR_CONSUMER, "--json")
    assert code in (0, 1), err
    return json.loads(out)


def settings(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, *argv, "config", "--json")
    assert code == 0, err
    return dict(json.loads(out))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- precedence --------------------------------------------------------------------------


def test_without_file_or_environment_every_setting_is_the_built_in_default(
        capsys: pytest.CaptureFixture[str]) -> None:
    shown = settings(capsys)
    assert shown["file"] is None
    assert shown["settings"] == {
        "ledger": {"value": "memory://", "source": "default", "env": "CALLWINDOW_LEDGER"},
        "presets": {"value": [], "source": "default", "env": "CALLWINDOW_PRESETS"},
        "policies": {"value": [], "source": "default", "env": "CALLWINDOW_POLICIES"},
        "country": {"value": None, "source": "default", "env": "CALLWINDOW_COUNTRY"},
    }
    code, _, err = run(capsys, "check", *FR_CONSUMER)
    assert code == 2
    assert "name at least one policy" in err


def test_presets_come_from_the_flag_then_the_environment_then_the_file(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    write(tmp_path / "callwindow.toml", 'presets = ["FR"]\n')
    assert check_json(capsys)["policy_ids"] == ["FR", "FR-optin-2026"]
    assert settings(capsys)["settings"]["presets"]["source"] == "callwindow.toml"

    # US-TCPA does not govern the French consumer: only the policies that do are applied.
    monkeypatch.setenv("CALLWINDOW_PRESETS", "FR-optin-2026, US-TCPA")
    assert check_json(capsys)["policy_ids"] == ["FR-optin-2026"]
    assert settings(capsys)["settings"]["presets"] == {
        "value": ["FR-optin-2026", "US-TCPA"], "source": "CALLWINDOW_PRESETS",
        "env": "CALLWINDOW_PRESETS"}

    _, out, _ = run(capsys, "check", "--preset", "FR", *FR_CONSUMER, "--json")
    assert json.loads(out)["policy_ids"] == ["FR", "FR-optin-2026"]


def test_the_ledger_comes_from_the_flag_then_the_environment_then_the_file(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    acquire = ("check", "--policy", str(EXAMPLE_POLICY), *FR_CONSUMER, "--acquire")
    write(tmp_path / "callwindow.toml", 'ledger = "sqlite:///from-file.db"\n')
    codes = [run(capsys, *acquire)[0] for _ in range(5)]
    assert codes == [0, 0, 0, 0, 1]  # the fifth within 30 days: the file's ledger counted
    assert sorted(path.name for path in tmp_path.glob("*.db")) == ["from-file.db"]

    monkeypatch.setenv("CALLWINDOW_LEDGER", "sqlite:///from-env.db")
    assert run(capsys, *acquire)[0] == 0  # a fresh ledger: the first attempt in it
    assert (tmp_path / "from-env.db").exists()

    codes = [run(capsys, *acquire, "--ledger", "sqlite:///from-flag.db")[0] for _ in range(2)]
    assert codes == [0, 0]
    assert sorted(path.name for path in tmp_path.glob("*.db")) == [
        "from-env.db", "from-file.db", "from-flag.db"]


def test_country_from_the_environment_reads_national_numbers(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ("check", "--preset", "FR", "--phone", "0612345678", "--consent", "--at", MONDAY,
            "--json")
    assert json.loads(run(capsys, *argv)[1])["timezones"] == []  # no country: no zone
    monkeypatch.setenv("CALLWINDOW_COUNTRY", "FR")
    assert json.loads(run(capsys, *argv)[1])["timezones"] == ["Europe/Paris"]


def test_policy_files_in_a_named_config_are_relative_to_it(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    shutil.copy(EXAMPLE_POLICY, write(tmp_path / "conf" / "fr.yaml", ""))
    write(tmp_path / "conf" / "dialer.toml", 'policies = ["fr.yaml"]\n')
    decision = check_json(capsys, "--config", "conf/dialer.toml")
    assert decision["policy_ids"] == ["fr-d223-9-example"]
    shown = settings(capsys, "--config", "conf/dialer.toml")
    assert shown["file"] == "conf/dialer.toml"
    assert shown["settings"]["policies"] == {
        "value": [os.path.join("conf", "fr.yaml")], "source": "conf/dialer.toml",
        "env": "CALLWINDOW_POLICIES"}

    monkeypatch.setenv("CALLWINDOW_CONFIG", "conf/dialer.toml")  # the same, by environment
    assert check_json(capsys)["policy_ids"] == ["fr-d223-9-example"]


def test_calendar_and_scrub_take_the_configured_presets(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path / "callwindow.toml", 'presets = ["FR"]\n')
    code, out, err = run(capsys, "calendar", "--phone", "+33612345678", "--consent",
                         "--from", "2026-12-21", "--days", "1")
    assert code == 0, err
    assert out.splitlines()[0].startswith("FR: allowed calling hours, Europe/Paris")
    write(tmp_path / "list.csv", "id,phone,consent\nc-1,+33612345678,yes\n")
    code, _, err = run(capsys, "scrub", "list.csv", "--at", MONDAY, "-o", "out.csv")
    assert code == 0, err
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[1] == (
        "c-1,+33612345678,yes,true,,2026-11-23T09:30:00+00:00")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda setting: setting.key)
def test_every_setting_takes_the_environment_over_the_file(setting: Any,
                                                            tmp_path: Path) -> None:
    in_file = '["in-file"]' if setting.many else '"in-file"'
    write(tmp_path / "callwindow.toml", f"{setting.key} = {in_file}\n")
    from_file = {item.setting.key: item for item in load(environ={}, cwd=tmp_path).values}
    assert from_file[setting.key].source == "callwindow.toml"
    assert from_file[setting.key].value == (("in-file",) if setting.many else "in-file")
    both = load(environ={setting.env: "in-env"}, cwd=tmp_path)
    chosen = {item.setting.key: item for item in both.values}[setting.key]
    assert (chosen.value, chosen.source) == (("in-env",) if setting.many else "in-env",
                                             setting.env)


def test_an_empty_environment_variable_counts_as_unset(tmp_path: Path) -> None:
    write(tmp_path / "callwindow.toml", 'ledger = "sqlite:///a.db"\n')
    ledger = load(environ={"CALLWINDOW_LEDGER": "  "}, cwd=tmp_path).values[0]
    assert (ledger.value, ledger.source) == ("sqlite:///a.db", "callwindow.toml")


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "fragments"), [
    ('ledgr = "sqlite:///a.db"\n',
     ["callwindow.toml: unknown key 'ledgr' (expected ledger, presets, policies, country)"]),
    ("presets = 3\n", ["callwindow.toml: presets: expected a list of strings, got 3"]),
    ('ledger = ""\n', ["callwindow.toml: ledger: expected a non-empty string, got ''"]),
    ('ledger = "sqlite:///a.db\n', ["callwindow.toml: not valid TOML", "line 1"]),
])
def test_a_bad_config_file_is_one_line_naming_the_file_and_the_key(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str,
        fragments: list[str]) -> None:
    write(tmp_path / "callwindow.toml", text)
    code, out, err = run(capsys, "check", "--preset", "FR", *FR_CONSUMER)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ")
    for fragment in fragments:
        assert fragment in err


def test_a_named_config_that_does_not_exist_is_an_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--config", "nowhere.toml", "config")
    assert code == 2
    assert err == "error: --config nowhere.toml: No such file or directory\n"


# -- shell completion --------------------------------------------------------------------


def completions(*words: str) -> list[str]:
    *args, incomplete = words
    found = ShellComplete(cli_group, {}, "callwindow", "_CALLWINDOW_COMPLETE")
    return [item.value for item in found.get_completions(args, incomplete)]


def test_preset_ids_are_completed_wherever_a_preset_is_named() -> None:
    assert completions("check", "--preset", "FR") == ["FR", "FR-optin-2026"]
    assert completions("next", "--preset", "fr") == ["FR", "FR-optin-2026"]  # any case
    assert completions("scrub", "list.csv", "--preset", "IT-") == [
        "IT-assocontact", "IT-garante-2024"]
    assert completions("calendar", "--preset", "AU-") == ["AU-collections", "AU-research"]
    assert completions("presets", "show", "AU-") == ["AU-collections", "AU-research"]
    assert completions("check", "--preset", "ZZ") == []


def test_the_shell_gets_its_completions_from_the_command() -> None:
    environment = {**os.environ, "_CALLWINDOW_COMPLETE": "bash_complete",
                   "COMP_WORDS": "callwindow check --preset FR", "COMP_CWORD": "3",
                   "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-m", "callwindow"], env=environment,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.splitlines() == ["plain,FR", "plain,FR-optin-2026"], done.stderr
    environment["_CALLWINDOW_COMPLETE"] = "bash_source"
    done = subprocess.run([sys.executable, "-m", "callwindow"], env=environment,
                          capture_output=True, text=True, timeout=60, check=False)
    assert "complete -o nosort -F _callwindow_completion callwindow" in done.stdout


# -- 80 columns ----------------------------------------------------------------------------

TCPA_URL = ("https://www.ecfr.gov/current/title-47/chapter-I/subchapter-B/part-64/subpart-L/"
            "section-64.1200")
FR_URLS = ("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000046422695",
           "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000046421823",
           "https://www.legifrance.gouv.fr/codes/id/LEGISCTA000033008129/")


@pytest.mark.parametrize(("argv", "urls"), [
    (("check", "--preset", "US-TCPA", "--phone", "+18505550123",
      "--at", "2026-11-23T13:30:00Z"), (TCPA_URL,)),
    (("check", "--preset", "FR", "--phone", "+33612345678",
      "--at", "2026-11-21T11:00:00+01:00"), FR_URLS),
    (("presets", "show", "US-TCPA"), (TCPA_URL,)),
])
def test_at_80_columns_urls_stay_whole_and_everything_else_fits(
        capsys: pytest.CaptureFixture[str], argv: tuple[str, ...],
        urls: tuple[str, ...]) -> None:
    _, out, _ = run(capsys, *argv)
    lines = [line.rstrip() for line in out.splitlines()]
    for url in urls:
        assert url in [line.strip() for line in lines], url  # a line of its own
    too_wide = [line for line in lines if len(line) > 80 and "://" not in line]
    assert too_wide == []
