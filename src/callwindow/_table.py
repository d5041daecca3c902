"""The columnar path: a whole table of consumers judged at one instant (``check_table``).

A calling list held as Arrow (or pandas, polars, DuckDB: anything that hands
over an Arrow table) is judged per distinct kind of consumer, not per row.
Phone numbers are classed a column at a time (``_phone_columns``: the calling
code, the NANP area code, validity), and Arrow groups the rows into kinds:
rows that agree on every field but ``id`` and their number's class.  Each kind
is validated and planned once, on its first row, by the row path itself.  A
kind whose plan has no limits or cooldowns gets one answer, spread over its
rows by Arrow's ``take``; with limits each row reads its own history (the
kind's questions put under the row's keys, in one ledger round trip per 1,000
rows, as ``check_many`` does), and rows with none share one answer.  Rows
whose number has no class, and refusals the history must explain anew, are
judged one by one on their own ``Consumer``.  The answers are
``check_many``'s, row for row.

Needs the ``arrow`` extra (pyarrow); ``import callwindow`` does not load
this module.  Like the engine, it is sans-I/O: ``TableCheck`` prepares the
steps and assembles the result; the shells carry the ledger exchanges.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from . import _time
from ._decision import Decision
from ._errors import ConsumerError, LedgerError
from ._frequency import Constraint
from ._judge import Exchange, Judge, Reply
from ._models import Consumer, Policy
from ._phone_columns import PhoneClasses, phone_classes
from ._plan import Plan

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["FIELDS", "RESULT_SCHEMA", "TAG_PREFIX", "BatchScrubber", "TableCheck", "as_table",
           "collector_paused"]

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
    """Rows that share every field but ``id`` (and, for a classed number, the number
    itself: see ``_phone_columns``): validated and planned once, on the first row."""

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

    def consumer_for(self, consumer_id: str | None, phone: str | None) -> Consumer:
        """The consumer of a row of this kind (which validates)."""
        if consumer_id == self.id and phone is None and self.consumer is not None:
            return self.consumer
        fields = self.fields if phone is None else {**self.fields, "phone": phone}
        return _consumer(fields, consumer_id)

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


def _judged_per_row(plan: Plan) -> bool:
    """Whether each row of this plan's kinds must be judged on its own consumer (its
    own number, its own id), through the judge.

    The one place where a per-plan check that depends on more than the kind of
    consumer opts its rows out of sharing an answer: a do-not-call screen (each
    number looked up in the lists, ``Plan.screen``).
    """
    return plan.screen is not None


#: One answer of the result table: allowed, reason codes, next allowed instant, error.
_Answer = tuple[bool, tuple[str, ...] | None, datetime | None, str | None]


def _answer(decision: Decision) -> _Answer:
    return (decision.allowed, tuple(code.value for code in decision.codes),
            decision.next_allowed_at, None)


class _Ledgered:
    """A kind whose plan counts history: each row reads its own, with the questions of
    the kind's first row put under the row's keys; rows with no history share the
    answer of the first row's reply with none."""

    __slots__ = ("_empty", "_exchange", "_identity", "_phone", "_template")

    def __init__(self, kind: _Kind, exchange: Exchange[Decision]) -> None:
        assert kind.consumer is not None
        keys = kind.consumer.ledger_keys
        self._exchange = exchange
        self._identity = keys.identity
        self._phone = keys.scopes.get("phone")
        self._empty: _Answer | None = None
        # Per question: whose key it asks about (0: the row's identity, 1: its number's)
        # and the rest; None when some ``also`` key is the row's (then mapped in full).
        own = {self._identity, self._phone}
        template: list[tuple[int, tuple[Any, ...]]] = []
        for c in exchange.constraints:
            if any(key in own for key in c.also) or c.key not in own:
                break
            template.append((0 if c.key == self._identity else 1, tuple(c)[1:]))
        else:
            self._template: list[tuple[int, tuple[Any, ...]]] | None = template
            return
        self._template = None

    def step(self, consumer_id: str | None, e164: str | None) -> Exchange[_Answer | None]:
        """The row's read (``e164``: its number's, when its kind is a class of numbers)."""
        phone = self._phone if e164 is None else "p:" + e164
        consumer_id = consumer_id.strip() if consumer_id else None
        identity = "c:" + consumer_id if consumer_id else phone
        assert identity is not None
        template = self._template
        if template is not None:
            keys = (identity, phone)
            constraints = [_new(Constraint, (keys[which], *rest)) for which, rest in template]
        else:
            under = {self._identity: identity}
            if self._phone is not None:
                under.setdefault(self._phone, phone)  # type: ignore[arg-type]
            constraints = [_new(Constraint, (under.get(c.key, c.key),
                                             tuple(under.get(k, k) for k in c.also), c.since,
                                             c.outcomes, c.limit))
                           for c in self._exchange.constraints]
        return _new(Exchange, (identity, constraints, None, self.finish))

    def finish(self, reply: Reply) -> _Answer | None:
        """The row's answer from its reply; ``None``: judge the row on its own (the first
        row's explanation would read the history again, under its own keys)."""
        if (self._empty is not None and not isinstance(reply, LedgerError)
                and not any(reply[1])):
            return self._empty
        found = self._exchange.finish(reply)
        if isinstance(found, Exchange):
            return None
        answer = _answer(found)
        if not isinstance(reply, LedgerError) and not any(reply[1]):
            self._empty = answer
        return answer


