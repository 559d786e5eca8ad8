"""The edge checks API Gateway makes, repeated before Powertools touches the request.

Powertools validates the body before any route dependency runs, so without this an anonymous
request with a bad body would learn about its body (422) instead of being told to sign in
(401). Bodies are checked here too, before anything parses them: size (413), media type (415;
Powertools answers a multipart body without a boundary with a 500), encoding, and the JSON
shape limits of :mod:`json_limits` (nesting, number length), which Python's parser turns into
500s.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.params import get_flat_dependant
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.api import auth, json_limits
from gamification.api.bodies import MAX_BATCH
from gamification.api.errors import ApiError, ErrorResponse, field_error, unsupported_media_type
from gamification.api.route_matcher import route_for
from gamification.domain.text import shown

MAX_BODY_BYTES = 32 * 1024
"""Largest request body accepted (a full batch of 25 activities is well under 20 KiB)."""


class ApiResolver(APIGatewayRestResolver):
    """Powertools' REST resolver, refusing first what API Gateway would refuse."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.use([_refuse_unknown_query])

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        refused = _precheck(event)
        if refused is not None:
            response = _proxy_response(refused)
            response["multiValueHeaders"].update(_cors_headers(self._cors, event))
            return response
        return super().resolve(event, context)


def _cors_headers(cors: CORSConfig | None, event: Mapping[str, Any]) -> dict[str, list[str]]:
    """What Powertools adds to a routed answer, for an answer given before routing."""
    origin = _header(event, "origin")
    allowed = cors.allowed_origin(origin) if cors is not None and origin else None
    return {k: [v] for k, v in cors.to_dict(allowed).items()} if cors and allowed else {}


def _refuse_unknown_query(
    app: APIGatewayRestResolver, next_middleware: NextMiddleware
) -> Response[Any]:
    """A query parameter the route does not declare is a 422, never silently ignored: a client
    asking for ``?week=2026-W40`` must not be handed the current week as if it were that one."""
    route = app.context.get("_route")
    event = app.current_event
    sent = set(event.multi_value_query_string_parameters or {}) | set(
        event.query_string_parameters or {}
    )
    # Powertools runs middlewares for its own not-found route too: that one stays a 404/405.
    if route is not None and sent and route_for(event.http_method, event.path) is not None:
        declared = {field.alias for field in get_flat_dependant(route.dependant).query_params}
        unknown = sorted(sent - declared)
        if unknown:
            details = [
                field_error(
                    f"query.{shown(name, 64)}", "unknown query parameter", "extra_forbidden"
                )
                for name in unknown[:10]
            ]
            raise ApiError(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "invalid_request",
                "invalid request: " + "; ".join(f"{d.field}: {d.message}" for d in details),
                details,
            )
    return next_middleware(app)


def _precheck(event: Mapping[str, Any]) -> ApiError | None:
    route = route_for(str(event.get("httpMethod", "")), str(event.get("path", "")))
    if route is not None:
        refused = auth.refusal(route.auth, event)
        if refused is not None:
            return refused
    body = event.get("body")
    return _body_refusal(event, body) if body else None


def _body_refusal(event: Mapping[str, Any], body: str) -> ApiError | None:
    content_type = _header(event, "content-type")
    if content_type and not _is_json(content_type):
        return unsupported_media_type()
    raw = body.encode()
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True)
        except binascii.Error:
            raw = b"\xff"  # not UTF-8 either: refused below
    if len(raw) > MAX_BODY_BYTES:
        batch = str(event.get("path", "")).rstrip("/").endswith("/batch")
        first = f"a batch holds at most {MAX_BATCH} activities; " if batch else ""
        return ApiError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "payload_too_large",
            f"{first}the body may hold at most {MAX_BODY_BYTES} bytes",
            [field_error("body", f"larger than {MAX_BODY_BYTES} bytes", "too_large")],
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _invalid_body("json_invalid", "not UTF-8 encoded JSON")
    problem = json_limits.shape_problem(text)
    return _invalid_body(*problem) if problem else None


def _invalid_body(kind: str, problem: str) -> ApiError:
    return ApiError(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "invalid_request",
        f"body: {problem}",
        [field_error("body", problem, kind)],
    )


def _header(event: Mapping[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name and isinstance(value, str):
            return value
    return None


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _proxy_response(error: ApiError) -> dict[str, Any]:
    headers = {"Content-Type": ["application/json"], **{k: [v] for k, v in error.headers.items()}}
    return {
        "statusCode": error.status.value,
        "multiValueHeaders": headers,
        "body": ErrorResponse(error=error.info).model_dump_json(),
        "isBase64Encoded": False,
    }
