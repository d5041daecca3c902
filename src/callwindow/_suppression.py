"""Do-not-call registries and suppression lists: numbers that must never be called.

A ``SuppressionList`` is an immutable set of E.164 numbers (or of keyed hashes
of them) with the registry it came from and the date it was obtained.  Small
lists are built in memory (``from_numbers``, ``from_files``); a national
registry is built once into a compact file (``build``) and opened memory-mapped
(``SuppressionList.open``), so a 250-million-number list costs about 2.1 GB of
disk and almost nothing in RAM.

The file (``.cwdnc``, version 1, little-endian) is::

    header   128 bytes: magic "CWDNC\\0", version, flags (bit 0: keyed hashes),
             count, filter size, as_of (proleptic ordinal), registry (UTF-8)
    keys     count x uint64, sorted, unique: the E.164 digits as an integer
             (+33612345678 -> 33612345678; 15 digits fit), or the first
             8 bytes of HMAC-SHA256("p:<E.164>") under the operator's secret
    filter   one byte per key: bits (key & 7) and (key >> 3 & 7) of byte
             (key % filter size) are set for every key (a blocked Bloom filter
             of 8 bits and two hashes per key)

A number is looked up by a probe of the filter, which answers "not listed" for
about 92 % of unlisted numbers in one byte read, then by a binary search of the
keys (``bisect`` over a ``memoryview`` of the map, in C).  Why a home-made
format rather than a library: the stdlib's ``mmap`` + ``bisect`` do the job
with no dependency and no load step; sqlite or dbm answer in several
microseconds and build slowly, marisa-trie cannot be built in constant memory,
and numpy (not a core dependency) is slower for one scalar lookup than bisect.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import math
import mmap
import os
import string
import struct
import sys
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, Self

from . import _time, _wording, _zones
from ._consent import validity
from ._decision import Reason
from ._errors import InvalidInputError
from ._frequency import EVER, NEVER
from ._models import Consent, Consumer, DoNotCallRule, Policy
from .ledgers._base import KeyedLedger

if TYPE_CHECKING:
    from ._plan import Plan

__all__ = [
    "BuildReport",
    "DoNotCallRefusal",
    "ListHeader",
    "Malformed",
    "Screen",
    "SuppressionCheck",
    "SuppressionList",
    "TimeGate",
    "build",
    "open_lists",
    "read_header",
    "registry_gate",
    "suppression_refusal",
]

MAGIC = b"CWDNC\x00"
VERSION = 1
_HEADER = struct.Struct("<6sHII QQ IHH 64s 24x")
HEADER_SIZE = _HEADER.size  # 128
_FLAG_HASHED = 1
_KEY = array("Q").itemsize  # 8
_MAX_REGISTRY = 64
_HEX = frozenset(string.hexdigits)
_BLOCK = 1 << 16  # keys read or written at a time
_FILTER_SLAB = 16 << 20  # filter bytes held in memory at a time while building
_MERGE_BUFFER = 8 << 20  # the runs' read buffers while merging, all together
# The first instant of a date anywhere on Earth (UTC+14): a list dated D is taken
# as obtained then, so that a date is never read as fresher than it is.
_EARLIEST = timezone(timedelta(hours=14))

ProgressCallback = Callable[[str, int, int | None], None]
"""``progress(stage, done, total)``: stage ``"reading"`` (bytes read of the
inputs), ``"merging"`` (keys merged) or ``"filter"`` (filter bytes written)."""


# -- keys --------------------------------------------------------------------------------


def _hasher(secret: bytes | str) -> Callable[[str], int]:
    """E.164 -> the first 8 bytes of the ledgers' keyed hash of ``p:<E.164>``, as an int."""
    try:
        ledger_keys = KeyedLedger(secret)  # the ledgers' HMAC, so one secret serves both
    except ValueError as error:
        raise InvalidInputError(str(error), field="secret") from None
    stored_key = ledger_keys.stored_key
    return lambda e164: int(stored_key("p:" + e164)[2:18], 16)


def _hash_key(text: str) -> int | None:
    """A keyed hash as written in a file (hex, optionally ``h:``) -> its first 8 bytes."""
    digits = text[2:] if text[:2].lower() == "h:" else text
    if not 16 <= len(digits) <= 64 or not _HEX.issuperset(digits):
        return None
    return int(digits[:16], 16)


def _filter_size(count: int) -> int:
    """The smallest prime >= ``count`` (at least 2): the filter's modulus."""
    candidate = max(count, 2)
    while not _is_prime(candidate):
        candidate += 1
    return candidate


def _is_prime(n: int) -> bool:
    if n < 4:
        return n > 1
    if n % 2 == 0:
        return False
    return all(n % divisor for divisor in range(3, math.isqrt(n) + 1, 2))


def _fill_filter(slab: bytearray, keys: Iterable[int], modulus: int, start: int) -> None:
    """Set the bits of ``keys`` whose filter byte falls in ``[start, start + len(slab))``."""
    end = start + len(slab)
    for key in keys:
        slot = key % modulus
        if start <= slot < end:
            slab[slot - start] |= 1 << (key & 7) | 1 << (key >> 3 & 7)


