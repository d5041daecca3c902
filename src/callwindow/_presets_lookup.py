"""Policies named by object or by preset id, as the testing kit takes them."""

from __future__ import annotations

from collections.abc import Sequence

from . import presets
from ._models import Policy

__all__ = ["policies_of"]


def policies_of(policy_or_id: Policy | str | Sequence[Policy | str]) -> list[Policy]:
    """``Policy`` objects for a policy, a preset id, or a list of either."""
    items = (policy_or_id,) if isinstance(policy_or_id, Policy | str) else policy_or_id
    return [presets.get(item) if isinstance(item, str) else item for item in items]
