"""List scrubbing with pyarrow: Parquet and Arrow IPC files, and CSV chunks judged by table.

A CSV chunk (parsed by ``_scrub``) is turned into columns and judged with
``Engine.check_table`` (``judge_rows``): its rows cost little more than their
distinct kinds, and the cells of each distinct answer are written out once.

The columns are ``Consumer`` fields (``id``, ``phone``, ``timezone``,
``country``, ``region``, ``consent``, ``tags.<name>``), as ``check_table``
reads them; every other column is kept.  The file is read, judged
(``Engine.check_table``) and written one record batch at a time, so memory
stays that of one batch whatever the length.  Needs pyarrow (the ``arrow``
extra): the command imports this module only for such files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc

from .. import Engine
from ._scrub import _FALSE, _TRUE, Columns, ScrubInputError, ScrubStats, invalid, judge_by_row

__all__ = ["BATCH_ROWS", "judge_rows", "read_batches", "scrub_batches", "writer"]

Cells = tuple[str, ...]

#: Rows judged per ``check_table`` call (and per Parquet row group written).
BATCH_ROWS = 10_000
def read_batches(path: str, kind: str) -> tuple[Iterator[pa.RecordBatch], int | None]:
    """The record batches of a Parquet or Arrow IPC file, and how many rows it holds."""
    # Here: a CSV scrub needs neither module (about 9 MiB of RSS).
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    try:
        if kind == "parquet":
            parquet = pq.ParquetFile(path)
            return (parquet.iter_batches(batch_size=BATCH_ROWS),
                    parquet.metadata.num_rows)
        reader = ipc.open_file(pa.memory_map(path))
    except (pa.ArrowException, OSError) as error:
        raise ScrubInputError(f"{path}: not a readable {kind} file: {error}") from None

    def batches() -> Iterator[pa.RecordBatch]:
        for index in range(reader.num_record_batches):
            batch = reader.get_batch(index)
            for start in range(0, batch.num_rows, BATCH_ROWS):
                yield batch.slice(start, BATCH_ROWS)

    total = sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
    return batches(), total


@contextmanager
def writer(out: IO[bytes], kind: str) -> Iterator[Callable[[pa.Table], None]]:
    """``write(table)`` appending to a Parquet or Arrow IPC file on ``out``; the file
    is opened with the first table's schema."""
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    opened: list[Any] = []

    def write(table: pa.Table) -> None:
        if not opened:
            opened.append(pq.ParquetWriter(out, table.schema) if kind == "parquet"
                          else ipc.new_file(out, table.schema))
        opened[0].write_table(table)
        out.flush()

    try:
        yield write
    finally:
        for sink in opened:
            sink.close()


def scrub_batches(batches: Iterator[pa.RecordBatch], write: Callable[[pa.Table], None],
                  engine: Engine, at: datetime, *, source: str = "input",
                  on_chunk: Callable[[ScrubStats], Any] | None = None) -> ScrubStats:
    """Judge every row of ``batches`` at ``at``; write each batch with the answers added.

    The answers are ``check_table``'s columns (``allowed``, ``reasons``,
    ``next_allowed_at``, ``error``), appended, or in place of input columns of
    those names.  ``on_chunk`` gets the running totals after each batch.
    """
    stats = ScrubStats()
    for batch in batches:
        table = pa.Table.from_batches([batch])
        if stats.rows == 0 and not ({"id", "phone"} & set(table.column_names)):
            raise ScrubInputError(f"{source}: neither an 'id' nor a 'phone' column (the "
                                  f"columns are: {', '.join(table.column_names)})")
        try:
            answers = engine.check_table(table, at)
        except TypeError as error:
            raise ScrubInputError(f"{source}: {error}") from None
        for name, column in zip(answers.column_names, answers.columns, strict=True):
            if name in table.column_names:
                table = table.set_column(table.column_names.index(name), name, column)
            else:
                table = table.append_column(name, column)
        write(table)
        invalid = answers.num_rows - answers.column("error").null_count
        allowed = pc.sum(answers.column("allowed")).as_py() or 0
        stats.rows += answers.num_rows
        stats.allowed += allowed
        stats.invalid += invalid
        stats.refused += answers.num_rows - allowed - invalid
        if on_chunk is not None:
            on_chunk(stats)
    return stats


