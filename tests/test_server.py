"""``callwindow serve``: the real server in a subprocess, asked over HTTP with httpx.

Expected values are worked out by hand from the FR rules (D223-9: Monday to
Friday 10:00-13:00 and 14:00-20:00 Paris time, no public holiday; at most 4
attempts per 30 calendar days; FR-optin-2026, stacked on FR: prior consent
required from 11 August 2026, and a refusal is final).  Saturday 2026-11-21
11:00 Paris (10:00 UTC) is a closed day; the next opening is Monday
2026-11-23 10:00 Paris, 09:00 UTC.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

import callwindow as cw
from callwindow.server import ServeConfig, create_app
from servers_callwindow import CallwindowServer
from servers_redis import require_binary

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "server"
SATURDAY = "2026-11-21T11:00:00+01:00"  # 10:00 UTC: a closed day
MONDAY = "2026-11-23T10:00:00+01:00"  # 09:00 UTC: the first opening after it
MONDAY_1030 = "2026-11-23T10:30:00+01:00"
FRIDAY = "2026-11-27T10:00:00+01:00"
POLICIES = ["FR", "FR-optin-2026"]
CLOSED_SATURDAY = {
    "code": "closed_day",
    "message": "no calls are allowed on Saturdays (11:00 on Saturday 2026-11-21 in "
               "Europe/Paris)",
    "policy_id": "FR",
    "timezone": "Europe/Paris",
    "local_time": "2026-11-21T11:00:00+01:00",
}


def paris(consumer_id: str, *, consent: bool = True, phone: str = "+33612345678"
          ) -> dict[str, Any]:
    return {"id": consumer_id, "phone": phone, "consent": consent}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallwindowServer]:
    directory = tmp_path_factory.mktemp("serve")
    ledger = f"sqlite:///{directory / 'attempts.db'}"
    with CallwindowServer(["--preset", "FR", "--ledger", ledger], directory).start() as running:
        yield running


@pytest.fixture
def http(server: CallwindowServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def without_sources(decision: dict[str, Any]) -> dict[str, Any]:
    """The decision with each reason's (long) legal source dropped."""
    reasons = [{key: value for key, value in reason.items() if key != "source"}
               for reason in decision["reasons"]]
    return {**decision, "reasons": reasons}


# -- decisions ---------------------------------------------------------------------------


def test_check_a_saturday_in_paris_is_refused_until_monday(http: httpx.Client) -> None:
    answer = http.post("/v1/check", json={"consumer": paris("c-sat"), "at": SATURDAY})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    record = answer.json()
    assert record.pop("library_version") == cw.__version__
    assert record.pop("policy_digests") == {policy_id: cw.presets.get(policy_id).digest
                                            for policy_id in POLICIES}
    assert without_sources(record) == {
        "allowed": False,
        "at": "2026-11-21T10:00:00+00:00",
        "next_allowed_at": "2026-11-23T09:00:00+00:00",
        "consumer_id": "c-sat",
        "timezones": ["Europe/Paris"],
        "local_times": {"Europe/Paris": "2026-11-21T11:00:00+01:00"},
        "policy_ids": POLICIES,
        "reasons": [CLOSED_SATURDAY],
        "attempt_id": None,
        "zone_evidence": {"Europe/Paris": ["phone"]},
        "consent": True,
    }
    assert answer.json()["reasons"][0]["source"].startswith("Code de la consommation art. D223-9")


def test_check_answers_what_the_library_answers(http: httpx.Client) -> None:
    consumer = paris("c-same")
    with cw.Engine(cw.presets.get("FR")) as engine:
        expected = engine.check(cw.Consumer(**consumer), SATURDAY).to_dict()
    assert http.post("/v1/check", json={"consumer": consumer, "at": SATURDAY}).json() == expected


ZONES = ["Europe/Paris", "America/New_York", "Australia/Sydney", "Pacific/Chatham"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                       timezones=st.sampled_from([UTC, ZoneInfo("Europe/Paris")])),
       zones=st.lists(st.sampled_from(ZONES), min_size=0, max_size=2, unique=True),
       consent=st.booleans())
def test_the_server_decides_as_the_library_does(http: httpx.Client, at: datetime,
                                                zones: list[str], consent: bool) -> None:
    # A consumer with no history on either side: "p-" ids are never acquired.
    consumer = {"id": f"p-{'-'.join(zones)}-{consent}", "timezone": zones, "consent": consent}
    with cw.Engine(cw.presets.get("FR")) as engine:
        expected = engine.check(cw.Consumer(**consumer), at).to_dict()
    answer = http.post("/v1/check", json={"consumer": consumer, "at": at.isoformat()})
    assert answer.json() == expected


def test_check_without_consent_is_refused_for_good(http: httpx.Client) -> None:
    answer = http.post("/v1/check", json={"consumer": paris("c-noconsent", consent=False),
                                          "at": MONDAY}).json()
    assert answer["allowed"] is False
    assert answer["next_allowed_at"] is None
    assert [reason["code"] for reason in answer["reasons"]] == ["consent_required"]


