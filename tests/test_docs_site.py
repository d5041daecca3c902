"""The documentation site builds cleanly, and its API reference shows the documented surface."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def api_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    pytest.importorskip("mkdocstrings_handlers.python")
    site = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert build.returncode == 0, build.stdout + build.stderr
    return (site / "api" / "index.html").read_text(encoding="utf-8")


def _members(page: str, cls: str) -> set[str]:
    return set(re.findall(rf'id="callwindow\.{cls}\.(\w+)"', page))


def test_policy_shows_its_own_methods_not_pydantics(api_page: str) -> None:
    assert _members(api_page, "Policy") == {
        "from_file", "model_validate", "in_force_on", "applies", "with_blackouts",
    }


def test_consumer_shows_its_own_properties_not_pydantics(api_page: str) -> None:
    assert _members(api_page, "Consumer") == {
        "candidate_zones", "e164", "phone_country", "phone_regions",
    }


def test_no_pydantic_machinery_or_private_base_anywhere_on_the_page(api_page: str) -> None:
    text = re.sub(r"<[^>]+>", "", api_page)
    for name in ("model_copy", "model_dump", "model_validate_json", "model_fields",
                 "_Frozen", "plan_key"):
        assert name not in text, name
