"""``--suppression FILE`` on ``check``, ``scrub`` and ``serve``: lists built with
``callwindow dnc build``, hand-picked numbers and the answers written by hand
(US federal hours 08:00-21:00 local; 202 is Washington DC, Eastern time; a list
of 2026-11-28 is fresh for the US-DNC rule until 2026-12-28T10:00Z)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import callwindow as cw
from callwindow._suppression import build
from callwindow.cli import main
from callwindow.server import ServeConfig, create_app

AS_OF = date(2026, 11, 28)
TUESDAY_10 = "2026-12-01T10:00:00-05:00"
SECRET = "a-secret-of-at-least-16-bytes"


@pytest.fixture
def us_dnc(tmp_path: Path) -> str:
    source = tmp_path / "us.txt"
    source.write_text("202-555-0143\n(202) 555-0150\n", encoding="utf-8")
    build([source], tmp_path / "us.cwdnc", registry="US-DNC", as_of=AS_OF, country="US")
    return str(tmp_path / "us.cwdnc")


def test_from_file_is_the_contract_name_of_open(us_dnc: str) -> None:
    with cw.SuppressionList.from_file(us_dnc) as lst:
        assert (lst.registry, lst.as_of, len(lst)) == ("US-DNC", AS_OF, 2)
        assert "+12025550150" in lst


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_check_refuses_a_listed_number(capsys: pytest.CaptureFixture[str],
                                       us_dnc: str) -> None:
    base = ["check", "--preset", "US", "--preset", "US-DNC", "--at", TUESDAY_10, "--json",
            "--suppression", us_dnc]
    code, out = run(capsys, *base, "--phone", "+12025550143")
    answer = json.loads(out)
    assert code == 1
    assert answer["next_allowed_at"] is None
    assert [(r["code"], r["message"], r["policy_id"]) for r in answer["reasons"]] == [
        ("do_not_call", "the number is on the US-DNC list of 2026-11-28", "US-DNC")]
    code, out = run(capsys, *base, "--phone", "+12025550144")
    assert (code, json.loads(out)["allowed"]) == (0, True)


def test_check_without_the_list_the_rule_asks_for(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "check", "--preset", "US-DNC", "--phone", "+12025550144",
                    "--at", TUESDAY_10, "--json")
    assert code == 1
    assert [r["message"] for r in json.loads(out)["reasons"]] == [
        "no US-DNC list newer than P31D is loaded"]


def test_check_with_a_hashed_list(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "own.txt"
    source.write_text("+12025550143\n", encoding="utf-8")
    build([source], tmp_path / "own.cwdnc", registry="OWN", as_of=AS_OF, secret=SECRET)
    monkeypatch.setenv("CW_DNC_SECRET", SECRET)
    code, out = run(capsys, "check", "--preset", "US", "--phone", "+12025550143", "--at",
                    TUESDAY_10, "--json", "--suppression", str(tmp_path / "own.cwdnc"),
                    "--suppression-secret-env", "CW_DNC_SECRET")
    assert code == 1
    assert [r["message"] for r in json.loads(out)["reasons"]] == [
        "the number is on the OWN list of 2026-11-28"]


def test_scrub_names_the_registry_that_refused_a_row(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path, us_dnc: str) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("id,phone,name\n"
                        "a,+12025550143,listed\n"
                        "b,+12025550144,free\n"
                        "c,+12025550150,listed in national format\n"
                        "d,,no number\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _ = run(capsys, "scrub", str(contacts), "--preset", "US", "--preset", "US-DNC",
                  "--at", TUESDAY_10, "-o", str(out), "--suppression", us_dnc)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["id"], r["allowed"], r["reasons"], r["do_not_call"]) for r in rows] == [
        ("a", "false", "do_not_call", "US-DNC"),
        ("b", "true", "", ""),
        ("c", "false", "do_not_call", "US-DNC"),
        ("d", "false", "invalid_row: missing phone", ""),
    ]
    # without --suppression the output has no such column
    run(capsys, "scrub", str(contacts), "--preset", "US", "--at", TUESDAY_10, "-o", str(out))
    assert "do_not_call" not in out.read_text(encoding="utf-8").splitlines()[0]


def test_serve_opens_the_lists_for_its_engine(us_dnc: str) -> None:
    import httpx

    app = create_app(ServeConfig(preset=("US", "US-DNC"), suppression=(us_dnc,)))

    async def ask(phone: str) -> Any:
        async with app.router.lifespan_context(app):  # opens the lists, builds the engine
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                answer = await http.post("/v1/check", json={
                    "consumer": {"id": "x", "phone": phone}, "at": TUESDAY_10})
                return answer.json()

    listed = asyncio.run(ask("+12025550143"))
    assert (listed["allowed"], listed["next_allowed_at"]) == (False, None)
    assert [r["message"] for r in listed["reasons"]] == [
        "the number is on the US-DNC list of 2026-11-28"]
    assert asyncio.run(ask("+12025550144"))["allowed"] is True


def test_serve_refuses_a_hashed_list_without_its_secret(us_dnc: str, tmp_path: Path) -> None:
    from callwindow.server._config import open_suppression

    source = tmp_path / "own.txt"
    source.write_text("+12025550143\n", encoding="utf-8")
    build([source], tmp_path / "own.cwdnc", registry="OWN", as_of=AS_OF, secret=SECRET)
    config = ServeConfig(preset=("US",), suppression=(us_dnc, str(tmp_path / "own.cwdnc")))
    with pytest.raises(cw.InvalidInputError, match="keyed hashes; give the secret"):
        open_suppression(config)
    unset = ServeConfig(preset=("US",), suppression=(us_dnc,),
                        suppression_secret_env="CW_NOT_SET_ANYWHERE")
    with pytest.raises(cw.InvalidInputError, match="CW_NOT_SET_ANYWHERE: the environment"):
        open_suppression(unset)
