"""The README's quickstart runs as written and says what it claims."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import callwindow as cw

ROOT = Path(__file__).resolve().parent.parent


def test_readme_quickstart_runs_and_its_comments_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, "the README has a python quickstart"
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    decision = namespace["decision"]
    assert decision.allowed is False
    assert decision.reasons[0].code is cw.ReasonCode.CLOSED_DAY
    assert decision.next_allowed_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_readme_ledger_example_runs_and_its_comments_hold(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first, second = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)[:2]
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {}
    exec(compile(first, "README.md", "exec"), namespace)
    monkeypatch.chdir(tmp_path)  # the example's attempts.db is written here
    exec(compile(second, "README.md", "exec"), namespace)
    call, later = namespace["call"], namespace["later"]
    assert call.allowed is True
    assert call.attempt_id
    assert later.reasons[0].code is cw.ReasonCode.COOLDOWN
    # Refused on Monday 23 November: 24 Nov .. 22 Jan are the 60 full days;
    # Saturday 23 January is closed, so Monday 25 January 10:00 Paris.
    assert later.next_allowed_at == datetime(2027, 1, 25, 9, 0, tzinfo=UTC)
    assert (tmp_path / "attempts.db").exists()
    assert namespace["shared"].check(namespace["consumer"], "2026-12-01T10:30:00+01:00").allowed


def test_policies_doc_stacking_example_runs() -> None:
    text = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)[0]
    namespace: dict[str, Any] = {}
    exec(compile(block, "docs/policies.md", "exec"), namespace)
    engine = namespace["engine"]
    paris = cw.Consumer(id="c", phone="+33612345678", consent=True)
    # Tuesday 24 November 2026, 19:30 Paris: the decree allows until 20:00,
    # the house rule only until 19:00.
    decision = engine.check(paris, "2026-11-24T19:30:00+01:00")
    assert [reason.policy_id for reason in decision.reasons] == ["acme-house-rules"]


def test_readme_testing_example_passes() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)[2]
    namespace: dict[str, Any] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    namespace["test_a_contact_in_rome_is_not_called_on_8_december"]()