_new = tuple.__new__


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused, for the whole process: the sync shell
    wraps a ``check_table`` in it, the async one only its own work between awaits.

    With limits a table check makes a few small objects per row, none of them
    cyclic, and keeps them until the end: each of the collector's passes
    would walk them all, and the caller's heap, again (measured: half the time
    of a 100,000-row check with limits, and more with a large heap).  The
    collector runs again, if it ran before, when the check is done.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


class TableCheck:
    """One ``check_table`` call: while ``steps`` is not empty, the shell settles them and
    hands the results to ``settled``; then ``result()`` is the answer table.  The shell
    does its part inside ``collector_paused()`` (see there)."""

    collector_paused = staticmethod(collector_paused)

    def __init__(self, judge: Judge, data: Any, at: datetime, t: int) -> None:
        table = as_table(data)
        rows = table.num_rows
        names = table.column_names
        if "id" in names and not _is_text(table.schema.field("id").type):
            raise TypeError(f"table: column 'id' must hold strings, "
                            f"not {table.schema.field('id').type}")
        self._judge, self._at, self._t = judge, at, t
        self._answers: list[_Answer] = []
        self._answer_slots: dict[_Answer, int] = {}
        self.steps: list[Any] = []
        self._row_slots: list[int] = []  # per row answered on its own: its answer
        if rows == 0:
            self._slot_of = pa.array([], pa.int64())
            return
        columns = {name: _array(table.column(name)) for name in FIELDS if name in names}
        tags = [(name, _array(table.column(name))) for name in names
                if name.startswith(TAG_PREFIX) and len(name) > len(TAG_PREFIX)]
        ids = columns.get("id")
        phones = self._phones(columns)
        keyed: list[pa.Array] = [columns[name] for name in FIELDS[2:] if name in columns]
        keyed += [column for _name, column in tags]
        if phones is not None:
            raw = pc.binary_join_element_wise("\x00", columns["phone"], "")
            keyed.append(pc.if_else(pc.is_valid(phones.classes), phones.classes, raw))
        elif "phone" in columns:
            keyed.append(columns["phone"])
        if ids is not None:  # with or without an id: other ledger keys
            keyed.append(pc.fill_null(pc.greater(
                pc.utf8_length(pc.utf8_trim(ids, " \t\n\r\x0b\x0c")), 0), False))
        kind_of, firsts = _kinds(keyed, rows)
        # The kinds, each validated and planned on its first row.
        firsts_table = table.take(firsts)
        kinds = [self._kind(row, judge) for row in firsts_table.to_pylist()]
        kind_slots: list[int] = []
        self._per_row: list[Any] = []  # per kind: None (shared), "error", a _Ledgered, "own"
        for kind in kinds:
            shared, per_row = self._classify(kind)
            kind_slots.append(-1 if shared is None else self._slot(shared))
            self._per_row.append(per_row)
        self._slot_of = pc.take(pa.array(kind_slots, pa.int64()), kind_of)
        self._mask = pc.take(pa.array([p is not None for p in self._per_row], pa.bool_()),
                             kind_of)
        self._own: list[tuple[_Kind, str | None, bool]] = []  # judged on their own
        self._own_at: list[int] = []  # their positions in _row_slots
        if not pc.any(self._mask).as_py():
            return
        # The rows that are not answered with their kind: errors, history, their own.
        where = pc.indices_nonzero(self._mask)
        row_kinds = pc.take(kind_of, where).to_pylist()
        row_ids = (pc.take(ids, where).to_pylist() if ids is not None
                   else [None] * len(row_kinds))
        row_e164 = (pc.take(phones.e164, where).to_pylist() if phones is not None
                    else [None] * len(row_kinds))
        self._where, self._phone = where, columns.get("phone") if phones is not None else None
        self._kinds = kinds
        self._read: list[tuple[int, _Kind, str | None]] = []  # (index, kind, id) per read
        with collector_paused():
            self._each_row(row_kinds, row_ids, row_e164)
        self._phase = 1
        if not self.steps:
            self._own_steps()

    def _each_row(self, row_kinds: list[int], row_ids: list[str | None],
                  row_e164: list[str | None]) -> None:
        """The rows not answered with their kind: an error, a read, or judged alone."""
        kinds = self._kinds
        for index, (k, row_id, e164) in enumerate(zip(row_kinds, row_ids, row_e164,
                                                      strict=True)):
            how = self._per_row[k]
            if how == "error":
                self._row_slots.append(self._slot((False, None, None,
                                                   kinds[k].error_for(row_id))))
                continue
            self._row_slots.append(-1)
            if how == "own":
                self._own.append((kinds[k], row_id, e164 is not None))
                self._own_at.append(index)
            else:
                self._read.append((index, kinds[k], row_id))
                self.steps.append(how.step(row_id, e164))

    def settled(self, results: Sequence[Any]) -> None:
        """The results of ``steps``, in order; sets the next ``steps`` (maybe none)."""
        if self._phase == 1:
            for (index, kind, row_id), found in zip(self._read, results, strict=True):
                if found is None:
                    self._own.append((kind, row_id, True))
                    self._own_at.append(index)
                else:
                    self._row_slots[index] = self._slot(found)
            self._own_steps()
            return
        for index, decision in zip(self._own_at, results, strict=True):
            self._row_slots[index] = self._slot(_answer(decision))
        self.steps = []

    def result(self) -> pa.Table:
        """The answer table, one row per input row."""
        answers = self._answers
        table = pa.table([pa.array([a[0] for a in answers], pa.bool_()),
                          pa.array([None if a[1] is None else list(a[1]) for a in answers],
                                   pa.list_(pa.string())),
                          pa.array([a[2] for a in answers], pa.timestamp("us", tz="UTC")),
                          pa.array([a[3] for a in answers], pa.string())],
                         schema=RESULT_SCHEMA)
        slot_of = self._slot_of
        if self._row_slots:
            slot_of = pc.replace_with_mask(slot_of, self._mask,
                                           pa.array(self._row_slots, pa.int64()))
        return table.take(slot_of)  # Arrow spreads each answer over its rows

    def _own_steps(self) -> None:
        """The steps of the rows judged on their own consumers (``check_many``'s)."""
        self._phase = 2
        self.steps = []
        if not self._own:
            return
        phones: list[str | None] = [None] * len(self._own)
        if self._phone is not None:  # a classed number: the row's own, not its kind's
            found = pc.take(self._phone, pc.take(self._where, pa.array(self._own_at,
                                                                        pa.int64())))
            phones = found.to_pylist()
        consumers = [kind.consumer_for(row_id, phone if classed else None)
                     for (kind, row_id, classed), phone in zip(self._own, phones, strict=True)]
        self.steps = self._judge.decide_many(consumers, self._at, self._t)

    def _kind(self, row: dict[str, Any], judge: Judge) -> _Kind:
        given = {name: value for name, value in row.items()
                 if name in FIELDS and name != "id" and value is not None}
        tagged = {name[len(TAG_PREFIX):]: value for name, value in row.items()
                  if name.startswith(TAG_PREFIX) and len(name) > len(TAG_PREFIX)
                  and value is not None}
        if tagged:
            given["tags"] = tagged
        return _Kind(given, row.get("id"), judge)

    def _classify(self, kind: _Kind) -> tuple[_Answer | None, Any]:
        """A kind's shared answer, or how its rows are answered one by one."""
        plan = kind.plan
        if plan is None:
            return None, "error"
        if _judged_per_row(plan):
            return None, "own"
        assert kind.consumer is not None
        if not plan.rules:
            at, t = self._at, self._t
            return _answer(Decision._made(plan.is_open(t), at, t, None, plan, plan)), None
        step = self._judge.decide(kind.consumer, plan, self._at, self._t, record=False)
        if isinstance(step, Decision):  # nobody to count attempts for: no read
            return _answer(step), None
        return None, _Ledgered(kind, step)

    def _slot(self, answer: _Answer) -> int:
        slot = self._answer_slots.get(answer)
        if slot is None:
            slot = self._answer_slots[answer] = len(self._answers)
            self._answers.append(answer)
        return slot

    @staticmethod
    def _phones(columns: dict[str, pa.Array]) -> PhoneClasses | None:
        """The classes of the rows' numbers, when the table has a text phone column."""
        phone = columns.get("phone")
        if phone is None or not _is_text(phone.type) or pa.types.is_null(phone.type):
            return None
        country = columns.get("country")
        if country is not None and (not _is_text(country.type)
                                    or pa.types.is_null(country.type)):
            country = None
        placed = None
        for name in ("timezone", "region"):
            column = columns.get(name)
            if column is not None and column.null_count < len(column):
                valid = pc.is_valid(column)
                placed = valid if placed is None else pc.or_(placed, valid)
        return phone_classes(phone, country, placed)


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