def test_check_on_monday_morning_is_allowed(http: httpx.Client) -> None:
    answer = http.post("/v1/check", json={"consumer": paris("c-mon"), "at": MONDAY}).json()
    assert (answer["allowed"], answer["reasons"], answer["attempt_id"]) == (True, [], None)
    assert answer["at"] == "2026-11-23T09:00:00+00:00"


def test_acquire_counts_four_attempts_in_thirty_days(http: httpx.Client) -> None:
    consumer = paris("c-four")
    ids = []
    for minute in ("00", "05", "10", "15"):
        at = f"2026-11-23T10:{minute}:00+01:00"
        answer = http.post("/v1/acquire", json={"consumer": consumer, "at": at}).json()
        assert answer["allowed"] is True, answer
        ids.append(answer["attempt_id"])
    assert len(set(ids)) == 4
    assert all(isinstance(attempt_id, str) and attempt_id for attempt_id in ids)
    fifth = http.post("/v1/acquire", json={"consumer": consumer, "at": FRIDAY}).json()
    assert fifth["allowed"] is False
    assert fifth["attempt_id"] is None
    assert [reason["code"] for reason in fifth["reasons"]] == ["frequency_limit"]
    # Monday 23 November counts until Tuesday 22 December: Wednesday 23rd, 10:00 Paris.
    assert fifth["next_allowed_at"] == "2026-12-23T09:00:00+00:00"


def test_outcome_refusal_ends_the_calls(http: httpx.Client) -> None:
    consumer = paris("c-refuses")
    acquired = http.post("/v1/acquire", json={"consumer": consumer, "at": MONDAY}).json()
    answer = http.post("/v1/outcome", json={"attempt_id": acquired["attempt_id"],
                                            "outcome": "refusal"})
    assert answer.status_code == 200
    assert answer.json() == {"attempt_id": acquired["attempt_id"], "outcome": "refusal"}
    later = http.post("/v1/check", json={"consumer": consumer,
                                         "at": "2026-11-24T10:00:00+01:00"}).json()
    assert [reason["code"] for reason in later["reasons"]] == ["cooldown", "opted_out"]
    assert later["next_allowed_at"] is None


def test_record_then_forget(http: httpx.Client) -> None:
    consumer = paris("c-forget", phone="+33611111111")  # forget erases by number too
    for at in (MONDAY, MONDAY_1030):
        recorded = http.post("/v1/record", json={"consumer": consumer, "outcome": "no_answer",
                                                 "at": at})
        assert recorded.status_code == 200
        assert set(recorded.json()) == {"attempt_id"}
    assert http.post("/v1/forget", json={"consumer": consumer}).json() == {"forgotten": 2}
    assert http.post("/v1/forget", json={"consumer": consumer}).json() == {"forgotten": 0}


def test_next_after_saturday_is_monday_ten(http: httpx.Client) -> None:
    answer = http.post("/v1/next", json={"consumer": paris("c-next"), "after": SATURDAY})
    assert answer.json() == {"after": "2026-11-21T10:00:00+00:00",
                             "next_allowed_at": "2026-11-23T09:00:00+00:00"}


def test_windows_over_a_weekend(http: httpx.Client) -> None:
    answer = http.post("/v1/windows", json={"consumer": paris("c-windows"),
                                            "start": "2026-11-21T00:00:00+01:00",
                                            "end": "2026-11-24T00:00:00+01:00"})
    # Saturday and Sunday closed; Monday 10:00-13:00 and 14:00-20:00 Paris (UTC+1).
    assert answer.json() == {"windows": [
        {"start": "2026-11-23T09:00:00+00:00", "end": "2026-11-23T12:00:00+00:00"},
        {"start": "2026-11-23T13:00:00+00:00", "end": "2026-11-23T19:00:00+00:00"},
    ]}


def test_check_many_json_in_order(http: httpx.Client) -> None:
    consumers = [paris("m-1"), paris("m-2", consent=False), paris("m-3")]
    answer = http.post("/v1/check_many", params={"at": MONDAY_1030}, json=consumers)
    assert answer.status_code == 200
    decisions = answer.json()
    assert [(d["consumer_id"], d["allowed"], [r["code"] for r in d["reasons"]])
            for d in decisions] == [("m-1", True, []), ("m-2", False, ["consent_required"]),
                                    ("m-3", True, [])]
    assert {d["at"] for d in decisions} == {"2026-11-23T09:30:00+00:00"}


def test_check_many_json_answers_ndjson_when_asked(http: httpx.Client) -> None:
    answer = http.post("/v1/check_many", params={"at": SATURDAY}, json=[paris("n-1")],
                       headers={"Accept": "application/x-ndjson"})
    assert answer.headers["content-type"] == "application/x-ndjson"
    lines = answer.text.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["next_allowed_at"] == "2026-11-23T09:00:00+00:00"


