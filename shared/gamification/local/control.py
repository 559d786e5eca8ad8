"""Local-only control endpoints under ``/local/`` (never deployed; no AWS counterpart).

* ``GET  /local/status``               stack, Redis, queue depths and poller totals
* ``POST /local/jobs/{name}?at=ISO``   run a job now or as of ``at`` (EventBridge-shaped event);
                                       a JSON body, when given, is sent as the event instead
* ``POST /local/redis/kill``           stop Redis (an outage)
* ``POST /local/redis/restart``        start an empty Redis on the same port (a replaced node),
                                       and start the cache check that rebuilds its boards
* ``POST /local/webhooks/inbox/{name}``  the built-in webhook receiver (verifies signatures;
                                       ``GET`` lists what arrived, ``?fail=N`` fails the next N)
* ``GET  /local/clock``                 the stack's clock: ``now`` and ``ahead_seconds``
* ``POST /local/clock/advance?hours=N``  move it forward N hours (1..9600, never back): a test
                                       clock, so days pass for the handlers and the jobs
* ``GET  /local/dlq?limit=N``           dead letters with their reasons
* ``POST /local/dlq/redrive``           move every dead letter back to the activity queue
* ``POST /local/lambda/2015-03-31/functions/{name}/invocations``
                                       Lambda's Invoke API, for the handlers' own boto3 calls
                                       (``AWS_ENDPOINT_URL_LAMBDA`` points here): ``Event``
                                       invocations run in the background, as on AWS
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from gamification.local.apigateway import Request, Response, error, json_response
from gamification.local.redis_runtime import OutageNotSupportedError
from gamification.local.webhook_inbox import WebhookInbox

_JOB = re.compile(r"^/local/jobs/(?P<name>[a-z][a-z0-9_-]*)$")
_INVOKE = re.compile(r"^/local/lambda/2015-03-31/functions/(?P<name>[^/]+)/invocations$")
FUNCTION_PREFIX = "gamify-local-"
EARLIEST_JOB_TIME = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_JOB_TIME = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
"""The times a job may run as of: far enough from ``datetime``'s limits (years 1 and 9999) that
no job's date arithmetic (weeks, seasons, retention) overflows into a 502."""


class Stack(Protocol):
    def status(self) -> dict[str, Any]: ...

    def run_job(self, name: str, at: datetime | None, event: dict[str, Any] | None) -> Any: ...

    def kill_redis(self) -> None: ...

    def restart_redis(self) -> str | None: ...

    def dead_letters(self, limit: int) -> list[dict[str, Any]]: ...

    def redrive_dead_letters(self) -> int: ...

    def has_function(self, name: str) -> bool: ...

    def backfill_lake(self, before: datetime) -> dict[str, Any]: ...

    def clock(self) -> dict[str, Any]: ...

    def advance_clock(self, by: timedelta) -> dict[str, Any]: ...

    def invoke_function(self, name: str, event: Any, asynchronous: bool) -> Any: ...


def control(stack: Stack, inbox: WebhookInbox | None = None) -> Callable[[Request], Response]:
    fixed: dict[tuple[str, str], Callable[[Request], Response]] = {
        ("GET", "/local/status"): lambda _: json_response(200, stack.status()),
        ("POST", "/local/redis/kill"): lambda _: _redis(stack.kill_redis, "killed"),
        ("POST", "/local/redis/restart"): lambda _: _redis(
            stack.restart_redis, "restarted (empty)", "cache_check"
        ),
        ("GET", "/local/dlq"): lambda request: _dead_letters(stack, request),
        ("POST", "/local/dlq/redrive"): lambda _: json_response(
            200, {"moved": stack.redrive_dead_letters()}
        ),
        ("POST", "/local/lake/backfill"): lambda request: _backfill(stack, request),
        ("GET", "/local/clock"): lambda _: json_response(200, stack.clock()),
        ("POST", "/local/clock/advance"): lambda request: _advance(stack, request),
    }

    def handle(request: Request) -> Response:
        path, method = request.path, request.method
        if (method, path) in fixed:
            return fixed[method, path](request)
        received = inbox.handle(request) if inbox is not None else None
        if received is not None:
            return received
        job = _JOB.match(path)
        if job and method == "POST":
            return _run_job(stack, job["name"], request)
        invoke = _INVOKE.match(path)
        if invoke and method == "POST":
            return _invoke(stack, unquote(invoke["name"]), request)
        return error(404, "not_found", f"no local control route for {method} {path}")

    return handle


