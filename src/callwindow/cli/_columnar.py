"""List scrubbing of columnar files: Parquet and Arrow IPC in, the same format out.

The columns are ``Consumer`` fields (``id``, ``phone``, ``timezone``,
``country``, ``region``, ``consent``, ``tags.<name>``), as ``check_table``
reads them; every other column is kept.  The file is read, judged
(``Engine.check_table``) and written one record batch at a time, so memory
stays that of one batch whatever the length.  Needs pyarrow (the ``arrow``
extra): the command imports this module only for such files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc
import pyarrow.parquet as pq

from .. import Engine
from ._scrub import ScrubInputError, ScrubStats

__all__ = ["BATCH_ROWS", "read_batches", "scrub_batches", "writer"]

#: Rows judged per ``check_table`` call (and per Parquet row group written).
BATCH_ROWS = 10_000
def read_batches(path: str, kind: str) -> tuple[Iterator[pa.RecordBatch], int | None]:
    """The record batches of a Parquet or Arrow IPC file, and how many rows it holds."""
    try:
        if kind == "parquet":
            parquet = pq.ParquetFile(path)
            return (parquet.iter_batches(batch_size=BATCH_ROWS),
                    parquet.metadata.num_rows)
        reader = pa.ipc.open_file(pa.memory_map(path))
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
    opened: list[Any] = []

    def write(table: pa.Table) -> None:
        if not opened:
            opened.append(pq.ParquetWriter(out, table.schema) if kind == "parquet"
                          else pa.ipc.new_file(out, table.schema))
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
