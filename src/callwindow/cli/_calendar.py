"""``callwindow calendar``: the allowed hours of a consumer as a week grid.

Plain functions do the work and the click command only wires them up:

- ``week_grid(engine, consumer, start_date, days)`` -> ``Grid``: per local day
  (in the zone that governs, see ``governing_zone``), the open intervals in
  local minutes and the holiday's name;
- ``render_terminal(grid, console)``: the grid in the terminal, with rich;
- ``render_image(grid, path, title)``: an SVG, PNG or HTML picture, with
  matplotlib (the ``plot`` extra).

The open intervals are exactly what ``Engine.windows`` returns: with several
candidate zones, the instants every zone allows, drawn on the wall clock of
the zone that governs: the consumer's own zone when they gave one, else the
most restrictive candidate zone.  The caption says which, and why.
"""

from __future__ import annotations

import html
import io
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

import callwindow as cw

from .. import _holidays, _time
from .._calendar import Schedule
from .._intervals import Span, intersect
from .._plan import Planner
from ._complete import complete_preset_ids

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.patches import Patch

__all__ = [
    "Day",
    "Grid",
    "ImageError",
    "calendar_command",
    "governing_zone",
    "render_image",
    "render_terminal",
    "slot_minutes",
    "week_grid",
]

MAX_DAYS = 31
IMAGE_SUFFIXES = (".svg", ".png", ".html")
_DAY_MINUTES = 1440
_NOTE_CODES = (cw.ReasonCode.CONSENT_REQUIRED, cw.ReasonCode.UNKNOWN_TIMEZONE,
               cw.ReasonCode.OPTED_OUT)


@dataclass(frozen=True)
class Day:
    """One local day: its open intervals and its holiday, if any.

    ``open`` holds ``(start, end)`` pairs of minutes of the local wall clock
    (0 to 1440, half-open, merged, in order).  On a DST day an interval that
    spans the change keeps its wall-clock ends (``01:00-04:00`` stays
    ``(60, 240)``, although the day lost or gained an hour).
    """

    date: date
    open: tuple[tuple[int, int], ...]
    holiday: str | None = None

    @property
    def open_minutes(self) -> int:
        """Minutes of wall clock open on this day."""
        return sum(end - start for start, end in self.open)


@dataclass(frozen=True)
class Grid:
    """The allowed hours of one consumer over consecutive local days.

    ``zone`` is the zone whose wall clock the days are read on (see
    ``governing_zone``), ``why`` says why it was chosen among several;
    ``zones`` every candidate zone (the open intervals are allowed in all of
    them); ``policies`` the ids of the engine's policies; ``notes`` why every
    slot is closed, when a rule closes them all (consent missing, say).
    """

    zone: str
    zones: tuple[str, ...]
    policies: tuple[str, ...]
    days: tuple[Day, ...]
    notes: tuple[str, ...] = ()
    why: str = ""

    @property
    def title(self) -> str:
        """A default title: the policies, the zone and the dates."""
        first, last = self.days[0].date, self.days[-1].date
        span = (f"{first:%d %b %Y}" if first == last
                else f"{first:%d %b} \u2013 {last:%d %b %Y}")
        return f"{' + '.join(self.policies)}: allowed calling hours, {self.zone}, {span}"

    @property
    def caption(self) -> str:
        """Which wall clock is shown and why, and which zones must all allow."""
        text = f"local time in {self.zone}"
        if self.why:
            text += f", {self.why}"
        if len(self.zones) > 1:
            text += (f"; open only when every candidate zone allows "
                     f"({', '.join(self.zones)})")
        return text


# -- the data ----------------------------------------------------------------------


