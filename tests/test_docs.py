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


def _python_blocks() -> list[tuple[str, int, str]]:
    """Every python block of docs/, but the CRM example's modules (run as files above)."""
    found = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"),
                            flags=re.DOTALL)
        found += [(page.name, index, block) for index, block in enumerate(blocks)
                  if not block.startswith(("# crm_sync.py", "# test_crm_sync.py"))]
    return found


@pytest.mark.parametrize(("page", "index", "block"), _python_blocks(),
                         ids=[f"{page}-{index}" for page, index, _ in _python_blocks()])
def test_every_python_block_in_the_docs_runs(page: str, index: int, block: str,
                                             tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # files a block writes (attempts.db) land here
    exec(compile(block, f"docs/{page}", "exec"), {"__name__": f"docs_{index}"})
