"""Who is calling: read from what API Gateway's authorizers put in the request context, only.

User routes sit behind a Cognito user pool authorizer, which validates the token and passes its
claims as ``requestContext.authorizer.claims``; the user id is the ``sub`` claim and never comes
from the body, query or path. The internal route sits behind IAM (SigV4) auth, which fills
``requestContext.identity``. These checks repeat the gateway's as defence in depth: an event
without them is refused, whatever its headers say.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Request, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from gamification.api.errors import ApiError

ADMIN_GROUP = "admin"
_GROUP_SEPARATORS = re.compile(r"[,\s]+")


@dataclass(frozen=True, slots=True)
class Caller:
    """An end user authenticated by the user pool."""

    user_id: str
    groups: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return ADMIN_GROUP in self.groups


@dataclass(frozen=True, slots=True)
class ServiceCaller:
    """A trusted backend authenticated by IAM (its ARN, for the logs)."""

    principal: str


def parse_groups(raw: object) -> frozenset[str]:
    """``cognito:groups`` in every shape it arrives in.

    A REST API passes claims as strings: ``"admin"`` or ``"admin,editors"``; HTTP APIs and some
    proxies pass ``"[admin editors]"`` or ``"[admin, editors]"``; a local event may hold a list.
    """
    if raw is None:
        return frozenset()
    if isinstance(raw, list | tuple | set | frozenset):
        return frozenset(str(g).strip() for g in raw if str(g).strip())
    text = str(raw).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return frozenset(g for g in _GROUP_SEPARATORS.split(text) if g)


def _request_context(event: Mapping[str, Any]) -> Mapping[str, Any]:
    context = event.get("requestContext")
    return context if isinstance(context, Mapping) else {}


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def user_from(event: Mapping[str, Any]) -> Caller | None:
    """The user pool identity the Cognito authorizer put on the event, if any."""
    claims = _mapping(_mapping(_request_context(event).get("authorizer")).get("claims"))
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        return None
    return Caller(user_id=sub, groups=parse_groups(claims.get("cognito:groups")))


def service_from(event: Mapping[str, Any]) -> ServiceCaller | None:
    """The IAM principal that signed the request, if any (set by API Gateway's IAM auth)."""
    identity = _mapping(_request_context(event).get("identity"))
    principal = identity.get("userArn") or identity.get("caller")
    return ServiceCaller(principal) if isinstance(principal, str) and principal else None


def _unauthorized() -> ApiError:
    return ApiError(HTTPStatus.UNAUTHORIZED, "unauthorized", "no identity on the request")


def _forbidden(message: str) -> ApiError:
    return ApiError(HTTPStatus.FORBIDDEN, "forbidden", message)


def refusal(auth: str, event: Mapping[str, Any]) -> ApiError | None:
    """Why a route with this ``auth`` (``resources.Route.auth``) must refuse the event, if so."""
    if auth == "none":
        return None
    if auth == "service":
        return _service_refusal(event)
    caller = user_from(event)
    if caller is None:
        return _unauthorized()
    if auth == "admin" and not caller.is_admin:
        return _forbidden(f"requires the {ADMIN_GROUP!r} group")
    return None


def _service_refusal(event: Mapping[str, Any]) -> ApiError | None:
    if service_from(event) is not None:
        return None
    if user_from(event) is not None:
        return _forbidden("only IAM-authenticated services may call this route")
    return _unauthorized()


# -- what the routes run behind ---------------------------------------------------------------


def authorized(auth: str) -> Callable[[APIGatewayRestResolver, NextMiddleware], Response[Any]]:
    """The middleware of a route whose table row says ``auth``: the edge refuses such requests
    before Powertools sees them (``api.gateway_checks``), and this repeats it for the handler
    itself, so a router included in any resolver still runs only for the callers its row admits."""

    def authorize(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
        refused = refusal(auth, app.current_event.raw_event)
        if refused is not None:
            raise refused
        return next_middleware(app)

    authorize.__name__ = f"authorize_{auth}"
    return authorize


def current_user(request: Request) -> Caller:
    """The signed-in user (the route's ``authorized`` middleware has admitted them)."""
    caller = user_from(request.resolved_event)
    if caller is None:
        raise _unauthorized()
    return caller
