"""Shell completion of the values click cannot guess: preset ids.

Click completes commands and options by itself once the shell is set up (see
docs/cli.md, "Shell completion"); these callbacks add the values.
"""

from __future__ import annotations

import click
from click.shell_completion import CompletionItem

from .. import presets

__all__ = ["complete_files", "complete_preset_ids"]


def complete_preset_ids(ctx: click.Context, param: click.Parameter,
                        incomplete: str) -> list[CompletionItem]:
    """The preset ids that start with what was typed, in any case.

    Ids only: their names would mean loading every preset (half a second) on
    each press of Tab.
    """
    typed = incomplete.casefold()
    return [CompletionItem(preset_id) for preset_id in presets.ids()
            if preset_id.casefold().startswith(typed)]


def complete_files(ctx: click.Context, param: click.Parameter,
                   incomplete: str) -> list[CompletionItem]:
    """Let the shell complete a file name (policy files, config files)."""
    return [CompletionItem(incomplete, type="file")]
