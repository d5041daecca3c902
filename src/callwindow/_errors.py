"""The error tree: everything callwindow raises on purpose is a ``CallWindowError``.

::

    CallWindowError
    ├── InvalidInputError (also ValueError)   bad arguments or configuration; ``.field``
    │   ├── PolicyError                        a policy that does not validate; ``.problems``
    │   ├── ConsumerError                      a Consumer field that does not validate
    │   └── NaiveDatetimeError                 an instant without a UTC offset
    ├── MissingExtraError (also ImportError)   an optional dependency is not installed
    └── LedgerError                            the attempt ledger failed (the call is refused)

Catch ``CallWindowError`` to catch everything callwindow means to raise; catch
``ValueError`` where you already handle bad input, and ``ImportError`` where you
already handle missing packages: each error is also the builtin it resembles.
A ``TypeError`` (a wrong kind of object) is a programming mistake and stays a
plain ``TypeError``.
"""

from __future__ import annotations

__all__ = [
    "CallWindowError",
    "ConsumerError",
    "InvalidInputError",
    "LedgerError",
    "MissingExtraError",
    "NaiveDatetimeError",
    "PolicyError",
]


class CallWindowError(Exception):
    """Base of every error callwindow raises on purpose."""

    __module__ = "callwindow"


class InvalidInputError(CallWindowError, ValueError):
    """An argument or a configuration value that callwindow cannot use.

    The message names the field (its full path, such as ``limits.0.period`` or
    ``ledger``) and the value; ``field`` holds the path alone, for tools.
    """

    __module__ = "callwindow"

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class PolicyError(InvalidInputError):
    """A policy that does not validate; the message names each bad field and value.

    ``problems`` holds one ``(field, message)`` pair per problem, in the order
    found, so that a tool can list them all rather than stop at the first.
    """

    __module__ = "callwindow"

    def __init__(self, message: str, problems: tuple[tuple[str, str], ...] = ()) -> None:
        self.problems = problems or (("", message),)
        super().__init__(message, field=self.problems[0][0])


class ConsumerError(InvalidInputError):
    """A ``Consumer`` field that does not validate (an unknown zone, a bad region...).

    ``problems`` holds one ``(field, message)`` pair per problem, as on
    ``PolicyError``.
    """

    __module__ = "callwindow"

    def __init__(self, message: str, problems: tuple[tuple[str, str], ...] = ()) -> None:
        self.problems = problems or (("", message),)
        super().__init__(message, field=self.problems[0][0])


class NaiveDatetimeError(InvalidInputError):
    """A datetime or ISO string without a UTC offset where an instant is needed.

    A naive time is refused rather than guessed: read in the wrong zone it
    would move a call by hours.
    """

    __module__ = "callwindow"


class MissingExtraError(CallWindowError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""

    __module__ = "callwindow"

    def __init__(self, message: str, *, extra: str) -> None:
        super().__init__(message)
        self.extra = extra


class LedgerError(CallWindowError):
    """The attempt ledger could not be read or written (the call is refused)."""

    __module__ = "callwindow"
