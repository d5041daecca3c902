"""The HTTP API: the engine's methods as JSON endpoints under ``/v1``, on FastAPI.

One ``AsyncEngine`` per worker process, opened when the app starts and closed
(with its ledger) when it stops, after the requests in flight have finished.
Answers are JSON; every answer that is not a success has the shape
``{"error": code, "message": ..., "problems": [{"field", "message"}]}``:

- 422 ``invalid_input``: malformed JSON or a bad field, named by its full path,
  with the library's own message;
- 404 ``not_found``: an unknown preset, attempt or path;
- 401 ``unauthorized``: a token is configured and the request lacks it;
- 413 ``too_large``: a body over ``max_body_bytes`` (or a batch over ``max_batch``);
- 415 ``unsupported_media_type``: a body sent as something else than JSON or NDJSON;
- 503 ``ledger_unavailable``: a call that is not a decision (record, outcome,
  forget, next, windows) could not reach the ledger.  A *decision* whose ledger
  is down is still a 200: it refuses, with the reason ``ledger_unavailable``.
- 500 ``internal``: a bug; the answer carries no traceback (the log has the error).
"""

from __future__ import annotations

import hmac
import json
import os
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import TypeAdapter, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__, _time
from .. import presets as preset_registry
from .._async_engine import AsyncEngine
from .._decision import Decision
from .._errors import ConsumerError, InvalidInputError, LedgerError
from .._models import Consumer, Policy
from ._config import (
    ServeConfig,
    load_policies,
    open_async_ledger,
    open_suppression,
    read_token,
)
from ._logging import log_decision, log_event
from ._metrics import CONTENT_TYPE_LATEST, MeasuredLedger, Metrics
from ._problems import Problem, problems_of, value_error_problem
from ._schemas import (
    AttemptAnswer,
    CheckRequest,
    DecisionAnswer,
    ErrorAnswer,
    ForgetAnswer,
    ForgetRequest,
    NextAnswer,
    NextRequest,
    OutcomeAnswer,
    OutcomeRequest,
    PresetSummary,
    RecordRequest,
    WindowsAnswer,
    WindowsRequest,
)

__all__ = ["CONFIG_ENV", "AsyncEngine", "app_from_env", "create_app"]

#: Where ``callwindow serve`` hands the resolved config to its worker processes.
CONFIG_ENV = "CALLWINDOW_SERVE_CONFIG_JSON"
NDJSON = "application/x-ndjson"
#: The longest span ``/v1/windows`` answers for, so that one request stays cheap.
MAX_WINDOWS_SPAN = timedelta(days=366)
#: Consumers judged per ``check_many`` call while streaming NDJSON.
STREAM_BATCH = 1000
#: The consumer id ``/readyz`` forgets: a real round trip to the ledger that changes nothing.
READY_PROBE_ID = "callwindow:readyz-probe"

_CONSUMERS = TypeAdapter(list[Consumer])
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorAnswer} for status in (401, 413, 422)}


@dataclass
class _Server:
    """What every request needs: the config, the engine, the metrics, the token."""

    config: ServeConfig
    policies: list[Policy]
    metrics: Metrics
    token: bytes | None
    engine: AsyncEngine | None = None