def test_check_many_ndjson_streams_in_and_out(http: httpx.Client) -> None:
    count = 2500  # more than one batch of 1000

    def body() -> Iterator[bytes]:
        for index in range(count):
            consumer = paris(f"s-{index}", consent=index % 5 != 0)
            if index == 7:
                consumer["timezone"] = "Mars/Olympus"
            yield (json.dumps(consumer) + "\n").encode()

    with http.stream("POST", "/v1/check_many", params={"at": MONDAY_1030}, content=body(),
                     headers={"Content-Type": "application/x-ndjson"}) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/x-ndjson"
        lines = [json.loads(line) for line in answer.iter_lines() if line]
    assert len(lines) == count
    assert lines[7] == {"error": "invalid_input", "line": 8,
                        "message": "timezone: unknown time zone 'Mars/Olympus' (expected an "
                                   "IANA name such as 'Europe/Paris')",
                        "problems": [{"field": "timezone",
                                      "message": "unknown time zone 'Mars/Olympus' (expected "
                                                 "an IANA name such as 'Europe/Paris')"}]}
    decided = [line for line in lines if "error" not in line]
    assert [line["consumer_id"] for line in decided] == [
        f"s-{index}" for index in range(count) if index != 7]
    # Every fifth has no consent (index 0, 5, 10...): refused; the others allowed.
    assert sum(line["allowed"] for line in decided) == count - 1 - count // 5


def test_ndjson_blank_lines_are_skipped_and_a_last_line_without_newline_counts(
        http: httpx.Client) -> None:
    body = f"{json.dumps(paris('b-1'))}\n\n{json.dumps(paris('b-2'))}"
    answer = http.post("/v1/check_many", params={"at": MONDAY}, content=body,
                       headers={"Content-Type": "application/x-ndjson"})
    assert [json.loads(line)["consumer_id"] for line in answer.text.splitlines()] == [
        "b-1", "b-2"]


# -- presets, probes, docs -----------------------------------------------------------------


def test_presets_list_marks_those_in_use(http: httpx.Client) -> None:
    presets = {preset["id"]: preset for preset in http.get("/v1/presets").json()}
    assert set(presets) == set(cw.presets.ids())
    assert {key for key, preset in presets.items() if preset["active"]} == {
        "FR", "FR-optin-2026"}
    assert presets["FR"]["effective_from"] == "2023-03-01"


def test_preset_in_full(http: httpx.Client) -> None:
    fr = http.get("/v1/presets/FR").json()
    assert fr["hours"]["mon"] == ["10:00-13:00", "14:00-20:00"]
    assert fr["stack"] == ["FR-optin-2026"]
    assert fr["limits"][0]["max_attempts"] == 4


def test_unknown_preset_is_404(http: httpx.Client) -> None:
    answer = http.get("/v1/presets/XX")
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"
    assert answer.json()["problems"] == [{"field": "preset_id",
                                          "message": "unknown preset 'XX'"}]


def test_probes(http: httpx.Client) -> None:
    assert http.get("/healthz").json() == {"status": "ok"}
    assert http.get("/readyz").json() == {"status": "ready"}


def test_openapi_and_interactive_docs(http: httpx.Client) -> None:
    schema = http.get("/openapi.json").json()
    for path in ("/v1/check", "/v1/acquire", "/v1/outcome", "/v1/record", "/v1/forget",
                 "/v1/next", "/v1/windows", "/v1/check_many", "/v1/presets",
                 "/v1/presets/{preset_id}", "/healthz", "/readyz", "/metrics"):
        assert path in schema["paths"], path
    consumer = schema["components"]["schemas"]["Consumer"]["properties"]
    assert {"id", "phone", "timezone", "country", "region", "consent", "tags"} <= set(consumer)
    docs = http.get("/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"consumer": {"timezone": "Mars/Olympus"}}, "consumer.timezone",
     "unknown time zone 'Mars/Olympus' (expected an IANA name such as 'Europe/Paris')"),
    ({"consumer": paris("x"), "at": "2026-11-21T11:00:00"}, "at",
     "at: '2026-11-21T11:00:00' has no UTC offset; pass an aware datetime (e.g. with "
     "tzinfo=ZoneInfo('Europe/Paris')) or an ISO string with an offset"),
    ({"consumer": paris("x"), "at": "saturday"}, "at",
     "at: 'saturday' is not an ISO-8601 date-time"),
    ({"consumer": paris("x"), "when": SATURDAY}, "when", "Extra inputs are not permitted"),
    ({"consumer": {"phone": "+33612345678", "consent": "maybe"}}, "consumer.consent",
     "'maybe' is neither true/false nor a Consent"),
    ({"at": SATURDAY}, "consumer", "Field required"),
])
def test_bad_field_is_422_naming_it(http: httpx.Client, body: dict[str, Any], field: str,
                                    message: str) -> None:
    answer = http.post("/v1/check", json=body)
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_input"
    assert answer.json()["problems"] == [{"field": field, "message": message}]


