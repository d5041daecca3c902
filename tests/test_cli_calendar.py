"""``callwindow calendar``: the week grid's data, the terminal and the pictures."""

from __future__ import annotations

import io
import re
import sys
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("click")
pytest.importorskip("rich")

from click.testing import CliRunner, Result
from rich.console import Console

import callwindow as cw
from callwindow.cli._calendar import (
    Day,
    Grid,
    ImageError,
    calendar_command,
    governing_zone,
    render_image,
    render_terminal,
    slot_minutes,
    week_grid,
)
from callwindow.testing import policy

FR_WEEK = ["--preset", "FR", "--phone", "+33612345678", "--consent",
           "--from", "2026-12-21", "--days", "7"]
# Code de la consommation D223-9: Monday to Friday 10:00-13:00 and 14:00-20:00,
# no Saturday, Sunday or public holiday; 25 December 2026 is a Friday.
D223_9 = ((600, 780), (840, 1200))


@pytest.fixture(scope="module")
def fr_grid() -> Grid:
    engine = cw.Engine(cw.presets.get("FR"))
    consumer = cw.Consumer(phone="+33612345678", consent=True)
    return week_grid(engine, consumer, date(2026, 12, 21), 7)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(calendar_command, list(args))


def assert_one_line_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]


# -- the data ----------------------------------------------------------------------


def test_the_fr_christmas_week_by_hand(fr_grid: Grid) -> None:
    assert fr_grid.zone == "Europe/Paris"
    assert fr_grid.zones == ("Europe/Paris",)
    assert fr_grid.policies == ("FR",)
    assert fr_grid.notes == ()
    assert fr_grid.days == (
        Day(date(2026, 12, 21), D223_9),
        Day(date(2026, 12, 22), D223_9),
        Day(date(2026, 12, 23), D223_9),
        Day(date(2026, 12, 24), D223_9),
        Day(date(2026, 12, 25), (), "Christmas Day"),
        Day(date(2026, 12, 26), ()),
        Day(date(2026, 12, 27), ()),
    )
    assert fr_grid.days[0].open_minutes == 9 * 60


def test_without_consent_everything_is_closed_and_the_note_says_why() -> None:
    engine = cw.Engine(cw.presets.get("FR"))
    grid = week_grid(engine, cw.Consumer(phone="+33612345678"), date(2026, 12, 21), 2)
    assert all(day.open == () for day in grid.days)
    assert len(grid.notes) == 1
    assert "consent" in grid.notes[0]


def test_several_zones_are_drawn_on_the_consumers_own_zone() -> None:
    # 850 is Central and Eastern; with a Pacific address, 08:00-21:00 everywhere is
    # 08:00 (Pacific) to 18:00 (21:00 Eastern) on the consumer's own, Pacific, clock.
    engine = cw.Engine(policy("08:00-21:00", days="mon-sun"))
    consumer = cw.Consumer(phone="+18505550123", timezone="America/Los_Angeles")
    grid = week_grid(engine, consumer, date(2026, 11, 23), 1)
    assert grid.zone == "America/Los_Angeles"
    assert grid.zones == ("America/Chicago", "America/Los_Angeles", "America/New_York")
    assert grid.days == (Day(date(2026, 11, 23), ((480, 1080),)),)
    assert grid.caption == (
        "local time in America/Los_Angeles, the consumer's zone; open only when every "
        "candidate zone allows (America/Chicago, America/Los_Angeles, America/New_York)")


def test_an_australian_mobile_with_a_sydney_address_is_drawn_in_sydney() -> None:
    # Not Adelaide, the first of the mobile's zones alphabetically.  The mobile
    # places them only in Australia, so beside a Sydney zone it adds nothing
    # (ranked evidence): 09:00-20:00 on the Sydney clock.  Under the strict union
    # a mobile may be anywhere: 13:30 (09:00 Perth, UTC+8, in November) to 20:00.
    consumer = cw.Consumer(phone="+61412345678", timezone="Australia/Sydney")
    ranked = week_grid(cw.Engine(policy("09:00-20:00", days="mon-sun")), consumer,
                       date(2026, 11, 23), 1)
    assert ranked.zone == "Australia/Sydney"
    assert ranked.zones == ("Australia/Sydney",)
    assert ranked.days == (Day(date(2026, 11, 23), ((540, 1200),)),)
    strict = week_grid(cw.Engine(policy("09:00-20:00", days="mon-sun"),
                                 zone_evidence="strict"), consumer, date(2026, 11, 23), 1)
    assert strict.zone == "Australia/Sydney"
    assert strict.days == (Day(date(2026, 11, 23), ((810, 1200),)),)


