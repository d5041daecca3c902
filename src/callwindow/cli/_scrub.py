"""List scrubbing: a CSV of contacts in, the same rows with the decision out.

Rows are read, judged (``Engine.check_many``) and written in chunks, so a list
of any length runs in the memory of one chunk.  A row that cannot be judged
(no id, a consent that is not a boolean, an unknown zone...) is refused with
the reason ``invalid_row: <why>`` and the run goes on; only a file that cannot
be read as a contact list at all (no ``id`` or ``phone`` column, broken CSV)
stops it, with a ``ScrubInputError`` naming the file and line.

This module needs neither click nor rich: the command and the benchmark
both call ``scrub``.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath
from typing import IO, Any

from .. import Consumer, ConsumerError, Decision, Engine, Policy

__all__ = [
    "ADDED_COLUMNS",
    "CHUNK_ROWS",
    "ScrubInputError",
    "ScrubStats",
    "count_bytes",
    "file_format",
    "history_free",
    "scrub",
    "validation_message",
]

#: Rows judged per ``check_many`` call.
CHUNK_ROWS = 5000
#: The columns the scrub adds (or overwrites, when the input has them already).
ADDED_COLUMNS = ("allowed", "reasons", "next_allowed_at")
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


class _Columns:
    """Where each known column is, and how an output row is laid out."""

    def __init__(self, header: Sequence[str], source: str) -> None:
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
        self.added = [index.get(name) for name in ADDED_COLUMNS]
        self.header = [*header, *(name for name in ADDED_COLUMNS if name not in index)]

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
        return _validated(fields)

    def output(self, row: list[str], values: tuple[str, str, str]) -> list[str]:
        """``row`` fitted to the header, with the three added values in place."""
        if len(row) != self.width:
            row = row[:self.width] + [""] * (self.width - len(row))
        for position, value in zip(self.added, values, strict=True):
            if position is None:
                row.append(value)
            else:
                row[position] = value
        return row


def _validated(fields: dict[str, Any]) -> Consumer | str:
    try:
        return Consumer(**fields)
    except ConsumerError as error:
        return validation_message(error)


def scrub(lines: Iterable[str], out: IO[str], engine: Engine, at: datetime, *,
          source: str = "input", delimiter: str = ",", chunk_rows: int = CHUNK_ROWS,
          on_chunk: Callable[[ScrubStats], Any] | None = None) -> ScrubStats:
    """Judge every contact of the CSV ``lines`` at ``at`` and write them to ``out``.

    The output has the input's columns and rows, in order, plus ``allowed``
    (``true``/``false``), ``reasons`` (the reason codes joined by ``;``, or
    ``invalid_row: <why>``) and ``next_allowed_at`` (UTC, ISO-8601; empty when
    there is none).  ``on_chunk`` is called with the running totals after
    each chunk, once its rows are written and flushed.  The output is written with
    the input's ``delimiter``.  Raises ``ScrubInputError`` when the input is not a
    contact list.
    """
    reader = csv.reader(lines, delimiter=delimiter)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    stats = ScrubStats()
    try:
        header = next(reader, None)
        if header is None:
            raise ScrubInputError(f"{source}: the file is empty (expected a header with "
                                  f"the columns id and phone)")
        columns = _Columns(header, source)
        writer.writerow(columns.header)
        chunk: list[tuple[list[str], dict[str, Any] | str]] = []
        for row in reader:
            if not row:
                continue  # a blank line
            chunk.append((row, columns.fields(row)))
            if len(chunk) >= chunk_rows:
                _judge(chunk, columns, engine, at, writer, stats)
                out.flush()  # a reader of the output (a pipe, tail -f) gets each chunk
                chunk = []
                if on_chunk is not None:
                    on_chunk(stats)
        if chunk:
            _judge(chunk, columns, engine, at, writer, stats)
            out.flush()
    except csv.Error as error:
        raise ScrubInputError(f"{source}: line {reader.line_num}: {error}") from None
    if on_chunk is not None:
        on_chunk(stats)
    return stats


def _judge(chunk: list[tuple[list[str], dict[str, Any] | str]], columns: _Columns,
           engine: Engine, at: datetime, writer: Any, stats: ScrubStats) -> None:
    """Judge and write one chunk: with pyarrow, a table at a time (``check_table``: rows
    of one kind judged once); without it, one ``Consumer`` per row (``check_many``)."""
    values = _judged_by_table(chunk, engine, at) if _arrow() else _judged_by_row(chunk, engine, at)
    rows = []
    for (row, _fields), found in zip(chunk, values, strict=True):
        if found[0] == "true":
            stats.allowed += 1
        elif found[1].startswith("invalid_row: "):
            stats.invalid += 1
        else:
            stats.refused += 1
        rows.append(columns.output(row, found))
    writer.writerows(rows)
    stats.rows += len(chunk)


def _cells(decision: Decision) -> tuple[str, str, str]:
    """A decision as the three added cells."""
    if decision.allowed:
        return "true", "", decision.at.isoformat()
    next_at = decision.next_allowed_at
    return ("false", ";".join(code.value for code in decision.codes),
            next_at.isoformat() if next_at else "")


def _invalid(why: str) -> tuple[str, str, str]:
    return "false", f"invalid_row: {why}", ""


def _judged_by_row(chunk: list[tuple[list[str], dict[str, Any] | str]], engine: Engine,
                   at: datetime) -> list[tuple[str, str, str]]:
    checked = [fields if isinstance(fields, str) else _validated(fields)
               for _row, fields in chunk]
    decisions = iter(engine.check_many([c for c in checked if not isinstance(c, str)], at))
    return [_invalid(c) if isinstance(c, str) else _cells(next(decisions)) for c in checked]


def _judged_by_table(chunk: list[tuple[list[str], dict[str, Any] | str]], engine: Engine,
                     at: datetime) -> list[tuple[str, str, str]]:
    """``check_table`` on the chunk's valid rows; each distinct answer written out once.

    A row with a dated consent (a ``consent_given`` cell) is judged on its own.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    found: list[tuple[str, str, str] | None] = [None] * len(chunk)
    listed: list[int] = []  # rows of the table
    alone: list[int] = []  # rows with a dated consent
    for index, (_row, fields) in enumerate(chunk):
        if isinstance(fields, str):
            found[index] = _invalid(fields)
        elif isinstance(fields["consent"], dict):
            alone.append(index)
        else:
            listed.append(index)
    if alone:
        for index, cells in zip(alone, _judged_by_row([chunk[i] for i in alone], engine, at),
                                strict=True):
            found[index] = cells
    if not listed:
        return found  # type: ignore[return-value]  # every row has its cells
    given: list[dict[str, Any]] = [chunk[index][1] for index in listed]  # type: ignore[misc]
    zones = [fields["timezone"] for fields in given]
    several = any(len(z) > 1 for z in zones)
    names = sorted({name for fields in given for name in fields["tags"]})
    table = pa.table({
        "id": pa.array([fields["id"] for fields in given], pa.string()),
        "phone": pa.array([fields["phone"] for fields in given], pa.string()),
        "timezone": (pa.array(zones, pa.list_(pa.string())) if several
                     else pa.array([z[0] if z else None for z in zones], pa.string())),
        "region": pa.array([fields["region"] for fields in given], pa.string()),
        "country": pa.array([fields["country"] for fields in given], pa.string()),
        "consent": pa.array([fields["consent"] for fields in given], pa.bool_()),
        **{f"tags.{name}": pa.array([fields["tags"].get(name) for fields in given],
                                    pa.string()) for name in names},
    })
    answers = engine.check_table(table, at)
    # The distinct answers, each made into cells once.
    slots = pc.dictionary_encode(pc.binary_join_element_wise(
        pc.cast(answers.column("allowed"), pa.string()),
        pc.fill_null(pc.binary_join(answers.column("reasons"), ";"), ""),
        pc.fill_null(pc.cast(answers.column("next_allowed_at"), pa.string()), ""),
        pc.fill_null(answers.column("error"), ""), "\x00")).combine_chunks()
    firsts = pc.index_in(slots.dictionary, value_set=slots.dictionary.take(slots.indices))
    made: list[tuple[str, str, str] | None] = []
    for first in firsts.to_pylist():
        row = answers.slice(first, 1).to_pylist()[0]
        if row["error"] is not None:
            made.append(None)  # named per row, below
        elif row["allowed"]:
            made.append(("true", "", at.astimezone(UTC).isoformat()))
        else:
            next_at = row["next_allowed_at"]
            made.append(("false", ";".join(row["reasons"]),
                         next_at.isoformat() if next_at else ""))
    for index, fields, slot in zip(listed, given, slots.indices.to_pylist(), strict=True):
        cells = made[slot]
        if cells is None:  # the message names the row: made from its own Consumer
            checked = _validated(fields)
            assert isinstance(checked, str)
            cells = _invalid(checked)
        found[index] = cells
    return found  # type: ignore[return-value]  # every row has its cells


def _arrow() -> bool:
    """Whether pyarrow is installed (the arrow extra): the scrub then judges by table."""
    global _ARROW
    if _ARROW is None:
        import importlib.util

        _ARROW = importlib.util.find_spec("pyarrow") is not None
    return _ARROW


_ARROW: bool | None = None