def test_the_message_is_the_library_s(http: httpx.Client) -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'") as raised:
        cw.Consumer(timezone="Mars/Olympus")
    answer = http.post("/v1/check", json={"consumer": {"timezone": "Mars/Olympus"}}).json()
    assert answer["problems"][0]["message"] in str(raised.value)


def test_malformed_json_is_422(http: httpx.Client) -> None:
    answer = http.post("/v1/check", content=b'{"consumer": ',
                       headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["field"] == "body"
    assert answer.json()["problems"][0]["message"].startswith("not valid JSON")


def test_a_body_without_content_type_is_json_and_a_form_is_415(http: httpx.Client) -> None:
    body = json.dumps({"consumer": paris("ct"), "at": SATURDAY}).encode()
    bare = http.post("/v1/check", content=body, headers={"Content-Type": ""})
    assert bare.status_code == 200
    vendor = http.post("/v1/check", content=body,
                       headers={"Content-Type": "application/vnd.dialer+json; charset=utf-8"})
    assert vendor.status_code == 200
    form = http.post("/v1/check", content=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415
    assert form.json()["error"] == "unsupported_media_type"


def test_check_many_bad_consumer_names_its_index(http: httpx.Client) -> None:
    answer = http.post("/v1/check_many", params={"at": MONDAY},
                       json=[paris("ok"), {"phone": "+33612345678", "tags": "debt"}])
    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {"field": "[1].tags", "message": "Input should be a valid dictionary (got 'debt')"}]


def test_unknown_outcome_is_422_and_unknown_attempt_404(http: httpx.Client) -> None:
    bad = http.post("/v1/outcome", json={"attempt_id": "nope", "outcome": "hung_up"})
    assert bad.status_code == 422
    assert bad.json()["problems"] == [{"field": "outcome", "message": (
        "outcome: 'hung_up' is not one of pending, no_answer, busy, voicemail, conversation, "
        "refusal, opt_out, wrong_number")}]
    missing = http.post("/v1/outcome", json={"attempt_id": "nope", "outcome": "busy"})
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    assert missing.json()["problems"][0]["field"] == "attempt_id"


def test_windows_span_is_bounded(http: httpx.Client) -> None:
    answer = http.post("/v1/windows", json={"consumer": paris("w"),
                                            "start": "2026-01-01T00:00:00Z",
                                            "end": "2028-01-01T00:00:00Z"})
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["field"] == "end"


def test_body_over_the_limit_is_413(http: httpx.Client) -> None:
    answer = http.post("/v1/check_many", content=b"[" + b" " * 1_100_000 + b"]",
                       headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"


def test_unknown_path_and_method(http: httpx.Client) -> None:
    assert http.get("/v1/nothing").json()["error"] == "not_found"
    answer = http.get("/v1/check")
    assert answer.status_code == 405
    assert answer.json()["error"] == "method_not_allowed"


def test_a_bug_answers_500_without_a_traceback() -> None:
    class Broken:
        async def check(self, consumer: cw.Consumer, at: str | None) -> cw.Decision:
            raise RuntimeError("secret detail in a frame")

    app = create_app(ServeConfig(preset=("FR",)))
    app.state.server.engine = Broken()  # in this process: no lifespan, no subprocess

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/v1/check", json={"consumer": paris("bug")})

    answer = asyncio.run(ask())
    assert answer.status_code == 500
    assert answer.json() == {"error": "internal", "message": "internal error; the server "
                             "log has the cause", "problems": []}
    assert "Traceback" not in answer.text
    assert "secret" not in answer.text


# -- logs and metrics ------------------------------------------------------------------------


def test_one_log_line_per_decision_without_identifiers(http: httpx.Client,
                                                       server: CallwindowServer) -> None:
    http.post("/v1/check", json={"consumer": paris("c-log-secret"), "at": SATURDAY})
    time.sleep(0.2)
    lines = [line for line in server.log() if line["event"] == "decision"]
    assert lines, "no decision logged"
    last = lines[-1]
    assert (last["endpoint"], last["allowed"], last["codes"], last["policy_ids"]) == (
        "check", False, ["closed_day"], POLICIES)
    assert last["latency_ms"] >= 0
    text = server.log_path.read_text(encoding="utf-8")
    assert "c-log-secret" not in text
    assert "+33612345678" not in text


def test_log_identifiers_when_asked(tmp_path: Path) -> None:
    with CallwindowServer(["--preset", "FR", "--log-identifiers"], tmp_path).start() as fresh:
        httpx.post(fresh.url + "/v1/check", json={"consumer": paris("c-shown"), "at": MONDAY})
        time.sleep(0.2)
        line = next(line for line in fresh.log() if line["event"] == "decision")
    assert (line["consumer_id"], line["phone"], line["allowed"]) == (
        "c-shown", "+33612345678", True)


def decision_counts(client: httpx.Client) -> dict[tuple[str, str], float]:
    """``callwindow_decisions_total`` per (endpoint, allowed)."""
    counts: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == "callwindow_decisions_total":
                key = (sample.labels["endpoint"], sample.labels["allowed"])
                counts[key] = counts.get(key, 0) + sample.value
    return counts


def test_metrics_count_the_requests_made(tmp_path: Path) -> None:
    with CallwindowServer(["--preset", "FR"], tmp_path).start() as fresh, \
            httpx.Client(base_url=fresh.url) as http:
        for _ in range(3):
            http.post("/v1/check", json={"consumer": paris("c-m"), "at": SATURDAY})
        http.post("/v1/check", json={"consumer": paris("c-m"), "at": MONDAY})
        http.post("/v1/acquire", json={"consumer": paris("c-m"), "at": MONDAY})
        http.post("/v1/check_many", params={"at": MONDAY},
                  json=[paris("a"), paris("b", consent=False)])
        http.post("/v1/check", json={"consumer": {"timezone": "X"}})  # 422: not a decision
        assert decision_counts(http) == {("check", "false"): 3, ("check", "true"): 1,
                                         ("acquire", "true"): 1, ("check_many", "true"): 1,
                                         ("check_many", "false"): 1}
        metrics = http.get("/metrics").text
        assert ('callwindow_refusal_reasons_total{endpoint="check",policy="FR",'
                'reason="closed_day"} 3.0') in metrics
        assert ('callwindow_refusal_reasons_total{endpoint="check_many",'
                'policy="FR-optin-2026",reason="consent_required"} 1.0') in metrics
        # FR counts attempts: the acquire wrote once; the checks read (those the
        # calendar or consent settle may skip the ledger: 4 to 6 reads).
        assert 'callwindow_ledger_seconds_count{operation="check_and_record"} 1.0' in metrics
        reads = [line for line in metrics.splitlines()
                 if line.startswith('callwindow_ledger_seconds_count{operation="check"}')]
        assert len(reads) == 1
        assert 4 <= float(reads[0].split()[-1]) <= 6


def test_metrics_of_several_workers_add_up(tmp_path: Path) -> None:
    ledger = f"sqlite:///{tmp_path / 'attempts.db'}"
    with CallwindowServer(["--preset", "FR", "--ledger", ledger, "--workers", "2"],
                          tmp_path).start() as fresh:
        for _ in range(10):  # a new connection each time: both workers answer some
            httpx.post(fresh.url + "/v1/check", json={"consumer": paris("w"), "at": SATURDAY})
        assert decision_counts(httpx.Client(base_url=fresh.url)) == {("check", "false"): 10}


# -- auth and the address ------------------------------------------------------------------


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallwindowServer]:
    directory = tmp_path_factory.mktemp("serve-token")
    (directory / "token").write_text("s3cret-token-0123456789\n")
    with CallwindowServer(["--preset", "FR", "--token-file", str(directory / "token")],
                          directory).start() as running:
        yield running


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wrong-token-0123456789"},
    {"Authorization": "Basic czNjcmV0LXRva2VuLTAxMjM0NTY3ODk="},
    {"Authorization": "Bearer s3cret-token-012345678"},  # a prefix of the token
])
def test_without_the_token_401(token_server: CallwindowServer, headers: dict[str, str]) -> None:
    for method, path in (("POST", "/v1/check"), ("GET", "/v1/presets"), ("GET", "/metrics")):
        answer = httpx.request(method, token_server.url + path, headers=headers,
                               json={"consumer": paris("t"), "at": SATURDAY})
        assert answer.status_code == 401, path
        assert answer.json()["error"] == "unauthorized"
        assert answer.headers["www-authenticate"] == "Bearer"


