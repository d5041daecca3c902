"""List scrubbing: a CSV of contacts in, the same rows with the decision out.

Rows are read, judged and written in chunks, so a list of any length runs in
the memory of one chunk: with pyarrow, a chunk is judged column by column with
``Engine.check_table`` (``_columnar.judge_rows``); without it, a ``Consumer``
per row and ``Engine.check_many`` (``judge_by_row``), with the same output.
A row that cannot be judged (no id, a consent that is not a boolean, an unknown
zone...) is refused with the reason ``invalid_row: <why>`` and the run goes on;
only a file that cannot be read as a contact list at all (no ``id`` or
``phone`` column, broken CSV) stops it, with a ``ScrubInputError`` naming the
file and line.

This module needs neither click nor rich: the command and the benchmark
both call ``scrub``.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any

from .. import Consumer, ConsumerError, Decision, Engine, Policy

if TYPE_CHECKING:
    from .._suppression import SuppressionList

__all__ = [
    "ADDED_COLUMNS",
    "CHUNK_ROWS",
    "DNC_COLUMN",
    "TABLE_CHUNK_ROWS",
    "ScrubInputError",
    "ScrubStats",
    "count_bytes",
    "file_format",
    "history_free",
    "scrub",
    "validation_message",
]

#: Rows judged per ``check_many`` call (the row path, without pyarrow).
CHUNK_ROWS = 5000
#: Rows judged per ``check_table`` call (a table's fixed costs, such as planning each
#: kind of consumer, spread over more rows: measured 10% faster than 5,000).
TABLE_CHUNK_ROWS = 20_000
#: The columns the scrub adds (or overwrites, when the input has them already).
ADDED_COLUMNS = ("allowed", "reasons", "next_allowed_at")
#: Added too when the engine has do-not-call lists: the registries whose lists hold
#: the row's number (``;``-joined; empty for a number on none).
DNC_COLUMN = "do_not_call"
REQUIRED_COLUMNS = ("id", "phone")

#: List formats by file extension (Parquet and Arrow IPC need pyarrow: see ``_columnar``).
FORMATS = {".parquet": "parquet", ".pq": "parquet", ".arrow": "arrow", ".feather": "arrow",
           ".ipc": "arrow"}
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})
_ZONE_SEPARATORS = re.compile(r"[;|]")


class ScrubInputError(ValueError):
    """The input is not a contact list that can be read (the run stops)."""


@dataclass
class ScrubStats:
    """What a scrub has done so far."""

    rows: int = 0
    allowed: int = 0
    refused: int = 0
    invalid: int = 0


def file_format(path: str) -> str:
    """``parquet``, ``arrow`` or ``csv`` (any other extension), from a file name."""
    return FORMATS.get(PurePath(path).suffix.lower(), "csv")


def validation_message(error: ConsumerError, names: Mapping[str, str] | None = None) -> str:
    """One line for a consumer that does not validate: ``field: message; field: message``.

    ``names`` renames a path's first part (``{"timezone": "--timezone"}``).
    """
    parts = []
    for field, message in error.problems:
        first, dot, rest = field.partition(".")
        field = (names or {}).get(first, first) + dot + rest
        parts.append(f"{field}: {message}" if field else message)
    return "; ".join(parts)


def history_free(policy: Policy) -> Policy:
    """``policy`` (and its stack) without limits and cooldowns.

    Against an empty ledger those rules count nothing and refuse nothing for
    a consumer with an id, so a scrub on a fresh ``memory://`` ledger judges
    the same without them, several times faster.
    """
    data = policy.model_dump()
    data.update(limits=(), cooldowns=(),
                stack=[history_free(part).model_dump() for part in policy.stack])
    return Policy.model_validate(data)


def count_bytes(lines: Iterable[bytes], counter: list[int], source: str,
                encoding: str = "utf-8") -> Iterator[str]:
    """Decode ``lines`` from ``encoding``, adding their length to ``counter[0]``.

    A UTF-8 byte order mark is dropped.  Each line is decoded on its own when
    the encoding writes a newline as the byte ``\\n`` (UTF-8, Latin-1, cp1252:
    the fast path); otherwise (UTF-16) through an incremental decoder, since a
    character may span a newline byte.
    """
    name = codecs.lookup(encoding).name
    shown = "UTF-8" if name == "utf-8" else encoding
    if "\n".encode(name) != b"\n":
        yield from _decoded_across_lines(lines, counter, source, name, shown)
        return
    for number, line in enumerate(lines, start=1):
        counter[0] += len(line)
        try:
            yield line.decode("utf-8-sig" if number == 1 and name == "utf-8" else name)
        except UnicodeDecodeError as error:
            raise ScrubInputError(f"{source}: line {number} is not {shown} text "
                                  f"(byte {error.start + 1})") from None


def _decoded_across_lines(lines: Iterable[bytes], counter: list[int], source: str,
                          name: str, shown: str) -> Iterator[str]:
    """The text of ``lines`` cut again at its own newlines (what the CSV reader needs)."""
    decoder = codecs.getincrementaldecoder(name)()
    number, pending = 0, ""
    try:
        for number, line in enumerate(lines, start=1):  # noqa: B007 - reported below
            counter[0] += len(line)
            *complete, pending = (pending + decoder.decode(line)).split("\n")
            for text in complete:
                yield text + "\n"
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise ScrubInputError(f"{source}: line {number} is not {shown} text "
                              f"(byte {error.start + 1})") from None
    if pending:
        yield pending


class Columns:
    """Where each known column is, and how an output row is laid out."""

    def __init__(self, header: Sequence[str], source: str,
                 added: Sequence[str] = ADDED_COLUMNS) -> None:
        names = [name.strip().lower() for name in header]
        index: dict[str, int] = {}
        for position, name in enumerate(names):
            index.setdefault(name, position)
        for required in REQUIRED_COLUMNS:
            if required not in index:
                raise ScrubInputError(f"{source}: no {required!r} column (the header has: "
                                      f"{', '.join(header) or 'nothing'})")
        self.id = index["id"]
        self.phone = index["phone"]
        self.timezone = index.get("timezone")
        self.region = index.get("region")
        self.country = index.get("country")
        self.consent = index.get("consent")
        self.consent_given = index.get("consent_given")
        self.tags = [(header[position].strip()[4:], position)
                     for name, position in index.items()
                     if name.startswith("tag:") and len(name) > 4]
        self.width = len(header)
        self.added = [index.get(name) for name in added]
        #: The input has none of the added columns: they go at the end of each row.
        self.appended = all(position is None for position in self.added)
        self.header = [*header, *(name for name in added if name not in index)]

    def fields(self, row: list[str]) -> dict[str, Any] | str:
        """The row's ``Consumer`` fields, or why it has none."""
        if len(row) > self.width:
            return f"{len(row)} fields where the header has {self.width}"

        def cell(position: int | None) -> str:
            return row[position].strip() if position is not None and position < len(row) else ""

        consumer_id = cell(self.id)
        if not consumer_id:
            return "missing id"
        phone = cell(self.phone)
        if not phone:
            return "missing phone"
        consent_text = cell(self.consent)
        consent = consent_text.lower()
        if consent not in _TRUE and consent not in _FALSE:
            return f"consent {consent_text!r} is not one of true, false, 1, 0, yes, no"
        given = cell(self.consent_given)  # a dated consent, when the list has one
        zones = [zone.strip() for zone in _ZONE_SEPARATORS.split(cell(self.timezone))]
        tags = {name: value for name, position in self.tags if (value := cell(position))}
        return {"id": consumer_id, "phone": phone, "timezone": [z for z in zones if z],
                "region": cell(self.region) or None, "country": cell(self.country) or None,
                "consent": {"given_at": given} if given else consent in _TRUE, "tags": tags}

    def consumer(self, row: list[str]) -> Consumer | str:
        """The row's consumer, or why it has none."""
        fields = self.fields(row)
        if isinstance(fields, str):
            return fields
        return validated(fields)

    def output(self, row: list[str], values: Sequence[str]) -> list[str]:
        """``row`` fitted to the header, with the added values in place."""
        if len(row) != self.width:
            row = row[:self.width] + [""] * (self.width - len(row))
        for position, value in zip(self.added, values, strict=True):
            if position is None:
                row.append(value)
            else:
                row[position] = value
        return row


