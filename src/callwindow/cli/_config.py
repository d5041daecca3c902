"""Defaults for the command from a config file and the environment.

A dialer host names its ledger and presets once instead of on every call::

    # callwindow.toml, in the working directory (or --config PATH, or CALLWINDOW_CONFIG)
    ledger = "sqlite:///var/lib/dialer/attempts.db"
    presets = ["US"]

Each setting comes from the first of: the command line, the environment
(``CALLWINDOW_LEDGER``...), the config file, the built-in default.  Everything
but the command line is resolved here, once, into click's ``default_map``, which
fills only the options the command line left out; ``callwindow config`` prints
the same resolution with where each value came from.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ._complete import complete_files

__all__ = ["SETTINGS", "Config", "Setting", "config_command", "config_option", "load"]

CONFIG_NAME = "callwindow.toml"
CONFIG_ENV = "CALLWINDOW_CONFIG"


@dataclass(frozen=True)
class Setting:
    """One default the command can take from the environment or the config file."""

    key: str  # in the config file
    env: str  # the environment variable
    kind: Literal["text", "ids", "paths"]
    default: str | tuple[str, ...] | None
    params: Mapping[str, str]  # command name -> the name of the option's parameter

    @property
    def many(self) -> bool:
        """A list: ids separated by spaces or commas, or paths separated like PATH."""
        return self.kind != "text"


_POLICY_COMMANDS = ("check", "next", "scrub", "calendar")

SETTINGS = (
    Setting("ledger", "CALLWINDOW_LEDGER", "text", "memory://",
            dict.fromkeys(("check", "next", "scrub"), "ledger")),
    Setting("presets", "CALLWINDOW_PRESETS", "ids", (),
            {**dict.fromkeys(_POLICY_COMMANDS, "preset_ids"), "calendar": "presets"}),
    Setting("policies", "CALLWINDOW_POLICIES", "paths", (),
            dict.fromkeys(_POLICY_COMMANDS, "policy_files")),
    Setting("country", "CALLWINDOW_COUNTRY", "text", None,
            dict.fromkeys(("check", "next", "calendar"), "country")),
)
_BY_KEY = {setting.key: setting for setting in SETTINGS}


@dataclass(frozen=True)
class Value:
    """A setting's value in effect and where it came from."""

    setting: Setting
    value: str | tuple[str, ...] | None
    source: str  # "default", "CALLWINDOW_LEDGER", or the config file's path


@dataclass(frozen=True)
class Config:
    """The defaults in effect: the config file read (if any) and every setting's value."""

    file: str | None
    file_source: str | None  # "--config", CONFIG_ENV or "working directory"
    values: tuple[Value, ...]

    def default_map(self) -> dict[str, dict[str, Any]]:
        """click's ``default_map``: per command, the values that are not built-in defaults."""
        found: dict[str, dict[str, Any]] = {}
        for item in self.values:
            if item.source == "default":
                continue
            for command, param in item.setting.params.items():
                found.setdefault(command, {})[param] = item.value
        return found


def load(path: str | None = None, environ: Mapping[str, str] | None = None,
         cwd: Path | None = None) -> Config:
    """Resolve every setting from ``environ``, the config file and the defaults.

    The file is ``path`` (``--config``), else ``$CALLWINDOW_CONFIG``, else
    ``callwindow.toml`` in ``cwd`` if there is one.  A named file that is
    missing, a file that is not TOML, an unknown key or a value of the wrong
    type raises ``ValueError`` naming the file and the key.
    """
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    if path is not None:
        file, file_source = path, "--config"
    elif environ.get(CONFIG_ENV):
        file, file_source = environ[CONFIG_ENV], CONFIG_ENV
    elif (cwd / CONFIG_NAME).is_file():
        file, file_source = CONFIG_NAME, "working directory"
    else:
        file, file_source = None, None
    from_file = _read(file, cwd, file_source) if file is not None else {}
    values = []
    for setting in SETTINGS:
        raw = environ.get(setting.env, "").strip()
        if raw:
            values.append(Value(setting, _from_env(setting, raw), setting.env))
        elif setting.key in from_file:
            values.append(Value(setting, from_file[setting.key], str(file)))
        else:
            values.append(Value(setting, setting.default, "default"))
    return Config(file, file_source, tuple(values))