def test_with_the_token_200(token_server: CallwindowServer) -> None:
    answer = httpx.post(token_server.url + "/v1/check",
                        headers={"Authorization": "Bearer s3cret-token-0123456789"},
                        json={"consumer": paris("t"), "at": SATURDAY})
    assert answer.status_code == 200
    assert answer.json()["next_allowed_at"] == "2026-11-23T09:00:00+00:00"


def test_probes_and_docs_need_no_token(token_server: CallwindowServer) -> None:
    for path in ("/healthz", "/readyz", "/openapi.json", "/docs"):
        assert httpx.get(token_server.url + path).status_code == 200, path
    schema = httpx.get(token_server.url + "/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def serve_error(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None
                ) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "callwindow", "serve", *args],
                          capture_output=True, text=True, timeout=60, cwd=cwd,
                          env={**os.environ, **(env or {})})
    return done.returncode, done.stderr.strip()


def test_a_public_address_needs_a_token() -> None:
    assert serve_error("--preset", "FR", "--host", "0.0.0.0") == (
        2, "error: host: '0.0.0.0' is not a loopback address; without --token-file the "
           "server listens on loopback only")


def test_config_errors_are_one_line(tmp_path: Path) -> None:
    assert serve_error() == (2, "error: preset: name at least one policy: --preset ID or "
                                "--policy FILE")
    assert serve_error("--preset", "XX")[1].startswith("error: preset: unknown preset 'XX'")
    assert serve_error("--preset", "FR", "--workers", "2") == (
        2, "error: workers: 2 workers would each keep their own in-memory ledger; give a "
           "shared --ledger (sqlite:///, redis://, postgresql://)")
    assert serve_error("--preset", "FR", "--ledger", "mysql://db/calls") == (
        2, "error: ledger URL 'mysql://db/calls': unknown scheme 'mysql' (expected memory://, "
           "sqlite:///, redis://, rediss://, unix:// or postgresql://)")
    (tmp_path / "short").write_text("abc")
    assert serve_error("--preset", "FR", "--token-file", str(tmp_path / "short")) == (
        2, f"error: token_file {tmp_path / 'short'}: the token has 3 characters; use at "
           f"least 16 (e.g. `openssl rand -hex 32`)")
    config = tmp_path / "serve.toml"
    config.write_text('preset = ["FR"]\nport = "eighty"\nbogus = 1\n')
    assert serve_error("--config", str(config)) == (
        2, f"error: config {config}: port: Input should be a valid integer, unable to parse "
           f"string as an integer; bogus: Extra inputs are not permitted")