# -- the list ----------------------------------------------------------------------------


class SuppressionList:
    """An immutable set of E.164 numbers from one registry, as obtained on one date.

    ``number in lst`` takes an E.164 string as phonenumbers writes it
    (``Consumer.e164`` is one): ``"+33612345678"``.  Anything else raises
    ``InvalidInputError`` rather than answering "not listed" for a number
    written another way (fail closed); ``lst.contains(phone, country=...)``
    normalises a national or spaced number first.  A string of E.164 shape is
    taken as written: ``+330612345678`` (with a trunk 0) is not normalised by
    ``in``, so pass numbers that phonenumbers produced.

    A list of keyed hashes (``lst.hashed``) holds no number: it is checked by
    hashing the number with the same HMAC-SHA256 the ledgers use under
    ``secret=``, keeping the first 64 bits.  Two different numbers share those
    bits with probability about ``len(lst) / 2**64`` (1.4e-11 for 250 million
    entries): such a collision refuses an unlisted number, never the reverse.
    """

    __slots__ = ("_as_of", "_count", "_filter", "_hash", "_keys", "_map", "_modulus",
                 "_registry", "path")

    def __init__(self, keys: Sequence[int], filter_bytes: Any, modulus: int, *,
                 registry: str, as_of: date, hash_key: Callable[[str], int] | None,
                 mapped: mmap.mmap | None = None, path: Path | None = None) -> None:
        """Private: use ``open``, ``from_numbers`` or ``from_files``."""
        self._keys = keys
        self._count = len(keys)
        self._filter = filter_bytes
        self._modulus = modulus
        self._registry = registry
        self._as_of = as_of
        self._hash = hash_key
        self._map = mapped
        self.path = path
        """The file the list was opened from, or ``None`` for a list built in memory."""

    # -- constructors

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, secret: bytes | str | None = None) -> Self:
        """Open a list built by ``build`` (or ``callwindow dnc build``), memory-mapped.

        Nothing but the header is read: the keys stay on disk and in the
        page cache.  A list of keyed hashes needs the ``secret`` it was built
        with.  A file that is not a valid list raises ``InvalidInputError``.
        """
        where = Path(path)
        with open(where, "rb") as handle:
            header = _read_header(handle, where)
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        registry, as_of, count, modulus = (header.registry, header.as_of, header.count,
                                           header.modulus)
        if sys.byteorder != "little":
            mapped.close()
            raise InvalidInputError(f"{where}: lists are little-endian; this machine is not",
                                    field="path")
        end = HEADER_SIZE + count * _KEY
        view = memoryview(mapped)
        keys = view[HEADER_SIZE:end].cast("Q")
        filter_bytes = view[end:end + modulus]
        return cls(keys, filter_bytes, modulus, registry=registry, as_of=as_of,
                   hash_key=_hash_for(header.hashed, secret, where), mapped=mapped, path=where)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, secret: bytes | str | None = None
                  ) -> Self:
        """``open``, under the name the public contract gives it (``from_numbers``,
        ``from_files``, ``from_file``)."""
        return cls.open(path, secret=secret)

    @classmethod
    def from_numbers(cls, numbers: Iterable[str], *, registry: str, as_of: date,
                     country: str | None = None, secret: bytes | str | None = None) -> Self:
        """A list in memory from numbers (E.164, or national format in ``country``).

        With ``secret`` the list keeps keyed hashes only.  A number that does
        not parse raises ``InvalidInputError`` naming it and its position.
        """
        registry, as_of = _check_identity(registry, as_of)
        hash_key = _hasher(secret) if secret is not None else None
        keys = set()
        for index, number in enumerate(numbers):
            key = _number_key(number, country, hash_key)
            if key is None:
                raise InvalidInputError(f"numbers[{index}]: {number!r} is not a phone number"
                                        + (f" (country {country})" if country else
                                           " in international format (give country=)"),
                                        field=f"numbers[{index}]")
            keys.add(key)
        return cls._in_memory(keys, registry, as_of, hash_key)

    @classmethod
    def from_files(cls, paths: Iterable[str | os.PathLike[str]], *, registry: str,
                   as_of: date, country: str | None = None,
                   secret: bytes | str | None = None, hashed_input: bool = False,
                   skip_malformed: bool = False) -> Self:
        """A list in memory from text or CSV files (see ``build`` for the format).

        With ``hashed_input`` the lines are keyed hashes and ``secret`` is the
        one they were made with (numbers are hashed with it to be looked up).
        For a registry's full download use ``build`` and ``open``: this holds
        every number in RAM.
        """
        registry, as_of = _check_identity(registry, as_of)
        if hashed_input and secret is None:
            raise InvalidInputError("secret: a list of keyed hashes is checked by hashing "
                                    "numbers with the secret the hashes were made with; "
                                    "give secret=", field="secret")
        hash_key = _hasher(secret) if secret is not None else None
        reader = _Reader(country, hash_key, hashed_input, skip_malformed)
        keys = {key for path in paths for key in reader.keys(Path(path))}
        return cls._in_memory(keys, registry, as_of, hash_key)

    @staticmethod
    def build(sources: Sequence[str | os.PathLike[str]], output: str | os.PathLike[str], *,
              registry: str, as_of: date, **options: Any) -> BuildReport:
        """Build a list file from registry downloads in bounded memory; open it with ``open``.

        The options (``country``, ``secret``, ``hashed_input``,
        ``skip_malformed``, ``chunk_size``, ``progress``, ``temp_dir``) and
        the line format are those of ``callwindow._suppression.build``.
        """
        return build(sources, output, registry=registry, as_of=as_of, **options)

    @classmethod
    def _in_memory(cls, keys: set[int], registry: str, as_of: date,
                   hash_key: Callable[[str], int] | None) -> Self:
        ordered = array("Q", sorted(keys))
        modulus = _filter_size(len(ordered))
        filter_bytes = bytearray(modulus)
        _fill_filter(filter_bytes, ordered, modulus, 0)
        return cls(ordered, bytes(filter_bytes), modulus, registry=registry, as_of=as_of,
                   hash_key=hash_key)

    # -- what it is

    @property
    def registry(self) -> str:
        """The registry the list came from (``"US-DNC"``, ``"TPS"``...)."""
        return self._registry

    @property
    def as_of(self) -> date:
        """The date the list was obtained from its registry."""
        return self._as_of

    @property
    def hashed(self) -> bool:
        """Whether the list holds keyed hashes rather than numbers."""
        return self._hash is not None

    @property
    def obtained_at(self) -> datetime:
        """``as_of`` as an instant: its first moment anywhere on Earth (00:00 at UTC+14).

        A list's age is counted from here, so that a date written in any zone
        is never read as fresher than it is.
        """
        return datetime.combine(self._as_of, time(), _EARLIEST).astimezone(UTC)

    def fresh_at(self, at: datetime, max_age: timedelta) -> bool:
        """Whether the list was obtained within ``max_age`` before ``at`` (and not after it)."""
        age = _time.as_utc(at) - self.obtained_at
        return timedelta(0) <= age <= max_age

    def __len__(self) -> int:
        return self._count

    def __repr__(self) -> str:
        kind = "keyed hashes" if self.hashed else "numbers"
        where = f", {str(self.path)!r}" if self.path is not None else ""
        return (f"<SuppressionList {self._registry} of {self._as_of.isoformat()}: "
                f"{self._count:,} {kind}{where}>")

    # -- lookups

    def __contains__(self, number: object) -> bool:
        # The hot path: a number not on the list costs one filter byte.  int() is
        # lenient (" +1_202..." parses) but only to the same digits, so the answer is
        # still that of the number; what it must not take is a national number
        # without "+", which would be another number.  A keyed hash is of the exact
        # string, so a hashed list checks the shape strictly.
        try:
            if number[0] != "+":  # type: ignore[index]
                raise ValueError
            key = int(number) if self._hash is None else self._hash(_strict(number))  # type: ignore[call-overload,arg-type]
        except (TypeError, ValueError, IndexError, KeyError):
            raise _not_e164(number) from None
        seen = self._filter[key % self._modulus]
        if not seen >> (key & 7) & 1 or not seen >> (key >> 3 & 7) & 1:
            return False
        keys = self._keys
        index = bisect.bisect_left(keys, key)
        return index < self._count and keys[index] == key

    def contains(self, phone: str, *, country: str | None = None) -> bool:
        """Whether ``phone`` (any format phonenumbers reads; national with ``country``) is listed.

        Raises ``InvalidInputError`` when the number does not parse: an
        unreadable number is not taken as "not listed".
        """
        e164 = _zones.normalized(phone, country.upper() if country else None)
        if e164 is None:
            raise InvalidInputError(f"number: {phone!r} is not a phone number"
                                    + (f" in {country}" if country else
                                       " in international format (give country=)"),
                                    field="number")
        return e164 in self

    # -- resources

    def close(self) -> None:
        """Release the memory map (a list built in memory has none)."""
        if self._map is not None:
            keys, filter_bytes = self._keys, self._filter
            if isinstance(keys, memoryview):
                keys.release()
            if isinstance(filter_bytes, memoryview):
                filter_bytes.release()
            self._keys, self._filter = array("Q"), _Closed()
            self._map.close()
            self._map = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Closed:
    """The filter of a closed list: a lookup raises rather than answer "not listed"."""

    def __getitem__(self, index: int) -> int:
        raise ValueError("lookup in a closed SuppressionList")


