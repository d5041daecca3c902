"""What an engine tells its operator: its log, and the ``on_decision`` hook.

Both shells (``Engine``, ``AsyncEngine``) report here, so that they log
alike.  Everything goes to ``logging.getLogger("callwindow")``:

- WARNING when a ledger call fails, naming the ledger and the cause; while it
  keeps failing, at most one more every ``WARN_EVERY`` seconds, counting the
  failures in between (a dialer asks many times a second: one line per
  refused call would bury the log);
- INFO when the ledger answers again;
- DEBUG for each decision: allowed or refused, the reason codes, the next
  allowed time, the zones and policies.

No message holds a phone number or a consumer id: a ledger's error text is
cleared of the keys it was asked about.  Who wants the consumer in the
per-decision line asks for it: the record carries the ``Decision`` as
``record.decision`` (its ``repr`` has no id), for a filter or formatter to read.

The hook receives each decision's audit record (``Decision.to_dict()``) once
the decision is made, after the ledger exchange; whatever it raises is logged
(at most once a ``WARN_EVERY`` seconds, with its traceback) and never changes
the decision.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from time import monotonic
from typing import Any, TypeVar

from ._decision import Decision
from ._errors import InvalidInputError, LedgerError
from ._judge import Exchange, as_ledger_error

__all__ = ["DEBUG", "Observer", "OnDecision", "debugging", "keys_of", "logger"]

_T = TypeVar("_T")

logger = logging.getLogger("callwindow")
DEBUG = logging.DEBUG
#: ``debugging(DEBUG)``: whether per-decision lines are wanted.  The shells call it on
#: every decision, so it is the bound method itself (logging caches the answer).
debugging = logger.isEnabledFor

#: While a failure lasts, at most one warning per this many seconds.
WARN_EVERY = 60.0

#: What ``on_decision`` receives: the audit record; an async engine awaits what it returns.
OnDecision = Callable[[dict[str, Any]], object]

#: Keys shorter than this are not cleared from error text (they would clear every
#: "1" in it); an id that short identifies nobody.
_SHORTEST_SECRET = 4


class _Trouble:
    """One thing that can fail repeatedly (the ledger, the hook), and what was said of it."""

    def __init__(self, level: int) -> None:
        self.failing = False  # read without the lock on every ledger reply: a plain bool
        self._level = level
        self._lock = threading.Lock()
        self._since = 0.0  # when it started failing
        self._said = 0.0  # when the last warning went out
        self._failures = 0  # since it started failing
        self._unsaid = 0  # failures since the last warning

    def failed(self, what: str, cause: str, *, traceback: bool = False) -> None:
        args: tuple[object, ...]
        with self._lock:
            now = monotonic()
            self._failures += 1
            if not self.failing:
                self.failing = True
                self._since = self._said = now
                self._unsaid = 0
                message, args = "%s failed: %s", (what, cause)
            elif now - self._said >= WARN_EVERY:
                message = "%s still failing: %d more failures in the last %.0f s; latest: %s"
                args = (what, self._unsaid + 1, now - self._said, cause)
                self._said = now
                self._unsaid = 0
            else:
                self._unsaid += 1
                return
        logger.log(self._level, message, *args, exc_info=traceback)

    def recovered(self, what: str) -> None:
        with self._lock:
            if not self.failing:
                return  # another thread saw it first
            self.failing = False
            failures, lasted = self._failures, monotonic() - self._since
            self._failures = 0
        logger.info("%s answers again, after %d failed calls over %.1f s",
                    what, failures, lasted)


class Observer:
    """The log lines and the hook of one engine.

    ``awaits``: whether the engine awaits what the hook returns (``AsyncEngine``).
    """

    def __init__(self, ledger: object, on_decision: OnDecision | None, *,
                 awaits: bool) -> None:
        if on_decision is not None and not callable(on_decision):
            raise TypeError(f"on_decision: expected a callable taking the audit record, "
                            f"got {type(on_decision).__name__}")
        if not awaits and inspect.iscoroutinefunction(on_decision):
            raise InvalidInputError("on_decision: Engine calls the hook and does not await "
                                    "it; pass a plain function, or use AsyncEngine",
                                    field="on_decision")
        self.hook = on_decision
        self._ledger = ledger
        self._awaits = awaits
        #: Read by the shells after every ledger reply (``.failing``, a plain bool).
        self.ledger_trouble = _Trouble(logging.WARNING)
        self._hook_trouble = _Trouble(logging.ERROR)

    # -- the ledger --------------------------------------------------------------------

    def ledger_failed(self, failure: LedgerError, about: Exchange[Any] | Sequence[str]) -> None:
        """A ledger call failed; ``about``: the exchange, or the keys it was given."""
        keys = _keys_of(about) if isinstance(about, Exchange) else about
        self.ledger_trouble.failed(f"attempt ledger {self._ledger!r}",
                                    _cleared(str(failure), keys))

    def answered(self, step: Exchange[_T], reply: Any) -> Any:
        """What follows one exchange (``reply``: the ledger's answer, or what it
        raised, which refuses the call), the ledger's health noted."""
        if isinstance(reply, Exception):
            failure = as_ledger_error(reply)
            self.ledger_failed(failure, step)
            return step.finish(failure)
        if self.ledger_trouble.failing:
            self.ledger_answered()
        return step.finish(reply)

    def batch_answered(self, batch: Sequence[Exchange[Any]],
                       found: Sequence[Any] | Exception) -> list[Any]:
        """The replies of one batched read (``found``: the counts, or what the ledger
        raised, which refuses every exchange of the batch), the ledger's health noted."""
        if isinstance(found, Exception):
            failure = as_ledger_error(found)
            self.ledger_failed(failure, keys_of(batch))
            return [failure] * len(batch)
        if self.ledger_trouble.failing:
            self.ledger_answered()
        return [(None, matches) for matches in found]

    def ledger_answered(self) -> None:
        """A ledger call succeeded after some failed."""
        self.ledger_trouble.recovered(f"attempt ledger {self._ledger!r}")

    @contextmanager
    def ledger_call(self, keys: Sequence[str]) -> Iterator[None]:
        """Around one housekeeping call to the ledger (``set_outcome``, ``forget``), in
        either shell: what it raises is noted and raised as a ``LedgerError``
        (``keys``: what to clear from its text); a success after failures is noted."""
        try:
            yield
        except Exception as error:
            failure = as_ledger_error(error)
            self.ledger_failed(failure, keys)
            if failure is error:
                raise
            raise failure from error
        if self.ledger_trouble.failing:
            self.ledger_answered()

    # -- decisions ---------------------------------------------------------------------

    def decided(self, decision: Decision) -> Awaitable[object] | None:
        """Log ``decision`` (DEBUG) and pass its audit record to the hook.

        Returns what the hook returned when the engine must await it.
        """
        if debugging(DEBUG):
            _log_decision(decision)
        hook = self.hook
        if hook is None:
            return None
        try:
            result = hook(decision.to_dict())
        except Exception:
            self._hook_failed()
            return None
        if inspect.isawaitable(result):
            if self._awaits:
                return result
            if inspect.iscoroutine(result):
                result.close()  # never awaited: close it, or Python warns at exit
            self._hook_trouble.failed("on_decision", "it returned an awaitable, which Engine "
                                      "does not await; use AsyncEngine")
            return None
        self._hook_answered()
        return None

    async def adecided(self, decision: Decision) -> None:
        """``decided``, awaiting the hook when it is a coroutine function."""
        pending = self.decided(decision)
        if pending is None:
            return
        try:
            await pending
        except Exception:
            self._hook_failed()
        else:
            self._hook_answered()

    def _hook_failed(self) -> None:
        self._hook_trouble.failed("on_decision", "it raised (the decision stands)",
                                  traceback=True)

    def _hook_answered(self) -> None:
        if self._hook_trouble.failing:
            self._hook_trouble.recovered("on_decision")


