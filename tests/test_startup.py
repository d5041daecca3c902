"""What a fresh process imports: nothing before it is needed.

Processes that shell out per call pay for every import (the figures are in
``docs/performance.md``, measured by ``benchmarks/bench_startup.py``; no test
here is timed).  Each case runs in a subprocess and lists the modules it
must not have loaded.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import callwindow as cw
import callwindow.testing

CHECK_FR = ("check", "--preset", "FR", "--phone", "+33612345678", "--consent",
            "--at", "2026-11-23T10:30:00+01:00")


def loaded_after(code: str) -> set[str]:
    """The modules in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    script = code + "\nimport sys\nprint('\\n'.join(sys.modules), file=sys.stderr)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    return set(result.stderr.split())


def test_importing_callwindow_loads_none_of_its_dependencies() -> None:
    loaded = loaded_after("import callwindow")
    for module in ("callwindow._engine", "callwindow._models", "callwindow.presets",
                   "callwindow.cli", "pydantic", "pendulum", "phonenumbers", "holidays",
                   "yaml", "click", "rich", "matplotlib"):
        assert module not in loaded


def test_the_pytest_plugin_imports_no_engine_until_a_fixture_is_used() -> None:
    loaded = loaded_after("import pytest\nimport callwindow.testing._plugin")
    assert "callwindow.testing._plugin" in loaded
    for module in ("callwindow._engine", "callwindow._models", "callwindow.testing._kit",
                   "pydantic", "phonenumbers", "holidays"):
        assert module not in loaded


def test_a_check_loads_neither_the_calendar_command_nor_matplotlib_nor_the_geocoder() -> None:
    loaded = loaded_after(textwrap.dedent(f"""
        from callwindow.cli import main
        assert main({list(CHECK_FR)!r}) == 0
    """))
    assert "callwindow._engine" in loaded
    for module in ("callwindow.cli._calendar", "matplotlib", "phonenumbers.geodata",
                   # the package's ~250 countries; a check loads France's module alone
                   "holidays.countries", "holidays.countries.germany"):
        assert module not in loaded


def test_one_countrys_holidays_leave_the_holidays_package_as_it_was() -> None:
    # France's module is loaded on its own; a program that then imports the
    # package's countries gets them whole, and the same holidays from both.
    script = textwrap.dedent("""
        import sys
        from datetime import date
        from callwindow import _holidays
        france = _holidays.public_holidays("FR", None, 2026)
        assert "holidays.countries" not in sys.modules
        assert sorted(france) == [date(2026, 1, 1), date(2026, 4, 6), date(2026, 5, 1),
                                  date(2026, 5, 8), date(2026, 5, 14), date(2026, 5, 25),
                                  date(2026, 7, 14), date(2026, 8, 15), date(2026, 11, 1),
                                  date(2026, 11, 11), date(2026, 12, 25)], france
        import holidays.countries.france
        assert holidays.countries.france.France.__name__ == "France"
        assert holidays.countries.Germany.__name__ == "Germany"
        assert dict(holidays.country_holidays("FR", years=2026)) == dict(france)
        # Epiphany is a public holiday in Bavaria, not in Berlin
        assert date(2026, 1, 6) in _holidays.public_holidays("DE", "BY", 2026)
        assert date(2026, 1, 6) not in _holidays.public_holidays("DE", "BE", 2026)
        print("done")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "done\n"


@pytest.mark.parametrize("package", [cw, callwindow.testing])
def test_every_public_name_of_a_lazy_package_resolves(package: object) -> None:
    names = package.__all__  # type: ignore[attr-defined]
    assert names
    for name in names:
        assert getattr(package, name) is not None
        assert name in dir(package)
    missing = "nothing_here"
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        getattr(package, missing)


def test_the_lazy_names_are_the_public_names() -> None:
    assert set(cw._HOMES) == set(cw.__all__)
    assert cw.Engine.__name__ == "Engine"
    assert cw.PolicyError.__module__ == "callwindow"
    assert callwindow.testing.FrozenClock.__name__ == "FrozenClock"


def test_the_command_run_as_the_program_spares_the_collector_its_imports() -> None:
    # The console script calls main() with no argv: the objects the imports made
    # are frozen (never walked again), the collector is on for what comes after.
    script = textwrap.dedent(f"""
        import gc, sys
        sys.argv = ["callwindow", *{list(CHECK_FR)!r}]
        from callwindow.cli import main
        assert gc.get_freeze_count() == 0
        assert main() == 0
        assert gc.isenabled()
        assert "pydantic" in sys.modules
        assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()
        print("done", file=sys.stderr)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "done\n"


def test_a_caller_passing_argv_keeps_its_collector_as_it_was() -> None:
    script = textwrap.dedent(f"""
        import gc, sys
        from callwindow.cli import main
        assert main({list(CHECK_FR)!r}) == 0
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0, gc.get_freeze_count()
        gc.disable()
        assert main({list(CHECK_FR)!r}) == 0
        assert not gc.isenabled()
        sys.argv = ["callwindow", *{list(CHECK_FR)!r}]
        assert main() == 0
        assert not gc.isenabled() and gc.get_freeze_count() == 0
        print("done", file=sys.stderr)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "done\n"