def _strict(number: str) -> str:
    if not (number[1:].isdigit() and number.isascii()):
        raise ValueError
    return number


def _not_e164(number: object) -> Exception:
    if not isinstance(number, str):
        return TypeError(f"a SuppressionList holds E.164 strings, not {type(number).__name__}")
    return InvalidInputError(f"number: {number!r} is not E.164 (+ and digits); normalise it "
                             f"first, e.g. with lst.contains(number, country=...)",
                             field="number")


def open_lists(paths: Iterable[str | os.PathLike[str]], *, secret: bytes | str | None = None
               ) -> list[SuppressionList]:
    """Open several list files (``SuppressionList.open``): all of them, or none (a file
    that fails closes those already opened).  The caller closes them."""
    opened: list[SuppressionList] = []
    try:
        for path in paths:
            opened.append(SuppressionList.open(path, secret=secret))
    except BaseException:
        for lst in opened:
            lst.close()
        raise
    return opened


def _check_identity(registry: str, as_of: date) -> tuple[str, date]:
    if not isinstance(registry, str) or not registry.strip():
        raise InvalidInputError(f"registry: {registry!r} is not a registry name (e.g. 'US-DNC')",
                                field="registry")
    registry = registry.strip()
    if len(registry.encode()) > _MAX_REGISTRY:
        raise InvalidInputError(f"registry: {registry!r} is longer than {_MAX_REGISTRY} bytes",
                                field="registry")
    if isinstance(as_of, str):
        try:
            as_of = date.fromisoformat(as_of)
        except ValueError:
            raise InvalidInputError(f"as_of: {as_of!r} is not a date (YYYY-MM-DD)",
                                    field="as_of") from None
    if isinstance(as_of, datetime) or not isinstance(as_of, date):
        raise InvalidInputError(f"as_of: {as_of!r} is not a date (YYYY-MM-DD)", field="as_of")
    return registry, as_of