def week_grid(engine: cw.Engine, consumer: cw.Consumer, start_date: date, days: int) -> Grid:
    """The open intervals of ``days`` local days from ``start_date``.

    Days are those of the zone that governs (``governing_zone``); a consumer
    with several zones gets the intersection ``engine.windows`` returns.
    Raises ``ValueError`` when the consumer has no candidate zone or ``days``
    is not 1..31.
    """
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"--days: expected 1 to {MAX_DAYS}, got {days}")
    zones = consumer.candidate_zones
    if not zones:
        raise ValueError("no time zone is known for the consumer: give --timezone, or a "
                         "--phone (in international format) that places them")
    zone, why = governing_zone(engine, consumer, start_date, days)
    tz = _time.zone(zone)
    dates = [start_date + timedelta(days=offset) for offset in range(days + 1)]
    bounds = [_time.from_timestamp(_time.wall_to_timestamp(tz, day, 0, later=False))
              for day in dates]
    windows = engine.windows(consumer, bounds[0], bounds[-1])
    holidays = _HolidayNames(engine, consumer)
    grid_days = []
    for index, day in enumerate(dates[:-1]):
        lo, hi = bounds[index], bounds[index + 1]
        spans = [_wall_span(max(s, lo), min(e, hi), day, tz)
                 for s, e in windows if s < hi and e > lo]
        grid_days.append(Day(day, _merge(spans), holidays.name_of(day)))
    notes: tuple[str, ...] = ()
    if not windows:
        decision = engine.check(consumer, at=bounds[0])
        notes = tuple(dict.fromkeys(reason.message for reason in decision.reasons
                                    if reason.code in _NOTE_CODES))
    return Grid(zone, zones, tuple(policy.id for policy in engine.policies),
                tuple(grid_days), notes, why)


def governing_zone(engine: cw.Engine, consumer: cw.Consumer, start_date: date, days: int
                   ) -> tuple[str, str]:
    """The zone whose wall clock a consumer's days are drawn on, and why (``""``: only one).

    The consumer's own zone (the first ``timezone`` they gave) when there is
    one: the call is judged in every candidate zone, but it is their day the
    reader knows.  Otherwise the most restrictive candidate zone: the one in
    which the engine's calendars, on their own, leave the least time open over
    the days drawn; on a tie (the same rules everywhere), the one whose clock
    is furthest ahead, where the day closes first.
    """
    zones = consumer.candidate_zones
    if consumer.timezone:
        return consumer.timezone[0], ("the consumer's zone" if len(zones) > 1 else "")
    if len(zones) == 1:
        return zones[0], ""
    # The engine's own plan for this consumer (a Planner of the same policies):
    # each calendar is one policy in one zone.
    calendars = Planner(engine.policies).plan(consumer).calendars
    lo = _time.to_us(datetime.combine(start_date, datetime.min.time(), _time.UTC))
    hi = lo + (days + 2) * 86_400 * _time.US  # every zone's days drawn, whatever its offset

    def ranked(zone: str) -> tuple[int, float, str]:
        spans: list[Span] = [(lo, hi)]
        for calendar in calendars:
            if getattr(calendar, "zone_name", None) == zone:  # not a do-not-call gate
                spans = intersect(spans, list(calendar.intervals(lo, hi)))
        offset = _time.from_us(lo).astimezone(_time.zone(zone)).utcoffset()
        ahead = offset.total_seconds() if offset is not None else 0.0
        return sum(end - start for start, end in spans), -ahead, zone

    return min(zones, key=ranked), "the most restrictive candidate zone"


def _wall_span(start: datetime, end: datetime, day: date, tz: ZoneInfo) -> tuple[int, int]:
    """``[start, end)`` (within ``day``) as minutes of the wall clock of ``day``.

    The start is read with the offset in force at ``start``, the end with the
    one in force just before ``end``: an interval across a DST change keeps
    its wall-clock ends.
    """
    midnight = datetime(day.year, day.month, day.day)
    first = _wall_minute(start, tz, midnight, math.floor)
    last = _wall_minute(end - timedelta(microseconds=1), tz, midnight, math.ceil)
    if last <= first:  # an hour open inside a repeated (fall-back) hour
        last = first + math.ceil((end - start).total_seconds() / 60)
    return max(0, first), min(_DAY_MINUTES, last)


def _wall_minute(moment: datetime, tz: ZoneInfo, midnight: datetime,
                 rounding: Callable[[float], int]) -> int:
    local = moment.astimezone(tz).replace(tzinfo=None)
    return rounding((local - midnight).total_seconds() / 60)


