"""``callwindow serve``: the engine over HTTP, for dialers in any language.

Needs the ``server`` extra: ``pip install 'callwindow[server]'`` (FastAPI,
uvicorn, prometheus_client).  ``create_app(config)`` builds the ASGI app for
any ASGI server; the command runs it on uvicorn.  See docs/server.md.
"""

from __future__ import annotations

from .._errors import MissingExtraError

try:
    import fastapi  # noqa: F401
    import prometheus_client  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the environment
    raise MissingExtraError(f"callwindow serve needs {error.name!r}, which is not installed: "
                            f"pip install 'callwindow[server]'", extra="server") from None

from ._app import app_from_env, create_app
from ._config import ServeConfig, load_config

__all__ = ["ServeConfig", "app_from_env", "create_app", "load_config"]