class ApiError(Exception):
    """An answer that is not a success, raised anywhere in a request."""

    def __init__(self, status: int, error: str, message: str,
                 problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.problems = problems


def create_app(config: ServeConfig) -> FastAPI:
    """The ASGI app serving ``config``: policies loaded and token read now, engine at startup.

    Raises ``InvalidInputError`` (a ``PolicyError`` for a bad preset or policy
    file) before anything listens.
    """
    server = _Server(config, load_policies(config), Metrics(), read_token(config))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        lists = open_suppression(config)
        ledger = MeasuredLedger(open_async_ledger(config), server.metrics)
        engine = AsyncEngine(server.policies, ledger=ledger, retention=config.retention,
                             on_ledger_error="refuse", suppression=lists)
        server.engine = engine
        log_event("started", policies=[policy.id for policy in server.policies],
                  ledger=_redacted(config.ledger), pid=os.getpid())
        try:
            yield
        finally:
            await engine.aclose()
            await ledger.aclose()
            for lst in lists:
                lst.close()
            log_event("stopped", pid=os.getpid())

    app = FastAPI(
        title="callwindow", version=__version__, lifespan=lifespan,
        summary="May this consumer be called now, and if not, when first?",
        description="The callwindow engine over HTTP: the same decisions, the same ledger. "
                    "See docs/server.md.")
    app.state.server = server
    secured = [Depends(_authorized)] if server.token is not None else []
    app.include_router(_v1_router(), dependencies=secured)
    app.add_api_route("/metrics", _metrics, methods=["GET"], dependencies=secured,
                      response_class=Response, summary="Prometheus metrics")
    app.add_api_route("/healthz", _healthz, methods=["GET"], summary="The process is up")
    app.add_api_route("/readyz", _readyz, methods=["GET"], summary="The ledger answers",
                      responses={503: {"model": ErrorAnswer}})
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(ValueError, _value_error)
    app.add_exception_handler(LedgerError, _ledger_error)
    app.add_exception_handler(Exception, _internal_error)
    app.add_middleware(_BodyLimit, max_bytes=config.max_body_bytes)
    return app


def app_from_env() -> FastAPI:
    """The app for the config ``callwindow serve`` put in ``CALLWINDOW_SERVE_CONFIG_JSON``.

    uvicorn calls this in each worker process (``--workers N``).
    """
    config = os.environ.get(CONFIG_ENV)
    if config is None:
        raise InvalidInputError(f"{CONFIG_ENV} is not set: start the server with "
                                f"`callwindow serve`, or build the app with create_app(config)")
    return create_app(ServeConfig.model_validate_json(config))


# -- the endpoints --------------------------------------------------------------------------


def _v1_router() -> APIRouter:
    router = APIRouter(prefix="/v1", responses=_ERRORS)
    decision: dict[str, Any] = {"response_class": Response,
                                "responses": {200: {"model": DecisionAnswer}}}
    router.add_api_route("/check", _check, methods=["POST"], summary="May the consumer be "
                         "called at `at`?", **decision)
    router.add_api_route("/acquire", _acquire, methods=["POST"], summary="check, and when "
                         "allowed record a pending attempt, atomically", **decision)
    router.add_api_route("/outcome", _outcome, methods=["POST"], summary="How an acquired "
                         "attempt ended", responses={200: {"model": OutcomeAnswer},
                                                     404: {"model": ErrorAnswer},
                                                     503: {"model": ErrorAnswer}})
    router.add_api_route("/record", _record, methods=["POST"], summary="Record an attempt "
                         "made without acquire", responses={200: {"model": AttemptAnswer},
                                                            503: {"model": ErrorAnswer}})
    router.add_api_route("/forget", _forget, methods=["POST"], summary="Erase a consumer's "
                         "attempts (erasure requests)", responses={200: {"model": ForgetAnswer},
                                                                   503: {"model": ErrorAnswer}})
    router.add_api_route("/next", _next, methods=["POST"], summary="The earliest allowed "
                         "instant", responses={200: {"model": NextAnswer},
                                               503: {"model": ErrorAnswer}})
    router.add_api_route("/windows", _windows, methods=["POST"], summary="The allowed "
                         "intervals between two instants",
                         responses={200: {"model": WindowsAnswer}, 503: {"model": ErrorAnswer}})
    router.add_api_route("/check_many", _check_many, methods=["POST"],
                         summary="check for many consumers at one instant (JSON or NDJSON)",
                         response_class=Response, openapi_extra=_CHECK_MANY_OPENAPI)
    router.add_api_route("/presets", _presets, methods=["GET"], summary="Every preset",
                         responses={200: {"model": list[PresetSummary]}},
                         response_class=Response)
    router.add_api_route("/presets/{preset_id}", _preset, methods=["GET"],
                         summary="One preset in full", response_class=Response,
                         responses={404: {"model": ErrorAnswer}})
    return router


async def _check(request: Request, body: CheckRequest) -> Response:
    """Whether ``consumer`` may be called at ``at`` (default: now); read-only."""
    return await _decide(request, "check", body)


async def _acquire(request: Request, body: CheckRequest) -> Response:
    """``check``; when allowed, a ``pending`` attempt is recorded and ``attempt_id`` names it.

    Between the count and the write no other dialer sharing the ledger can
    slip in, so racing dialers never exceed a limit.  Pass ``attempt_id`` to
    ``/v1/outcome`` when the call ends.
    """
    return await _decide(request, "acquire", body)


async def _decide(request: Request, endpoint: str, body: CheckRequest) -> Response:
    server = _server(request)
    engine = _engine(server)
    start = time.perf_counter()
    if endpoint == "acquire":
        decision = await engine.acquire(body.consumer, body.at)
    else:
        decision = await engine.check(body.consumer, body.at)
    answer = _json(decision.to_dict())
    server.metrics.count(endpoint, decision)
    log_decision(endpoint, decision, body.consumer, time.perf_counter() - start,
                 identifiers=server.config.log_identifiers)
    return answer


async def _outcome(request: Request, body: OutcomeRequest) -> Response:
    """Set how an acquired attempt ended; 404 when the ledger holds no such attempt."""
    try:
        await _engine(_server(request)).set_outcome(body.attempt_id, body.outcome)
    except ValueError as error:
        field, message = value_error_problem(error)
        if field == "attempt_id":  # the ledger holds no such attempt
            raise ApiError(404, "not_found", message, [(field, message)]) from None
        raise
    return _json({"attempt_id": body.attempt_id, "outcome": body.outcome})


async def _record(request: Request, body: RecordRequest) -> Response:
    """Record an attempt made without acquire (another system, a manual call)."""
    attempt_id = await _engine(_server(request)).record(body.consumer, outcome=body.outcome,
                                                       at=body.at)
    return _json({"attempt_id": attempt_id})


async def _forget(request: Request, body: ForgetRequest) -> Response:
    """Erase every attempt recorded under the consumer's id or phone number."""
    return _json({"forgotten": await _engine(_server(request)).forget(body.consumer)})


async def _next(request: Request, body: NextRequest) -> Response:
    """The earliest instant at or after ``after`` at which the call is allowed, or null."""
    after = _instant(body.after, "after")
    found = await _engine(_server(request)).next_allowed_at(body.consumer, after)
    return _json({"after": after.isoformat(),
                  "next_allowed_at": found.isoformat() if found else None})


async def _windows(request: Request, body: WindowsRequest) -> Response:
    """The allowed intervals ``[start, end)`` within the request's, in UTC."""
    start, end = _instant(body.start, "start"), _instant(body.end, "end")
    if end - start > MAX_WINDOWS_SPAN:
        raise InvalidInputError(f"end: {body.end!r} is more than {MAX_WINDOWS_SPAN.days} days "
                                f"after start; ask for one year at a time", field="end")
    spans = await _engine(_server(request)).windows(body.consumer, start, end)
    return _json({"windows": [{"start": s.isoformat(), "end": e.isoformat()}
                              for s, e in spans]})


_CHECK_MANY_OPENAPI: dict[str, Any] = {
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": {"type": "array",
                                        "items": {"$ref": "#/components/schemas/Consumer"}}},
        NDJSON: {"schema": {"$ref": "#/components/schemas/Consumer"},
                 "description": "One consumer per line; streamed."}}},
    "responses": {"200": {"description": "One decision per consumer, in order: a JSON array, "
                          "or one per line (NDJSON) for an NDJSON request or "
                          f"`Accept: {NDJSON}`. A line that is not a valid consumer answers "
                          "an `invalid_input` error object in its place.",
                          "content": {"application/json": {}, NDJSON: {}}}},
}