def test_ledger_secret_file_keys_the_ledger_as_the_library_does(tmp_path: Path) -> None:
    key = tmp_path / "ledger.key"
    key.write_text("32 bytes of random key material.\n")
    url = f"sqlite:///{tmp_path / 'keyed.db'}"
    with CallwindowServer(["--preset", "FR", "--ledger", url, "--ledger-secret-file",
                           str(key)], tmp_path).start() as running:
        acquired = httpx.post(running.url + "/v1/acquire",
                              json={"consumer": paris("k-1"), "at": MONDAY}).json()
        assert acquired["allowed"] is True
    keyed = cw.ledger_from_url(url, secret=b"32 bytes of random key material.")
    with cw.Engine(cw.presets.get("FR"), ledger=keyed) as engine:
        # The Python dialer, with the same key, sees the server's attempt: 1 of 4.
        assert engine.forget(cw.Consumer(**paris("k-1"))) == 1
    keyed.close()
    database = b"".join(path.read_bytes() for path in tmp_path.glob("keyed.db*"))  # and -wal
    assert b"k-1" not in database
    assert b"+33612345678" not in database
    (tmp_path / "short.key").write_text("short")
    assert serve_error("--preset", "FR", "--ledger", url, "--ledger-secret-file",
                       str(tmp_path / "short.key")) == (
        2, f"error: ledger_secret_file {tmp_path / 'short.key'}: use at least 16 bytes of "
           f"key material for the HMAC")


def test_config_file_and_environment(tmp_path: Path) -> None:
    config = tmp_path / "serve.toml"
    config.write_text('preset = ["US-TCPA"]\nledger = "memory://"\nmax_batch = 2\n')
    env = {"CALLWINDOW_SERVE_CONFIG": str(config), "CALLWINDOW_PRESET": "FR",  # env wins over file
           "CALLWINDOW_LEDGER": f"sqlite:///{tmp_path / 'env.db'}"}
    with CallwindowServer([], tmp_path, env=env).start() as running:
        presets = httpx.get(running.url + "/v1/presets").json()
        assert {p["id"] for p in presets if p["active"]} == {"FR", "FR-optin-2026"}
        too_many = httpx.post(running.url + "/v1/check_many", json=[paris("1")] * 3)
        assert too_many.status_code == 413  # max_batch from the file
        acquired = httpx.post(running.url + "/v1/acquire",
                              json={"consumer": paris("e"), "at": MONDAY}).json()
        assert acquired["allowed"] is True
    assert (tmp_path / "env.db").exists()


# -- a ledger that dies, and shutdown ------------------------------------------------------


