"""A nightly list scrub: which contacts may be called at a given time, and why not the others.

    python examples/nightly_scrub.py --at 2026-11-27T10:30:00+01:00 --out-dir scrubbed
    python examples/nightly_scrub.py examples/contacts.csv --at 2026-11-27T10:30:00+01:00 \
        --out-dir /var/spool/dialer --allowed call-list.csv --refused held-back.csv \
        --ledger sqlite:///dialer-attempts.db

Reads a CSV of contacts (columns ``id`` and ``phone``; optional ``timezone``
(IANA names separated by ``;``), ``region`` and ``consent`` (yes/no); any
other column is carried through), judges every row at ``--at`` (default:
now) with ``cw.Engine.check_many``, ``--chunk-size`` rows at a time so that
a list of any length runs in the memory of one chunk, and writes into
``--out-dir`` (created if need be; default: a new temporary directory, so
that a trial run leaves nothing behind in the working directory):

- ``--allowed`` (default ``allowed.csv``): the rows that may be called then;
- ``--refused`` (default ``refused.csv``): the others, with ``reasons`` (the
  reason codes, ``;``-separated, or ``invalid_row``), ``next_allowed_at``
  (UTC; empty when never, e.g. no consent on file or no time zone) and
  ``why`` (the first reason's message).

Then prints counts per reason code and where the files went::

    12 rows at 2026-11-27T10:30:00+01:00: 4 allowed, 8 refused
      consent_required     1
      invalid_row          3
      ...
    allowed: /tmp/nightly-scrub-k2j1/allowed.csv
    refused: /tmp/nightly-scrub-k2j1/refused.csv

Pass the dialers' ledger (``--ledger``, the URL they share) so that the
frequency limits and cooldowns see the calls already made; with the default
``memory://`` the history is empty and only hours, holidays, zones and
consent refuse.  Exit code 0, 2 on bad input.  (The ``callwindow scrub``
command does the same job on lists of millions of rows.)
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

import callwindow as cw

HERE = Path(__file__).parent
REFUSED_COLUMNS = ("reasons", "next_allowed_at", "why")
YES, NO = {"yes", "true", "1"}, {"no", "false", "0", ""}

Row = dict[str, str]


def consumer_of(row: Row) -> cw.Consumer | str:
    """The row's consumer, or why the row cannot be judged."""
    if not (row.get("id") or "").strip():
        return "missing id"
    consent = (row.get("consent") or "").strip().lower()
    if consent not in YES | NO:
        return f"consent {row['consent']!r} is not yes or no"
    zones = [zone.strip() for zone in (row.get("timezone") or "").split(";") if zone.strip()]
    try:
        return cw.Consumer(id=row["id"].strip(), phone=(row.get("phone") or "").strip() or None,
                           timezone=zones, region=(row.get("region") or "").strip() or None,
                           consent=consent in YES)
    except cw.ConsumerError as error:
        return "; ".join(message for _, message in error.problems)


def chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def scrub(source: Path, engine: cw.Engine, at: datetime, allowed_path: Path,
          refused_path: Path, chunk_size: int) -> Counter[str]:
    """Judge every row; returns the counts: ``allowed``, ``refused`` and each reason code."""
    counts: Counter[str] = Counter()
    with (source.open(newline="", encoding="utf-8-sig") as infile,
          allowed_path.open("w", newline="", encoding="utf-8") as allowed_file,
          refused_path.open("w", newline="", encoding="utf-8") as refused_file):
        reader = csv.DictReader(infile)
        columns = list(reader.fieldnames or [])
        if "id" not in columns or "phone" not in columns:
            raise ValueError(f"{source}: expected the columns id and phone, got {columns}")
        allowed = csv.DictWriter(allowed_file, columns, lineterminator="\n")
        refused = csv.DictWriter(refused_file, [*columns, *REFUSED_COLUMNS],
                                 lineterminator="\n")
        allowed.writeheader()
        refused.writeheader()
        for chunk in chunks(reader, chunk_size):
            judged = [(row, consumer_of(row)) for row in chunk]
            consumers = [c for _, c in judged if isinstance(c, cw.Consumer)]
            # One call per chunk: consumers that share zones, region and consent
            # share one evaluation (with an empty history).
            decisions = iter(engine.check_many(consumers, at))
            for row, consumer in judged:
                if isinstance(consumer, str):
                    counts.update(["refused", "invalid_row"])
                    refused.writerow({**row, "reasons": "invalid_row", "next_allowed_at": "",
                                      "why": consumer})
                    continue
                decision = next(decisions)
                if decision.allowed:
                    counts["allowed"] += 1
                    allowed.writerow(row)
                    continue
                codes = [code.value for code in decision.codes]
                counts.update(["refused", *codes])
                later = decision.next_allowed_at
                refused.writerow({**row, "reasons": ";".join(codes),
                                  "next_allowed_at": later.isoformat() if later else "",
                                  "why": decision.reasons[0].message})
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("contacts", nargs="?", default=str(HERE / "contacts.csv"),
                        help="the contact list (default examples/contacts.csv)")
    parser.add_argument("--at", help="ISO-8601 instant with an offset (default: now)")
    parser.add_argument("--preset", default="FR", help="a preset id (FR)")
    parser.add_argument("--ledger", default="memory://",
                        help="the dialers' ledger URL, for limits and cooldowns (memory://)")
    parser.add_argument("--out-dir", help="where to write the two lists (created if need "
                        "be; default: a new temporary directory)")
    parser.add_argument("--allowed", default="allowed.csv",
                        help="output: rows to call, in --out-dir (allowed.csv)")
    parser.add_argument("--refused", default="refused.csv",
                        help="output: rows held back, in --out-dir (refused.csv)")
    parser.add_argument("--chunk-size", type=int, default=1000, help="rows per check_many")
    args = parser.parse_args(argv)
    if args.chunk_size < 1:
        print("error: --chunk-size must be at least 1")
        return 2
    try:
        out_dir = (Path(args.out_dir) if args.out_dir
                   else Path(tempfile.mkdtemp(prefix="nightly-scrub-")))
        out_dir.mkdir(parents=True, exist_ok=True)
        allowed_path, refused_path = out_dir / args.allowed, out_dir / args.refused
        with cw.Engine(cw.presets.get(args.preset), ledger=args.ledger) as engine:
            at = engine.clock.now() if args.at is None else datetime.fromisoformat(args.at)
            if at.tzinfo is None:
                raise cw.NaiveDatetimeError(f"--at {args.at!r} has no UTC offset")
            counts = scrub(Path(args.contacts), engine, at, allowed_path, refused_path,
                           args.chunk_size)
    except (OSError, ValueError, cw.CallWindowError) as error:
        print(f"error: {error}")
        return 2
    print(f"{counts['allowed'] + counts['refused']} rows at {at.isoformat()}: "
          f"{counts['allowed']} allowed, {counts['refused']} refused")
    for code, count in sorted(counts.items()):
        if code not in ("allowed", "refused"):
            print(f"  {code:<20} {count}")
    print(f"allowed: {allowed_path}")
    print(f"refused: {refused_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
