"""Jurisdiction presets: the law as data, with citations, confidence and dates.

Each preset is a YAML file in this package, named after its id, holding a
policy in the schema of ``callwindow.Policy`` plus what a compliance officer
needs to judge it (``source``, ``confidence``, ``scope``, ``notes``).  A
preset may ``stack`` others by id: ``US`` is the federal rules plus every
state preset for live or automated telephone solicitation, each of which
applies only to the consumers it reaches.  Collection-only, automated-only,
industry-specific and unconfirmed presets (``US-SD-ADAD``, ``US-PA-SB992``...)
are opt-in: add them beside ``US`` (docs/presets.md lists them).

    >>> import callwindow as cw
    >>> "FR" in cw.presets.ids()
    True
    >>> engine = cw.Engine(cw.presets.get("FR"))

Presets encode the rules as read from the sources each one cites, with the
confidence of that reading (docs/design.md, "The law as data"); they are not
legal advice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .._errors import PolicyError
from .._models import Blackout, Policy, read_document

__all__ = ["get", "ids", "load_blackouts"]

_SUFFIX = ".yaml"
# libyaml's parser when PyYAML was built with it: ``US`` is twenty files, which
# the pure-Python parser takes a tenth of a second to read.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def ids() -> tuple[str, ...]:
    """Every preset id, sorted."""
    return tuple(sorted(name.removesuffix(_SUFFIX) for name in _files()))


def get(preset_id: str, *, blackouts: Mapping[str, Iterable[Blackout | Mapping[str, Any]]]
        | None = None) -> Policy:
    """The preset ``preset_id`` as a ``Policy`` (with its stack, if it has one).

    ``blackouts`` maps preset ids to blackout periods to add to that preset
    wherever it appears (``{"US-LA": [{"start": ..., "end": ..., "reason": ...}]}``,
    or what ``load_blackouts`` read): calls in them are refused with
    ``blackout``.  An unknown id raises ``PolicyError`` naming it.
    """
    policy = _load(preset_id, ())
    if blackouts:
        unknown = sorted(set(blackouts) - set(ids()))
        if unknown:
            raise PolicyError(f"blackouts: unknown preset id {unknown[0]!r}")
        policy = _with_blackouts(policy, {key: tuple(value) for key, value in blackouts.items()})
    return policy


def load_blackouts(path: str | Path) -> dict[str, tuple[Blackout, ...]]:
    """Blackout periods per preset id, from a YAML (or JSON) file.

    The file maps ids to lists of ``{start, end, reason}`` with aware
    ISO-8601 instants::

        US-LA:
          - start: 2026-08-27T00:00:00-05:00
            end: 2026-09-10T00:00:00-05:00
            reason: "Governor's declared state of emergency (La. R.S. 45:844.31)"
    """
    path = Path(path)
    data = read_document(path, "blackout file")  # bounded: size, nesting, aliases
    if not isinstance(data, Mapping):
        raise PolicyError(f"{path}: expected a mapping of preset ids to lists of periods")
    found: dict[str, tuple[Blackout, ...]] = {}
    for key, periods in data.items():
        if not isinstance(periods, list):
            raise PolicyError(f"{path}: {key}: expected a list of periods")
        try:
            found[str(key)] = tuple(Blackout.model_validate(item) for item in periods)
        except ValueError as error:
            raise PolicyError(f"{path}: {key}: {error}") from None
    return found


@cache
def _files() -> tuple[str, ...]:
    return tuple(entry.name for entry in resources.files(__name__).iterdir()
                 if entry.name.endswith(_SUFFIX))


@cache
def _load(preset_id: str, seen: tuple[str, ...]) -> Policy:
    if not isinstance(preset_id, str) or preset_id + _SUFFIX not in _files():
        known = ", ".join(ids())
        raise PolicyError(f"unknown preset {preset_id!r} (known: {known})")
    if preset_id in seen:
        raise PolicyError(f"preset {preset_id!r} stacks itself: {' > '.join(seen)}")
    text = resources.files(__name__).joinpath(preset_id + _SUFFIX).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_SafeLoader)
    if not isinstance(data, dict) or data.get("id") != preset_id:
        raise PolicyError(f"preset file {preset_id}{_SUFFIX}: its id must be {preset_id!r}")
    data["stack"] = [_load(part, (*seen, preset_id)) for part in data.get("stack", ())]
    try:
        return Policy.model_validate(data)
    except PolicyError as error:
        raise PolicyError(f"preset {preset_id}: {error}", error.problems) from None


def _with_blackouts(policy: Policy, blackouts: Mapping[str, tuple[Any, ...]]) -> Policy:
    stack = tuple(_with_blackouts(part, blackouts) for part in policy.stack)
    added = blackouts.get(policy.id, ())
    if not added and stack == policy.stack:
        return policy
    data = policy.model_dump(exclude={"blackouts", "stack"})
    return Policy.model_validate({**data, "blackouts": [*policy.blackouts, *added],
                                  "stack": stack})
