"""Resolvers: one per Lambda (only its routers), and one with every router for the document.

Which function serves which route is fixed in :data:`gamification.resources.ROUTES` (the CDK
stack and the local stack read it too); :data:`FUNCTION_ROUTERS` must serve exactly those
routes, which a test checks.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.models import Tag
from aws_lambda_powertools.utilities.typing import LambdaContext

from gamification.adapters.activity_queue import QueueUnavailableError
from gamification.adapters.notification_repository import InvalidCursorError
from gamification.adapters.user_repository import VersionConflictError
from gamification.api import auth, errors
from gamification.api.contract import SECURITY_SCHEMES
from gamification.api.errors import ApiError, field_error
from gamification.api.routers import (
    account,
    activities,
    admin,
    badges,
    leaderboards,
    meta,
    notifications,
    profiles,
)
from gamification.api.routes import route_for
from gamification.services.account import InvalidSettingsError
from gamification.services.admin import (
    BackfillNotStartedError,
    InvalidBadgeError,
    UnknownBadgeError,
)
from gamification.services.ingest import ActivityRejectedError
from gamification.services.queries import BoardUnavailableError, UnknownUserError

TITLE = "gamify API"
API_VERSION = "1.0.0"
DESCRIPTION = (
    "XP, levels, badges, streaks and leaderboards. Activities are queued and applied "
    'asynchronously, exactly once. Every error body is `{"error": {"code", "message", '
    '"details"}}`; `details` names the offending fields.'
)
MAX_BODY_BYTES = 32 * 1024
"""Largest request body accepted (a full batch of 25 activities is well under 20 KiB)."""


FUNCTION_ROUTERS: dict[str, tuple[Router, ...]] = {
    "ingest": (activities.router,),
    "query": (
        profiles.router,
        badges.router,
        leaderboards.router,
        notifications.router,
        meta.router,
    ),
    "account": (account.router,),
    "admin": (admin.router,),
}

TAGS = [
    Tag(name="activities", description="Report what users did; queued, applied exactly once."),
    Tag(name="profiles", description="XP, levels, streaks, rank and badge progress."),
    Tag(name="badges", description="The badge catalog."),
    Tag(name="leaderboards", description="All-time and weekly boards, ranked like SQL RANK()."),
    Tag(name="notifications", description="The in-app feed."),
    Tag(name="account", description="The caller's settings."),
    Tag(name="admin", description="Badge definitions (admin group only)."),
    Tag(name="meta", description="Health and documentation."),
]


def _rejected(error: ActivityRejectedError) -> ApiError:
    reason = error.rejection.reason.value
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        reason,
        f"{error.field}: {error.rejection.detail}",
        [field_error(f"body.{error.field}", error.rejection.detail, reason)],
    )


def _invalid_badge(error: InvalidBadgeError) -> ApiError:
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        "invalid_badge",
        f"{error.field}: {error}",
        [field_error(f"body.{error.field}", str(error), "invalid_badge")],
    )


def _invalid_settings(error: InvalidSettingsError) -> ApiError:
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        "invalid_settings",
        f"{error.field}: {error}",
        [field_error(f"body.{error.field}", str(error), "invalid_settings")],
    )


def _bad_cursor(error: InvalidCursorError) -> ApiError:
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        "invalid_cursor",
        f"cursor: {error}",
        [field_error("query.cursor", str(error), "invalid_cursor")],
    )


def _unavailable(code: str, message: str, retry_after: int) -> Callable[[Exception], ApiError]:
    def translate(_: Exception) -> ApiError:
        return ApiError(
            HTTPStatus.SERVICE_UNAVAILABLE, code, message, headers={"Retry-After": str(retry_after)}
        )

    return translate


def _not_found(code: str, message: str) -> Callable[[Exception], ApiError]:
    def translate(_: Exception) -> ApiError:
        return ApiError(HTTPStatus.NOT_FOUND, code, message)

    return translate


SERVICE_ERRORS: errors.ServiceErrorMap = {
    ActivityRejectedError: _rejected,
    InvalidBadgeError: _invalid_badge,
    InvalidSettingsError: _invalid_settings,
    InvalidCursorError: _bad_cursor,
    UnknownUserError: _not_found("user_not_found", "no such user"),
    UnknownBadgeError: _not_found("badge_not_found", "no such badge"),
    QueueUnavailableError: _unavailable("queue_unavailable", "nothing was queued; retry", 1),
    BoardUnavailableError: _unavailable(
        "leaderboard_unavailable", "the leaderboard is temporarily unavailable", 30
    ),
    BackfillNotStartedError: _unavailable(
        "backfill_not_started", "the badge is saved but its backfill did not start; repeat", 5
    ),
    VersionConflictError: _unavailable("busy", "the profile kept changing; retry", 1),
}


class ApiResolver(APIGatewayRestResolver):
    """Powertools' REST resolver, refusing first what API Gateway would refuse.

    Powertools validates the body before any dependency runs, so without this an anonymous
    request with a bad body would learn about its body (422) instead of being told to sign in
    (401). Bodies are checked here too, before anything parses them: size (413), media type
    (415; Powertools answers a multipart body without a boundary with a 500) and encoding.
    """

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        refused = _precheck(event)
        if refused is not None:
            return _proxy_response(refused)
        return super().resolve(event, context)


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
        return ApiError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
            [field_error("header.content-type", "must be application/json", "media_type")],
        )
    raw = body.encode()
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True)
        except binascii.Error:
            raw = b"\xff"  # not UTF-8 either: refused below
    if len(raw) > MAX_BODY_BYTES:
        return ApiError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "payload_too_large",
            f"the body may hold at most {MAX_BODY_BYTES} bytes",
            [field_error("body", f"larger than {MAX_BODY_BYTES} bytes", "too_large")],
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return ApiError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "invalid_request",
            "body: not UTF-8 encoded JSON",
            [field_error("body", "not UTF-8 encoded JSON", "json_invalid")],
        )
    return None


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
        "body": errors.ErrorResponse(error=error.info).model_dump_json(),
        "isBase64Encoded": False,
    }


def build_resolver(routers: tuple[Router, ...]) -> APIGatewayRestResolver:
    app = ApiResolver(enable_validation=True)
    for router in routers:
        app.include_router(router)
    errors.install(app, SERVICE_ERRORS)
    return app


def resolver_for(function: str) -> APIGatewayRestResolver:
    """The resolver of one Lambda (``ingest``, ``query``, ``account`` or ``admin``)."""
    return build_resolver(FUNCTION_ROUTERS[function])


@lru_cache(maxsize=1)
def full_resolver() -> APIGatewayRestResolver:
    """Every route of every function: the source of the OpenAPI document."""
    return build_resolver(tuple(r for routers in FUNCTION_ROUTERS.values() for r in routers))


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The whole API's OpenAPI 3.1 document (as served and as written to docs/openapi.json)."""
    schema = full_resolver().get_openapi_json_schema(
        title=TITLE,
        version=API_VERSION,
        description=DESCRIPTION,
        tags=list(TAGS),
        security_schemes=SECURITY_SCHEMES,
    )
    return _prune_unused_schemas(json.loads(schema))


def openapi_json() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


@lru_cache(maxsize=1)
def swagger_html() -> str:
    from aws_lambda_powertools.event_handler.openapi import swagger_ui

    assets = Path(swagger_ui.__file__).parent
    spec = json.dumps(openapi_document()).replace("</", "<\\/")
    return swagger_ui.generate_swagger_html(
        spec,
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )


def _prune_unused_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """Drop Powertools' default validation-error schemas: our routes document ours instead."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    used: set[str] = set()
    pending = _refs(document.get("paths", {}))
    while pending:
        name = pending.pop()
        if name not in used and name in schemas:
            used.add(name)
            pending |= _refs(schemas[name])
    for name in list(schemas):
        if name not in used:
            del schemas[name]
    return document


def _refs(node: Any) -> set[str]:
    prefix = "#/components/schemas/"
    if isinstance(node, dict):
        found = {node["$ref"][len(prefix) :]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node)) if node else set()
    return set()
