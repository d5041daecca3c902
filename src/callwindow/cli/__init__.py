"""The ``callwindow`` command (also ``python -m callwindow``).

It needs the ``cli`` extra (click and rich): ``pip install 'callwindow[cli]'``.
Exit codes: 0 allowed (or done), 1 refused, 2 a usage or input error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

INSTALL_HINT = "pip install 'callwindow[cli]'"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    try:
        import click  # noqa: F401
        import rich  # noqa: F401
    except ImportError as error:
        missing = error.name or "click or rich"
        print(f"error: the callwindow command needs {missing}, which is not installed: "
              f"{INSTALL_HINT}", file=sys.stderr)
        return 2
    from ._app import run

    return run(argv)