def _merge(spans: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


class _HolidayNames:
    """The names of the holidays the engine's policies keep, on a local date."""

    def __init__(self, engine: cw.Engine, consumer: cw.Consumer) -> None:
        seen: dict[str, cw.Policy] = {}
        for policy in engine.policies:
            for part in policy.flattened():
                if part.holidays is not None and part.applies(consumer):
                    seen.setdefault(part.model_dump_json(), part)
        self._calendars: list[tuple[cw.Policy, _holidays.HolidayCalendar]] = []
        for policy in seen.values():
            schedule = Schedule(policy)
            calendar = schedule.holiday_calendar(schedule.subdivision(consumer.region))
            assert calendar is not None
            self._calendars.append((policy, calendar))

    def name_of(self, day: date) -> str | None:
        names = [calendar.name_of(day) for policy, calendar in self._calendars
                 if policy.in_force_on(day)]
        found = list(dict.fromkeys(name for name in names if name))
        return " / ".join(found) if found else None


# -- the terminal --------------------------------------------------------------------

_OPEN, _PARTLY, _CLOSED = "█", "▒", "·"


def render_terminal(grid: Grid, console: Console) -> None:
    """Print the grid: one row per day, one character per hour (or half-hour).

    Columns are hours when every window starts and ends on the hour, else
    half-hours.  ``█`` open for the whole slot, ``▒`` for part of it, ``·``
    closed (red on a public holiday, which is also named); the legend says
    each, the caption names the zone(s).
    """
    slot = slot_minutes(grid)
    legend = Text.assemble((_OPEN, "green"), " allowed  ")
    if any(covered % slot for day in grid.days for covered in _coverage(day, slot)):
        legend.append_text(Text.assemble((_PARTLY, "green"), " allowed part of it  "))
    legend.append_text(Text.assemble((_CLOSED, "dim"), " no calls"))
    if any(day.holiday for day in grid.days):
        legend.append_text(Text.assemble(" (", ("red", "red"), " on a public holiday)"))
    unit = "hour" if slot == 60 else "half-hour"
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Day", no_wrap=True)
    table.add_column(_hour_ruler(slot), no_wrap=True, header_style="dim")
    table.add_column("Open (local)", overflow="fold")
    for day in grid.days:
        label = Text(f"{day.date:%a %d %b}", style="bold red" if day.holiday else "")
        hours = " ".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in day.open) or "closed"
        detail = Text(hours, style="green" if day.open else "dim")
        if day.holiday:
            detail = Text.assemble((day.holiday, "bold red"), ": ", detail)
        table.add_row(label, _slots(day, slot), detail)
    console.print(Text(grid.title, style="bold"))
    console.print(table)
    legend.append(f"; one column per {unit}")
    console.print(legend)
    console.print(grid.caption[0].upper() + grid.caption[1:])
    for note in grid.notes:
        console.print(Text(f"every slot is closed: {note}", style="yellow"))


def slot_minutes(grid: Grid) -> int:
    """60 when every open interval starts and ends on the hour, else 30."""
    on_the_hour = all(minute % 60 == 0 for day in grid.days
                      for span in day.open for minute in span)
    return 60 if on_the_hour else 30