def test_redis_killed_mid_run_refuses_and_readyz_says_so(
        tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    from servers_redis import start_redis

    with start_redis(tmp_path_factory) as redis_server, \
            CallwindowServer(["--preset", "FR", "--ledger", redis_server.url],
                             tmp_path).start() as running, \
            httpx.Client(base_url=running.url, timeout=30) as http:
        consumer = paris("r-1")
        first = http.post("/v1/acquire", json={"consumer": consumer, "at": MONDAY}).json()
        assert first["allowed"] is True
        assert http.get("/readyz").status_code == 200

        redis_server.kill()
        down = http.post("/v1/acquire", json={"consumer": consumer, "at": MONDAY_1030})
        assert down.status_code == 200
        assert down.json()["allowed"] is False
        assert [reason["code"] for reason in down.json()["reasons"]] == ["ledger_unavailable"]
        assert down.json()["attempt_id"] is None
        ready = http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["error"] == "ledger_unavailable"
        record = http.post("/v1/record", json={"consumer": consumer, "outcome": "busy"})
        assert record.status_code == 503
        assert record.json()["error"] == "ledger_unavailable"
        assert "callwindow_ledger_errors_total" in http.get("/metrics").text

        redis_server.start()  # same port, same data
        assert http.get("/readyz").status_code == 200
        second = http.post("/v1/acquire", json={"consumer": consumer, "at": MONDAY_1030})
        assert second.json()["allowed"] is True


def test_sigterm_lets_a_request_in_flight_finish(tmp_path: Path) -> None:
    running = CallwindowServer(["--preset", "FR"], tmp_path).start()

    def chunk(consumer: dict[str, Any]) -> bytes:
        line = (json.dumps(consumer) + "\n").encode()
        return b"%x\r\n%s\r\n" % (len(line), line)

    with socket.create_connection(("127.0.0.1", running.port), timeout=20) as sock:
        sock.sendall(b"POST /v1/check_many?at=2026-11-23T10:00:00%2B01:00 HTTP/1.1\r\n"
                     b"Host: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n" + chunk(paris("g-1")))
        answer = b""
        while b'"g-1"' not in answer:  # the first decision streams back: in flight
            answer += sock.recv(65536)
        result: dict[str, int | None] = {}
        stopper = threading.Thread(target=lambda: result.update(code=running.stop()))
        stopper.start()
        deadline = time.monotonic() + 10
        while not any(line["event"] == "Shutting down" for line in running.log()):
            assert time.monotonic() < deadline, "no SIGTERM seen"
            time.sleep(0.05)
        sock.sendall(chunk(paris("g-2")) + b"0\r\n\r\n")  # the rest, after SIGTERM
        while not answer.endswith(b"0\r\n\r\n"):
            more = sock.recv(65536)
            assert more, "the server closed the connection mid-request"
            answer += more
    stopper.join(20)
    assert b'"g-2"' in answer
    assert result["code"] in (0, -signal.SIGTERM)  # uvicorn re-raises the signal when done
    assert [line["event"] for line in running.log() if line["logger"] == "callwindow.server"
            ][-1] == "stopped"


# -- clients in other languages --------------------------------------------------------------


def test_curl_client(server: CallwindowServer) -> None:
    require_binary("curl", "apt-get install -y curl")
    env = {**os.environ, "CALLWINDOW_URL": server.url}
    refused = subprocess.run(["sh", str(EXAMPLES / "check.sh"), "+33612345678", SATURDAY,
                              "consent"], capture_output=True, text=True, env=env, timeout=30)
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["next_allowed_at"] == "2026-11-23T09:00:00+00:00"
    allowed = subprocess.run(["sh", str(EXAMPLES / "check.sh"), "+33612345678", MONDAY,
                              "consent"], capture_output=True, text=True, env=env, timeout=30)
    assert allowed.returncode == 0
    down = subprocess.run(["sh", str(EXAMPLES / "check.sh"), "+33612345678"],
                          capture_output=True, text=True, timeout=30,
                          env={**env, "CALLWINDOW_URL": "http://127.0.0.1:9"})
    assert down.returncode == 2


def test_node_client(server: CallwindowServer) -> None:
    node = require_binary("node", "apt-get install -y nodejs")  # CI: fail, not skip
    env = {**os.environ, "CALLWINDOW_URL": server.url}
    refused = subprocess.run([node, str(EXAMPLES / "client.mjs"), "+33699999999", SATURDAY],
                             capture_output=True, text=True, env=env, timeout=30)
    assert (refused.returncode, refused.stdout) == (
        1, "refused closed_day next=2026-11-23T09:00:00+00:00\n")
    allowed = subprocess.run([node, str(EXAMPLES / "client.mjs"), "+33699999999", MONDAY],
                             capture_output=True, text=True, env=env, timeout=30)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    first, second = allowed.stdout.splitlines()
    assert first.startswith("allowed attempt=")
    assert second == "outcome no_answer recorded"


def test_perl_agi_script(server: CallwindowServer) -> None:
    perl = require_binary("perl", "apt-get install -y perl")  # JSON::PP, HTTP::Tiny: core
    # What Asterisk writes: the AGI environment, a blank line, then a reply per command.
    agi_input = ("agi_request: agi_check.pl\nagi_channel: SIP/trunk-00000001\n"
                 "agi_extension: +33688888888\n\n" + "200 result=1\n" * 4)

    def agi(*args: str, url: str = server.url) -> list[str]:
        done = subprocess.run([perl, str(EXAMPLES / "agi_check.pl"), *args], input=agi_input,
                              capture_output=True, text=True, timeout=30,
                              env={**os.environ, "CALLWINDOW_URL": url})
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    assert agi("+33688888888", SATURDAY) == [
        'SET VARIABLE CW_ALLOWED "0"', 'SET VARIABLE CW_ATTEMPT ""',
        'SET VARIABLE CW_NEXT "2026-11-23T09:00:00+00:00"',
        'SET VARIABLE CW_REASONS "closed_day"']
    allowed = agi("+33688888888", MONDAY)
    assert allowed[0] == 'SET VARIABLE CW_ALLOWED "1"'
    assert allowed[1].startswith('SET VARIABLE CW_ATTEMPT "')
    assert allowed[1] != 'SET VARIABLE CW_ATTEMPT ""'  # an attempt id to report to
    assert agi("+33688888888", url="http://127.0.0.1:9")[::3] == [
        'SET VARIABLE CW_ALLOWED "0"', 'SET VARIABLE CW_REASONS "server_unavailable"']


# -- docs/server.md: every request shown, and its answer -----------------------------------

DOCS = ROOT / "docs" / "server.md"
_BLOCK = r"```(\w+)\n(.*?)```"
_ELIDED = "…"


def _elide_sources(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _ELIDED if key == "source" and value else _elide_sources(value)
                for key, value in data.items()}
    if isinstance(data, list):
        return [_elide_sources(item) for item in data]
    return data


def _parsed(text: str) -> Any:
    """A JSON document, or NDJSON as a list of documents."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def _same(expected: Any, actual: Any, ids: dict[str, str]) -> bool:
    """Equal, but for attempt ids: each id in the docs stands for one id of this run."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if expected.keys() != actual.keys():
            return False
        for key in expected:
            if key == "attempt_id" and isinstance(expected[key], str) and isinstance(
                    actual[key], str) and ids.setdefault(expected[key], actual[key]) == actual[key]:
                continue
            if not _same(expected[key], actual[key], ids):
                return False
        return True
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            _same(e, a, ids) for e, a in zip(expected, actual, strict=True))
    return bool(expected == actual)