@dataclass(frozen=True, slots=True)
class ListHeader:
    """What a list file says of itself, read without the secret of a hashed list."""

    registry: str
    as_of: date
    hashed: bool
    count: int
    modulus: int
    size: int


def read_header(path: str | os.PathLike[str]) -> ListHeader:
    """A list file's header; ``InvalidInputError`` for a file that is not a valid list."""
    with open(path, "rb") as handle:
        return _read_header(handle, Path(path))


def _read_header(handle: IO[bytes], where: Path) -> ListHeader:
    size = os.fstat(handle.fileno()).st_size
    head = handle.read(HEADER_SIZE)
    if len(head) < HEADER_SIZE or head[:6] != MAGIC:
        raise InvalidInputError(f"{where}: not a callwindow suppression list (no CWDNC header)",
                                field="path")
    _, version, flags, _, count, modulus, ordinal, length, _, name = _HEADER.unpack(head)
    if version != VERSION:
        raise InvalidInputError(f"{where}: list format version {version}; this callwindow "
                                f"reads version {VERSION}", field="path")
    expected = HEADER_SIZE + count * _KEY + modulus
    if size != expected or modulus < 2 or length > _MAX_REGISTRY:
        raise InvalidInputError(f"{where}: truncated or damaged ({size:,} bytes where the "
                                f"header says {expected:,})", field="path")
    try:
        registry = name[:length].decode()
        as_of = date.fromordinal(ordinal)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInputError(f"{where}: damaged header", field="path") from None
    return ListHeader(registry, as_of, bool(flags & _FLAG_HASHED), count, modulus, size)


def _hash_for(hashed: bool, secret: bytes | str | None, where: Path
              ) -> Callable[[str], int] | None:
    if not hashed:
        return None
    if secret is None:
        raise InvalidInputError(f"{where}: the list holds keyed hashes; give the secret it "
                                f"was built with (secret=)", field="secret")
    return _hasher(secret)


def _number_key(number: object, country: str | None,
                hash_key: Callable[[str], int] | None) -> int | None:
    if not isinstance(number, str):
        return None
    e164 = _parse_e164(number, country)
    if e164 is None:
        return None
    return int(e164) if hash_key is None else hash_key(e164)


# The normalisation of _zones.normalized without its cache: every number of a
# registry is new, so the cache would only churn (and fragment memory as it does).
_parse_e164: Callable[[str, str | None], str | None] = _zones._parsed_e164.__wrapped__


# -- reading registry files ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Malformed:
    """A line that holds no number: where it is and what it says."""

    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r} is not a phone number"


class _Reader:
    """Lines of registry files -> keys, naming each malformed line by file and number.

    A line's number is its first field (split on ``,``, ``;``, ``|`` or a
    tab, quotes stripped).  Blank lines and ``#`` comments are skipped, and
    so is a first line with no digit in its first field (a CSV header).  A
    first field of at most four digits followed by a field of digits is an
    area code and a number (``201,5550123``), and the two are joined.
    """

    def __init__(self, country: str | None, hash_key: Callable[[str], int] | None,
                 hashed_input: bool, skip_malformed: bool) -> None:
        self.country = country.upper() if country else None
        self.hash_key = hash_key
        self.hashed_input = hashed_input
        self.skip_malformed = skip_malformed
        self.malformed: list[Malformed] = []
        self.malformed_count = 0
        self.lines = 0
        self.bytes_read = 0

    def keys(self, path: Path) -> Iterator[int]:
        with open(path, "rb") as raw:
            for number, line in enumerate(raw, 1):
                self.bytes_read += len(line)
                key = self._key(line, number == 1, path, number)
                if key is not None:
                    yield key

    def _key(self, line: bytes, first: bool, path: Path, number: int) -> int | None:
        text = line.decode("utf-8", "replace").strip().lstrip("\ufeff")
        if not text or text.startswith("#"):
            return None
        self.lines += 1
        fields = [part.strip().strip('"').strip("'")
                  for part in text.replace(";", ",").replace("|", ",").replace("\t", ",")
                  .split(",")]
        value = fields[0]
        if first and not any(char.isdigit() for char in value):
            self.lines -= 1
            return None  # a header
        if self.hashed_input:
            key = _hash_key(value)
        else:
            if len(fields) > 1 and len(value) <= 4 and value.isdigit() and fields[1].isdigit():
                value += fields[1]  # area code, number
            key = _number_key(value, self.country, self.hash_key)
        if key is None:
            self._bad(Malformed(str(path), number, text[:80]))
        return key

    def _bad(self, where: Malformed) -> None:
        if not self.skip_malformed:
            raise InvalidInputError(f"{where}" + ("" if self.hashed_input or self.country
                                                  else " (national numbers need a country)")
                                    + "; fix the line, or skip such lines "
                                    "(skip_malformed=True, --skip-malformed)",
                                    field=f"{where.path}:{where.line}")
        self.malformed_count += 1
        if len(self.malformed) < 1000:
            self.malformed.append(where)


