"""API Gateway REST semantics without the network: route matching, proxy events, responses.

Pure functions, so the gateway's fidelity is tested without sockets: a request becomes exactly
the ``AWS_PROXY`` event API Gateway would send to the function named in ``ROUTES``, and the
function's result becomes the HTTP response.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from gamification.api.route_matcher import RouteMatch, allowed_methods, match
from gamification.local.auth import Granted
from gamification.local.handlers import ACCOUNT_ID
from gamification.resources import ROUTES, Route

STAGE = "local"
API_ID = "gamifylocal"
MAX_BODY_BYTES = 10 * 1024 * 1024
"""API Gateway's payload limit; a larger request gets 413 before any function runs."""


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    target: str
    """Path and query as sent, e.g. ``/v1/leaderboard?limit=5``."""
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    source_ip: str = "127.0.0.1"

    @property
    def path(self) -> str:
        return urlsplit(self.target).path or "/"

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in reversed(self.headers):
            if key.lower() == wanted:
                return value
        return None

    def header_values(self, name: str) -> list[str]:
        """Every value sent for ``name``, in order (a header may be repeated)."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


Matched = RouteMatch


@dataclass(frozen=True, slots=True)
class NotMatched:
    status: int
    """404: no resource has this path; 405: it has, but not for this method."""
    allowed: tuple[str, ...] = ()


class Router:
    """The route table's one matcher (``api.route_matcher``): 404 or 405 when none fits."""

    def __init__(self, routes: Iterable[Route] = ROUTES) -> None:
        self._routes = tuple(routes)

    def match(self, method: str, path: str) -> Matched | NotMatched:
        found = match(method, path, self._routes)
        if found is not None:
            return found
        allowed = allowed_methods(path, self._routes)
        return NotMatched(405, tuple(allowed)) if allowed else NotMatched(404)


def proxy_event(request: Request, matched: Matched, grant: Granted) -> dict[str, Any]:
    """The REST API ``AWS_PROXY`` integration event (payload format 1.0)."""
    split = urlsplit(request.target)
    query = parse_qsl(split.query, keep_blank_values=True)
    headers, multi_headers = _single_and_multi(request.headers)
    body, is_base64 = _body(request.body)
    now = datetime.now(UTC)
    identity: dict[str, Any] = {
        "cognitoIdentityPoolId": None,
        "accountId": None,
        "cognitoIdentityId": None,
        "caller": None,
        "sourceIp": request.source_ip,
        "principalOrgId": None,
        "accessKey": None,
        "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None,
        "userArn": None,
        "userAgent": request.header("user-agent"),
        "user": None,
        **grant.identity,
    }
    context: dict[str, Any] = {
        "resourceId": _resource_id(matched.route.path),
        "resourcePath": matched.route.path,
        "httpMethod": matched.route.method,
        "extendedRequestId": uuid.uuid4().hex[:16],
        "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "path": f"/{STAGE}{split.path}",
        "accountId": ACCOUNT_ID,
        "protocol": "HTTP/1.1",
        "stage": STAGE,
        "domainPrefix": API_ID,
        "requestTimeEpoch": int(time.time() * 1000),
        "requestId": str(uuid.uuid4()),
        "identity": identity,
        "domainName": request.header("host") or "127.0.0.1",
        "apiId": API_ID,
    }
    if grant.authorizer is not None:
        context["authorizer"] = grant.authorizer
    single_query, multi_query = _single_and_multi(query)
    return {
        "resource": matched.route.path,
        "path": unquote(split.path),  # API Gateway hands the function the decoded path
        "httpMethod": matched.route.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": single_query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": matched.path_parameters or None,
        "stageVariables": None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


def from_result(result: Any) -> Response:
    """Translate the function's proxy result; a malformed one is a 502, as on API Gateway."""
    if not isinstance(result, Mapping) or not isinstance(result.get("statusCode"), int):
        return error(502, "bad_gateway", "the function returned a malformed proxy response")
    headers: list[tuple[str, str]] = [
        (str(k), str(v)) for k, v in (result.get("headers") or {}).items()
    ]
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(key), str(v)) for v in values)
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    return Response(int(result["statusCode"]), _dedupe(headers), body)


def error(
    status: int, code: str, message: str, details: Sequence[Mapping[str, Any]] = ()
) -> Response:
    """The API's one error model, ``{"error": {"code", "message", "details": [...]}}``."""
    payload = {"error": {"code": code, "message": message, "details": [dict(d) for d in details]}}
    return json_response(status, payload)


def json_response(status: int, payload: Any, headers: Sequence[tuple[str, str]] = ()) -> Response:
    return Response(
        status,
        [("Content-Type", "application/json"), *headers],
        json.dumps(payload, default=str).encode(),
    )


def _single_and_multi(
    pairs: Iterable[tuple[str, str]],
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """API Gateway's two views: the last value of each key, and every value in order."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value
        multi.setdefault(key, []).append(value)
    return single, multi


def _body(raw: bytes) -> tuple[str | None, bool]:
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), True


def _resource_id(template: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, template).hex[:6]


def _dedupe(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    unique: list[tuple[str, str]] = []
    for key, value in headers:
        if (key.lower(), value) not in seen:
            seen.add((key.lower(), value))
            unique.append((key, value))
    return unique