def _render(kind: str, output: str) -> str:
    """An answer as the page shows it: JSON indented, NDJSON a line each, sources elided."""
    if kind == "text":
        return output
    try:
        data = json.loads(output)
    except json.JSONDecodeError:
        return "".join(json.dumps(_elide_sources(json.loads(line)), ensure_ascii=False) + "\n"
                       for line in output.splitlines() if line.strip())
    return json.dumps(_elide_sources(data), indent=2, ensure_ascii=False) + "\n"


def test_docs_server_page_shows_real_answers(tmp_path: Path) -> None:
    """Set CALLWINDOW_WRITE_DOCS=1 to write the answers into the page (then read them!)."""
    require_binary("curl", "apt-get install -y curl")
    text = DOCS.read_text(encoding="utf-8")
    blocks = [(match.start(2), match.end(2), match.group(1), match.group(2))
              for match in re.finditer(_BLOCK, text, flags=re.DOTALL)]
    serve = next(line for _, _, kind, body in blocks if kind == "bash"
                 for line in body.splitlines() if line.startswith("callwindow serve"))
    args = serve.split()[2:]
    args = [f"sqlite:///{tmp_path / 'attempts.db'}" if arg == "sqlite:///attempts.db" else arg
            for arg in args]
    pairs = [(blocks[i], blocks[i + 1]) for i in range(len(blocks) - 1)
             if blocks[i][2] == "bash" and "http://127.0.0.1:8787" in blocks[i][3]
             and blocks[i + 1][2] in ("json", "text")]
    assert len(pairs) == 17  # every request shown on the page
    write = os.environ.get("CALLWINDOW_WRITE_DOCS") == "1"
    ids: dict[str, str] = {}
    edits: list[tuple[int, int, str]] = []
    with CallwindowServer(args, tmp_path).start() as running:
        for (_, _, _, command), (start, end, kind, expected) in pairs:
            for doc_id, real_id in ids.items():
                command = command.replace(doc_id, real_id)
            done = subprocess.run(["sh", "-c", command.replace("http://127.0.0.1:8787",
                                                               running.url)],
                                  capture_output=True, text=True, timeout=30)
            assert done.returncode == 0, (command, done.stderr)
            if write:
                rendered = _render(kind, done.stdout)
                edits.append((start, end, rendered))
                if '"attempt_id": "' in rendered and "ATTEMPT" not in ids:
                    ids["ATTEMPT"] = _parsed(done.stdout)["attempt_id"]  # the first acquire
                continue
            if kind == "text":
                assert set(expected.splitlines()) <= set(done.stdout.splitlines()), command
            else:
                actual = _elide_sources(_parsed(done.stdout))
                assert _same(_parsed(expected), actual, ids), (command, done.stdout)
    if write:
        for start, end, rendered in reversed(edits):
            text = text[:start] + rendered + text[end:]
        DOCS.write_text(text.replace("ATTEMPT", ids.get("ATTEMPT", "ATTEMPT")),
                        encoding="utf-8")