# -- building a file at scale ---------------------------------------------------------------


@dataclass(frozen=True)
class BuildReport:
    """What ``build`` did: keys written, lines read, duplicates and malformed lines."""

    path: Path
    registry: str
    as_of: date
    hashed: bool
    count: int
    lines: int
    duplicates: int
    malformed_count: int
    malformed: tuple[Malformed, ...] = field(default=())
    """The first 1,000 malformed lines (all of them are counted)."""


def build(sources: Sequence[str | os.PathLike[str]], output: str | os.PathLike[str], *,
          registry: str, as_of: date, country: str | None = None,
          secret: bytes | str | None = None, hashed_input: bool = False,
          skip_malformed: bool = False, chunk_size: int = 1_000_000,
          progress: ProgressCallback | None = None,
          temp_dir: str | os.PathLike[str] | None = None) -> BuildReport:
    """Build a list file from registry downloads, in memory bounded by ``chunk_size``.

    ``sources`` are text or CSV files, one number a line (E.164, or national
    format in ``country``); see ``_Reader`` for what a line may hold.  With
    ``secret`` the file keeps keyed hashes of the numbers and no number; with
    ``hashed_input`` the lines already are such hashes (hex, optionally
    ``h:``-prefixed, as the ledgers store them).

    A malformed line refuses the build by default, with an error naming its
    file and line number: a registry entry that cannot be read is a number
    that would not be suppressed.  ``skip_malformed=True`` skips such lines
    and counts them in the report (the first 1,000 are listed).

    How: keys are read in chunks of ``chunk_size``, each sorted into a run
    file in ``temp_dir``; the runs are merged (``heapq.merge``), duplicates
    dropped, into ``output``; then the filter is written in slabs of at most
    16 MiB.  Peak memory is about ``chunk_size`` Python ints plus one slab,
    whatever the list's length.  ``output`` is written whole or not at all.
    """
    registry, as_of = _check_identity(registry, as_of)
    paths = [Path(source) for source in sources]
    for path in paths:
        if not path.is_file():
            raise InvalidInputError(f"{path}: no such file", field="sources")
    if hashed_input and secret is not None:
        raise InvalidInputError("secret: the input already holds keyed hashes; give "
                                "hashed_input or secret, not both", field="secret")
    if chunk_size < 1:
        raise InvalidInputError(f"chunk_size: {chunk_size!r} is not positive",
                                field="chunk_size")
    target = Path(output)
    hash_key = _hasher(secret) if secret is not None else None
    hashed = hash_key is not None or hashed_input
    reader = _Reader(country, hash_key, hashed_input, skip_malformed)
    total_bytes = sum(path.stat().st_size for path in paths)
    report = progress or (lambda stage, done, total: None)
    with tempfile.TemporaryDirectory(prefix="cwdnc-", dir=temp_dir) as work:
        runs = _sorted_runs(paths, reader, chunk_size, Path(work), report, total_bytes)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                             dir=target.parent)
        try:
            with open(handle, "w+b") as out:
                count, keys_read = _merge(runs, out, report)
                modulus = _filter_size(count)
                _write_filter(out, count, modulus, report)
                out.seek(0)
                out.write(_header(registry, as_of, hashed, count, modulus))
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return BuildReport(target, registry, as_of, hashed, count, reader.lines,
                       keys_read - count, reader.malformed_count, tuple(reader.malformed))


def _header(registry: str, as_of: date, hashed: bool, count: int, modulus: int) -> bytes:
    name = registry.encode()
    return _HEADER.pack(MAGIC, VERSION, _FLAG_HASHED if hashed else 0, 0, count, modulus,
                        as_of.toordinal(), len(name), 0, name)