def validated(fields: dict[str, Any]) -> Consumer | str:
    try:
        return Consumer(**fields)
    except ConsumerError as error:
        return validation_message(error)


def scrub(lines: Iterable[str], out: IO[str], engine: Engine, at: datetime, *,
          source: str = "input", delimiter: str = ",", chunk_rows: int | None = None,
          on_chunk: Callable[[ScrubStats], Any] | None = None) -> ScrubStats:
    """Judge every contact of the CSV ``lines`` at ``at`` and write them to ``out``.

    The output has the input's columns and rows, in order, plus ``allowed``
    (``true``/``false``), ``reasons`` (the reason codes joined by ``;``, or
    ``invalid_row: <why>``) and ``next_allowed_at`` (UTC, ISO-8601; empty when
    there is none); with do-not-call lists (``engine.suppression``), also
    ``do_not_call``: the registries whose lists hold the row's number, which
    refused it.  ``on_chunk`` is called with the running totals after
    each chunk, once its rows are written and flushed.  The output is written with
    the input's ``delimiter``.  Raises ``ScrubInputError`` when the input is not a
    contact list.
    """
    if chunk_rows is None:
        chunk_rows = TABLE_CHUNK_ROWS if _arrow() else CHUNK_ROWS
    reader = csv.reader(lines, delimiter=delimiter)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    stats = ScrubStats()
    try:
        header = next(reader, None)
        if header is None:
            raise ScrubInputError(f"{source}: the file is empty (expected a header with "
                                  f"the columns id and phone)")
        lists = engine.suppression
        columns = Columns(header, source,
                          (*ADDED_COLUMNS, DNC_COLUMN) if lists else ADDED_COLUMNS)
        writer.writerow(columns.header)
        chunk: list[list[str]] = []
        for row in reader:
            if not row:
                continue  # a blank line
            chunk.append(row)
            if len(chunk) >= chunk_rows:
                _judge(chunk, columns, engine, at, writer, stats, by_table=_arrow())
                out.flush()  # a reader of the output (a pipe, tail -f) gets each chunk
                chunk = []
                if on_chunk is not None:
                    on_chunk(stats)
        if chunk:
            # A list that fits in its first chunk is judged row by row: loading
            # pyarrow (0.5 s, 100 MiB) would cost it more than it saves.
            _judge(chunk, columns, engine, at, writer, stats,
                   by_table=_arrow() and stats.rows > 0)
            out.flush()
    except csv.Error as error:
        raise ScrubInputError(f"{source}: line {reader.line_num}: {error}") from None
    if on_chunk is not None:
        on_chunk(stats)
    return stats