def _log_decision(decision: Decision) -> None:
    zones = ", ".join(decision.timezones) or "no zone"
    policies = ", ".join(decision.policy_ids)
    extra = {"decision": decision}
    if decision.allowed:
        logger.debug("allowed at %s (%s; %s)", decision.at.isoformat(), zones, policies,
                     extra=extra)
        return
    codes = ", ".join(code.value for code in decision.codes)
    next_at = decision.next_allowed_at
    logger.debug("refused at %s: %s; %s (%s; %s)", decision.at.isoformat(), codes,
                 f"next allowed at {next_at.isoformat()}" if next_at
                 else "no later time is allowed", zones, policies, extra=extra)


def _keys_of(exchange: Exchange[Any]) -> list[str]:
    keys = [exchange.subject]
    for constraint in exchange.constraints:
        keys += (constraint.key, *constraint.also)
    if exchange.attempt is not None:
        keys += exchange.attempt.keys
    return keys


def keys_of(exchanges: Sequence[Exchange[Any]]) -> list[str]:
    """Every key a batch of exchanges names (to clear from a failure's text)."""
    return [key for exchange in exchanges for key in _keys_of(exchange)]


def _cleared(text: str, keys: Sequence[str]) -> str:
    """``text`` without the keys (``c:<id>``, ``p:<number>``) nor what they hold."""
    secrets = set(keys)
    secrets.update(key.split(":", 1)[1] for key in keys if key[1:2] == ":")
    secrets.update(key.rsplit("=", 1)[1] for key in keys if key.startswith("t:"))
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _SHORTEST_SECRET:
            text = text.replace(secret, "<redacted>")
    return text
