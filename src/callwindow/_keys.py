"""The ledger keys of a consumer: what their attempts are counted under."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._frequency import Constraint

__all__ = ["LedgerKeys", "tag_key"]


class LedgerKeys:
    """The ledger keys of one consumer: who they are, their number, their tags.

    Data about the consumer, not engine state (``Consumer.ledger_keys`` keeps
    one per consumer).  ``identity`` is the key that stands in for a scope the
    consumer lacks (a tag they do not carry, a number that does not parse):
    their id, else their number.  Counting them that way counts all their
    attempts together, which is never less strict than the rule.
    """

    __slots__ = ("_e164", "_keys", "_named", "_per", "_scopes", "asked", "identity")

    def __init__(self, consumer_id: str | None, e164: str | Callable[[], str | None] | None,
                 tags: Mapping[str, str]) -> None:
        # The number is worked out (parsed by phonenumbers: most of the cost of a
        # consumer's keys) only when asked for: a rule counting per phone, an attempt
        # recorded, an erasure.  A scrub whose rules count per consumer never needs it.
        if not consumer_id:
            e164 = e164() if callable(e164) else e164
            if not e164:
                raise ValueError("consumer: limits and cooldowns count attempts per person; "
                                 "give the consumer an id or a phone number that parses")
        self._e164 = e164
        self.identity = identity = "c:" + consumer_id if consumer_id else "p:" + str(e164)
        #: Every scope's key but the phone's.
        self._named: dict[str, str] = {"consumer": identity} if consumer_id else {}
        if tags:
            self._named.update(("tag:" + name, tag_key(name, value))
                               for name, value in tags.items())
        self._scopes: dict[str, str] | None = None
        self._keys: tuple[str, ...] | None = None
        if e164 is None:  # no number: the named scopes are all of them (a new lead's
            self._scopes = self._named  # acquire builds these: measured, a tenth of it)
            self._keys = tuple(self._named.values())
        elif not callable(e164):  # nothing to parse: every key now, at no cost
            self._keys = tuple(self.scopes.values())
        self._per: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] | None = None
        #: The ledger constraints last built for this consumer: the plan's serial, the
        #: span ``[lo, hi)`` over which its question holds (``Plan.asks``) and the
        #: constraints.  Plain data (no plan is held), kept because a dialer checks a
        #: consumer and acquires moments later, and building them is a fifth of an
        #: acquire (measured).
        self.asked: tuple[int, int, int, tuple[Constraint, ...]] | None = None

    @property
    def scopes(self) -> dict[str, str]:
        """Each scope's key: ``consumer``, ``phone`` (a number that parses), ``tag:<name>``."""
        scopes = self._scopes
        if scopes is None:
            e164 = self._e164() if callable(self._e164) else self._e164
            named = self._named
            consumer = named.get("consumer")
            scopes = {} if consumer is None else {"consumer": consumer}
            if e164:
                scopes["phone"] = "p:" + e164
            if len(named) > len(scopes) - bool(e164):  # tags
                scopes.update((name, key) for name, key in named.items()
                              if name != "consumer")
            self._scopes = scopes
        return scopes

    @property
    def subjects(self) -> tuple[str, ...]:
        """The consumer's own keys: their id's, their number's."""
        return tuple(key for scope, key in self.scopes.items() if not scope.startswith("tag:"))

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key an attempt of theirs is recorded under."""
        keys = self._keys
        if keys is None:
            keys = self._keys = tuple(self.scopes.values())
        return keys

    def key(self, scope: str) -> str:
        """The key of one scope (``consumer``, ``phone``, ``tag:<name>``)."""
        if scope == "phone":
            return self.scopes.get(scope, self.identity)
        return self._named.get(scope, self.identity)

    def per(self, scopes: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        """The key to count by for a rule ``per`` these scopes, and the keys to match too."""
        if len(scopes) == 1:  # most rules; measured: a third of a first acquire's cost
            return self.key(scopes[0]), ()
        if self._per is None:
            self._per = {}
        found = self._per.get(scopes)
        if found is None:
            keys = [self.key(scope) for scope in scopes]
            found = self._per[scopes] = (keys[0], tuple(dict.fromkeys(keys[1:])))
        return found


def tag_key(name: str, value: str) -> str:
    """The ledger key of one tag: ``t:<length of name>:<name>=<value>``.

    The name's length makes the key unambiguous: tags ``{"a=b": "c"}`` and
    ``{"a": "b=c"}`` are two keys, not one count shared by two consumers.
    """
    return f"t:{len(name)}:{name}={value}"