def _listed_on(consumer: Consumer, lists: Sequence[SuppressionList]) -> str:
    """The registries whose lists hold a refused consumer's number, ``;``-joined."""
    e164 = consumer.e164
    if e164 is None:
        return ""
    return ";".join(dict.fromkeys(lst.registry for lst in lists if e164 in lst))


def _judge(chunk: list[list[str]], columns: Columns, engine: Engine, at: datetime,
           writer: Any, stats: ScrubStats, *, by_table: bool) -> None:
    """Judge and write one chunk: ``by_table``, column by column and a table at a time
    (``check_table``: rows of one kind judged once, see ``_columnar.judge_rows``);
    otherwise, and with do-not-call lists (whose column names each refused row's
    registries), one ``Consumer`` per row (``check_many``)."""
    lists = engine.suppression
    if by_table and not lists:
        from ._columnar import judge_rows

        values: list[tuple[str, ...]] = list(judge_rows(chunk, columns, engine, at))
    else:
        values = judge_by_row(chunk, columns, engine, at, lists)
    allowed = invalid_rows = 0
    appended = columns.appended
    width = columns.width
    rows = []
    for row, found in zip(chunk, values, strict=True):
        if found[0] == "true":
            allowed += 1
        elif found[1].startswith("invalid_row: "):
            invalid_rows += 1
        if appended and len(row) == width:  # the usual row: the added cells at its end
            row.extend(found)
            rows.append(row)
        else:
            rows.append(columns.output(row, found))
    writer.writerows(rows)
    stats.rows += len(chunk)
    stats.allowed += allowed
    stats.invalid += invalid_rows
    stats.refused += len(chunk) - allowed - invalid_rows


def cells(decision: Decision) -> tuple[str, str, str]:
    """A decision as the three added cells."""
    if decision.allowed:
        return "true", "", decision.at.isoformat()
    next_at = decision.next_allowed_at
    return ("false", ";".join(code.value for code in decision.codes),
            next_at.isoformat() if next_at else "")


def invalid(why: str) -> tuple[str, str, str]:
    """The added cells of a row that cannot be judged."""
    return "false", f"invalid_row: {why}", ""


def judge_by_row(rows: Sequence[list[str]], columns: Columns, engine: Engine, at: datetime,
                 lists: Sequence[SuppressionList] = ()) -> list[tuple[str, ...]]:
    """The added cells of each row, a ``Consumer`` per row and ``check_many``; with
    ``lists``, a fourth: the registries holding a row refused as listed."""
    checked = [columns.consumer(row) for row in rows]
    decisions = iter(engine.check_many([c for c in checked if not isinstance(c, str)], at))
    found: list[tuple[str, ...]] = [invalid(c) if isinstance(c, str) else cells(next(decisions))
                                    for c in checked]
    if lists:
        found = [(*values, _listed_on(consumer, lists)
                  if not isinstance(consumer, str) and "do_not_call" in values[1] else "")
                 for values, consumer in zip(found, checked, strict=True)]
    return found


def _arrow() -> bool:
    """Whether pyarrow is installed (the arrow extra): the scrub then judges by table."""
    global _ARROW
    if _ARROW is None:
        import importlib.util

        _ARROW = importlib.util.find_spec("pyarrow") is not None
    return _ARROW


_ARROW: bool | None = None