async def _check_many(request: Request, at: Annotated[str | None, Query(
        description="The instant to judge every consumer at (ISO-8601 with an offset); "
                    "default: now, once for the whole request.")] = None) -> Response:
    """``check`` for many consumers at one instant, in order (list scrubbing).

    A JSON array of consumers (at most ``max_batch``) answers a JSON array of
    decisions.  NDJSON (``Content-Type: application/x-ndjson``, one consumer per
    line) is read and answered as a stream, in constant memory, for lists of
    any length.
    """
    server = _server(request)
    moment = _instant(at, "at")
    if _media_type(request.headers.get("content-type")) == NDJSON:
        lines = _ndjson_decisions(request, server, moment)
        return _DuplexStreamingResponse(lines, media_type=NDJSON)
    consumers = _consumers_json(await request.body(), server.config.max_batch)
    start = time.perf_counter()
    decisions = await _engine(server).check_many(consumers, moment)
    answers = [decision.to_dict() for decision in decisions]
    _count_batch(server, decisions, time.perf_counter() - start)
    if NDJSON in request.headers.get("accept", ""):
        return Response(b"".join(_line(answer) for answer in answers), media_type=NDJSON)
    return _json(answers)


def _consumers_json(body: bytes, max_batch: int) -> list[Consumer]:
    try:
        raw = json.loads(body)
    except ValueError as error:
        raise ApiError(422, "invalid_input", f"body: not valid JSON: {error}",
                       [("body", f"not valid JSON: {error}")]) from None
    if isinstance(raw, list) and len(raw) > max_batch:
        raise ApiError(413, "too_large", f"body: {len(raw)} consumers, more than max_batch "
                       f"({max_batch}); send NDJSON to stream a longer list")
    try:
        return _CONSUMERS.validate_python(raw)
    except (ValidationError, ConsumerError) as error:
        problems = problems_of(error)
        raise ApiError(422, "invalid_input", _joined(problems), problems) from None


