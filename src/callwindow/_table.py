"""The columnar path: a whole table of consumers judged at one instant (``check_table``).

A calling list held as Arrow (or pandas, polars, DuckDB: anything that hands
over an Arrow table) is judged per distinct kind of consumer, not per row:
rows that agree on every field but ``id`` are validated and planned once, and
rows whose plan has no limits or cooldowns are judged once per plan; Arrow's
``take`` spreads each answer over its rows.  Rows of a kind whose plan counts
history are judged one by one (their ids key the ledger), their histories
read in one ledger round trip per 1,000 rows, as ``check_many`` does.
The answers are ``check_many``'s, row for row.

Needs the ``arrow`` extra (pyarrow); ``import callwindow`` does not load
this module.  Like the engine, it is sans-I/O: ``TableCheck`` prepares the
steps and assembles the result; the shells carry the ledger exchanges.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from . import _time
from ._decision import Decision
from ._errors import ConsumerError
from ._judge import Exchange, Judge
from ._models import Consumer, Policy
from ._plan import Plan

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["FIELDS", "RESULT_SCHEMA", "TAG_PREFIX", "BatchScrubber", "TableCheck", "as_table"]

#: The ``Consumer`` fields a table may carry as columns (any other column is ignored).
FIELDS = ("id", "phone", "timezone", "country", "region", "consent")
#: Columns ``tags.<name>`` are the consumer's tags.
TAG_PREFIX = "tags."
#: What ``check_table`` returns, one row per input row.
RESULT_SCHEMA = pa.schema([
    pa.field("allowed", pa.bool_(), nullable=False),
    pa.field("reasons", pa.list_(pa.string())),
    pa.field("next_allowed_at", pa.timestamp("us", tz="UTC")),
    pa.field("error", pa.string()),
])


def as_table(data: Any) -> pa.Table:
    """``data`` as a ``pyarrow.Table``: itself, a record batch, or anything ``pyarrow.table``
    takes (a pandas or polars DataFrame, an object with ``__arrow_c_stream__``)."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    try:
        return pa.table(data)
    except (TypeError, pa.ArrowInvalid) as error:
        raise TypeError(f"table: expected a pyarrow.Table or something that converts to one "
                        f"(pandas, polars, DuckDB), got {type(data).__name__}: {error}"
                        ) from None


class _Kind:
    """Rows that share every field but ``id``: validated and planned once (with the id
    of the first), their consumers made anew only for another id."""

    __slots__ = ("consumer", "error", "fields", "id", "plan")

    def __init__(self, fields: dict[str, Any], consumer_id: str | None, judge: Judge) -> None:
        self.fields = fields
        self.id = consumer_id
        self.consumer: Consumer | None = None
        self.error: str | None = None
        self.plan: Plan | None = None
        try:
            self.consumer = _consumer(fields, consumer_id)
        except ConsumerError as error:
            self.error = str(error)
            return
        self.plan = judge.planner.plan(self.consumer)

    def consumer_for(self, consumer_id: str | None) -> Consumer:
        """The consumer of a row of this kind (which validates)."""
        if consumer_id == self.id and self.consumer is not None:
            return self.consumer
        return _consumer(self.fields, consumer_id)

    def error_for(self, consumer_id: str | None) -> str:
        """The validation error of a row of this kind (which does not validate): it names
        the row's id."""
        if consumer_id == self.id and self.error is not None:
            return self.error
        try:
            _consumer(self.fields, consumer_id)
        except ConsumerError as error:
            return str(error)
        raise AssertionError("a kind that does not validate validated")


def _consumer(fields: dict[str, Any], consumer_id: str | None) -> Consumer:
    return Consumer(**fields) if consumer_id is None else Consumer(**fields, id=consumer_id)


