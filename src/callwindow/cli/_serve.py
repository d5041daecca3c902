"""``callwindow serve``: the HTTP server (the ``server`` extra), run on uvicorn.

Each option is also an environment variable (``CALLWINDOW_`` and the key in
capitals) and a key of the ``--config`` TOML file; see
``callwindow.server._config`` for the order in which they win.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .._errors import InvalidInputError

__all__ = ["serve_command"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _option(*names: str, key: str, **kwargs: Any) -> Callable[[_F], _F]:
    """An option that is also the environment variable ``CALLWINDOW_<KEY>``."""
    return click.option(*names, key, envvar=f"CALLWINDOW_{key.upper()}", show_envvar=True,
                        default=kwargs.pop("default", None), **kwargs)


@click.command("serve", short_help="Serve decisions over HTTP (the server extra).")
@click.option("--config", "config_file", envvar="CALLWINDOW_SERVE_CONFIG", show_envvar=True,
              metavar="FILE", help="A TOML file of the keys below (flags and environment "
              "variables win over it).")
@_option("--preset", key="preset", multiple=True, metavar="ID",
         help="A jurisdiction preset (repeatable).")
@_option("--policy", key="policy", multiple=True, metavar="FILE",
         help="A policy file, .yaml, .toml or .json (repeatable).")
@_option("--ledger", key="ledger", metavar="URL",
         help="The shared attempt ledger: sqlite:///file.db, redis://, postgresql:// "
              "[default: memory://, private to this process].")
@_option("--ledger-secret-file", key="ledger_secret_file", metavar="FILE",
         help="A file holding the ledger's key, so that it stores keyed hashes instead of "
              "ids and numbers; the same key as every other engine on the ledger.")
@_option("--suppression", key="suppression", multiple=True, metavar="FILE",
         help="A do-not-call list built with `callwindow dnc build` (repeatable): a number "
              "on it is refused.")
@_option("--suppression-secret-env", key="suppression_secret_env", metavar="VAR",
         help="The environment variable holding the secret of hashed --suppression lists.")
@_option("--retention", key="retention", metavar="ISO", help="Keep every attempt at "
         "least this long [default: P1D].")
@_option("--host", key="host", metavar="HOST", help="The address to listen on [default: "
         "127.0.0.1]; beyond loopback only with --token-file.")
@_option("--port", key="port", type=int, metavar="N", help="[default: 8787]")
@_option("--token-file", key="token_file", metavar="FILE", help="A file holding the token "
         "every request must send as 'Authorization: Bearer <token>'.")
@_option("--workers", key="workers", type=int, metavar="N", help="Worker processes "
         "[default: 1]; more than one needs a shared --ledger.")
@_option("--log-identifiers/--no-log-identifiers", key="log_identifiers", default=None,
         help="Put consumer ids and phone numbers in the logs [default: no].")
@_option("--max-body-bytes", key="max_body_bytes", type=int, metavar="N",
         help="The largest JSON request body [default: 1048576].")
@_option("--max-batch", key="max_batch", type=int, metavar="N",
         help="Most consumers in a JSON check_many [default: 10000].")
@_option("--max-line-bytes", key="max_line_bytes", type=int, metavar="N",
         help="The longest NDJSON line [default: 65536].")
@_option("--shutdown-timeout", key="shutdown_timeout", type=int, metavar="S",
         help="Seconds in-flight requests get to finish on SIGTERM [default: 30].")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]),
              help="info logs one line per decision.")
def serve_command(config_file: str | None, log_level: str, **given: Any) -> None:
    """Serve the engine's decisions over HTTP, JSON under /v1, until SIGTERM or Ctrl-C.

    \b
    callwindow serve --preset FR --preset US --ledger redis://127.0.0.1:6379/0

    Endpoints, config and deployment: docs/server.md, or /docs on the running
    server.  On SIGTERM, requests in flight finish and the ledger is closed.
    """
    try:
        import uvicorn

        from ..server import _app, _config, _logging
    except ImportError as error:
        raise InvalidInputError(str(error)) from None
    config = _config.load_config(config_file, given)
    # Fail here, with one line, before anything listens: a bad policy, token or
    # ledger URL, or a PostgreSQL that cannot be reached (Redis connects lazily).
    _config.load_policies(config)
    _config.read_token(config)
    _config.open_ledger(config).close()
    for lst in _config.open_suppression(config):
        lst.close()
    os.environ[_app.CONFIG_ENV] = config.model_dump_json()
    with tempfile.TemporaryDirectory(prefix="callwindow-metrics-") as metrics_dir:
        if config.workers > 1:  # every worker's counts, added up by /metrics
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        uvicorn.run("callwindow.server:app_from_env", factory=True, host=config.host,
                    port=config.port, workers=config.workers,
                    log_config=_logging.log_config(log_level), access_log=False,
                    timeout_graceful_shutdown=config.shutdown_timeout, server_header=False)