def _dead_letters(stack: Stack, request: Request) -> Response:
    raw = parse_qs(urlsplit(request.target).query).get("limit", ["50"])[-1]
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        return error(
            400,
            "invalid_limit",
            "limit: expected an integer from 1 to 1000",
            [{"field": "query.limit", "message": "expected 1..1000", "type": "int"}],
        )
    return json_response(200, {"messages": stack.dead_letters(int(raw))})


def _backfill(stack: Stack, request: Request) -> Response:
    """``?before=ISO`` (default: now): the lake's rows of what the table proves before it."""
    raw = parse_qs(urlsplit(request.target).query).get("before", [""])[-1]
    try:
        before = datetime.fromisoformat(raw) if raw else datetime.now(UTC)
    except ValueError:
        before = None
    if before is None or before.tzinfo is None:
        message = "before: expected an ISO time with its offset"
        field = [{"field": "query.before", "message": message, "type": "datetime"}]
        return error(400, "invalid_time", message, field)
    return json_response(200, stack.backfill_lake(before))


MAX_ADVANCE_HOURS = 9600
"""About 400 days a step: past a season, a league's year and every retention but the ledger's."""


def _advance(stack: Stack, request: Request) -> Response:
    raw = parse_qs(urlsplit(request.target).query).get("hours", [""])[-1]
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ADVANCE_HOURS:
        message = f"hours: expected an integer from 1 to {MAX_ADVANCE_HOURS} (only forward)"
        field = [{"field": "query.hours", "message": message, "type": "int"}]
        return error(400, "invalid_hours", message, field)
    return json_response(200, stack.advance_clock(timedelta(hours=int(raw))))


def _redis(action: Callable[[], Any], done: str, result: str | None = None) -> Response:
    """Run a Redis action; ``result`` names the field carrying what it returned."""
    try:
        returned = action()
    except OutageNotSupportedError as exc:
        return error(409, "not_supported", str(exc))
    return json_response(200, {"redis": done, **({result: returned} if result else {})})


def _invoke(stack: Stack, function_name: str, request: Request) -> Response:
    """Lambda's Invoke: the name may be a bare name or an ARN; ours are ``gamify-local-<name>``."""
    name = (
        function_name.rsplit(":function:", 1)[-1]
        .split(":", maxsplit=1)[0]
        .removeprefix(FUNCTION_PREFIX)
    )
    if not stack.has_function(name):
        return error(404, "ResourceNotFoundException", f"Function not found: {function_name}")
    try:
        event = json.loads(request.body or b"{}")
    except ValueError:
        return error(400, "InvalidRequestContentException", "payload is not JSON")
    asynchronous = (request.header("x-amz-invocation-type") or "") == "Event"
    try:
        result = stack.invoke_function(name, event, asynchronous)
    except Exception as exc:
        headers = [("X-Amz-Function-Error", "Unhandled")]
        return json_response(200, {"errorMessage": repr(exc)}, headers)
    if asynchronous:
        return Response(202)
    return json_response(200, result)


def _run_job(stack: Stack, name: str, request: Request) -> Response:
    if not stack.has_function(name):
        return error(404, "not_found", f"no function named {name!r}")
    query = parse_qs(urlsplit(request.target).query)
    at: datetime | None = None
    if "at" in query:
        parsed = _job_time(query["at"][-1])
        if isinstance(parsed, tuple):
            return _field_error(parsed, "query.at")
        at = parsed
    event: dict[str, Any] | None = None
    if request.body.strip():
        try:
            event = json.loads(request.body)
        except ValueError:
            return error(400, "invalid_event", "body: expected a JSON event")
        if isinstance(event, dict) and "time" in event:
            refused = _job_time(str(event["time"]))
            if isinstance(refused, tuple):
                return _field_error(refused, "body.time")
    try:
        result = stack.run_job(name, at, event)
    except Exception as exc:
        return error(502, "function_error", f"{name} failed: {exc!r}")
    return json_response(
        200, {"function": name, "at": at.isoformat() if at else None, "result": result}
    )


def _job_time(raw: str) -> datetime | tuple[int, str]:
    """An ISO 8601 time (UTC when it names no offset) within the job window, or (status, why)."""
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return 400, "not an ISO 8601 time"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not EARLIEST_JOB_TIME <= moment <= LATEST_JOB_TIME:
        window = f"{EARLIEST_JOB_TIME:%Y-%m-%d} to {LATEST_JOB_TIME:%Y-%m-%d} (UTC)"
        return 422, f"outside the times a job may run as of, {window}"
    return moment


def _field_error(refusal: tuple[int, str], field: str) -> Response:
    status, problem = refusal
    name = field.rsplit(".", maxsplit=1)[-1]
    return error(
        status,
        "invalid_time",
        f"{name}: {problem}",
        [{"field": field, "message": problem, "type": "datetime"}],
    )