def judge_rows(rows: Sequence[list[str]], columns: Columns, engine: Engine, at: datetime
               ) -> list[Cells]:
    """The three added cells of each CSV row (``_scrub.judge_by_row``'s, row for row).

    The usual rows are read column by column and judged with one ``check_table``;
    the others (a cell missing, a consent that is not a boolean, a dated consent,
    several zones in a cell, more fields than the header) one by one.
    """
    count, width = len(rows), columns.width
    if any(len(row) != width for row in rows):
        odd = {index for index, row in enumerate(rows) if len(row) > width}
        rows_in = [row if len(row) == width else (row + [""] * width)[:width] for row in rows]
    else:
        odd, rows_in = set(), list(rows)

    def column(position: int | None) -> list[str] | None:
        return None if position is None else [row[position].strip() for row in rows_in]

    def unless(values: list[str] | None, usual: Any) -> None:
        if values is not None:
            odd.update(index for index, value in enumerate(values) if not usual(value))

    ids, phones = column(columns.id), column(columns.phone)
    assert ids is not None  # a required column
    assert phones is not None
    if "" in ids:
        unless(ids, bool)
    if "" in phones:
        unless(phones, bool)
    consents = column(columns.consent)
    consent_of = {value: value.lower() in _TRUE for value in set(consents or ())}
    if any(value.lower() not in _TRUE and value.lower() not in _FALSE for value in consent_of):
        unless(consents, lambda value: value.lower() in _TRUE or value.lower() in _FALSE)
    given = column(columns.consent_given)
    if given is not None and any(given):
        unless(given, lambda value: not value)  # a dated consent: judged on its own
    zones = column(columns.timezone)
    if zones is not None and any(";" in zone or "|" in zone for zone in zones):
        unless(zones, lambda zone: ";" not in zone and "|" not in zone)
    usual = [index for index in range(count) if index not in odd] if odd else range(count)

    def kept(values: list[str] | None) -> pa.Array:
        if values is None:
            return pa.nulls(len(usual), pa.string())
        return pa.array([values[index] or None for index in usual] if odd
                        else [value or None for value in values], pa.string())

    table = pa.table({
        "id": kept(ids), "phone": kept(phones), "timezone": kept(zones),
        "region": kept(column(columns.region)), "country": kept(column(columns.country)),
        "consent": pa.array([consent_of[consents[index]] for index in usual]
                            if consents is not None else [False] * len(usual), pa.bool_()),
        **{f"tags.{name}": kept(column(position)) for name, position in columns.tags},
    })
    found: list[Cells | None] = [None] * count
    if odd:
        ordered = sorted(odd)
        for index, cells in zip(ordered, judge_by_row([rows[i] for i in ordered], columns,
                                                      engine, at), strict=True):
            found[index] = cells
    for index, made in zip(usual, _answer_cells(engine.check_table(table, at), at),
                           strict=True):
        # A row that is not a valid consumer: its message, as the row path words it.
        found[index] = made if made is not None else _why(columns, rows[index])
    return found  # type: ignore[return-value]  # every row has its cells


def _why(columns: Columns, row: list[str]) -> Cells:
    checked = columns.consumer(row)
    assert isinstance(checked, str)
    return invalid(checked)


def _answer_cells(answers: pa.Table, at: datetime) -> list[Cells | None]:
    """The cells of each answer (``None``: a row that does not validate), each distinct
    answer made into text once."""
    if answers.num_rows == 0:
        return []
    slots = pc.dictionary_encode(pc.binary_join_element_wise(
        pc.cast(answers.column("allowed"), pa.string()),
        pc.fill_null(pc.binary_join(answers.column("reasons"), ";"), ""),
        pc.fill_null(pc.cast(answers.column("next_allowed_at"), pa.string()), ""),
        pc.fill_null(answers.column("error"), ""), "\x00")).combine_chunks()
    firsts = pc.index_in(slots.dictionary, value_set=slots.dictionary.take(slots.indices))
    made: list[Cells | None] = []
    for row in answers.take(firsts).to_pylist():
        if row["error"] is not None:
            made.append(None)
        elif row["allowed"]:
            made.append(("true", "", at.astimezone(UTC).isoformat()))
        else:
            next_at = row["next_allowed_at"]
            made.append(("false", ";".join(row["reasons"]),
                         next_at.isoformat() if next_at else ""))
    return [made[slot] for slot in slots.indices.to_pylist()]
