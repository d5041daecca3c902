"""``callwindow dnc``: build a do-not-call list file once, and say what one holds.

``dnc build`` turns registry downloads into a ``.cwdnc`` file with
``callwindow._suppression.build`` (constant memory, a progress bar on a
terminal); ``dnc info`` prints a file's header.  The ``--suppression FILE``
option of the commands that judge calls is in ``_lists``.
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from .._errors import InvalidInputError
from ._lists import secret_from_env

__all__ = ["dnc_command"]

_SHOWN_MALFORMED = 20


@click.group("dnc", short_help="Build and inspect do-not-call list files.")
def dnc_command() -> None:
    """Build do-not-call list files from registry downloads, and inspect them.

    A list file (.cwdnc) holds the numbers sorted, for lookups from disk in a
    microsecond or so with almost no memory; see docs/suppression.md.
    """


@dnc_command.command("build")
@click.argument("files", nargs=-1, required=True, metavar="FILES...")
@click.option("--registry", required=True, metavar="NAME",
              help="The registry the numbers come from (US-DNC, TPS, DNCL, IT-RPO...).")
@click.option("--as-of", "as_of", required=True, metavar="YYYY-MM-DD",
              help="The date the list was obtained from the registry.")
@click.option("-o", "--output", required=True, metavar="FILE.cwdnc",
              help="The list file to write (written whole or not at all).")
@click.option("--country", metavar="C",
              help="ISO country of numbers written in national format (e.g. US).")
@click.option("--secret-env", metavar="VAR",
              help="Keep keyed hashes (HMAC-SHA256 under the secret in this environment "
                   "variable, as the ledgers do) instead of numbers.")
@click.option("--hashed-input", is_flag=True,
              help="The lines already are keyed hashes (hex, optionally 'h:'), made with "
                   "the secret the list will be checked with.")
@click.option("--skip-malformed", is_flag=True,
              help="Skip a line that holds no number (named on stderr) instead of refusing "
                   "the build.")
@click.option("--chunk-size", default=1_000_000, show_default=True, metavar="N",
              type=click.IntRange(min=1),
              help="Numbers sorted in memory at a time (bounds the memory used).")
@click.option("--temp-dir", metavar="DIR", help="Where the sorted runs go (default: the "
              "system's temporary directory); needs about 8 bytes per number.")
@click.option("--progress/--no-progress", default=None,
              help="A progress bar on stderr (default: when stderr is a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
def dnc_build(files: tuple[str, ...], registry: str, as_of: str, output: str,
              country: str | None, secret_env: str | None, hashed_input: bool,
              skip_malformed: bool, chunk_size: int, temp_dir: str | None,
              progress: bool | None, as_json: bool) -> None:
    """Build a do-not-call list file from text or CSV files, one number a line.

    A line's number is its first field (',', ';', '|' or tab separated);
    blank lines, '#' comments and a header line are skipped. A malformed line
    refuses the build, naming its file and line, unless --skip-malformed.

    \b
    Example:
      callwindow dnc build us-dnc/*.txt --registry US-DNC --as-of 2026-11-28 \\
          --country US -o us.cwdnc
    """
    try:
        obtained = date.fromisoformat(as_of)
    except ValueError:
        raise InvalidInputError(f"--as-of {as_of!r}: expected a date, YYYY-MM-DD",
                                field="--as-of") from None
    target = Path(output)
    if not target.parent.is_dir():
        raise InvalidInputError(f"-o {output}: the directory {str(target.parent)!r} does not "
                                f"exist", field="-o")
    from .._suppression import build

    secret = secret_from_env(secret_env)
    show = progress if progress is not None else sys.stderr.isatty()
    from ._app import _progress_bar  # imported here: _app registers this command

    bar = _progress_bar() if show else None
    with bar if bar is not None else nullcontext():
        tasks: dict[str, Any] = {}

        def advance(stage: str, done: int, total: int | None) -> None:
            if bar is None:
                return
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        report = build(files, target, registry=registry, as_of=obtained,
                       country=country, secret=secret, hashed_input=hashed_input,
                       skip_malformed=skip_malformed, chunk_size=chunk_size,
                       progress=advance, temp_dir=temp_dir)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    for bad in report.malformed[:_SHOWN_MALFORMED]:
        errors.print(f"skipped {escape(str(bad))}")
    if report.malformed_count > _SHOWN_MALFORMED:
        errors.print(f"... and {report.malformed_count - _SHOWN_MALFORMED:,} more malformed "
                     f"lines skipped")
    if as_json:
        click.echo(json.dumps({
            "output": str(report.path), "registry": report.registry,
            "as_of": report.as_of.isoformat(), "hashed": report.hashed,
            "count": report.count, "lines": report.lines, "duplicates": report.duplicates,
            "malformed": report.malformed_count,
            "malformed_lines": [{"file": bad.path, "line": bad.line, "text": bad.text}
                                for bad in report.malformed]}, indent=2))
        return
    kind = "keyed hashes" if report.hashed else "numbers"
    errors.print(f"built {escape(str(report.path))}: {report.count:,} {kind} of "
                 f"{escape(report.registry)} as of {report.as_of.isoformat()} "
                 f"({report.lines:,} lines, {report.duplicates:,} duplicates, "
                 f"{report.malformed_count:,} malformed skipped)")


@dnc_command.command("info")
@click.argument("file", metavar="FILE")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def dnc_info(file: str, as_json: bool) -> None:
    """What a list file holds: registry, date, count, numbers or keyed hashes, size."""
    from .._suppression import read_header

    lst = read_header(file)
    data = {"file": file, "registry": lst.registry, "as_of": lst.as_of.isoformat(),
            "count": lst.count, "hashed": lst.hashed, "bytes": lst.size}
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    console = Console(highlight=False, soft_wrap=True)
    for label, value in (("file", file), ("registry", lst.registry),
                         ("as of", lst.as_of.isoformat()), ("count", f"{lst.count:,}"),
                         ("holds", "keyed hashes (HMAC-SHA256, first 64 bits)" if lst.hashed
                          else "E.164 numbers"),
                         ("size", f"{data['bytes']:,} bytes")):
        console.print(f"[bold]{label:<9}[/]{escape(str(value))}")