def test_without_a_zone_of_their_own_the_most_restrictive_one_governs() -> None:
    # The same hours in Chicago and New York allow as long in each: the tie goes to
    # the clock furthest ahead, New York, where 08:00-21:00 in both is 09:00-21:00.
    engine = cw.Engine(policy("08:00-21:00", days="mon-sun"))
    consumer = cw.Consumer(phone="+18505550123")
    assert governing_zone(engine, consumer, date(2026, 11, 23), 1) == (
        "America/New_York", "the most restrictive candidate zone")
    grid = week_grid(engine, consumer, date(2026, 11, 23), 1)
    assert grid.days == (Day(date(2026, 11, 23), ((540, 1260),)),)
    assert grid.caption.startswith(
        "local time in America/New_York, the most restrictive candidate zone; ")
    # One zone: nothing to say about the choice.
    paris = cw.Consumer(phone="+33612345678")
    assert governing_zone(engine, paris, date(2026, 11, 23), 1) == ("Europe/Paris", "")


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)])
def test_dst_days_keep_wall_clock_ends(day: date) -> None:
    # Paris springs forward on 29 March 2026 and falls back on 25 October 2026.
    engine = cw.Engine(policy({"sun": ["01:00-04:00", "22:00-24:00"]}))
    grid = week_grid(engine, cw.Consumer(timezone="Europe/Paris"), day, 1)
    assert grid.days[0].open == ((60, 240), (1320, 1440))


def test_a_region_adds_its_holidays() -> None:
    # Moselle (57) keeps 26 December (Code du travail L3134-13).
    engine = cw.Engine(cw.presets.get("FR"))
    consumer = cw.Consumer(phone="+33612345678", region="57", consent=True)
    grid = week_grid(engine, consumer, date(2026, 12, 25), 2)
    assert grid.days[0].holiday == "Christmas Day"
    assert grid.days[1].holiday is not None


def test_no_zone_and_bad_day_counts_raise() -> None:
    engine = cw.Engine(cw.presets.get("FR"))
    with pytest.raises(ValueError, match="no time zone"):
        week_grid(engine, cw.Consumer(phone="not a number"), date(2026, 12, 21), 7)
    with pytest.raises(ValueError, match="1 to 31"):
        week_grid(engine, cw.Consumer(timezone="Europe/Paris"), date(2026, 12, 21), 32)


# -- the terminal ------------------------------------------------------------------


def test_terminal_grid_names_the_holiday_and_the_zone(fr_grid: Grid) -> None:
    out = io.StringIO()
    render_terminal(fr_grid, Console(file=out, width=120, color_system=None))
    text = out.getvalue()
    assert "Christmas Day" in text
    assert "Europe/Paris" in text
    assert "10:00-13:00 14:00-20:00" in text
    assert slot_minutes(fr_grid) == 60
    monday = next(line for line in text.splitlines() if "Mon 21 Dec" in line)
    assert "··········███·██████····" in monday  # one column per hour


def test_half_hour_windows_get_half_hour_columns() -> None:
    grid = Grid("Europe/Paris", ("Europe/Paris",), ("p",),
                (Day(date(2026, 12, 21), ((510, 615),)),))
    assert slot_minutes(grid) == 30
    out = io.StringIO()
    render_terminal(grid, Console(file=out, width=120, color_system=None))
    assert "·" * 17 + "███▒" + "·" * 27 in out.getvalue()


def test_the_command_prints_the_grid() -> None:
    result = invoke(*FR_WEEK)
    assert result.exit_code == 0, result.output
    assert "Christmas Day" in result.stdout
    assert "Europe/Paris" in result.stdout


# -- the pictures --------------------------------------------------------------------


