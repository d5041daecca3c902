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
