"""The error tree: everything callwindow raises on purpose is a CallWindowError."""

from __future__ import annotations

__all__ = ["CallWindowError", "LedgerError", "NaiveDatetimeError", "PolicyError"]


class CallWindowError(Exception):
    """Base of every error callwindow raises on purpose."""


class PolicyError(CallWindowError, ValueError):
    """A policy that does not validate; the message names each bad field and value.

    ``problems`` holds one ``(field, message)`` pair per problem, in the order
    found, so that a tool can list them all rather than stop at the first.
    """

    def __init__(self, message: str, problems: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (("", message),)


class NaiveDatetimeError(CallWindowError, ValueError):
    """A datetime or ISO string without a UTC offset where an instant is needed.

    A naive time is refused rather than guessed: read in the wrong zone it
    would move a call by hours.
    """


class LedgerError(CallWindowError):
    """The attempt ledger could not be read or written (the call is refused)."""
