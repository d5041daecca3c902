"""The NANP area-code table: current with phonenumbers, right by hand, and cheap.

``src/callwindow/data/nanp_regions.tsv`` is generated from phonenumbers'
geocoder by ``scripts/gen_area_codes.py`` so that a check never imports the
geocoder (the whole world's place names, about 100 MB).  Expected regions are
written by hand from the North American Numbering Plan's assignments.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from callwindow import _zones

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_area_codes",
                                                  ROOT / "scripts" / "gen_area_codes.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_table_is_what_the_installed_phonenumbers_gives() -> None:
    generator = _generator()
    shipped = (ROOT / "src" / "callwindow" / "data" / "nanp_regions.tsv").read_text(
        encoding="utf-8")
    assert shipped == generator.render(), (
        "nanp_regions.tsv drifted from phonenumbers: run python scripts/gen_area_codes.py")


@pytest.mark.parametrize(("phone", "regions"), [
    ("+13055550123", ("FL",)),        # 305: Miami
    ("+12125550123", ("NY",)),        # 212: Manhattan
    ("+12065550123", ("WA",)),        # 206: Seattle
    ("+12025550123", ("DC",)),        # 202: Washington, D.C.
    ("+14165550123", ("ON",)),        # 416: Toronto
    ("+16045550123", ("BC",)),        # 604: Vancouver
    ("+15145550123", ("QC",)),        # 514: Montreal
    ("+19025550123", ("NS", "PE")),   # 902: Nova Scotia and Prince Edward Island
    ("+18675550123", ("NT", "NU", "YT")),  # 867: the three territories
    ("(305) 555-0123", ("FL",)),      # national format, default country US
    ("+33612345678", ()),             # not NANP
    ("+12425550123", ()),             # 242: the Bahamas, no state or province
])
def test_area_codes_place_numbers_in_their_states_and_provinces(
        phone: str, regions: tuple[str, ...]) -> None:
    assert _zones.regions_for_phone(phone, "US") == regions


def test_a_us_check_never_imports_the_geocoder() -> None:
    # A Miami number under the US preset: Florida's rules reach it by area code,
    # which needs the area code's state, without phonenumbers.geodata.
    script = textwrap.dedent("""
        import sys
        import callwindow as cw

        engine = cw.Engine(cw.presets.get("US"))
        miami = cw.Consumer(id="m", phone="+13055550123")
        decision = engine.check(miami, "2026-11-09T20:30:00-05:00")
        assert miami.phone_regions == ("FL",), miami.phone_regions
        assert "US-FL" in decision.policy_ids, decision.policy_ids
        assert "phonenumbers.geodata" not in sys.modules
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
