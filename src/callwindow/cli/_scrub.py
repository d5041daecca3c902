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
from datetime import datetime
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any

from .. import Consumer, ConsumerError, Engine, Policy

if TYPE_CHECKING:
    from .._suppression import SuppressionList

__all__ = [
    "ADDED_COLUMNS",
    "CHUNK_ROWS",
    "DNC_COLUMN",
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


class _Columns:
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
        self.header = [*header, *(name for name in added if name not in index)]

    def consumer(self, row: list[str]) -> Consumer | str:
        """The row's consumer, or why it has none."""
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
        try:
            return Consumer(id=consumer_id, phone=phone, timezone=[z for z in zones if z],
                            region=cell(self.region) or None,
                            country=cell(self.country) or None,
                            consent={"given_at": given} if given else consent in _TRUE,
                            tags=tags)
        except ConsumerError as error:
            return validation_message(error)

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


def scrub(lines: Iterable[str], out: IO[str], engine: Engine, at: datetime, *,
          source: str = "input", delimiter: str = ",", chunk_rows: int = CHUNK_ROWS,
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
    reader = csv.reader(lines, delimiter=delimiter)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    stats = ScrubStats()
    try:
        header = next(reader, None)
        if header is None:
            raise ScrubInputError(f"{source}: the file is empty (expected a header with "
                                  f"the columns id and phone)")
        lists = engine.suppression
        columns = _Columns(header, source,
                           (*ADDED_COLUMNS, DNC_COLUMN) if lists else ADDED_COLUMNS)
        writer.writerow(columns.header)
        chunk: list[tuple[list[str], Consumer | str]] = []
        for row in reader:
            if not row:
                continue  # a blank line
            chunk.append((row, columns.consumer(row)))
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


def _listed_on(consumer: Consumer, lists: Sequence[SuppressionList]) -> str:
    """The registries whose lists hold a refused consumer's number, ``;``-joined."""
    e164 = consumer.e164
    if e164 is None:
        return ""
    return ";".join(dict.fromkeys(lst.registry for lst in lists if e164 in lst))


def _judge(chunk: list[tuple[list[str], Consumer | str]], columns: _Columns, engine: Engine,
           at: datetime, writer: Any, stats: ScrubStats) -> None:
    consumers = [consumer for _, consumer in chunk if not isinstance(consumer, str)]
    decisions = iter(engine.check_many(consumers, at) if consumers else ())
    lists = engine.suppression
    rows = []
    for row, consumer in chunk:
        values: tuple[str, ...]
        if isinstance(consumer, str):
            values = ("false", f"invalid_row: {consumer}", "")
            stats.invalid += 1
        else:
            decision = next(decisions)
            if decision.allowed:
                values = ("true", "", decision.at.isoformat())
                stats.allowed += 1
            else:
                next_at = decision.next_allowed_at
                values = ("false", ";".join(code.value for code in decision.codes),
                          next_at.isoformat() if next_at else "")
                stats.refused += 1
        if lists:
            values += (_listed_on(consumer, lists)
                       if not isinstance(consumer, str) and "do_not_call" in values[1]
                       else "",)
        rows.append(columns.output(row, values))
    writer.writerows(rows)
    stats.rows += len(chunk)