def _from_env(setting: Setting, raw: str) -> str | tuple[str, ...]:
    if setting.kind == "text":
        return raw
    if setting.kind == "paths":
        return tuple(part for part in raw.split(os.pathsep) if part)
    return tuple(part for part in re.split(r"[\s,]+", raw) if part)


def _read(file: str, cwd: Path, source: str | None) -> dict[str, str | tuple[str, ...]]:
    named = f"--config {file}" if source == "--config" else (
        f"{CONFIG_ENV}={file}" if source == CONFIG_ENV else file)
    try:
        data = tomllib.loads((cwd / file).read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"{named}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{named}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{named}: not valid TOML: {error}") from None
    found: dict[str, str | tuple[str, ...]] = {}
    for key, value in data.items():
        setting = _BY_KEY.get(key)
        if setting is None:
            known = ", ".join(_BY_KEY)
            raise ValueError(f"{file}: unknown key {key!r} (expected {known})")
        if setting.many:
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise ValueError(f"{file}: {key}: expected a list of strings, got {value!r}")
            if setting.kind == "paths":  # relative to the file, wherever the command runs
                items = [str(Path(file).parent / item) for item in items]
            found[key] = tuple(items)
        elif isinstance(value, str) and value.strip():
            found[key] = value.strip()
        else:
            raise ValueError(f"{file}: {key}: expected a non-empty string, got {value!r}")
    return found


def _apply(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    config = load(value)
    ctx.obj = config
    ctx.default_map = config.default_map()


config_option = click.option(
    "--config", metavar="PATH", expose_value=False, callback=_apply,
    shell_complete=complete_files,
    help=f"A config file of defaults (default: ${CONFIG_ENV}, else ./{CONFIG_NAME}). "
         "See `callwindow config`.")


def _shown(value: str | tuple[str, ...] | None) -> str:
    if isinstance(value, tuple):
        return ", ".join(value) or "-"
    return value or "-"


@click.command("config", short_help="The defaults in effect, and where each comes from.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines instead of text.")
@click.pass_obj
def config_command(config: Config, as_json: bool) -> None:
    """The defaults in effect, and where each one comes from.

    Each setting is taken from the first of: the command line, its
    environment variable, the config file, the built-in default. The config
    file is --config PATH (before the command), else $CALLWINDOW_CONFIG, else
    callwindow.toml in the working directory.

    \b
    Example callwindow.toml:
      ledger = "sqlite:///var/lib/dialer/attempts.db"
      presets = ["US"]
      policies = ["house-rules.yaml"]   # relative to this file
      country = "US"
    """
    if as_json:
        click.echo(json.dumps({
            "file": config.file,
            "settings": {item.setting.key: {
                "value": list(item.value) if isinstance(item.value, tuple) else item.value,
                "source": item.source, "env": item.setting.env,
            } for item in config.values},
        }, indent=2))
        return
    console = Console(highlight=False)
    if config.file is None:
        console.print(f"config file: none (no ./{CONFIG_NAME}; --config PATH or "
                      f"${CONFIG_ENV} names one)")
    else:
        how = ("found in the working directory" if config.file_source == "working directory"
               else f"named by {config.file_source}")
        console.print(f"config file: {escape(config.file)} ({how})")
    console.print()
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    table.add_column(no_wrap=True)
    table.add_row("setting", "value", "from", style="underline")
    for item in config.values:
        table.add_row(item.setting.key, escape(_shown(item.value)), escape(item.source))
    console.print(table)
    console.print()
    console.print("A flag on the command line wins over these; the environment over the file.")
