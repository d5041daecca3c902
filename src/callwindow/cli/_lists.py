"""``--suppression FILE``: the do-not-call lists of the commands that judge calls.

``check``, ``scrub`` (and ``serve``, through its config) take the option; the
lists are opened for the command and closed after it.  A module of its own,
apart from the ``dnc`` command group, so that the commands load neither the
group nor the list code until a list is named (start-up time).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .._errors import InvalidInputError

if TYPE_CHECKING:
    from .._suppression import SuppressionList

__all__ = ["open_suppression", "opened_lists", "secret_from_env", "suppression_option"]

_F = TypeVar("_F", bound=Callable[..., Any])


def secret_from_env(variable: str | None, option: str = "--secret-env") -> str | None:
    """The secret held in environment variable ``variable`` (never on the command line)."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        raise InvalidInputError(f"{option} {variable}: the environment variable is not set "
                                f"or empty", field=option)
    return value


def suppression_option(command: _F) -> _F:
    """``--suppression FILE`` (repeatable) and ``--suppression-secret-env VAR``."""
    command = click.option("--suppression-secret-env", metavar="VAR",
                           help="The environment variable holding the secret of hashed "
                                "--suppression lists.")(command)
    return click.option("--suppression", "suppression_files", multiple=True, metavar="FILE",
                        help="A do-not-call list built with `callwindow dnc build` "
                             "(repeatable): a number on it is refused.")(command)


def open_suppression(paths: Sequence[str], secret_env: str | None = None
                     ) -> list[SuppressionList]:
    """Open every ``--suppression`` file (the caller closes them)."""
    if not paths:
        return []
    from .._suppression import open_lists  # loaded only when a list is named

    return open_lists(paths, secret=secret_from_env(secret_env, "--suppression-secret-env"))


@contextmanager
def opened_lists(paths: Sequence[str], secret_env: str | None
                 ) -> Iterator[list[SuppressionList]]:
    """The ``--suppression`` lists, open for the command and closed after it."""
    lists = open_suppression(paths, secret_env)
    try:
        yield lists
    finally:
        for lst in lists:
            lst.close()
