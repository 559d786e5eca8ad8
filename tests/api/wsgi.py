"""A WSGI front for the real handlers, so contract tests can drive them in-process over HTTP.

It plays API Gateway: routes each request to the function ``ROUTES`` names and turns the
``Authorization`` header into the authorizer's context (``Bearer dev:<user>[:admin]`` for the
user pool, ``Bearer dev-service`` for IAM; anything else is anonymous, which the handlers
refuse).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from gamification.api.route_matcher import match
from gamification.local.auth import parse_dev_token
from tests.api.support import ANONYMOUS, SERVICE, Identity, api_event, invoke


def identity_from(authorization: str | None) -> Identity:
    who = parse_dev_token(authorization)
    if who is None:
        return ANONYMOUS
    if who.user_id is None:
        return SERVICE
    return Identity(user_id=who.user_id, groups="admin" if who.admin else None)


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    method = environ["REQUEST_METHOD"]
    path = environ.get("PATH_INFO") or "/"
    headers = {
        key[5:].replace("_", "-").title(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else None
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    event = api_event(
        method,
        path,
        identity=identity_from(headers.get("Authorization")),
        raw_body=body,
        query=query,
        headers=headers,
    )
    matched = match(method, path)
    reply = invoke(matched.route.function if matched else "query", event)
    phrase = HTTPStatus(reply.status).phrase
    start_response(f"{reply.status} {phrase}", list(reply.headers.items()))
    return [reply.text.encode()]
