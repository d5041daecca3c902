"""Structured logs: one JSON object per line on stderr, one line per decision.

Consumer ids and phone numbers are left out unless the server was started
with ``--log-identifiers``: logs travel further than the ledger does.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from .._decision import Decision
from .._models import Consumer

__all__ = ["LOGGER", "JsonFormatter", "log_config", "log_decision"]

LOGGER = logging.getLogger("callwindow.server")


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "event", ...fields}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            data["error"] = f"{type(error).__name__}: {error}"
        return json.dumps(data, ensure_ascii=False, default=str)


def log_config(level: str = "info") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn and the server: JSON lines on stderr.

    uvicorn's access log is off: the decision lines say more, and the one
    line per request that is not a decision would only repeat the path.
    """
    handler = {"class": "logging.StreamHandler", "formatter": "json",
               "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "callwindow.server": {"handlers": ["stderr"], "level": level.upper(),
                                  "propagate": False},
        },
    }


def log_decision(endpoint: str, decision: Decision, consumer: Consumer, seconds: float, *,
                 identifiers: bool) -> None:
    """One line for one decision: allowed, reason codes, policies, latency."""
    if not LOGGER.isEnabledFor(logging.INFO):
        return
    fields: dict[str, Any] = {
        "endpoint": endpoint,
        "allowed": decision.allowed,
        "codes": [code.value for code in decision.codes],
        "policy_ids": list(decision.policy_ids),
        "latency_ms": round(seconds * 1000, 3),
    }
    if decision.attempt_id:
        fields["attempt_id"] = decision.attempt_id
    if identifiers:
        fields["consumer_id"] = consumer.id
        fields["phone"] = consumer.phone
    LOGGER.info("decision", extra={"fields": fields})


def log_event(event: str, **fields: Any) -> None:
    """One line for anything else (a batch, a failure), fields as given."""
    LOGGER.info(event, extra={"fields": fields})
