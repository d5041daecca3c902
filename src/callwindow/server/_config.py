"""What the server is told: flags, environment variables and a TOML file, as one config.

Every key can be set three ways; the first found wins:

1. a flag of ``callwindow serve`` (``--ledger URL``),
2. an environment variable, ``CALLWINDOW_`` and the key in capitals
   (``CALLWINDOW_LEDGER``; lists separated by spaces),
3. the TOML file named by ``--config`` or ``CALLWINDOW_SERVE_CONFIG`` (``ledger = "..."``),

and otherwise the default below.  The rules that keep a server safe (a token
before listening beyond loopback; one shared ledger before several workers)
are checked here, so that a bad config stops the server before it starts.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .. import presets as preset_registry
from .._errors import InvalidInputError, PolicyError
from .._models import Policy
from ..ledgers import AsyncLedger, Ledger, async_ledger_from_url, ledger_from_url
from ._problems import problems_of

if TYPE_CHECKING:
    from .._suppression import SuppressionList

_L = TypeVar("_L")

__all__ = ["ServeConfig", "is_loopback", "load_config", "load_policies",
           "open_async_ledger", "open_ledger", "open_suppression", "read_token"]

class ServeConfig(BaseModel):
    """Everything ``callwindow serve`` can be told; see docs/server.md for each key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    preset: tuple[str, ...] = Field(default=(), description="Jurisdiction preset ids.")
    policy: tuple[str, ...] = Field(default=(), description="Policy files (.yaml/.toml/.json).")
    ledger: str = Field(default="memory://", description="The shared attempt ledger's URL.")
    ledger_secret_file: str | None = Field(default=None, description="A file holding the "
                                           "ledger's key: ids stored as keyed hashes.")
    suppression: tuple[str, ...] = Field(default=(), description="Do-not-call list files "
                                         "(callwindow dnc build): a number on one is refused.")
    suppression_secret_env: str | None = Field(default=None, description="The environment "
                                               "variable holding the secret of hashed lists.")
    retention: str = Field(default="P1D", description="Keep every attempt at least this long.")
    host: str = "127.0.0.1"
    port: int = Field(default=8787, ge=0, le=65535)
    token_file: str | None = Field(default=None, description="A file holding the bearer token.")
    workers: int = Field(default=1, ge=1, le=64)
    log_identifiers: bool = Field(default=False, description="Log consumer ids and numbers.")
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest JSON body.")
    max_batch: int = Field(default=10_000, ge=1, description="Most consumers in a JSON "
                           "check_many (NDJSON streams have no cap).")
    max_line_bytes: int = Field(default=65_536, ge=256, description="Longest NDJSON line.")
    shutdown_timeout: int = Field(default=30, ge=1, description="Seconds in-flight "
                                    "requests get to finish on SIGTERM.")

    @model_validator(mode="after")
    def _safe(self) -> ServeConfig:
        if not self.preset and not self.policy:
            raise ValueError("preset: name at least one policy: --preset ID or --policy FILE")
        if self.token_file is None and not is_loopback(self.host):
            raise ValueError(f"host: {self.host!r} is not a loopback address; without "
                             f"--token-file the server listens on loopback only")
        if self.workers > 1 and urlsplit(self.ledger).scheme.lower() == "memory":
            raise ValueError(f"workers: {self.workers} workers would each keep their own "
                             f"in-memory ledger; give a shared --ledger (sqlite:///, "
                             f"redis://, postgresql://)")
        return self


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_config(file: str | None, given: Mapping[str, Any]) -> ServeConfig:
    """The config from ``file`` (TOML, optional) with ``given`` (flags, env) on top.

    ``given`` holds only what was set: ``None`` and empty tuples are ignored.
    Raises ``InvalidInputError`` naming the key (and the file) on a bad value.
    """
    data: dict[str, Any] = {}
    if file:
        try:
            data = tomllib.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as error:
            raise InvalidInputError(f"config {file}: {error.strerror}", field="config") from None
        except tomllib.TOMLDecodeError as error:
            raise InvalidInputError(f"config {file}: not valid TOML: {error}",
                                    field="config") from None
    data.update({key: value for key, value in given.items()
                 if value is not None and value != ()})
    try:
        return ServeConfig.model_validate(data)
    except ValidationError as error:
        problems = problems_of(error)
        where = f"config {file}: " if file else ""
        text = "; ".join(f"{field}: {message}" if field else message
                         for field, message in problems)
        raise InvalidInputError(where + text, field=problems[0][0]) from None


def load_policies(config: ServeConfig) -> list[Policy]:
    """The presets and policy files the config names, in that order."""
    policies = []
    for preset_id in config.preset:
        try:
            policies.append(preset_registry.get(preset_id))
        except PolicyError as error:
            raise PolicyError(f"preset: {error}", error.problems) from None
    policies += [Policy.from_file(path) for path in config.policy]
    return policies


def open_ledger(config: ServeConfig) -> Ledger:
    """The ledger of ``config.ledger``, keyed with ``ledger_secret_file``'s key if given.

    Every engine sharing a ledger must use the same key (see docs/storage.md),
    the server's as well as the Python dialers'.  The command opens it once
    before anything listens, so that a ledger that cannot be reached stops it.
    """
    return _opened(config, ledger_from_url)


def open_async_ledger(config: ServeConfig) -> AsyncLedger:
    """``open_ledger``'s ledger, on its asyncio transport (what the server runs on)."""
    return _opened(config, async_ledger_from_url)


def _opened(config: ServeConfig, opener: Callable[..., _L]) -> _L:
    secret = None
    if config.ledger_secret_file is not None:
        try:
            secret = Path(config.ledger_secret_file).read_bytes().strip()
        except OSError as error:
            raise InvalidInputError(f"ledger_secret_file {config.ledger_secret_file}: "
                                    f"{error.strerror}", field="ledger_secret_file") from None
    try:
        return opener(config.ledger, secret=secret)
    except ValueError as error:
        if secret is not None and str(error).startswith("secret"):  # too short a key
            raise InvalidInputError(f"ledger_secret_file {config.ledger_secret_file}: "
                                    f"{str(error).removeprefix('secret: ')}",
                                    field="ledger_secret_file") from None
        raise


def open_suppression(config: ServeConfig) -> list[SuppressionList]:
    """The ``suppression`` lists, opened (the caller closes them); the secret of hashed
    lists is read from the environment variable ``suppression_secret_env`` names."""
    if not config.suppression:
        return []
    from .._suppression import open_lists

    secret = None
    if config.suppression_secret_env is not None:
        secret = os.environ.get(config.suppression_secret_env)
        if not secret:
            raise InvalidInputError(f"suppression_secret_env {config.suppression_secret_env}: "
                                    f"the environment variable is not set or empty",
                                    field="suppression_secret_env")
    return open_lists(config.suppression, secret=secret)


def read_token(config: ServeConfig) -> bytes | None:
    """The bearer token from ``token_file`` (surrounding whitespace dropped), or ``None``."""
    if config.token_file is None:
        return None
    try:
        token = Path(config.token_file).read_bytes().strip()
    except OSError as error:
        raise InvalidInputError(f"token_file {config.token_file}: {error.strerror}",
                                field="token_file") from None
    if len(token) < 16:
        raise InvalidInputError(f"token_file {config.token_file}: the token has "
                                f"{len(token)} characters; use at least 16 (e.g. "
                                f"`openssl rand -hex 32`)", field="token_file")
    return token
