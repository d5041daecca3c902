"""``callwindow.Policy``: validation and loading from dicts and files.

Every invalid input must raise ``PolicyError`` (also a ``ValueError``) whose
message names the offending field and value, and whose ``problems`` lists one
``(field, message)`` pair per problem.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import callwindow as cw

# --------------------------------------------------------------------------
# Valid policies: one content, four spellings
# --------------------------------------------------------------------------

_POLICY_DICT: dict[str, Any] = {
    "id": "acme-outbound",
    "name": "ACME outbound sales",
    "source": "https://example.com/acme-policy",
    "effective_from": "2023-03-01",
    "effective_to": None,
    "timezone": None,
    "hours": {
        "mon": ["10:00-13:00", "14:00-20:00"],
        "tue": ["10:00-13:00", "14:00-20:00"],
        "sat": ["10:00-19:00"],
        "holiday": [],
    },
    "end_buffer": "PT15M",
    "holidays": {
        "country": "FR",
        "subdivision": "57",
        "add": ["2026-12-24"],
        "remove": ["Pentecost Monday"],
    },
    "limits": [{"max_attempts": 4, "period": "P30D", "per": ["consumer"], "counts": None}],
    "cooldowns": [{"after": ["refusal"], "period": "P60D"}],
    "requires_consent": False,
}

_POLICY_YAML = """\
id: acme-outbound
name: ACME outbound sales
source: "https://example.com/acme-policy"
effective_from: 2023-03-01
effective_to: null
timezone: null
hours:
  mon: ["10:00-13:00", "14:00-20:00"]
  tue: ["10:00-13:00", "14:00-20:00"]
  sat: ["10:00-19:00"]
  holiday: []
end_buffer: PT15M
holidays:
  country: FR
  subdivision: "57"
  add: ["2026-12-24"]
  remove: ["Pentecost Monday"]
limits:
  - max_attempts: 4
    period: P30D
    per: [consumer]
    counts: null
cooldowns:
  - after: [refusal]
    period: P60D
requires_consent: false
"""

_POLICY_TOML = """\
id = "acme-outbound"
name = "ACME outbound sales"
source = "https://example.com/acme-policy"
effective_from = 2023-03-01
end_buffer = "PT15M"
requires_consent = false

[hours]
mon = ["10:00-13:00", "14:00-20:00"]
tue = ["10:00-13:00", "14:00-20:00"]
sat = ["10:00-19:00"]
holiday = []

[holidays]
country = "FR"
subdivision = "57"
add = ["2026-12-24"]
remove = ["Pentecost Monday"]

[[limits]]
max_attempts = 4
period = "P30D"
per = ["consumer"]

