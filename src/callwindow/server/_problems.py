"""Bad input as ``(field, message)`` problems: the one shape every 422 answer has.

A field is the full path into the request body (``consumer.timezone``,
``[3].phone`` for the fourth consumer of a ``check_many`` array); the message
is the library's own (pydantic's ``Value error,`` prefix dropped), so the HTTP
answer reads like the exception a Python caller would get.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import ValidationError

from .._errors import ConsumerError

__all__ = ["Problem", "field_path", "problems_of", "value_error_problem"]

Problem = tuple[str, str]

# The library starts its messages with the field it names: "at: ...", "outcome: ...",
# "at '2026-11-21T11:00:00' has no UTC offset".
_LEADING_FIELD = re.compile(r"([a-z_][a-z0-9_.]*)(?=: | ')")


def field_path(loc: Sequence[int | str]) -> str:
    """``("consumer", "timezone")`` as ``consumer.timezone``; ``(3, "phone")`` as ``[3].phone``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def problems_of(error: ValidationError | ConsumerError | Sequence[dict[str, object]],
                prefix: Sequence[int | str] = ()) -> list[Problem]:
    """One problem per pydantic error (or per problem of a ``ConsumerError``, which
    ``Consumer.model_validate_json`` raises), each field prefixed by ``prefix``."""
    if isinstance(error, ConsumerError):
        head = field_path(prefix)
        return [(f"{head}.{field}" if head and field else head or field, message)
                for field, message in error.problems]
    items = error.errors() if isinstance(error, ValidationError) else error
    problems: list[Problem] = []
    for item in items:
        loc = item.get("loc", ())
        assert isinstance(loc, tuple)
        context = item.get("ctx")
        inner = context.get("error") if isinstance(context, dict) else None
        if isinstance(inner, ConsumerError):  # a Consumer nested in the body: its own paths
            problems += problems_of(inner, (*prefix, *loc))
            continue
        message = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        problems.append((field_path((*prefix, *loc)), message))
    return problems or [("", "invalid input")]


def value_error_problem(error: ValueError) -> Problem:
    """A library ``ValueError`` as a problem: its ``field``, else the field its message names."""
    message = str(error)
    field = getattr(error, "field", "")
    if not field:
        match = _LEADING_FIELD.match(message)
        field = match.group(1) if match else ""
    return str(field), message
