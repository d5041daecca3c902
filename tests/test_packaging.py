"""The wheel a user installs: its version, its licence, its links.

The wheel is built with hatchling, the project's build backend, straight from
this checkout (no network, no isolation), and read back as an installer would.
"""

from __future__ import annotations

import tomllib
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest

import callwindow as cw

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    builders = pytest.importorskip("hatchling.builders.wheel")
    out = tmp_path_factory.mktemp("wheel")
    (path,) = builders.WheelBuilder(str(ROOT)).build(directory=str(out), versions=["standard"])
    return zipfile.ZipFile(path)


def _metadata(wheel: zipfile.ZipFile) -> Message:
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return Parser().parsestr(wheel.read(name).decode("utf-8"))


def test_the_version_is_written_once_in_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/callwindow/__init__.py"


def test_the_wheel_carries_the_package_version(wheel: zipfile.ZipFile) -> None:
    assert _metadata(wheel)["Version"] == cw.__version__
    assert Path(wheel.filename or "").name == f"callwindow-{cw.__version__}-py3-none-any.whl"


def test_the_wheel_ships_the_mit_licence(wheel: zipfile.ZipFile) -> None:
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
    text = wheel.read(name).decode("utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 callwindow developers\n")
    assert "Permission is hereby granted, free of charge" in text
    assert _metadata(wheel)["License-Expression"] == "MIT"


def test_the_wheel_links_home_docs_changelog_and_issues(wheel: zipfile.ZipFile) -> None:
    urls = dict(
        entry.split(", ", 1) for entry in _metadata(wheel).get_all("Project-URL") or []
    )
    assert urls == {
        "Homepage": "https://github.com/callwindow/callwindow",
        "Documentation": "https://callwindow.github.io/callwindow/",
        "Changelog": "https://github.com/callwindow/callwindow/blob/main/CHANGELOG.md",
        "Issues": "https://github.com/callwindow/callwindow/issues",
    }


def test_the_wheel_ships_the_presets_and_the_type_marker(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "callwindow/py.typed" in names
    assert {"callwindow/presets/FR.yaml", "callwindow/presets/AU.yaml"} <= names