class TableCheck:
    """One ``check_table`` call: ``steps`` for the shell to settle, then ``result``."""

    def __init__(self, judge: Judge, data: Any, at: datetime, t: int) -> None:
        table = as_table(data)
        self._rows = table.num_rows
        names = table.column_names
        unknown_id = "id" in names and not _is_text(table.schema.field("id").type)
        if unknown_id:
            raise TypeError(f"table: column 'id' must hold strings, "
                            f"not {table.schema.field('id').type}")
        columns = {name: table.column(name).to_pylist() for name in FIELDS if name in names}
        tags = [(name[len(TAG_PREFIX):], table.column(name).to_pylist())
                for name in names if name.startswith(TAG_PREFIX) and len(name) > len(TAG_PREFIX)]
        ids = columns.pop("id", None)
        fields = list(columns)
        values = [columns[name] for name in fields]
        kinds: dict[tuple[Any, ...], _Kind] = {}
        shared: dict[int, int] = {}  # id of a plan -> the slot of its one answer
        #: Per slot, what answers it: a plan without history (every row of its kind of
        #: consumer), a row's own decision (its index in ``steps``) or a row's error.
        self._slots: list[Plan | int | str] = []
        slot_of = [0] * self._rows  # per row, the slot of its answer
        own: list[Consumer] = []  # consumers of the rows judged one by one
        for row in range(self._rows):
            tagged = tuple((name, column[row]) for name, column in tags
                           if column[row] is not None)
            key = (tuple(_hashable(column[row]) for column in values), tagged)
            row_id = ids[row] if ids is not None else None
            kind = kinds.get(key)
            if kind is None:
                given = {name: column[row] for name, column in zip(fields, values, strict=True)
                         if column[row] is not None}
                if tagged:
                    given["tags"] = dict(tagged)
                kind = kinds[key] = _Kind(given, row_id, judge)
            plan = kind.plan
            if plan is None or not plan.by_calendars:  # an error, or judged by id or number
                slot_of[row] = len(self._slots)
                if plan is None:
                    self._slots.append(kind.error_for(row_id))
                else:
                    self._slots.append(len(own))
                    own.append(kind.consumer_for(row_id))
                continue
            slot = shared.get(id(plan))
            if slot is None:
                slot = shared[id(plan)] = len(self._slots)
                self._slots.append(plan)
            slot_of[row] = slot
        self._slot_of = pa.array(slot_of, pa.int64())
        self._at, self._t = at, t
        self.steps: list[Decision | Exchange[Decision]] = (
            judge.decide_many(own, at, t) if own else [])

    def result(self, decisions: Sequence[Decision]) -> pa.Table:
        """The answer table, from the decisions of ``steps`` (in order)."""
        allowed: list[bool] = []
        reasons: list[list[str] | None] = []
        next_at: list[datetime | None] = []
        errors: list[str | None] = []
        judged = iter(decisions)
        at, t = self._at, self._t
        for slot in self._slots:
            if isinstance(slot, str):
                allowed.append(False)
                reasons.append(None)
                next_at.append(None)
                errors.append(slot)
                continue
            if isinstance(slot, int):
                decision = next(judged)
            else:
                decision = Decision._made(slot.is_open(t), at, t, None, slot, slot)
            allowed.append(decision.allowed)
            reasons.append([code.value for code in decision.codes])
            next_at.append(decision.next_allowed_at)
            errors.append(None)
        answers = pa.table([pa.array(allowed, pa.bool_()),
                            pa.array(reasons, pa.list_(pa.string())),
                            pa.array(next_at, pa.timestamp("us", tz="UTC")),
                            pa.array(errors, pa.string())], schema=RESULT_SCHEMA)
        return answers.take(self._slot_of)  # Arrow spreads each answer over its rows


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or pa.types.is_string_view(kind) or pa.types.is_null(kind)
                or (pa.types.is_dictionary(kind) and _is_text(kind.value_type)))


def _hashable(value: Any) -> Any:
    """A cell as a dictionary key (a list of zones becomes a tuple)."""
    if isinstance(value, list):
        return ("\x00list", *(_hashable(item) for item in value))
    if isinstance(value, dict):
        return ("\x00dict", *sorted((key, _hashable(item)) for key, item in value.items()))
    return value



class BatchScrubber:
    """Judges Arrow record batches as they stream by: Spark's ``mapInArrow`` function.

    ``scrubber(batches)`` yields each batch with ``check_table``'s four
    columns appended (``allowed``, ``reasons``, ``next_allowed_at``,
    ``error``; input columns of those names are replaced).  The object
    pickles (the policies, the ledger URL and the instant travel, not the
    engine), and each process that runs it makes one ``Engine`` on first use
    and keeps it: in Spark, one engine per executor's Python worker, however
    many partitions it runs.  ``at`` (default: the moment the scrubber is
    made, on the driver) is one instant for the whole list.  With limits or
    cooldowns, give a shared ledger (``redis://``, ``postgresql://``) that
    every executor reaches; ``memory://`` holds nothing to count there.

    Args:
        policy: the policies, as for ``Engine``.
        ledger: the ledger URL (default ``memory://``).
        at: the instant every row is judged at.
    """

    __module__ = "callwindow"

    def __init__(self, policy: Policy | Sequence[Policy], *, ledger: str = "memory://",
                 at: datetime | str | None = None) -> None:
        self.policies = (policy,) if isinstance(policy, Policy) else tuple(policy)
        if not isinstance(ledger, str):
            raise TypeError(f"ledger: expected a ledger URL (the scrubber travels to other "
                            f"processes), got {type(ledger).__name__}")
        self.ledger = ledger
        if at is None:
            at = datetime.now(UTC)
        self.at = _time.as_utc(_time.parse_instant(at, "at") if isinstance(at, str)
                               else _time.aware(at, "at"))

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        engine = self._engine()
        for batch in batches:
            table = pa.Table.from_batches([batch])
            answers = engine.check_table(table, self.at)
            for name, column in zip(answers.column_names, answers.columns, strict=True):
                if name in table.column_names:
                    table = table.set_column(table.column_names.index(name), name, column)
                else:
                    table = table.append_column(name, column)
            yield from table.to_batches()

    def _engine(self) -> Engine:
        key = (os.getpid(), self.ledger, tuple(p.model_dump_json() for p in self.policies))
        engine = _ENGINES.get(key)
        if engine is None:
            from ._engine import Engine

            engine = _ENGINES[key] = Engine(list(self.policies), ledger=self.ledger)
        return engine


#: The engines of this process's scrubbers, by process, ledger and policies.
_ENGINES: dict[tuple[int, str, tuple[str, ...]], Engine] = {}
