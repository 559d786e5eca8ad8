"""OpenAPI vocabulary shared by the routers: security schemes and documented responses.

Every error a route can answer with is documented with the one error model, so a generated
client has a single error type and contract tests can hold the handlers to the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from gamification.api.auth import authorized
from gamification.api.errors import ErrorResponse
from gamification.resources import ROUTES, Route

COGNITO = "cognito"
IAM = "iam"


def security_schemes() -> dict[str, Any]:
    """The document's security schemes, built on demand.

    Powertools' OpenAPI models cost ≈ 70 ms to import; only the document needs them, so a
    function that never serves ``/v1/docs`` never loads them.
    """
    from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

    return {
        COGNITO: APIKey(
            name="Authorization",
            **{"in": APIKeyIn.header},
            description="A Cognito user pool ID token, checked by API Gateway's authorizer. "
            "The user is the token's `sub`; admin routes need the `admin` group. Locally: "
            "`Bearer dev:<user_id>` or `Bearer dev:<user_id>:admin`.",
        ),
        IAM: APIKey(
            name="Authorization",
            **{"in": APIKeyIn.header},
            description="AWS Signature Version 4 (IAM auth) for trusted services. Locally: "
            "`Bearer dev-service`.",
        ),
    }


USER: list[dict[str, list[str]]] = [{COGNITO: []}]
SERVICE: list[dict[str, list[str]]] = [{IAM: []}]
SECURITY: dict[str, list[dict[str, list[str]]] | None] = {
    "user": USER,
    "admin": USER,  # a user pool token at the gateway; the admin group is checked behind it
    "service": SERVICE,
    "none": None,
}
"""The OpenAPI ``security`` of each ``resources.Route.auth``."""

_DESCRIPTIONS = {
    HTTPStatus.BAD_REQUEST: "The request is well-formed but can never be applied.",
    HTTPStatus.UNAUTHORIZED: "No identity on the request.",
    HTTPStatus.FORBIDDEN: "The identity may not do this.",
    HTTPStatus.NOT_FOUND: "No such resource (or a path parameter no route accepts).",
    HTTPStatus.CONFLICT: "The state does not allow it now (funds, stock, a limit, a reused "
    "idempotency key).",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "The body is larger than allowed.",
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE: "The body is not JSON.",
    HTTPStatus.CONFLICT: "The resource is in a state that refuses this now (the message says why).",
    HTTPStatus.UNPROCESSABLE_ENTITY: "A field is missing or invalid (details name it).",
    HTTPStatus.TOO_MANY_REQUESTS: "The caller's write budget is spent; retry after `Retry-After` "
    "seconds.",
    HTTPStatus.INTERNAL_SERVER_ERROR: "Unexpected failure.",
    HTTPStatus.SERVICE_UNAVAILABLE: "A dependency is down; retry later.",
}

AUTH_ERRORS = (HTTPStatus.UNAUTHORIZED,)
ADMIN_ERRORS = (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN)
WRITE_ERRORS = (HTTPStatus.TOO_MANY_REQUESTS,)
CONFLICT_ERRORS = (HTTPStatus.CONFLICT, HTTPStatus.SERVICE_UNAVAILABLE)
BODY_ERRORS = (HTTPStatus.REQUEST_ENTITY_TOO_LARGE, HTTPStatus.UNSUPPORTED_MEDIA_TYPE)


def responses(
    status: int,
    description: str,
    *errors: HTTPStatus,
    body: bool = True,
    media_type: str = "application/json",
) -> dict[int, Any]:
    """The ``responses=`` of a route: its success (JSON schema from the return type) and errors.

    Documenting 422 and 500 on every route replaces Powertools' default validation-error schema
    with ours.
    """
    documented: dict[int, Any] = {status: {"description": description}}
    if not body:
        documented[status]["content"] = {}
    elif media_type != "application/json":
        documented[status]["content"] = {media_type: {"schema": {"type": "string"}}}
    for error in (*errors, HTTPStatus.UNPROCESSABLE_ENTITY, HTTPStatus.INTERNAL_SERVER_ERROR):
        documented[error.value] = {
            "description": _DESCRIPTIONS[error],
            "content": {"application/json": {"model": ErrorResponse}},
        }
    return documented


def relation_write(description: str, *extra: HTTPStatus) -> dict[int, Any]:
    """What a user's write about another user answers (a follow, a block, a friend streak, a
    friend quest pairing): 200 with the state now, 400 for a refusal, 404 for an id not found,
    ``extra`` (a 409), 429 and 503 (the store kept changing)."""
    return responses(
        200,
        description,
        HTTPStatus.BAD_REQUEST,
        *AUTH_ERRORS,
        HTTPStatus.NOT_FOUND,
        *extra,
        *WRITE_ERRORS,
        HTTPStatus.SERVICE_UNAVAILABLE,
    )


UNDONE = "Done (also when there was nothing to undo)"


def relation_undo(description: str = UNDONE) -> dict[int, Any]:
    """What undoing such a write answers: 204, also when there was nothing to undo."""
    errors = (*AUTH_ERRORS, HTTPStatus.NOT_FOUND, *WRITE_ERRORS)
    return responses(204, description, *errors, body=False)


def no_content() -> Response[None]:
    """The 204 reply of a route declared with ``body=False``."""
    return Response(status_code=HTTPStatus.NO_CONTENT, body=None)


def new_router() -> Router:
    """A Powertools router (its constructor is untyped; this keeps mypy strict elsewhere)."""
    return Router()  # type: ignore[no-untyped-call]


Handler = TypeVar("Handler", bound=Callable[..., Any])
_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def declared(method: str, path: str) -> Route:
    """The row of ``resources.ROUTES`` for ``method path`` (a route the table lacks is a bug)."""
    for route in ROUTES:
        if (route.method, route.path) == (method, path):
            return route
    raise LookupError(f"{method} {path} is not declared in gamification.resources.ROUTES")


def route(
    router: Router,
    method: str,
    path: str,
    *,
    middlewares: Sequence[Callable[..., Any]] = (),
    **openapi: Any,
) -> Callable[[Handler], Handler]:
    """Serve ``method path`` on ``router`` as the route table declares it.

    Authorization is declared once, as the route's ``auth`` in ``resources.ROUTES`` (API
    Gateway's authorizers and the local gateway read the same row); from it come the route's
    OpenAPI ``security`` and the check its handler runs behind, so neither is written here.
    ``middlewares`` run behind that check; ``openapi`` is the rest of Powertools' route
    arguments (summary, responses, ...).
    """
    row = declared(method, path)
    guard = [] if row.auth == "none" else [authorized(row.auth)]
    return router.route(
        _PARAMETER.sub(r"<\1>", path),
        method,
        security=SECURITY[row.auth],
        middlewares=[*guard, *middlewares] or None,
        **openapi,
    )