def test_png_has_the_size_asked_and_is_not_blank(fr_grid: Grid, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib.image
    import numpy as np

    path = render_image(fr_grid, tmp_path / "week.png", "FR week", size=(900, 500))
    assert path.stat().st_size > 0
    pixels = matplotlib.image.imread(path)
    assert pixels.shape[:2] == (500, 900)
    assert len(np.unique(pixels.reshape(-1, pixels.shape[2]), axis=0)) > 1


def test_svg_and_html(fr_grid: Grid, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    svg = render_image(fr_grid, tmp_path / "week.svg").read_text(encoding="utf-8")
    assert "<svg" in svg
    assert "Christmas Day" in svg
    page = render_image(fr_grid, tmp_path / "week.html", "FR <week>").read_text(
        encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page
    assert "<title>FR &lt;week&gt;</title>" in page


def test_the_command_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "fr.png"
    result = invoke(*FR_WEEK, "--output", str(target), "--size", "800x400")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {target}"
    assert target.read_bytes().startswith(b"\x89PNG")


def test_without_matplotlib_one_line_names_the_extra(
        fr_grid: Grid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImageError, match=r"callwindow\[plot\]"):
        render_image(fr_grid, tmp_path / "week.png")
    result = invoke(*FR_WEEK, "--output", str(tmp_path / "week.svg"))
    assert_one_line_error(result, "callwindow[plot]")
    assert not (tmp_path / "week.svg").exists()


# -- errors ------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "words"), [
    (["--preset", "FR", "--timezone", "Europe/Paris", "--from", "2026-12-32"],
     ["--from", "2026-12-32"]),
    (["--preset", "FR", "--timezone", "Europe/Paris", "--from", "21/12/2026"],
     ["--from"]),
    (["--preset", "XX", "--timezone", "Europe/Paris"], ["unknown preset 'XX'"]),
    (["--preset", "FR", "--phone", "garbage"], ["no time zone"]),
    (["--preset", "FR", "--timezone", "Mars/Olympus"], ["Mars/Olympus"]),
    (["--timezone", "Europe/Paris"], ["--preset"]),
    (["--preset", "FR", "--timezone", "Europe/Paris", "--days", "0"], ["--days"]),
    (["--preset", "FR", "--timezone", "Europe/Paris", "--days", "week"], ["--days"]),
    (["--preset", "FR", "--timezone", "Europe/Paris", "--output", "x.pdf"], ["--output"]),
    (["--preset", "FR", "--timezone", "Europe/Paris", "--size", "big"], ["--size"]),
    (["--policy", "no/such/file.yaml", "--timezone", "Europe/Paris"], ["file.yaml"]),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], words: list[str]) -> None:
    assert_one_line_error(invoke(*args), *words)


def test_every_colour_has_its_key_and_grey_means_closed_all_day_only(
        tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    grey, pink = "#e9e9e9", "#fbe3e3"
    # An open weekend (the +1 850 complaint): no grey row, no grey key.
    open_weekend = Grid("America/New_York", ("America/New_York",), ("p",), (
        Day(date(2026, 11, 28), ((540, 1260),)), Day(date(2026, 11, 29), ((540, 1260),))))
    svg = render_image(open_weekend, tmp_path / "open.svg").read_text(encoding="utf-8")
    assert "calls allowed" in svg
    assert "no calls (outside the hours)" in svg
    assert "closed all day" not in svg
    # Filled: white, the green bars and their key, the caption's text.  No shading.
    assert set(re.findall(r"fill: ?(#[0-9a-f]{6})", svg)) == {"#ffffff", "#2e9d57", "#444444"}
    # A holiday and a closed Sunday: each colour drawn, each named in the legend.
    closed = Grid("Europe/Paris", ("Europe/Paris",), ("FR",), (
        Day(date(2026, 12, 25), (), "Christmas Day"), Day(date(2026, 12, 27), ())))
    svg = render_image(closed, tmp_path / "closed.svg").read_text(encoding="utf-8")
    assert svg.count("closed all day") == 2  # the row's label and its key
    assert "public holiday (named)" in svg
    assert grey in svg
    assert pink in svg


def test_the_terminal_legend_names_each_mark(fr_grid: Grid) -> None:
    out = io.StringIO()
    render_terminal(fr_grid, Console(file=out, width=120, color_system=None))
    assert ("█ allowed  · no calls (red on a public holiday); one column per hour"
            in out.getvalue())