async def _ndjson_decisions(request: Request, server: _Server, moment: datetime
                            ) -> AsyncIterator[bytes]:
    """One answer line per consumer line, judged in batches as the lines arrive."""
    engine = _engine(server)
    limit = server.config.max_line_bytes
    start = time.perf_counter()
    decisions: list[Decision] = []
    rest = b""
    number = 0
    try:
        async for chunk in request.stream():
            *lines, rest = (rest + chunk).split(b"\n")
            if len(rest) > limit:
                yield _line(_error_line(number + len(lines) + 1, "", f"line longer than "
                                        f"max_line_bytes ({limit}); the stream stops here"))
                return
            for first in range(0, len(lines), STREAM_BATCH):
                batch = lines[first:first + STREAM_BATCH]
                yield await _judge_lines(engine, batch, number, moment, decisions)
                number += len(batch)
        if rest.strip():
            yield await _judge_lines(engine, [rest], number, moment, decisions)
    except ClientDisconnect:
        return
    finally:
        _count_batch(server, decisions, time.perf_counter() - start)


async def _judge_lines(engine: AsyncEngine, lines: Sequence[bytes], number: int,
                       moment: datetime, decisions: list[Decision]) -> bytes:
    """The answer lines for ``lines`` (numbered from ``number + 1``); blank lines skipped."""
    answers: list[dict[str, Any] | None] = []
    consumers = []
    for offset, line in enumerate(lines, start=number + 1):
        if not line.strip():
            continue
        try:
            consumers.append(Consumer.model_validate_json(line))
            answers.append(None)
        except (ValidationError, ConsumerError) as error:
            answers.append(_error_line(offset, *problems_of(error)[0],
                                       problems=problems_of(error)))
    judged = iter(await engine.check_many(consumers, moment)) if consumers else iter(())
    out = []
    for answer in answers:
        if answer is None:
            decision = next(judged)
            decisions.append(decision)
            answer = decision.to_dict()
        out.append(_line(answer))
    return b"".join(out)


def _error_line(number: int, field: str, message: str,
                problems: Sequence[Problem] = ()) -> dict[str, Any]:
    problems = problems or [(field, message)]
    return {"error": "invalid_input", "line": number, "message": _joined(problems),
            "problems": [{"field": f, "message": m} for f, m in problems]}


