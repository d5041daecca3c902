"""Do-not-call lists: building, opening, looking up, and what the engine will be told.

Expected values are written by hand: the E.164 form of each national number
(France drops the trunk 0 and adds 33; the US adds 1), the hours of the
31-day interval counted from the first instant of the list's date anywhere
(00:00 at UTC+14 = 10:00 UTC the day before), and the HMAC-SHA256 of
``p:<E.164>`` the ledgers use.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import callwindow as cw
from callwindow._suppression import (
    HEADER_SIZE,
    DoNotCallRefusal,
    Malformed,
    SuppressionCheck,
    build,
    read_header,
    suppression_refusal,
)
from callwindow.cli import main

AS_OF = date(2026, 11, 28)
SECRET = "a-secret-of-at-least-16-bytes"


def write(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def built(tmp_path: Path, *lines: str, **options: Any) -> cw.SuppressionList:
    source = write(tmp_path / "numbers.txt", *lines)
    target = tmp_path / "list.cwdnc"
    options = {"registry": "US-DNC", "as_of": AS_OF, "country": "US", **options}
    secret = options.get("secret")
    build([source], target, **options)
    return cw.SuppressionList.open(target, secret=secret)


# -- building and looking up ---------------------------------------------------------------


def test_national_formats_are_normalised_with_the_default_country() -> None:
    lst = cw.SuppressionList.from_numbers(["06 12 34 56 78", "+33 7 00 00 00 01", "0145678901"],
                                          registry="Bloctel", as_of=AS_OF, country="FR")
    assert len(lst) == 3
    assert "+33612345678" in lst
    assert "+33700000001" in lst
    assert "+33145678901" in lst
    assert "+33612345679" not in lst
    assert lst.registry == "Bloctel"
    assert lst.as_of == date(2026, 11, 28)
    assert not lst.hashed


def test_a_file_of_us_numbers_in_every_common_shape(tmp_path: Path) -> None:
    lst = built(tmp_path, "phone_number", "2025550143", "(212) 555-0198", "+1 415 555 0100",
                "", "# a comment", "305,5550111", '"617-555-0123",extra', "2025550143",
                "2125550111,3")  # a number and a count: not joined
    assert len(lst) == 6  # the header, blank line and comment skipped, one duplicate
    for number in ("+12025550143", "+12125550198", "+14155550100", "+13055550111",
                   "+16175550123", "+12125550111"):
        assert number in lst, number
    assert "+12025550144" not in lst
    assert "+13055550112" not in lst


def test_the_report_counts_lines_duplicates_and_keys(tmp_path: Path) -> None:
    source = write(tmp_path / "a.txt", "2025550143", "2025550144", "2025550143")
    other = write(tmp_path / "b.txt", "2025550144", "2025550145")
    report = build([source, other], tmp_path / "l.cwdnc", registry="US-DNC", as_of=AS_OF,
                   country="US", chunk_size=2)  # three sorted runs to merge
    assert (report.count, report.lines, report.duplicates) == (3, 5, 2)
    assert report.malformed_count == 0
    header = read_header(tmp_path / "l.cwdnc")
    assert (header.registry, header.as_of, header.count, header.hashed) == (
        "US-DNC", AS_OF, 3, False)
    # 128-byte header, three 8-byte keys, a filter of 3 bytes (3 is prime)
    assert header.size == HEADER_SIZE + 3 * 8 + 3


def test_a_malformed_line_refuses_the_build_naming_file_and_line(tmp_path: Path) -> None:
    source = write(tmp_path / "numbers.txt", "2025550143", "2025550144", "20255x", "2025550145")
    with pytest.raises(cw.InvalidInputError, match=r"numbers\.txt:3: '20255x' is not a phone") \
            as caught:
        build([source], tmp_path / "l.cwdnc", registry="US-DNC", as_of=AS_OF, country="US")
    assert caught.value.field == f"{source}:3"
    assert not (tmp_path / "l.cwdnc").exists()  # written whole or not at all
    assert [p.name for p in tmp_path.iterdir()] == ["numbers.txt"]


def test_skip_malformed_skips_and_names_each_line(tmp_path: Path) -> None:
    source = write(tmp_path / "numbers.txt", "2025550143", "20255x", "", "12", "2025550145")
    report = build([source], tmp_path / "l.cwdnc", registry="US-DNC", as_of=AS_OF,
                   country="US", skip_malformed=True)
    assert report.count == 2
    assert report.malformed_count == 2
    assert report.malformed == (Malformed(str(source), 2, "20255x"),
                                Malformed(str(source), 4, "12"))
    assert str(report.malformed[1]) == f"{source}:4: '12' is not a phone number"


def test_national_numbers_without_a_country_are_malformed(tmp_path: Path) -> None:
    source = write(tmp_path / "numbers.txt", "+12025550143", "2025550144")
    with pytest.raises(cw.InvalidInputError, match=r"numbers\.txt:2: .*need a country"):
        build([source], tmp_path / "l.cwdnc", registry="US-DNC", as_of=AS_OF)


def test_lookups_take_e164_and_refuse_anything_else() -> None:
    lst = cw.SuppressionList.from_numbers(["+12025550143"], registry="US-DNC", as_of=AS_OF)
    with pytest.raises(cw.InvalidInputError, match=r"'202-555-0143' is not E\.164"):
        "202-555-0143" in lst  # noqa: B015
    with pytest.raises(cw.InvalidInputError, match=r"not E\.164"):
        "+1 202 555 0143" in lst  # noqa: B015
    with pytest.raises(cw.InvalidInputError):
        "" in lst  # noqa: B015
    with pytest.raises(TypeError):
        12025550143 in lst  # noqa: B015
    assert lst.contains("(202) 555-0143", country="US")
    assert lst.contains("+1 202 555 0143")
    assert not lst.contains("(202) 555-0144", country="us")
    with pytest.raises(cw.InvalidInputError, match="give country="):
        lst.contains("202 555 0143")


def test_a_bad_number_in_an_iterable_is_named_by_position() -> None:
    with pytest.raises(cw.InvalidInputError, match=r"numbers\[1\]: 'call me'"):
        cw.SuppressionList.from_numbers(["+12025550143", "call me"], registry="US-DNC",
                                        as_of=AS_OF)


def test_identity_is_checked() -> None:
    with pytest.raises(cw.InvalidInputError, match="registry: ' ' is not a registry name"):
        cw.SuppressionList.from_numbers([], registry=" ", as_of=AS_OF)
    with pytest.raises(cw.InvalidInputError, match="as_of: '28/11/2026' is not a date"):
        cw.SuppressionList.from_numbers([], registry="TPS", as_of="28/11/2026")  # type: ignore[arg-type]
    empty = cw.SuppressionList.from_numbers([], registry="TPS", as_of="2026-11-28")  # type: ignore[arg-type]
    assert (len(empty), empty.as_of, "+442079460000" in empty) == (0, AS_OF, False)


def test_a_damaged_file_is_refused(tmp_path: Path) -> None:
    lst = built(tmp_path, "2025550143", "2025550144")
    lst.close()
    path = tmp_path / "list.cwdnc"
    data = path.read_bytes()
    (tmp_path / "cut.cwdnc").write_bytes(data[:-1])
    with pytest.raises(cw.InvalidInputError, match="truncated or damaged"):
        cw.SuppressionList.open(tmp_path / "cut.cwdnc")
    (tmp_path / "other.cwdnc").write_bytes(b"2025550143\n" * 20)
    with pytest.raises(cw.InvalidInputError, match="not a callwindow suppression list"):
        cw.SuppressionList.open(tmp_path / "other.cwdnc")


def test_an_opened_list_reports_itself_and_closes(tmp_path: Path) -> None:
    with built(tmp_path, "2025550143") as lst:
        assert repr(lst) == (f"<SuppressionList US-DNC of 2026-11-28: 1 numbers, "
                             f"{str(tmp_path / 'list.cwdnc')!r}>")
        assert "+12025550143" in lst
    with pytest.raises(ValueError, match="closed"):  # never "not listed" from a released map
        "+12025550143" in lst  # noqa: B015


def test_runs_longer_than_a_read_block_merge_whole(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("callwindow._suppression._MERGE_BUFFER", 1)  # 1,024-key blocks
    numbers = [f"+1202555{n:04d}" for n in range(0, 10_000, 2)]  # 5,000 even line numbers
    source = write(tmp_path / "n.txt", *reversed(numbers))
    report = build([source], tmp_path / "l.cwdnc", registry="X", as_of=AS_OF,
                   chunk_size=2_500)  # two runs of 2,500 keys: three blocks each
    assert report.count == 5_000
    with cw.SuppressionList.open(tmp_path / "l.cwdnc") as lst:
        assert all(number in lst for number in numbers)
        assert not any(f"+1202555{n:04d}" in lst for n in range(1, 10_000, 2))


@settings(max_examples=40, deadline=None)
@given(listed=st.sets(st.integers(2_000_000_000, 9_999_999_999), max_size=60),
       others=st.lists(st.integers(2_000_000_000, 9_999_999_999), max_size=30),
       chunk=st.integers(1, 7))
def test_membership_is_exactly_that_of_a_set(tmp_path_factory: pytest.TempPathFactory,
                                             listed: set[int], others: list[int],
                                             chunk: int) -> None:
    work = tmp_path_factory.mktemp("prop")
    numbers = sorted(listed)
    source = write(work / "n.txt", *(f"+1{n}" for n in numbers + numbers[:3]))
    build([source], work / "l.cwdnc", registry="X", as_of=AS_OF, chunk_size=chunk)
    with cw.SuppressionList.open(work / "l.cwdnc") as lst:
        assert len(lst) == len(listed)
        for n in numbers + others:
            assert (f"+1{n}" in lst) == (n in listed), n


# -- keyed hashes ----------------------------------------------------------------------------


def ledger_hash(e164: str, secret: str = SECRET) -> str:
    """What the ledgers store for a phone key: h: and 128 bits of HMAC-SHA256 in hex."""
    return "h:" + hmac.new(secret.encode(), f"p:{e164}".encode(), hashlib.sha256).hexdigest()[:32]


def test_a_list_built_with_a_secret_holds_no_number(tmp_path: Path) -> None:
    lst = built(tmp_path, "2025550143", "2025550144", secret=SECRET)
    assert lst.hashed
    assert len(lst) == 2
    assert "+12025550143" in lst
    assert "+12025550145" not in lst
    data = (tmp_path / "list.cwdnc").read_bytes()
    assert (12025550143).to_bytes(8, "little") not in data
    assert b"2025550143" not in data
    lst.close()
    with pytest.raises(cw.InvalidInputError, match="keyed hashes; give the secret") as caught:
        cw.SuppressionList.open(tmp_path / "list.cwdnc")
    assert caught.value.field == "secret"
    with cw.SuppressionList.open(tmp_path / "list.cwdnc", secret="another-secret-16-bytes") \
            as wrong:
        assert "+12025550143" not in wrong


def test_a_list_of_the_ledgers_hashes_is_checked_with_the_same_secret(tmp_path: Path) -> None:
    full = hmac.new(SECRET.encode(), b"p:+447700900123", hashlib.sha256).hexdigest()
    source = write(tmp_path / "hashes.txt", "hash", ledger_hash("+12025550143"), full.upper())
    build([source], tmp_path / "list.cwdnc", registry="TPS", as_of=AS_OF, hashed_input=True)
    with cw.SuppressionList.open(tmp_path / "list.cwdnc", secret=SECRET) as lst:
        assert "+12025550143" in lst
        assert "+447700900123" in lst
        assert "+447700900124" not in lst
        assert lst.contains("07700 900123", country="GB")


def test_a_hashed_list_in_memory_and_a_short_secret() -> None:
    lst = cw.SuppressionList.from_numbers(["+447700900123"], registry="TPS", as_of=AS_OF,
                                          secret=SECRET)
    assert lst.hashed
    assert "+447700900123" in lst
    assert "+447700900124" not in lst
    # a keyed hash is of the exact string: a hashed list takes E.164 strictly
    with pytest.raises(cw.InvalidInputError, match=r"not E\.164"):
        "+44_7700900123" in lst  # noqa: B015
    with pytest.raises(cw.InvalidInputError, match="at least 16 bytes"):
        cw.SuppressionList.from_numbers([], registry="TPS", as_of=AS_OF, secret="short")


def test_a_list_of_hashes_in_memory_needs_the_secret(tmp_path: Path) -> None:
    source = write(tmp_path / "hashes.txt", ledger_hash("+12025550143"))
    lst = cw.SuppressionList.from_files([source], registry="OWN", as_of=AS_OF,
                                        hashed_input=True, secret=SECRET)
    assert lst.hashed
    assert "+12025550143" in lst
    assert "+12025550144" not in lst
    with pytest.raises(cw.InvalidInputError, match="give secret=") as caught:
        cw.SuppressionList.from_files([source], registry="OWN", as_of=AS_OF,
                                      hashed_input=True)
    assert caught.value.field == "secret"


def test_a_line_that_is_not_a_hash_is_malformed(tmp_path: Path) -> None:
    source = write(tmp_path / "h.txt", ledger_hash("+12025550143"), "h:12345",
                   "not-hex-at-all!!", "0x" + "ab" * 10, "ab_cd" * 4)
    report = build([source], tmp_path / "l.cwdnc", registry="TPS", as_of=AS_OF,
                   hashed_input=True, skip_malformed=True)
    assert report.count == 1
    assert [(bad.line, bad.text) for bad in report.malformed] == [
        (2, "h:12345"), (3, "not-hex-at-all!!"), (4, "0x" + "ab" * 10), (5, "ab_cd" * 4)]


# -- freshness and the engine's question -------------------------------------------------------


def us_list(*numbers: str, as_of: date = AS_OF, registry: str = "US-DNC"
            ) -> cw.SuppressionList:
    return cw.SuppressionList.from_numbers(numbers, registry=registry, as_of=as_of)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_list_is_as_old_as_the_first_instant_of_its_date() -> None:
    lst = us_list()
    assert lst.obtained_at == utc("2026-11-27T10:00:00")
    rule = cw.DoNotCallRule(registry="US-DNC", max_age="P31D")
    assert rule.max_age_delta is not None
    # 31 days after 2026-11-27T10:00Z is 2026-12-28T10:00Z
    assert lst.fresh_at(utc("2026-12-28T10:00:00"), rule.max_age_delta)
    assert not lst.fresh_at(utc("2026-12-28T10:00:01"), rule.max_age_delta)
    assert not lst.fresh_at(utc("2026-11-27T09:59:59"), rule.max_age_delta)  # before it


RULE = cw.DoNotCallRule(registry="US-DNC", max_age="P31D")
AT = utc("2026-12-01T15:00:00")


def test_a_listed_number_is_refused_naming_the_registry_and_date() -> None:
    refusal = suppression_refusal([us_list("+12025550143")], "+12025550143", [RULE], False, AT)
    # the number itself is not written: reasons go to audit records and logs
    assert refusal == DoNotCallRefusal("listed", "US-DNC", AS_OF,
                                       "the number is on the US-DNC list of 2026-11-28")


def test_an_unlisted_number_is_allowed() -> None:
    assert suppression_refusal([us_list("+12025550143")], "+12025550144", [RULE], False,
                               AT) is None
    assert suppression_refusal([], "+12025550144", [], False, AT) is None


def test_lists_refuse_without_any_rule() -> None:
    tps = us_list("+447700900123", registry="TPS")
    refusal = suppression_refusal([tps], "+447700900123", [], True, AT)
    assert refusal is not None
    assert refusal.message == "the number is on the TPS list of 2026-11-28"


def test_a_stale_or_missing_list_refuses_every_call() -> None:
    old = us_list("+12025550143", as_of=date(2026, 10, 30))  # obtained 2026-10-29T10:00Z
    # 31 days later: 2026-11-29T10:00Z; on 2026-12-01 it is stale
    for number in ("+12025550143", "+12025550144", None):
        refusal = suppression_refusal([old], number, [RULE], True, AT)
        assert refusal == DoNotCallRefusal("stale", "US-DNC", None,
                                           "no US-DNC list newer than P31D is loaded")
    assert suppression_refusal([old], "+12025550144", [RULE], False,
                               utc("2026-11-29T09:00:00")) is None
    missing = suppression_refusal([us_list(registry="TPS")], "+12025550144", [RULE], False, AT)
    assert missing is not None
    assert missing.message == "no US-DNC list newer than P31D is loaded"
    any_age = cw.DoNotCallRule(registry="TPS")
    assert suppression_refusal([], "+447700900123", [any_age], False, AT) == DoNotCallRefusal(
        "stale", "TPS", None, "no TPS list is loaded")


def test_consent_exempts_only_where_the_policy_says_so() -> None:
    lst = us_list("+12025550143")
    exempting = cw.DoNotCallRule(registry="US-DNC", max_age="P31D", consent_exempts=True)
    assert suppression_refusal([lst], "+12025550143", [exempting], True, AT) is None
    assert suppression_refusal([lst], "+12025550143", [exempting], False, AT) is not None
    assert suppression_refusal([lst], "+12025550143", [RULE], True, AT) is not None
    # two policies name the registry: the strictest wins
    assert suppression_refusal([lst], "+12025550143", [exempting, RULE], True, AT) is not None


def test_the_shortest_max_age_of_several_rules_applies() -> None:
    lst = us_list(as_of=date(2026, 11, 20))  # obtained 2026-11-19T10:00Z
    week = cw.DoNotCallRule(registry="US-DNC", max_age="P7D")
    refusal = suppression_refusal([lst], "+12025550144", [RULE, week], False, AT)
    assert refusal is not None
    assert refusal.message == "no US-DNC list newer than P7D is loaded"
    assert suppression_refusal([lst], "+12025550144", [RULE], False, AT) is None


def test_freshness_with_several_lists_and_registries() -> None:
    tps_rule = cw.DoNotCallRule(registry="TPS", max_age="P28D")
    old = us_list(as_of=date(2026, 10, 1))      # fresh 2026-09-30T10:00Z..2026-10-31T10:00Z
    new = us_list(as_of=date(2026, 11, 20))     # fresh 2026-11-19T10:00Z..2026-12-20T10:00Z
    # fresh 2026-10-31T10:00Z..2026-11-28T10:00Z
    tps = us_list(registry="TPS", as_of=date(2026, 11, 1))
    check = SuppressionCheck([old, new, tps], [RULE, tps_rule])
    assert check.refusal("+12025550144", False, utc("2026-11-25T12:00:00")) is None
    # on 2026-11-10 no US-DNC list is fresh (the old one ended on 10-31, the new is later)
    gap = check.refusal("+12025550144", False, utc("2026-11-10T12:00:00"))
    assert gap is not None
    assert gap.message == "no US-DNC list newer than P31D is loaded"
    late = check.refusal("+12025550144", False, utc("2026-11-28T10:00:01"))
    assert late is not None
    assert late.message == "no TPS list newer than P28D is loaded"
    assert check.refusal("+12025550144", False, utc("2026-11-28T10:00:00")) is None
    with pytest.raises(cw.NaiveDatetimeError):
        check.refusal("+12025550144", False, datetime(2026, 11, 25, 12))


def test_a_compiled_check_answers_every_call() -> None:
    exempting = cw.DoNotCallRule(registry="US-DNC", max_age="P31D", consent_exempts=True)
    tps = us_list("+447700900123", registry="TPS")
    check = SuppressionCheck([us_list("+12025550143"), tps], [exempting])
    for _ in range(2):
        listed = check.refusal("+12025550143", False, AT)
        assert listed is not None
        assert listed.message == "the number is on the US-DNC list of 2026-11-28"
        assert check.refusal("+12025550143", True, AT) is None
        on_tps = check.refusal("+447700900123", True, AT)  # no rule exempts TPS
        assert on_tps is not None
        assert on_tps.registry == "TPS"
        assert check.refusal("+12025550144", False, AT) is None
    assert SuppressionCheck([], []).refusal(None, False, AT) is None


def test_a_consumer_without_a_number_cannot_be_checked() -> None:
    refusal = suppression_refusal([us_list("+12025550143")], None, [], False, AT)
    assert refusal == DoNotCallRefusal("unchecked", "US-DNC", None,
                                       "no phone number that parses is known for the "
                                       "consumer, so it cannot be checked against the "
                                       "US-DNC list")


# -- the policy schema ------------------------------------------------------------------------


def test_a_policy_declares_its_registry() -> None:
    policy = cw.Policy.model_validate({"id": "p", "do_not_call": {
        "registry": "US-DNC", "max_age": "P31D", "consent_exempts": True}})
    assert policy.do_not_call == cw.DoNotCallRule(registry="US-DNC", max_age="P31D",
                                                  consent_exempts=True)
    assert cw.Policy(id="q").do_not_call is None


@pytest.mark.parametrize(("rule", "field", "fragment"), [
    ({"registry": "US-DNC", "max_age": "P1M"}, "do_not_call.max_age", "no fixed length"),
    ({"registry": "US-DNC", "max_age": "PT0S"}, "do_not_call.max_age", "longer than zero"),
    ({"registry": "US-DNC", "max_age": "31 days"}, "do_not_call.max_age", "not an ISO-8601"),
    ({"registry": ""}, "do_not_call.registry", "at least 1 character"),
    ({"registry": "TPS", "interval": "P28D"}, "do_not_call.interval", "Extra inputs"),
])
def test_a_bad_do_not_call_rule_is_named(rule: dict[str, str], field: str,
                                         fragment: str) -> None:
    with pytest.raises(cw.PolicyError, match=fragment) as caught:
        cw.Policy.model_validate({"id": "p", "do_not_call": rule})
    assert field in [problem for problem, _ in caught.value.problems]


@pytest.mark.parametrize(("preset", "rule", "country"), [
    # 16 CFR 310.4(b)(3)(iv): a registry version no more than 31 days old; (b)(1)(iii)(B)(i):
    # the person's signed written agreement exempts
    ("US-DNC", cw.DoNotCallRule(registry="US-DNC", max_age="P31D", consent_exempts=True),
     "US"),
    # PECR reg 21(3): numbers listed under 28 days are not protected yet; 21(4): the
    # subscriber's notice of non-objection exempts
    ("UK-TPS", cw.DoNotCallRule(registry="TPS", max_age="P28D", consent_exempts=True), "GB"),
    # CRTC National DNCL Rules: a copy at most 31 days old; exemptions not encoded
    ("CA-DNCL", cw.DoNotCallRule(registry="DNCL", max_age="P31D", consent_exempts=False),
     "CA"),
])
def test_the_registry_rules_are_opt_in_presets(preset: str, rule: cw.DoNotCallRule,
                                                country: str) -> None:
    policy = cw.presets.get(preset)
    assert policy.do_not_call == rule
    assert policy.applies_to == cw.AppliesTo(country=country)
    assert policy.hours is None
    assert not policy.limits
    assert not policy.cooldowns


@pytest.mark.parametrize("preset", ["US", "US-TSR", "US-TCPA", "UK", "CA", "FR",
                                    "IT-garante-2024"])
def test_a_country_preset_never_requires_a_list_by_itself(preset: str) -> None:
    # DESIGN.md: registry requirements ship as their own opt-in presets
    assert all(part.do_not_call is None for part in cw.presets.get(preset).flattened())


# -- the command ------------------------------------------------------------------------------


def test_dnc_build_and_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path / "tps.csv", "number,name", "020 7946 0000,a", "07700 900123,b")
    target = tmp_path / "tps.cwdnc"
    code = main(["dnc", "build", str(source), "--registry", "TPS", "--as-of", "2026-11-28",
                 "--country", "GB", "-o", str(target), "--json"])
    out = capsys.readouterr().out
    assert code == 0
    report = json.loads(out)
    assert (report["count"], report["registry"], report["as_of"], report["hashed"]) == (
        2, "TPS", "2026-11-28", False)
    with cw.SuppressionList.open(target) as lst:
        assert "+442079460000" in lst
        assert "+447700900123" in lst
    assert main(["dnc", "info", str(target), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info == {"file": str(target), "registry": "TPS", "as_of": "2026-11-28",
                    "count": 2, "hashed": False, "bytes": 128 + 2 * 8 + 2}
    assert main(["dnc", "info", str(target)]) == 0
    text = capsys.readouterr().out
    assert "registry TPS" in text
    assert "count    2" in text
    assert "E.164 numbers" in text


def test_dnc_build_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    source = write(tmp_path / "n.txt", "2025550143", "nope")
    target = str(tmp_path / "l.cwdnc")
    base = ["dnc", "build", str(source), "--registry", "US-DNC", "-o", target]
    assert main([*base, "--as-of", "28/11/2026"]) == 2
    assert capsys.readouterr().err == (
        "error: --as-of '28/11/2026': expected a date, YYYY-MM-DD\n")
    assert main([*base, "--as-of", "2026-11-28", "--country", "US"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {source}:2: 'nope' is not a phone number")
    assert main([*base, "--as-of", "2026-11-28", "--country", "US", "--skip-malformed"]) == 0
    assert f"skipped {source}:2: 'nope' is not a phone number" in capsys.readouterr().err
    monkeypatch.delenv("CW_TEST_SECRET", raising=False)
    assert main([*base, "--as-of", "2026-11-28", "--secret-env", "CW_TEST_SECRET"]) == 2
    assert "--secret-env CW_TEST_SECRET: the environment variable is not set" in (
        capsys.readouterr().err)
    monkeypatch.setenv("CW_TEST_SECRET", SECRET)
    assert main([*base, "--as-of", "2026-11-28", "--country", "US", "--skip-malformed",
                 "--secret-env", "CW_TEST_SECRET"]) == 0
    capsys.readouterr()
    assert main(["dnc", "info", target]) == 0
    assert "keyed hashes" in capsys.readouterr().out


def test_the_suppression_option_plumbing(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import click
    from click.testing import CliRunner

    from callwindow.cli._lists import open_suppression, suppression_option

    plain = tmp_path / "plain.cwdnc"
    hashed = tmp_path / "hashed.cwdnc"
    source = write(tmp_path / "n.txt", "+12025550143")
    build([source], plain, registry="US-DNC", as_of=AS_OF)
    build([source], hashed, registry="OWN", as_of=AS_OF, secret=SECRET)
    monkeypatch.setenv("CW_DNC_SECRET", SECRET)

    @click.command()
    @suppression_option
    def command(suppression_files: tuple[str, ...],
                suppression_secret_env: str | None) -> None:
        lists = open_suppression(suppression_files, suppression_secret_env)
        click.echo(" ".join(f"{lst.registry}:{'+12025550143' in lst}" for lst in lists))
        for lst in lists:
            lst.close()

    result = CliRunner().invoke(command, ["--suppression", str(plain), "--suppression",
                                          str(hashed), "--suppression-secret-env",
                                          "CW_DNC_SECRET"])
    assert result.output == "US-DNC:True OWN:True\n"
    with pytest.raises(cw.InvalidInputError, match="keyed hashes; give the secret"):
        open_suppression([str(plain), str(hashed)])
