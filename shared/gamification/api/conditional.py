"""Conditional GET: an ``ETag`` on cacheable reads, and ``304 Not Modified`` when it still holds.

A leaderboard widget polls every 30 s; most polls find the board unchanged. With the tag the
function still reads the board (the tag is a hash of the answer), but the client gets an empty
304 instead of the whole page: less transfer and no re-render. The tag is weak (``W/``): it
stands for the JSON value, not for its bytes.
"""

from __future__ import annotations

import hashlib
import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from pydantic import BaseModel

NOT_MODIFIED: dict[int, Any] = {
    HTTPStatus.NOT_MODIFIED.value: {
        "description": "Unchanged since the `ETag` sent as `If-None-Match` (no body).",
        "content": {},
    }
}
"""The extra documented response of a conditional route (``responses={**..., **NOT_MODIFIED}``)."""
CACHE_CONTROL = "private, no-cache"
"""Any cache must revalidate before reuse, and only the caller's own (the answer is behind auth)."""


def entity_tag(body: Any) -> str:
    """A weak tag of a JSON value: equal values, equal tags, whatever the key order."""
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="json")
    elif isinstance(body, str | bytes):
        body = json.loads(body)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return f'W/"{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 weak comparison against every tag listed in ``If-None-Match``."""
    if not if_none_match:
        return False
    wanted = tag.removeprefix("W/")
    listed = (t.strip() for t in if_none_match.split(","))
    return any(t == "*" or t.removeprefix("W/") == wanted for t in listed)


def conditional_get(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """Route middleware: tag a 200, or answer 304 when the request already holds the tag."""
    response = next_middleware(app)
    if response.status_code != HTTPStatus.OK:
        return response
    tag = entity_tag(response.body)
    response.headers["ETag"] = tag
    if matches(app.current_event.headers.get("If-None-Match"), tag):
        return Response(
            status_code=HTTPStatus.NOT_MODIFIED,
            headers={"ETag": tag},
            body=None,
        )
    return response