def _array(column: pa.ChunkedArray) -> pa.Array:
    """A column as one array, dictionaries decoded."""
    array = column.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pa.types.is_large_string(array.type) or pa.types.is_string_view(array.type):
        array = array.cast(pa.string())
    return array


def _kinds(columns: Sequence[pa.Array], rows: int) -> tuple[pa.Array, pa.Array]:
    """Per row, the index of its kind (the distinct combination of ``columns``), and per
    kind, its first row."""
    key: pa.Array | None = None
    for column in columns:
        codes, count = _codes(column)
        key = codes if key is None else pc.add(pc.multiply(key, count), codes)
        key = pc.dictionary_encode(key).indices.cast(pa.int64())
    if key is None:
        key = pa.array([0] * rows, pa.int64())
    distinct = pc.unique(key)
    return key, pc.index_in(distinct, value_set=key).cast(pa.int64())


def _codes(column: pa.Array) -> tuple[pa.Array, int]:
    """A code per row, equal for equal values (nulls one more value), and how many."""
    if pa.types.is_boolean(column.type):
        column = column.cast(pa.int8())
    try:
        encoded = pc.dictionary_encode(column, null_encoding="encode")
    except (pa.ArrowNotImplementedError, pa.ArrowTypeError):
        seen: dict[Any, int] = {}
        codes = [seen.setdefault(_hashable(value), len(seen)) for value in column.to_pylist()]
        return pa.array(codes, pa.int64()), len(seen)
    return encoded.indices.cast(pa.int64()), len(encoded.dictionary)


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