def _sorted_runs(paths: Sequence[Path], reader: _Reader, chunk_size: int, work: Path,
                 report: ProgressCallback, total_bytes: int) -> list[Path]:
    runs: list[Path] = []
    chunk = array("Q")  # 8 bytes a key, not a Python int each

    def flush() -> None:
        run = work / f"run-{len(runs):05d}"
        with open(run, "wb") as out:
            array("Q", sorted(chunk)).tofile(out)
        runs.append(run)
        del chunk[:]

    for path in paths:
        for key in reader.keys(path):
            chunk.append(key)
            if len(chunk) >= chunk_size:
                flush()
                report("reading", reader.bytes_read, total_bytes)
    if chunk:
        flush()
    report("reading", reader.bytes_read, total_bytes)
    return runs


def _run_keys(run: Path, block_keys: int) -> Iterator[int]:
    with open(run, "rb", buffering=0) as handle:
        while True:
            block = array("Q")
            with contextlib.suppress(EOFError):  # the last, shorter block is read all the same
                block.fromfile(handle, block_keys)
            if not block:
                return
            yield from block


def _merge(runs: Sequence[Path], out: IO[bytes], report: ProgressCallback) -> tuple[int, int]:
    """Merge sorted runs into ``out`` after the header; (unique keys, keys read)."""
    out.seek(HEADER_SIZE)
    total = sum(run.stat().st_size for run in runs) // _KEY
    block = array("Q")
    count = read = 0
    previous = -1
    block_keys = max(1024, _MERGE_BUFFER // _KEY // max(len(runs), 1))
    for key in heapq.merge(*(_run_keys(run, block_keys) for run in runs)):
        read += 1
        if key == previous:
            continue
        previous = key
        block.append(key)
        if len(block) >= _BLOCK:
            block.tofile(out)
            count += len(block)
            del block[:]
            if count % (_BLOCK * 16) == 0:
                report("merging", read, total)
    block.tofile(out)
    count += len(block)
    report("merging", read, total)
    return count, read


def _write_filter(out: IO[bytes], count: int, modulus: int, report: ProgressCallback) -> None:
    """Append the filter, one slab of at most ``_FILTER_SLAB`` bytes at a time."""
    end = HEADER_SIZE + count * _KEY
    for start in range(0, modulus, _FILTER_SLAB):
        slab = bytearray(min(_FILTER_SLAB, modulus - start))
        _fill_filter(slab, _file_keys(out, count), modulus, start)
        out.seek(end + start)
        out.write(slab)
        report("filter", min(start + _FILTER_SLAB, modulus), modulus)


def _file_keys(out: IO[bytes], count: int) -> Iterator[int]:
    for start in range(0, count, _BLOCK):
        out.seek(HEADER_SIZE + start * _KEY)
        block = array("Q")
        block.frombytes(out.read(min(_BLOCK, count - start) * _KEY))
        yield from block


# -- what the engine asks ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DoNotCallRefusal:
    """Why a call is refused under a do-not-call registry.

    ``kind`` is ``"listed"`` (the number is on ``registry``'s list of
    ``as_of``), ``"stale"`` (no list of ``registry`` obtained within the
    policy's ``max_age`` is loaded) or ``"unchecked"`` (the consumer has no
    E.164 number to look up).  ``message`` is the reason's text.
    """

    kind: Literal["listed", "stale", "unchecked"]
    registry: str
    as_of: date | None
    message: str


class SuppressionCheck:
    """Lists and the ``do_not_call`` rules that govern a call, compiled once.

    The engine builds one per set of rules (so per plan, not per call).  In
    the order ``refusal`` asks:

    1. stale: a rule whose registry has no list loaded that was obtained
       within its ``max_age`` before the instant judged (``fresh_at``) refuses
       every call (fail closed: a stale or missing list stops the campaign);
    2. unchecked: with lists or rules, a consumer without an E.164 number
       cannot be looked up and is refused;
    3. listed: a number on any list is refused, unless ``consent`` is true
       and every rule for that list's registry says ``consent_exempts`` (a
       list that no rule names is never exempted by consent).

    Several rules for one registry combine to the strictest: the shortest
    ``max_age``, and consent exempts only if all of them say so.
    """

    __slots__ = ("_active", "_exempt", "_fresh", "_hi", "_lists", "_lo", "_names", "_rules",
                 "lists", "names")

    def __init__(self, lists: Iterable[SuppressionList], rules: Iterable[DoNotCallRule]
                 ) -> None:
        self._lists = self.lists = tuple(lists)
        strictest: dict[str, DoNotCallRule] = {}
        exempts: dict[str, bool] = {}
        for rule in rules:
            known = strictest.get(rule.registry)
            if known is None or (rule.max_age_delta is not None and (
                    known.max_age_delta is None
                    or rule.max_age_delta < known.max_age_delta)):
                strictest[rule.registry] = rule
            exempts[rule.registry] = exempts.get(rule.registry, True) and rule.consent_exempts
        self._rules = tuple(strictest.values())
        # The instants at which every rule has a fresh list.  When they are one
        # interval, as they are with one list per registry, the hot path compares
        # the instant with its two ends; otherwise it always takes the slow path.
        self._fresh = _intersection([_fresh_windows(rule, self._lists) for rule in self._rules])
        self._lo, self._hi = self._fresh[0] if len(self._fresh) == 1 else (_END_OF_TIME,
                                                                           _START_OF_TIME)
        self._exempt = frozenset(registry for registry, ok in exempts.items() if ok)
        self._active = bool(self._lists or strictest)
        #: The registries of the lists and rules, for messages ("US-DNC, TPS").
        self._names = self.names = ", ".join(sorted({lst.registry for lst in self._lists}
                                                    | set(strictest)))

    @property
    def rules(self) -> tuple[DoNotCallRule, ...]:
        """The rules that count: the strictest one per registry."""
        return self._rules

    def exempts(self, registry: str) -> bool:
        """Whether consent exempts a listing of ``registry`` (every rule naming it says so)."""
        return registry in self._exempt

    def refusal(self, e164: str | None, consent: bool, at: datetime
                ) -> DoNotCallRefusal | None:
        """Why the lists and rules refuse a call to ``e164`` at ``at``, or ``None``."""
        if not self._active:
            return None
        if self._rules:
            try:
                fresh = self._lo <= at <= self._hi
            except TypeError:  # a naive instant
                fresh = _time.as_utc(at) is None  # raises NaiveDatetimeError
            if not fresh:
                stale = self.stale_rule(at)
                if stale is not None:
                    return DoNotCallRefusal("stale", stale.registry, None,
                                            _wording.do_not_call_stale(stale.registry,
                                                                       stale.max_age).message)
        if e164 is None:
            return DoNotCallRefusal("unchecked", self._names, None,
                                    _wording.do_not_call_unchecked(self._names).message)
        for lst in self._lists:
            if e164 in lst and not (consent and lst.registry in self._exempt):
                return DoNotCallRefusal("listed", lst.registry, lst.as_of,
                                        _wording.do_not_call_listed(lst.registry,
                                                                    lst.as_of).message)
        return None

    def stale_rule(self, at: datetime) -> DoNotCallRule | None:
        """The first rule without a fresh list at ``at``, if any."""
        if any(start <= at <= end for start, end in self._fresh):
            return None
        for rule in self._rules:
            if not any(start <= at <= end for start, end in _fresh_windows(rule, self._lists)):
                return rule
        return None  # pragma: no cover (every rule fresh, but not all at once: impossible)

    def fresh_spans(self) -> tuple[tuple[int, int], ...]:
        """The instants at which every rule has a fresh list, as half-open spans in µs."""
        return tuple((EVER if start == _START_OF_TIME else _time.to_us(start),
                      NEVER if end == _END_OF_TIME else _time.to_us(end) + 1)
                     for start, end in self._fresh)


_START_OF_TIME = datetime.min.replace(tzinfo=UTC)
_END_OF_TIME = datetime.max.replace(tzinfo=UTC)

Windows = list[tuple[datetime, datetime]]


def _fresh_windows(rule: DoNotCallRule, lists: Sequence[SuppressionList]) -> Windows:
    """The instants at which ``rule`` has a fresh list, as sorted disjoint intervals."""
    age = rule.max_age_delta
    spans = sorted((lst.obtained_at, _END_OF_TIME if age is None else lst.obtained_at + age)
                   for lst in lists if lst.registry == rule.registry)
    merged: Windows = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _intersection(each: Sequence[Windows]) -> tuple[tuple[datetime, datetime], ...]:
    """The instants in one window of every list of windows."""
    common: Windows = [(_START_OF_TIME, _END_OF_TIME)]
    for windows in each:
        common = [(max(a, c), min(b, d)) for a, b in common for c, d in windows
                  if max(a, c) <= min(b, d)]
    return tuple(common)


def suppression_refusal(lists: Sequence[SuppressionList], e164: str | None,
                        rules: Iterable[DoNotCallRule], consent: bool,
                        at: datetime) -> DoNotCallRefusal | None:
    """Whether do-not-call lists and rules refuse a call to ``e164`` at ``at``; pure.

    ``rules`` are the ``do_not_call`` rules of the policies that govern the
    call; see ``SuppressionCheck`` for the order of the checks.  The engine
    builds a ``SuppressionCheck`` once per plan instead: this compiles one for
    a single answer.
    """
    return SuppressionCheck(lists, rules).refusal(e164, consent, at)


# -- the engine's plans ----------------------------------------------------------------------


class TimeGate:
    """A refusal that holds outside some spans of time, searched like a calendar.

    The plan holds it beside its zone calendars, so every search (the next
    allowed time, windows) sees it: a do-not-call rule is open while a fresh
    list of its registry is loaded; a listed number whose consent exempts it,
    while that consent counts.
    """

    __slots__ = ("_first", "_spans", "_why")

    def __init__(self, spans: Sequence[tuple[int, int]], why: Callable[[int], Reason]) -> None:
        self._spans = tuple(span for span in spans if span[0] < span[1])  # sorted, apart
        self._first = self._spans[0] if self._spans else (NEVER, EVER)
        self._why = why

    def is_open(self, t: int) -> bool:
        """Whether ``t`` lies in a span."""
        start, end = self._first  # the one span of a list per registry: two comparisons
        if start <= t < end:
            return True
        for start, end in self._spans[1:]:  # noqa: SIM110 - rarely any: a plain loop
            if start <= t < end:
                return True
        return False

    def next_open(self, t: int) -> int | None:
        """The first instant at or after ``t`` in a span; ``None``: never."""
        for start, end in self._spans:
            if t < end:
                return max(t, start)
        return None

    def lapses_at(self) -> int | None:
        """When the gate opens for good, if it does."""
        if self._spans and self._spans[-1][1] >= NEVER:
            return self._spans[-1][0]
        return None

    def intervals(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The spans clipped to ``[start, end)``, in order."""
        for lo, hi in self._spans:
            if lo < end and hi > start:
                yield max(lo, start), min(hi, end)

    def reason(self, t: int) -> Reason:
        """Why the gate refuses at ``t`` (call only when it does)."""
        return self._why(t)


def registry_gate(check: SuppressionCheck, policies: Sequence[Policy]) -> TimeGate:
    """The ``do_not_call`` rules of ``policies`` as a gate: open while each has a fresh list."""

    def why(t: int) -> Reason:
        rule = check.stale_rule(_time.from_us(t))
        assert rule is not None
        return _wording.do_not_call_stale(rule.registry, rule.max_age,
                                          _ruling(policies, rule.registry))

    return TimeGate(check.fresh_spans(), why)


def _ruling(policies: Sequence[Policy], registry: str) -> Policy | None:
    """The first of ``policies`` whose ``do_not_call`` rule names ``registry``."""
    for policy in policies:
        if policy.do_not_call is not None and policy.do_not_call.registry == registry:
            return policy
    return None


class Screen:
    """A plan's do-not-call lists, asked for each consumer's number.

    Consumers of one plan share their zones, region and consent, not their
    number: ``plan_for`` gives a consumer whose number is on no list the plan
    itself, and any other one a plan of its own, refused as long as the
    listing holds (for ever, or while the consent that exempts it does not
    count).  Each search over that plan then sees the refusal, so check,
    next allowed time and windows agree.
    """

    __slots__ = ("_check", "_consented", "_exempt", "_hashed", "_plain", "_policies",
                 "_unchecked")

    def __init__(self, check: SuppressionCheck, policies: Sequence[Policy],
                 consent: bool | Consent) -> None:
        self._check = check
        self._policies = policies
        self._consented = consent is not False
        # The lists of numbers, probed inline (see plan_for), and those of keyed hashes.
        self._plain = tuple(lst for lst in check.lists if not lst.hashed)
        self._hashed = tuple(lst for lst in check.lists if lst.hashed)
        # Per registry that consent exempts: when this plan's consent counts under
        # every policy naming it (True: always; None: never).
        self._exempt: dict[str, tuple[int, int] | None] = {}
        for registry in {policy.do_not_call.registry for policy in policies
                         if policy.do_not_call is not None}:
            if not check.exempts(registry):
                continue
            span: tuple[int, int] | None = (EVER, NEVER)
            for policy in policies:
                if span is None or policy.do_not_call is None or (
                        policy.do_not_call.registry != registry):
                    continue
                counts = validity(policy, consent)
                if counts is None:
                    span = None
                elif not isinstance(counts, bool):
                    span = (max(span[0], counts[0]), min(span[1], counts[1]))
            self._exempt[registry] = span
        self._unchecked = _wording.do_not_call_unchecked(check.names)

    def plan_for(self, consumer: Consumer, plan: Plan) -> Plan:
        """``plan``, or for a number that is listed (or unknown) a plan that refuses it."""
        e164 = consumer.e164
        if e164 is None:  # fail closed: a number we are not told cannot be looked up
            return plan.screened(refusal=self._unchecked)
        if self._plain:
            # ``e164 in lst``'s filter probe, inlined: a number phonenumbers wrote needs
            # no shape check, and its key is made once for every list (measured: a
            # third of the cost of ``in`` on the hot path of an unlisted number).
            key = int(e164)
            for lst in self._plain:  # (its filter read each time: a closed list says so)
                seen = lst._filter[key % lst._modulus]
                if seen >> (key & 7) & 1 and seen >> (key >> 3 & 7) & 1 and e164 in lst:
                    return self._listed(e164, plan)
        for lst in self._hashed:
            if e164 in lst:
                return self._listed(e164, plan)
        return plan

    def _listed(self, e164: str, plan: Plan) -> Plan:
        lo, hi = EVER, NEVER
        first: Reason | None = None
        for lst in self._check.lists:
            if e164 not in lst:
                continue
            span = self._exempt.get(lst.registry)
            policy = _ruling(self._policies, lst.registry)
            reason = _wording.do_not_call_listed(lst.registry, lst.as_of, policy,
                                                 consent=self._consented
                                                 and lst.registry in self._exempt)
            if span is None or max(lo, span[0]) >= min(hi, span[1]):
                return plan.screened(refusal=reason)
            lo, hi = max(lo, span[0]), min(hi, span[1])
            first = first or reason
        if (lo, hi) == (EVER, NEVER):  # consent that always counts exempts every listing
            return plan
        assert first is not None
        why = first
        return plan.screened(calendar=TimeGate(((lo, hi),), lambda t: why))
