"""The ``callwindow`` command (also ``python -m callwindow``).

It needs the ``cli`` extra (click and rich): ``pip install 'callwindow[cli]'``.
Exit codes: 0 allowed (or done), 1 refused, 2 a usage or input error.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

__all__ = ["main"]

INSTALL_HINT = "pip install 'callwindow[cli]'"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Without ``argv`` this is the program's own run, taken to end with the process:
    what the imports made is then frozen out of the garbage collector's walks
    (``gc.freeze()``).  Pass ``argv`` to run the command inside a process that
    goes on.
    """
    try:
        import click  # noqa: F401
        import rich  # noqa: F401
    except ImportError as error:
        missing = error.name or "click or rich"
        print(f"error: the callwindow command needs {missing}, which is not installed: "
              f"{INSTALL_HINT}", file=sys.stderr)
        return 2
    if argv is None and gc.isenabled():
        # Run as the program (the console script, ``python -m callwindow``): the
        # ~40,000 objects the imports create live until the process ends with
        # the command, so the collector is spared walking them, during the
        # imports, in each later full collection and at exit: about a fifth of
        # a one-off ``check`` (docs/performance.md).  Objects made afterwards are
        # collected as usual.  Not for a caller passing ``argv``, whose process
        # goes on: what is frozen is never collected.
        gc.disable()
        try:
            from ._app import run
        finally:
            gc.freeze()
            gc.enable()
    else:
        from ._app import run
    return run(argv)