def _hour_ruler(slot: int) -> str:
    ruler = [" "] * (_DAY_MINUTES // slot)
    for hour in range(0, 24, 3):
        position = hour * 60 // slot
        ruler[position:position + 2] = f"{hour:02d}"
    return "".join(ruler)


def _coverage(day: Day, slot: int) -> list[int]:
    """Open minutes in each slot of the day."""
    return [sum(max(0, min(end, first + slot) - max(start, first)) for start, end in day.open)
            for first in range(0, _DAY_MINUTES, slot)]


def _slots(day: Day, slot: int) -> Text:
    text = Text(no_wrap=True)
    for covered in _coverage(day, slot):
        if covered >= slot:
            text.append(_OPEN, style="green")
        elif covered:
            text.append(_PARTLY, style="green")
        else:
            text.append(_CLOSED, style="red" if day.holiday else "dim")
    return text


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


# -- the picture ---------------------------------------------------------------------


class ImageError(RuntimeError):
    """The picture cannot be made (matplotlib missing, an unknown suffix)."""


_DAY_PIXELS = 56
_LEFT, _RIGHT, _TOP, _BOTTOM, _LINE = 130, 36, 70, 62, 17
_KEY = 24  # the row of coloured keys under the grid


def default_size(grid: Grid, width: int = 1200) -> tuple[int, int]:
    """The picture's default size in pixels: 1200 wide, 56 per day plus margins."""
    lines = len(_legend(grid, width))
    return width, _TOP + _BOTTOM + _KEY + _LINE * lines + _DAY_PIXELS * len(grid.days)


def render_image(grid: Grid, path: str | Path, title: str | None = None, *,
                 size: tuple[int, int] | None = None) -> Path:
    """Draw the grid to ``path``: ``.svg``, ``.png`` or ``.html`` (the SVG in a page).

    Hours run along the x axis, days down the y axis; open windows are
    green and labelled with their times, a day closed throughout is grey, a
    public holiday tinted red and named.  A legend under the grid names every
    colour used, and the caption the zone whose clock is shown.
    ``size`` is in pixels (``default_size`` when ``None``).  Raises
    ``ImageError`` when matplotlib is not installed or the suffix is unknown.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise ImageError(f"{path}: the picture's name must end in .svg, .png or .html")
    try:
        from matplotlib import rc_context
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImageError("drawing a picture needs matplotlib: "
                         "pip install 'callwindow[plot]'") from None
    width, height = size or default_size(grid)
    legend = _legend(grid, width)
    bottom = _BOTTOM + _KEY + _LINE * len(legend)
    dpi = 100
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((_LEFT / width, bottom / height,
                            max(0.1, 1 - (_LEFT + _RIGHT) / width),
                            max(0.1, 1 - (bottom + _TOP) / height)))
    _draw(axes, grid)
    figure.text(0.5, 1 - 22 / height, title or grid.title, ha="center", va="center",
                fontsize=13, fontweight="bold")
    figure.text(_LEFT / width, 10 / height, "\n".join(legend), fontsize=10,
                color="#444444", va="bottom", linespacing=1.4)
    figure.legend(handles=_key(grid), loc="lower left", ncols=4, frameon=False,
                  fontsize=10, handlelength=1.8, columnspacing=2.0, borderaxespad=0,
                  bbox_to_anchor=(_LEFT / width, (14 + _LINE * len(legend)) / height))
    if suffix == ".png":
        figure.savefig(path, format="png", dpi=dpi, metadata={"Software": None})
    else:
        buffer = io.StringIO()
        with rc_context({"svg.fonttype": "none"}):  # text stays text: searchable, small
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        svg = buffer.getvalue()
        if suffix == ".svg":
            path.write_text(svg, encoding="utf-8")
        else:
            path.write_text(_html_page(title or grid.title, grid.caption, svg),
                            encoding="utf-8")
    return path


#: Each colour means one thing, and the legend names every one drawn.  Grey is
#: only "closed all day": a weekend that is open is drawn like any open day.
_GREEN, _HOLIDAY, _CLOSED_DAY = "#2e9d57", "#fbe3e3", "#e9e9e9"
_HOLIDAY_TEXT = "#b22222"


def _draw(axes: Axes, grid: Grid) -> None:
    count = len(grid.days)
    for row, day in enumerate(grid.days):
        if day.holiday:
            axes.axhspan(row - 0.5, row + 0.5, color=_HOLIDAY, zorder=0)
        elif not day.open:
            axes.axhspan(row - 0.5, row + 0.5, color=_CLOSED_DAY, zorder=0)
        bars = [(start / 60, (end - start) / 60) for start, end in day.open]
        axes.broken_barh(bars, (row - 0.32, 0.64), facecolors=_GREEN, edgecolor="none",
                         zorder=2)
        for start, end in day.open:
            if end - start >= 100:
                axes.text((start + end) / 120, row, f"{_hhmm(start)}\u2013{_hhmm(end)}",
                          ha="center", va="center", fontsize=10, color="white", zorder=3)
        if day.holiday:
            empty = _widest_gap(day)
            label = day.holiday if day.open else f"{day.holiday} (closed)"
            axes.text(empty, row, label, ha="center", va="center", fontsize=10,
                      color=_HOLIDAY_TEXT, fontweight="bold", zorder=3)
        elif not day.open:
            axes.text(_widest_gap(day), row, "closed all day", ha="center", va="center",
                      fontsize=10, color="#555555", zorder=3)
    axes.set_xlim(0, 24)
    axes.set_ylim(count - 0.5, -0.5)
    axes.set_xticks(range(0, 25, 2), [f"{hour:02d}:00" for hour in range(0, 25, 2)],
                    fontsize=10)
    axes.set_xticks(range(25), minor=True)
    axes.set_yticks(range(count), [_day_label(day) for day in grid.days], fontsize=10)
    for tick, day in zip(axes.get_yticklabels(), grid.days, strict=True):
        if day.holiday:
            tick.set_color(_HOLIDAY_TEXT)
    axes.grid(axis="x", which="major", color="#cccccc", linewidth=0.8, zorder=1)
    axes.grid(axis="x", which="minor", color="#e6e6e6", linewidth=0.5, zorder=1)
    axes.set_axisbelow(True)
    axes.tick_params(axis="y", length=0)
    axes.set_xlabel(f"local time ({grid.zone})", fontsize=10)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _widest_gap(day: Day) -> float:
    """The middle (in hours) of the longest closed stretch of the day."""
    edges = [0, *(minute for span in day.open for minute in span), _DAY_MINUTES]
    gaps = [(edges[i + 1] - edges[i], edges[i], edges[i + 1])
            for i in range(0, len(edges) - 1, 2)]
    _, start, end = max(gaps)
    return (start + end) / 120


def _day_label(day: Day) -> str:
    return f"{day.date:%a %d %b}"


def _key(grid: Grid) -> list[Patch]:
    """One key per colour the picture uses."""
    from matplotlib.patches import Patch

    keys = [Patch(facecolor=_GREEN, label="calls allowed"),
            Patch(facecolor="white", edgecolor="#999999", linewidth=0.8,
                  label="no calls (outside the hours)")]
    if any(not day.open and not day.holiday for day in grid.days):
        keys.append(Patch(facecolor=_CLOSED_DAY, edgecolor="#999999", linewidth=0.8,
                          label="closed all day"))
    if any(day.holiday for day in grid.days):
        keys.append(Patch(facecolor=_HOLIDAY, edgecolor=_HOLIDAY_TEXT, linewidth=0.8,
                          label="public holiday (named)"))
    return keys


def _legend(grid: Grid, width: int) -> list[str]:
    """The lines under the keys: the clock shown and why, the notes."""
    columns = max(40, (width - _LEFT - _RIGHT) // 7)
    text = [f"{grid.caption[0].upper()}{grid.caption[1:]}."]
    text += [f"Every slot is closed: {note}" for note in grid.notes]
    return [line for paragraph in text for line in textwrap.wrap(paragraph, columns)]


def _html_page(title: str, caption: str, svg: str) -> str:
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
            f"<h1>{html.escape(title)}</h1>\n{body}\n"
            f"<p>{html.escape(caption)}</p>\n</body>\n</html>\n")


# -- the command ---------------------------------------------------------------------


class _UsageError(Exception):
    """A one-line error for the user: printed, exit status 2."""


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _UsageError(f"--from: {text!r} is not a date (YYYY-MM-DD)") from None


def _parse_size(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    width, _, height = text.lower().partition("x")
    try:
        size = int(width), int(height)
    except ValueError:
        raise _UsageError(f"--size: {text!r} is not WIDTHxHEIGHT in pixels "
                       f"(e.g. 1200x560)") from None
    if not all(100 <= value <= 10000 for value in size):
        raise _UsageError(f"--size: {text!r}: each side must be 100 to 10000 pixels")
    return size


def _policies(presets: Sequence[str], files: Sequence[str]) -> list[cw.Policy]:
    if not presets and not files:
        raise _UsageError("give at least one --preset ID or --policy FILE")
    try:
        return ([cw.presets.get(item) for item in presets]
                + [cw.Policy.from_file(item) for item in files])
    except cw.PolicyError as error:
        raise _UsageError(_one_line(str(error))) from None


def _consumer(timezones: Sequence[str], phone: str | None, region: str | None,
              country: str | None, consent: bool) -> cw.Consumer:
    try:
        return cw.Consumer(phone=phone, timezone=tuple(timezones), region=region,
                           country=country, consent=consent)
    except cw.ConsumerError as error:
        field, message = error.problems[0]
        raise _UsageError(_one_line(f"{field}: {message}")) from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


@click.command("calendar")
@click.option("--preset", "presets", multiple=True, metavar="ID",
              shell_complete=complete_preset_ids,
              help="A jurisdiction preset (repeat: all must allow).")
@click.option("--policy", "policy_files", multiple=True, metavar="FILE",
              help="A policy file, YAML, TOML or JSON (repeat: all must allow).")
@click.option("--timezone", "timezones", multiple=True, metavar="ZONE",
              help="The consumer's IANA time zone (repeat for several).")
@click.option("--phone", metavar="NUMBER", help="The consumer's phone number.")
@click.option("--region", metavar="CODE",
              help="The consumer's state, province or holiday subdivision (FL, 57).")
@click.option("--country", metavar="CC", help="Country of a national-format number.")
@click.option("--consent", is_flag=True,
              help="The consumer's prior consent is on file (for opt-in rules).")
@click.option("--from", "start", metavar="YYYY-MM-DD",
              help="First local day (default: today in the consumer's zone).")
@click.option("--days", default="7", show_default=True, metavar="N",
              help=f"How many days, 1 to {MAX_DAYS}.")
@click.option("--output", "-o", metavar="FILE",
              help="Write a picture instead (.svg, .png or .html; needs callwindow[plot]).")
@click.option("--size", metavar="WxH", help="The picture's size in pixels (e.g. 1200x560).")
def calendar_command(presets: tuple[str, ...], policy_files: tuple[str, ...],
                     timezones: tuple[str, ...], phone: str | None, region: str | None,
                     country: str | None, consent: bool, start: str | None, days: str,
                     output: str | None, size: str | None) -> None:
    """Show the allowed calling hours as a grid of days and hours.

    Rows are the consumer's local days, columns the hours, on the clock of
    the zone that governs: the consumer's --timezone, else the most
    restrictive candidate zone (the caption says which).  Green slots are
    allowed by every policy in every candidate zone; holidays are named.

    \b
    Example:
      callwindow calendar --preset FR --phone +33612345678 --consent \\
          --from 2026-12-21 --days 7
    """
    try:
        count = _parse_days(days)
        first_day = _parse_date(start) if start is not None else None
        picture_size = _parse_size(size)
        if output is not None and Path(output).suffix.lower() not in IMAGE_SUFFIXES:
            raise _UsageError(f"--output: {output!r} must end in .svg, .png or .html")
        engine = cw.Engine(_policies(presets, policy_files))
        consumer = _consumer(timezones, phone, region, country, consent)
        if first_day is None and consumer.candidate_zones:
            zone = _time.zone((consumer.timezone or consumer.candidate_zones)[0])
            first_day = datetime.now(zone).date()
        grid = week_grid(engine, consumer, first_day or date.today(), count)
        if output is None:
            console = Console(highlight=False)
            render_terminal(grid, console)
            if not consent and any("consent" in note for note in grid.notes):
                console.print("(add --consent if the consumer's consent is on file)")
        else:
            written = render_image(grid, output, size=picture_size)
            click.echo(f"wrote {written}")
    except (_UsageError, ImageError, ValueError) as error:
        click.echo(f"error: {_one_line(str(error))}", err=True)
        raise click.exceptions.Exit(2) from None
    except OSError as error:
        click.echo(f"error: {output}: {error.strerror or error}", err=True)
        raise click.exceptions.Exit(2) from None


def _parse_days(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise _UsageError(f"--days: {text!r} is not a number of days (1 to {MAX_DAYS})") from None
    if not 1 <= count <= MAX_DAYS:
        raise _UsageError(f"--days: expected 1 to {MAX_DAYS}, got {count}")
    return count
