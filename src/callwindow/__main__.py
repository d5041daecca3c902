"""``python -m callwindow``: the ``callwindow`` command."""

from __future__ import annotations

from callwindow.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