def _count_batch(server: _Server, decisions: Sequence[Decision], seconds: float) -> None:
    """Metrics for every decision of a batch, and one log line for the batch."""
    for decision in decisions:
        server.metrics.count("check_many", decision)
    allowed = sum(decision.allowed for decision in decisions)
    log_event("check_many", consumers=len(decisions), allowed=allowed,
              refused=len(decisions) - allowed, latency_ms=round(seconds * 1000, 3))


async def _presets(request: Request) -> Response:
    """Every preset of the registry; ``active`` for those this server judges with."""
    active = {part.id for policy in _server(request).policies for part in policy.flattened()}
    summaries = []
    for preset_id in preset_registry.ids():
        policy = preset_registry.get(preset_id)
        summaries.append({
            "id": policy.id, "name": policy.name, "confidence": policy.confidence,
            "effective_from": (policy.effective_from.isoformat()
                               if policy.effective_from else None),
            "effective_to": policy.effective_to.isoformat() if policy.effective_to else None,
            "scope": list(policy.scope), "active": policy.id in active})
    return _json(summaries)


async def _preset(preset_id: str) -> Response:
    """Everything preset ``preset_id`` says, as ``callwindow presets show ID --json`` prints."""
    if preset_id not in preset_registry.ids():
        raise ApiError(404, "not_found", f"unknown preset {preset_id!r}; GET /v1/presets "
                       f"lists them", [("preset_id", f"unknown preset {preset_id!r}")])
    policy = preset_registry.get(preset_id)
    data = policy.model_dump(mode="json")
    data["stack"] = [part.id for part in policy.stack]
    return _json(data)


async def _healthz() -> dict[str, str]:
    """200 while the process runs (a liveness probe)."""
    return {"status": "ok"}


async def _readyz(request: Request) -> Response:
    """200 when the ledger answers a round trip; 503 when it does not (a readiness probe).

    A server whose ledger is down still answers decisions (refusals with
    ``ledger_unavailable``): taking it out of rotation sends the dialers to a
    replica that can let calls through.
    """
    try:
        await _engine(_server(request)).forget(Consumer(id=READY_PROBE_ID))
    except LedgerError as error:
        return _json({"status": "unavailable", "error": "ledger_unavailable",
                      "message": str(error)}, status=503)
    return _json({"status": "ready"})


async def _metrics(request: Request) -> Response:
    """Prometheus text: decisions by outcome, reason and policy; ledger latency and errors."""
    return Response(_server(request).metrics.render(), media_type=CONTENT_TYPE_LATEST)


# -- auth, limits, errors -------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="The token in --token-file.")


