"""docs/testing.md's worked example runs as an integrator would run it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ["pytester"]


def test_the_crm_example_passes_with_only_the_installed_plugin(
        pytester: pytest.Pytester) -> None:
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    sync, tests = blocks[0], blocks[1]
    assert sync.startswith("# crm_sync.py")
    assert tests.startswith("# test_crm_sync.py")
    pytester.makepyfile(crm_sync=sync, test_crm_sync=tests)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