[[cooldowns]]
after = ["refusal"]
period = "P60D"
"""


def test_policy_from_dict_keeps_the_values_written() -> None:
    policy = cw.Policy.model_validate(_POLICY_DICT)
    assert policy.id == "acme-outbound"
    assert policy.effective_from == date(2023, 3, 1)
    assert policy.effective_to is None
    assert policy.hours is not None
    assert policy.hours["mon"] == ("10:00-13:00", "14:00-20:00")
    assert policy.hours["sat"] == ("10:00-19:00",)
    assert policy.hours["holiday"] == ()
    assert policy.end_buffer_delta == timedelta(minutes=15)
    assert policy.holidays is not None
    assert policy.holidays.country == "FR"
    assert policy.holidays.subdivision == "57"
    assert policy.limits[0].max_attempts == 4
    assert policy.cooldowns[0].after == (cw.Outcome.REFUSAL,)


def test_policy_constructor_with_keywords_equals_model_validate() -> None:
    assert cw.Policy(**_POLICY_DICT) == cw.Policy.model_validate(_POLICY_DICT)


@pytest.mark.parametrize(
    ("filename", "text"),
    [
        ("acme.yaml", _POLICY_YAML),
        ("acme.yml", _POLICY_YAML),
        ("acme.toml", _POLICY_TOML),
        ("acme.json", json.dumps(_POLICY_DICT)),
    ],
)
def test_policy_file_in_each_format_equals_the_dict_policy(
        tmp_path: Path, filename: str, text: str) -> None:
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    assert cw.Policy.from_file(path) == cw.Policy.model_validate(_POLICY_DICT)
    assert cw.Policy.from_file(str(path)) == cw.Policy.model_validate(_POLICY_DICT)


def test_yaml_toml_and_json_files_give_equal_policies(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(_POLICY_YAML, encoding="utf-8")
    (tmp_path / "p.toml").write_text(_POLICY_TOML, encoding="utf-8")
    (tmp_path / "p.json").write_text(json.dumps(_POLICY_DICT), encoding="utf-8")
    from_yaml = cw.Policy.from_file(tmp_path / "p.yaml")
    assert from_yaml == cw.Policy.from_file(tmp_path / "p.toml")
    assert from_yaml == cw.Policy.from_file(tmp_path / "p.json")


def test_policy_with_only_an_id_is_valid() -> None:
    policy = cw.Policy.model_validate({"id": "minimal"})
    assert policy.hours is None
    assert policy.holidays is None
    assert policy.end_buffer_delta == timedelta(0)


def test_midnight_2400_is_a_valid_end() -> None:
    policy = cw.Policy.model_validate({"id": "p", "hours": {"fri": ["20:00-24:00"]}})
    assert policy.hours == {"fri": ("20:00-24:00",)}


def test_whole_day_0000_to_2400_is_valid() -> None:
    policy = cw.Policy.model_validate({"id": "p", "hours": {"sun": ["00:00-24:00"]}})
    assert policy.hours == {"sun": ("00:00-24:00",)}


def test_touching_windows_do_not_overlap() -> None:
    # Half-open: 10:00-13:00 ends where 13:00-14:00 begins.
    policy = cw.Policy.model_validate(
        {"id": "p", "hours": {"mon": ["10:00-13:00", "13:00-14:00"]}})
    assert policy.hours == {"mon": ("10:00-13:00", "13:00-14:00")}


def test_yaml_quoted_no_is_norway(tmp_path: Path) -> None:
    path = tmp_path / "norway.yaml"
    path.write_text('id: no-policy\nholidays:\n  country: "NO"\n', encoding="utf-8")
    policy = cw.Policy.from_file(path)
    assert policy.holidays is not None
    assert policy.holidays.country == "NO"


# --------------------------------------------------------------------------
# Invalid policies
# --------------------------------------------------------------------------

# (test id, fields added to {"id": "p"}, field named in the message, bad value named)
_INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("hour-25", {"hours": {"mon": ["25:00-26:00"]}}, "hours", "25:00-26:00"),
    ("end-before-start", {"hours": {"mon": ["14:00-13:00"]}}, "hours", "14:00-13:00"),
    ("end-2430", {"hours": {"mon": ["10:00-24:30"]}}, "hours", "24:30"),
    ("start-2400", {"hours": {"mon": ["24:00-24:00"]}}, "hours", "24:00-24:00"),
    ("minute-60", {"hours": {"mon": ["10:60-11:00"]}}, "hours", "10:60-11:00"),
    ("not-a-window", {"hours": {"mon": ["9-17"]}}, "hours", "9-17"),
    ("overlap", {"hours": {"mon": ["10:00-13:00", "12:00-14:00"]}}, "mon", "12:00-14:00"),
    ("day-key-mox", {"hours": {"mox": ["10:00-13:00"]}}, "hours", "mox"),
    ("holiday-country-XX", {"holidays": {"country": "XX"}}, "country", "XX"),
    ("subdivision-FR-ZZ", {"holidays": {"country": "FR", "subdivision": "ZZ"}},
     "subdivision", "ZZ"),
    ("zone-mars", {"timezone": "Mars/Olympus"}, "timezone", "Mars/Olympus"),
    ("end-buffer-words", {"end_buffer": "15 minutes"}, "end_buffer", "15 minutes"),
    ("limit-period-words", {"limits": [{"max_attempts": 3, "period": "30 days"}]},
     "period", "30 days"),
    ("cooldown-period-words", {"cooldowns": [{"after": ["refusal"], "period": "60 days"}]},
     "period", "60 days"),
    ("effective-to-before-from",
     {"effective_from": "2024-05-01", "effective_to": "2024-04-30"},
     "effective_to", "2024-04-30"),
    ("unknown-top-level-key", {"holliday": {"country": "FR"}}, "holliday", "holliday"),
    ("remove-not-a-holiday", {"holidays": {"country": "FR", "remove": ["Not A Holiday"]}},
     "remove", "Not A Holiday"),
    ("country-boolean", {"holidays": {"country": False}}, "country", "false"),
    ("limit-period-months", {"limits": [{"max_attempts": 10, "period": "P1M"}]},
     "period", "P1M"),
    ("limit-period-half-second", {"limits": [{"max_attempts": 1, "period": "PT0.5S"}]},
     "period", "PT0.5S"),
    ("calendar-days-in-hours",
     {"limits": [{"max_attempts": 3, "period": "PT36H", "window": "calendar_days"}]},
     "period", "PT36H"),
    ("limit-per-nobody", {"limits": [{"max_attempts": 3, "period": "P1D", "per": ["debt"]}]},
     "per", "debt"),
    ("cooldown-after-pending", {"cooldowns": [{"after": ["pending"], "period": "P1D"}]},
     "after", "pending"),
    ("day-one-on-a-rolling-window",
     {"cooldowns": [{"after": ["refusal"], "period": "P60D", "day_one": "next_day"}]},
     "day_one", "calendar_days"),
]


_BUILDERS = {
    "model_validate": lambda data: cw.Policy.model_validate({"id": "p", **data}),
    "constructor": lambda data: cw.Policy(id="p", **data),
}


@pytest.mark.parametrize("build", list(_BUILDERS.values()), ids=list(_BUILDERS))
@pytest.mark.parametrize(
    ("data", "field", "bad"),
    [case[1:] for case in _INVALID],
    ids=[case[0] for case in _INVALID],
)
def test_invalid_policy_raises_policy_error_naming_field_and_value(
        build: Any, data: dict[str, Any], field: str, bad: str) -> None:
    with pytest.raises(cw.PolicyError) as caught:
        build(data)
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, cw.CallWindowError)
    assert field in message
    assert bad in message


# (test id, fields added to {"id": "p"}, the problem's field path, bad value in its message)
_FIELD_PROBLEMS: list[tuple[str, dict[str, Any], str, str]] = [
    ("hour-25", {"hours": {"mon": ["25:00-26:00"]}}, "hours.mon", "25:00-26:00"),
    ("overlap", {"hours": {"tue": ["10:00-13:00", "12:00-14:00"]}}, "hours.tue",
     "12:00-14:00"),
    ("day-key-mox", {"hours": {"mox": ["10:00-13:00"]}}, "hours.mox", "mox"),
    ("holiday-country-XX", {"holidays": {"country": "XX"}}, "holidays.country", "XX"),
    ("subdivision-FR-ZZ", {"holidays": {"country": "FR", "subdivision": "ZZ"}},
     "holidays.subdivision", "ZZ"),
    ("remove-not-a-holiday",
     {"holidays": {"country": "FR", "remove": ["Pentecost Monday", "Not A Holiday"]}},
     "holidays.remove.1", "Not A Holiday"),
    ("stacked-limit-period",
     {"stack": [{"id": "q", "limits": [{"max_attempts": 3, "period": "30 days"}]}]},
     "stack.0.limits.0.period", "30 days"),
    ("zone-mars", {"timezone": "Mars/Olympus"}, "timezone", "Mars/Olympus"),
    ("end-buffer-words", {"end_buffer": "15 minutes"}, "end_buffer", "15 minutes"),
    ("limit-period-words", {"limits": [{"max_attempts": 3, "period": "30 days"}]},
     "limits.0.period", "30 days"),
    ("unknown-top-level-key", {"holliday": {"country": "FR"}}, "holliday", "FR"),
    ("country-boolean", {"holidays": {"country": False}}, "holidays.country", "false"),
]


@pytest.mark.parametrize(
    ("data", "field", "bad"),
    [case[1:] for case in _FIELD_PROBLEMS],
    ids=[case[0] for case in _FIELD_PROBLEMS],
)
def test_policy_error_problems_pair_the_field_path_with_its_message(
        data: dict[str, Any], field: str, bad: str) -> None:
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy.model_validate({"id": "p", **data})
    problems = caught.value.problems
    assert all(isinstance(f, str) and isinstance(m, str) for f, m in problems)
    assert [f for f, _ in problems] == [field], problems
    assert bad in problems[0][1]


def test_policy_error_problems_list_every_bad_field_in_order() -> None:
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy.model_validate(
            {"id": "p", "timezone": "Mars/Olympus", "end_buffer": "15 minutes"})
    problems = caught.value.problems
    assert [field for field, _ in problems] == ["timezone", "end_buffer"], problems
    assert "Mars/Olympus" in problems[0][1]
    assert "15 minutes" in problems[1][1]


def test_policy_error_from_constructor_lists_every_bad_field_in_order() -> None:
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy(id="p", timezone="Mars/Olympus", end_buffer="15 minutes")
    assert [field for field, _ in caught.value.problems] == ["timezone", "end_buffer"]


def test_missing_id_is_a_policy_error_naming_id() -> None:
    with pytest.raises(cw.PolicyError, match="id"):
        cw.Policy.model_validate({"hours": {"mon": ["10:00-12:00"]}})


def test_policy_that_is_not_a_mapping_is_a_policy_error() -> None:
    with pytest.raises(cw.PolicyError):
        cw.Policy.model_validate(["not", "a", "mapping"])


# --------------------------------------------------------------------------
# Policy.from_file errors name the file
# --------------------------------------------------------------------------

def test_from_file_with_unknown_suffix_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "acme.ini"
    path.write_text("id = acme\n", encoding="utf-8")
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy.from_file(path)
    assert str(path) in str(caught.value)
    assert ".ini" in str(caught.value)


def test_from_file_on_a_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "does-not-exist.yaml"
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy.from_file(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("filename", "text"),
    [
        ("broken.yaml", "id: acme\nhours: [unclosed\n"),
        ("broken.toml", "id = \n"),
        ("broken.json", '{"id": "acme",'),
        ("list.yaml", "- id: acme\n"),
    ],
)
def test_from_file_with_malformed_content_names_the_file(
        tmp_path: Path, filename: str, text: str) -> None:
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy.from_file(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("filename", "text", "field", "bad"),
    [
        ("mars.yaml", "id: mars\ntimezone: Mars/Olympus\n", "timezone", "Mars/Olympus"),
        # YAML 1.1 (PyYAML) reads a bare NO (Norway) as false.
        ("norway.yaml", "id: no-policy\nholidays:\n  country: NO\n", "holidays.country",
         "false"),
    ],
)
def test_from_file_with_invalid_field_names_the_file_field_and_value(
        tmp_path: Path, filename: str, text: str, field: str, bad: str) -> None:
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    with pytest.raises(cw.PolicyError) as caught:
        cw.Policy.from_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert bad in message
    assert [name for name, _ in caught.value.problems] == [field]


def test_holidays_removed_by_name_must_be_holiday_names_of_the_calendar() -> None:
    # Pennsylvania's public holidays include the Friday after Thanksgiving
    # (in the holidays package as "Day After Thanksgiving"); Boxing Day is not one.
    known = {"country": "US", "subdivision": "PA", "remove": ["Day After Thanksgiving"]}
    assert cw.Policy.model_validate({"id": "p", "holidays": known}).holidays is not None
    unknown = {**known, "remove": ["Day After Thanksgiving", "Boxing Day", "Arbor Day"]}
    with pytest.raises(cw.PolicyError,
                       match=r"holidays\.remove\.1: 'Boxing Day' is not a holiday name of US"):
        cw.Policy.model_validate({"id": "p", "holidays": unknown})