async def _authorized(request: Request, credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    token = _server(request).token
    given = credentials.credentials.encode() if credentials is not None else b""
    if token is not None and not hmac.compare_digest(given, token):  # constant time
        raise ApiError(401, "unauthorized", "send the token of --token-file as "
                       "'Authorization: Bearer <token>'")


class _BodyLimit:
    """Reads a JSON body before the app does: 413 over ``max_bytes``, 415 if it is not JSON.

    A body without a Content-Type is taken as JSON (a one-line client forgets
    it); one sent as a form (``curl -d`` without ``--json``) is answered with
    how to send it.  NDJSON bodies are streamed, not held: ``check_many``
    bounds each line instead (``max_line_bytes``).
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        media_type = _media_type(headers.get(b"content-type", b"").decode("latin-1"))
        if media_type == NDJSON:
            await self.app(scope, receive, send)
            return
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _send_error(send, 413, "too_large", self._too_large)
            return
        body, more, size = [], True, 0
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body.append(message.get("body", b""))
            size += len(body[-1])
            if size > self.max_bytes:
                await _send_error(send, 413, "too_large", self._too_large)
                return
            more = message.get("more_body", False)
        if size and media_type and not _is_json(media_type):
            await _send_error(send, 415, "unsupported_media_type", f"content-type: "
                              f"{media_type!r}; send JSON as 'Content-Type: application/json' "
                              f"(curl: --json) or NDJSON as '{NDJSON}'")
            return
        if size and not media_type:
            scope = {**scope, "headers": [
                *((name, value) for name, value in scope["headers"] if name != b"content-type"),
                (b"content-type", b"application/json")]}
        replayed: Message | None = {"type": "http.request", "body": b"".join(body),
                                    "more_body": False}

        async def replay() -> Message:
            nonlocal replayed
            if replayed is None:
                return await receive()  # after the body: wait for a disconnect
            message, replayed = replayed, None
            return message

        await self.app(scope, replay, send)

    @property
    def _too_large(self) -> str:
        return (f"body: larger than max_body_bytes ({self.max_bytes}); send long check_many "
                f"lists as NDJSON")


async def _send_error(send: Send, status: int, error: str, message: str) -> None:
    answer = _error_body(error, message)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(answer)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": answer})


class _DuplexStreamingResponse(StreamingResponse):
    """A streaming answer written while the request body is still being read.

    Starlette's own, under ASGI spec < 2.4 (uvicorn says 2.3), reads the
    request concurrently to notice a disconnect, and would eat the NDJSON
    lines: here the body is the generator's to read, and a disconnect ends
    that read (``ClientDisconnect``).
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream_response(send)


async def _api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return Response(_error_body(error.error, error.message, error.problems),
                    status_code=error.status, media_type="application/json", headers=headers)


async def _request_invalid(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = []
    for item in error.errors():
        loc = tuple(item.get("loc", ()))
        if loc[:1] in (("body",), ("query",), ("path",)):
            loc = loc[1:]
        if item.get("type") == "json_invalid":
            detail = item.get("ctx", {}).get("error", "")
            problems.append(("body", f"not valid JSON: {detail}".rstrip(": ")))
        else:
            problems += problems_of([{**item, "loc": loc}])
    return _problems_answer(problems)


async def _value_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ValueError)
    return _problems_answer([value_error_problem(error)])


async def _ledger_error(request: Request, error: Exception) -> Response:
    return _json({"error": "ledger_unavailable", "message": str(error), "problems": []},
                 status=503)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    return Response(_error_body(code, str(error.detail)), status_code=error.status_code,
                    media_type="application/json", headers=error.headers)


async def _internal_error(request: Request, error: Exception) -> Response:
    log_event("internal_error", path=request.url.path, error=type(error).__name__)
    return Response(_error_body("internal", "internal error; the server log has the cause"),
                    status_code=500, media_type="application/json")


def _problems_answer(problems: Sequence[Problem]) -> Response:
    return Response(_error_body("invalid_input", _joined(problems), problems),
                    status_code=422, media_type="application/json")


def _error_body(error: str, message: str, problems: Iterable[Problem] = ()) -> bytes:
    return json.dumps({"error": error, "message": message,
                       "problems": [{"field": field, "message": text}
                                    for field, text in problems]}).encode()


# -- small helpers ----------------------------------------------------------------------------


def _server(request: Request) -> _Server:
    server: _Server = request.app.state.server
    return server


def _engine(server: _Server) -> AsyncEngine:
    if server.engine is None:  # only between create_app and startup
        raise ApiError(503, "starting", "the server is starting")
    return server.engine


def _instant(value: str | None, field: str) -> datetime:
    """``value`` parsed as the engine parses it (its messages), or now (whole seconds)."""
    if value is None:
        return datetime.now(UTC).replace(microsecond=0)
    return _time.as_utc(_time.parse_instant(value, field), field)


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False).encode(), status_code=status,
                    media_type="application/json")


def _line(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode() + b"\n"


def _joined(problems: Sequence[Problem]) -> str:
    """``field: message; ...``; a library message that starts with its field is kept as it is."""
    return "; ".join(message if not field or message.startswith(field) else f"{field}: {message}"
                     for field, message in problems)


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (media_type.startswith("application/")
                                                 and media_type.endswith("+json"))


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def _redacted(url: str) -> str:
    """A ledger URL without its password, for the log."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"

