"""Hostile and mistaken input is refused in bounded time, naming the field and value.

Each case here was found by trying callwindow as an attacker (and as a bad day
in production) would: before the fix it hung, ran out of memory, raised a
``RecursionError`` or ``OverflowError``, leaked pydantic's ``ValidationError``
or silently did the wrong thing.  The bounds themselves are documented in
docs/policies.md ("Limits on what a policy may hold").
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import callwindow as cw
from callwindow.cli import main

# 9 levels of 9 aliases: 9**9 (387 million) strings once expanded, in 376 bytes.
BOMB = (
    "id: laughs-376\n"
    'a: &a ["lolol","lolol","lolol","lolol","lolol","lolol","lolol","lolol","lolol"]\n'
    + "".join(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]\n"
              for prev, name in zip("abcdefg", "bcdefgh", strict=True))
    + "notes: [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> str:
    """The message of the PolicyError reading ``path`` raises; it names the file."""
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy.from_file(path)
    message = str(caught.value)
    assert str(path) in message
    return message


# -- policy files ----------------------------------------------------------------------------


def test_the_billion_laughs_is_refused_for_its_expanded_size(tmp_path: Path) -> None:
    assert len(BOMB.encode()) == 376
    message = refused(write(tmp_path, "bomb.yaml", BOMB))
    assert "more than 10000 values" in message
    assert len(message) < 300


def test_many_plain_values_stop_the_yaml_reader_early(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.yaml", "id: p\nnotes: [" + ",".join(["1"] * 400_000) + "]\n")
    # Nodes: the mapping, id, p, notes, the list: item k is node 5 + k, so item 9996
    # is the 10001st; it starts at column 9 + 2 * 9995 of line 2.
    assert refused(path) == (f"{path}: not valid YAML at line 2, column 19999: "
                             f"more than 10000 values")


def test_aliases_within_the_bound_still_work(tmp_path: Path) -> None:
    path = write(tmp_path, "anchors.yaml", (
        "id: anchors\n"
        "hours:\n"
        "  mon: &weekday ['09:00-12:00', '14:00-18:00']\n"
        "  tue: *weekday\n"
        "limits:\n"
        "  - &daily {max_attempts: 3, period: P1D}\n"
        "  - {<<: *daily, per: [phone]}\n"  # a merge key, then a key of its own: no duplicate
    ))
    policy = cw.Policy.from_file(path)
    assert policy.hours == {"mon": ("09:00-12:00", "14:00-18:00"),
                            "tue": ("09:00-12:00", "14:00-18:00")}
    assert [(rule.max_attempts, rule.period, rule.per) for rule in policy.limits] == [
        (3, "P1D", ("consumer",)), (3, "P1D", ("phone",))]


@pytest.mark.parametrize(("name", "text"), [
    ("deep.yaml", "id: p\nnotes: " + "[" * 3000 + "]" * 3000 + "\n"),
    ("deep.json", '{"id": "p", "notes": ' + "[" * 3000 + "]" * 3000 + "}"),
    ("deep.toml", 'id = "p"\nnotes = ' + "[" * 3000 + "]" * 3000 + "\n"),
    ("deep-table.toml", 'id = "p"\n[' + ".".join(["a"] * 40) + "]\nb = 1\n"),
    ("stack.json", '{"id": "p0", "stack": [' * 3000 + '{"id": "leaf"}' + "]}" * 3000),
    ("stack.yaml", "{id: p0, stack: [" * 3000 + "{id: leaf}" + "]}" * 3000 + "\n"),
])
def test_deep_nesting_is_refused_not_a_recursion_error(
        tmp_path: Path, name: str, text: str) -> None:
    assert "nested deeper than 32 levels" in refused(write(tmp_path, name, text))


def test_a_3000_deep_stack_given_as_data_names_where_it_is_too_deep() -> None:
    data: dict[str, Any] = {"id": "leaf"}
    for level in range(3000):
        data = {"id": f"p{level}", "stack": [data]}
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy.model_validate(data)
    [(field, message)] = caught.value.problems
    assert field == ".".join(["stack", "0"] * 16)  # 32 levels: 16 stacks of a list each
    assert message == "nested deeper than 32 levels"
    with pytest.raises(cw.PolicyError, match="nested deeper than 32 levels"):
        cw.Policy(**data)


def test_a_stack_of_a_few_levels_is_fine() -> None:
    inner = {"id": "c", "hours": {"mon": ["09:00-12:00"]}}
    policy = cw.Policy.model_validate({"id": "a", "stack": [{"id": "b", "stack": [inner]}]})
    assert [part.id for part in policy.flattened()] == ["a", "b", "c"]


def test_duplicate_yaml_key_is_refused_naming_key_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", "id: p\nhours:\n  mon: ['09:00-12:00']\n"
                                       "  mon: ['09:00-20:00']\n")
    assert refused(path) == (f"{path}: not valid YAML at line 4, column 3: "
                             f"the key 'mon' appears twice in one mapping")


def test_duplicate_json_key_is_refused_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.json", '{"id": "p", "hours": {}, "id": "q"}')
    assert refused(path) == f"{path}: not valid JSON: the key 'id' appears twice in one object"
    with pytest.raises(cw.PolicyError, match="the key 'id' appears twice"):
        cw.Policy.model_validate_json('{"id": "p", "id": "q"}')


def test_duplicate_toml_key_is_refused_as_toml_itself_says(tmp_path: Path) -> None:
    assert "not valid TOML" in refused(write(tmp_path, "dup.toml", 'id = "p"\nid = "q"\n'))


def test_latin1_file_is_refused_naming_the_file_and_the_byte(tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.yaml", "id: p\nnotes: café\n".encode("latin-1"))
    assert refused(path) == (f"{path}: not UTF-8 text (byte 0xe9 at line 2); "
                             f"save the policy file as UTF-8")


def test_utf8_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.json", b'\xef\xbb\xbf{"id": "bom", "notes": "caf\xc3\xa9"}')
    assert cw.Policy.from_file(path).notes == "café"


def test_dev_zero_is_refused_at_once(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert refused(link) == f"{link}: not a regular file; a policy is read from a file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert refused(fifo) == f"{fifo}: not a regular file; a policy is read from a file"


def test_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "policies.yaml"
    folder.mkdir()
    assert "not a regular file" in refused(folder)


def test_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "big.yaml", "id: big\nnotes: '" + "x" * 1_000_000 + "'\n")
    assert refused(path) == (f"{path}: larger than 1000000 bytes; a policy file is "
                             f"a few kilobytes")


@pytest.mark.parametrize("text", ["", "\n", "# nothing but a comment\n", "---\n"])
def test_empty_yaml_says_so_in_plain_words(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "empty.yaml", text)
    message = refused(path)
    assert message == (f"{path}: the file is empty; a policy file holds one mapping of "
                       f"keys, at least 'id'")
    assert "NoneType" not in message


@pytest.mark.parametrize(("text", "kind"), [("- id: p\n", "a list"), ("just words\n", "a string")])
def test_yaml_that_is_not_a_mapping_says_what_it_is(tmp_path: Path, text: str, kind: str
                                                    ) -> None:
    path = write(tmp_path, "odd.yaml", text)
    assert refused(path) == f"{path}: a policy file holds one mapping of keys, not {kind}"


def test_malformed_yaml_names_file_line_and_column_in_plain_words(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "id: acme\nhours: {mon: ['09:00-12:00']\n")
    # The flow mapping opened on line 2 is still open when the text ends (line 3, column 1).
    assert refused(path) == (f"{path}: not valid YAML at line 3, column 1: "
                             f"expected ',' or '}}', but got '<stream end>'")


def test_control_character_in_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "nul.yaml", "id: p\nnotes: a\x00b\n")
    assert refused(path) == (f"{path}: not valid YAML at line 2: the character '\\x00' "
                             f"is not allowed")


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.json", '{"id": "acme",\n  "hours": }\n')
    assert refused(path) == f"{path}: not valid JSON at line 2, column 12: Expecting value"


# -- error lines: full paths, clipped values -------------------------------------------------


def test_a_huge_bad_value_is_shown_clipped() -> None:
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy(id="p", limits=[{"max_attempts": 3, "period": "P" + "9" * 1_000_000}])
    [(field, message)] = caught.value.problems
    assert field == "limits.0.period"
    assert message.startswith("'P999")
    assert len(message) < 400
    assert len(str(caught.value)) < 500


def test_a_huge_value_of_the_wrong_type_is_shown_clipped() -> None:
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy(id="p", timezone=["Europe/Paris"] * 5_000)
    [(field, message)] = caught.value.problems
    assert field == "timezone"
    assert "'Europe/Paris'" in message
    assert len(message) < 400


def test_a_huge_id_is_clipped_in_the_subject() -> None:
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy(id="x" * 100_000, end_buffer="soon")
    assert len(str(caught.value)) < 500


def test_cli_validate_and_check_name_the_full_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "p.yaml", "id: p\nhours:\n  mon: ['25:00-26:00']\n"
                                     "limits:\n  - {max_attempts: 3, period: soon}\n")
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {path}: hours.mon: '25:00-26:00': 25:00 is not a time of day "
        f"(00:00-23:59; 24:00 only as an end)",
        f"error: {path}: limits.0.period: 'soon' is not an ISO-8601 duration "
        f"(e.g. 'PT15M', 'P30D')",
    ]
    assert main(["check", "--policy", str(path), "--timezone", "Europe/Paris"]) == 2
    err = capsys.readouterr().err
    assert "hours.mon: '25:00-26:00'" in err
    assert "limits.0.period: 'soon'" in err


def test_cli_validate_refuses_the_bomb_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bomb.yaml", BOMB)
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == (f"error: {path}: policy holds more than 10000 values "
                                       f"(YAML aliases that expand to more?)\n")


# -- Consumer errors -------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "field", "bad"), [
    ({"consent": "maybe"}, "consent", "'maybe'"),
    ({"timezone": "Mars/Olympus"}, "timezone", "'Mars/Olympus'"),
    ({"timezone": ["Europe/Paris", "Mars/Olympus"]}, "timezone.1", "'Mars/Olympus'"),
    ({"tags": {"debt": 7}}, "tags.debt", "7"),
    ({"phone": ["+33612345678"]}, "phone", "'+33612345678'"),
    ({"nickname": "Bob"}, "nickname", "'Bob'"),
])
def test_invalid_consumer_raises_consumer_error_naming_path_and_value(
        fields: dict[str, Any], field: str, bad: str) -> None:
    with pytest.raises(cw.ConsumerError) as caught:
        cw.Consumer(id="c1", **fields)
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, cw.InvalidInputError)
    assert [name for name, _ in error.problems] == [field]
    assert error.field == field
    assert bad in error.problems[0][1]
    assert str(error).startswith("consumer 'c1' is invalid:\n  " + field + ": ")


def test_consumer_model_validate_and_copy_raise_consumer_error() -> None:
    with pytest.raises(cw.ConsumerError, match="timezone"):
        cw.Consumer.model_validate({"timezone": "Europe"})
    with pytest.raises(cw.ConsumerError, match="timezone"):
        cw.Consumer.model_validate_json('{"timezone": "Europe"}')
    with pytest.raises(cw.ConsumerError, match="timezone"):
        cw.Consumer(timezone="Europe/Paris").model_copy(update={"timezone": "localtime"})


# -- zone names ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "says"), [
    ("America", "is a group of time zones, not a zone"),
    ("Europe", "is a group of time zones, not a zone"),
    ("America/Argentina", "is a group of time zones, not a zone"),
    ("localtime", "means whatever zone this server runs in"),
    ("posixrules", "means whatever zone this server runs in"),
    ("Europe/Pariss", "unknown time zone"),
    ("", "unknown time zone"),
])
def test_only_real_iana_zones_are_accepted(name: str, says: str) -> None:
    with pytest.raises(cw.ConsumerError) as consumer_error:
        cw.Consumer(timezone=name)
    assert consumer_error.value.field == "timezone"
    assert says in str(consumer_error.value)
    with pytest.raises(cw.PolicyError) as policy_error:
        cw.Policy(id="p", timezone=name)
    assert policy_error.value.field == "timezone"
    assert says in str(policy_error.value)


@pytest.mark.parametrize("name", ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires",
                                  "Etc/GMT+5", "US/Eastern"])
def test_real_zones_including_links_are_accepted(name: str) -> None:
    assert cw.Consumer(timezone=name).candidate_zones == (name,)


# -- bounds every backend agrees on -----------------------------------------------------------


@pytest.mark.parametrize(("rule", "field", "says"), [
    ({"max_attempts": 2**63, "period": "P1D"}, "limits.0.max_attempts", "1000000"),
    ({"max_attempts": 1_000_001, "period": "P1D"}, "limits.0.max_attempts", "1000000"),
    ({"max_attempts": 0, "period": "P1D"}, "limits.0.max_attempts", "greater than 0"),
    ({"max_attempts": 3, "period": "P99999999999D"}, "limits.0.period",
     "longer than any date arithmetic can hold"),
    ({"max_attempts": 3, "period": "P36526D"}, "limits.0.period", "at most 36525 days"),
    ({"max_attempts": 3, "period": "P1000000D", "window": "calendar_days"},
     "limits.0.period", "at most 36525 days"),
])
def test_limit_bounds_are_refused_naming_the_field(rule: dict[str, Any], field: str,
                                                   says: str) -> None:
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy(id="p", limits=[rule])
    assert caught.value.field == field
    assert says in str(caught.value)


def test_the_largest_bounds_are_accepted_and_work() -> None:
    policy = cw.Policy(id="p", end_buffer="PT24H", limits=[
        {"max_attempts": 1_000_000, "period": "P36525D"},
        {"max_attempts": 3, "period": "P36525D", "window": "calendar_days"}],
        cooldowns=[{"after": ["refusal"], "period": "P36525D", "window": "calendar_days"}])
    engine = cw.Engine(policy)
    assert engine.check(cw.Consumer(id="c", timezone="UTC"),
                        at="2026-06-01T12:00:00+00:00").allowed


@pytest.mark.parametrize(("end_buffer", "says"), [
    ("P30522262Y", "longer than any date arithmetic can hold"),
    ("P2D", "at most 1 day ('P1D')"),
    ("PT24H1S", "at most 1 day ('P1D')"),
])
def test_end_buffer_bounds(end_buffer: str, says: str) -> None:
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy(id="p", end_buffer=end_buffer)
    assert caught.value.field == "end_buffer"
    assert says in str(caught.value)


def test_cooldown_period_bound_names_the_field() -> None:
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy(id="p", cooldowns=[{"after": ["refusal"], "period": "P99999999999D"}])
    assert caught.value.field == "cooldowns.0.period"


def _every_other_minute(count: int) -> list[str]:
    starts = [2 * i for i in range(count)]
    return [f"{m // 60:02d}:{m % 60:02d}-{(m + 1) // 60:02d}:{(m + 1) % 60:02d}"
            for m in starts]


def test_windows_per_day_are_capped() -> None:
    hours = cw.Policy(id="p", hours={"mon": _every_other_minute(48)}).hours
    assert hours is not None
    assert len(hours["mon"]) == 48
    for count in (49, 720):
        with pytest.raises(cw.PolicyError) as caught:
            cw.Policy(id="p", hours={"mon": _every_other_minute(count)})
        assert caught.value.problems == (
            ("hours.mon", f"{count} windows in one day; at most 48"),)


@pytest.mark.parametrize("at", [
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:00:00+00:00",
    datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=1))),
    datetime(1, 1, 2, tzinfo=timezone(timedelta(hours=-5))),
    datetime(1899, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),  # 1900 in UTC: local wins
])
def test_at_outside_the_judged_years_names_at(at: datetime | str) -> None:
    engine = cw.Engine(cw.Policy(id="p", hours={"mon": ["09:00-12:00"]}))
    with pytest.raises(cw.InvalidInputError) as caught:
        engine.check(cw.Consumer(timezone="Europe/Paris"), at=at)
    assert caught.value.field == "at"
    assert str(caught.value).startswith("at: ")
    assert "outside the years callwindow judges (1900-9000)" in str(caught.value)


@pytest.mark.parametrize("at", [datetime(9999, 12, 31, tzinfo=UTC), datetime(1, 1, 2, tzinfo=UTC)])
def test_at_as_a_utc_datetime_outside_the_judged_years_names_at(at: datetime) -> None:
    engine = cw.Engine(cw.Policy(id="p", hours={"mon": ["09:00-12:00"]}))
    with pytest.raises(cw.InvalidInputError) as caught:
        engine.check(cw.Consumer(timezone="Europe/Paris"), at=at)
    assert caught.value.field == "at"


def test_blackout_outside_the_judged_years_names_the_field() -> None:
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy(id="p", blackouts=[{"start": "0001-01-01T00:00:00+00:00",
                                      "end": "2026-01-01T00:00:00+00:00", "reason": "x"}])
    assert caught.value.field == "blackouts.0.start"


def test_windows_span_is_bounded() -> None:
    engine = cw.Engine(cw.Policy(id="p", hours={"mon": ["09:00-12:00"]}))
    with pytest.raises(cw.InvalidInputError) as caught:
        engine.windows(cw.Consumer(timezone="Europe/Paris"),  # 6 years: more than 5 * 366 days
                       "2026-01-01T00:00:00+00:00", "2032-01-01T00:00:00+00:00")
    assert caught.value.field == "end"


# -- tag keys --------------------------------------------------------------------------------


def test_tags_that_spell_the_same_text_do_not_share_a_count() -> None:
    # One call a day per value of tag "a".  Consumer y carries tag "a=b" (value "c");
    # consumer x carries tag "a" (value "b=c").  Both were keyed "t:a=b=c", so y's
    # call used up x's one call of the day.
    policy = cw.Policy(id="p", limits=[{"max_attempts": 1, "period": "P1D", "per": ["tag:a"]}])
    engine = cw.Engine(policy)
    at = "2026-06-01T12:00:00+00:00"
    y = cw.Consumer(id="y", timezone="UTC", tags={"a=b": "c"})
    x = cw.Consumer(id="x", timezone="UTC", tags={"a": "b=c"})
    assert engine.acquire(y, at=at).allowed
    assert engine.acquire(x, at=at).allowed
    assert not engine.acquire(x, at=at).allowed  # x's own tag value: one call used


def test_policy_json_round_trip_keeps_working() -> None:
    data = {"id": "p", "hours": {"mon": ["09:00-12:00"]},
            "limits": [{"max_attempts": 3, "period": "P7D"}]}
    assert cw.Policy.model_validate_json(json.dumps(data)) == cw.Policy.model_validate(data)
