"""Local-only authentication: stand-ins for the Cognito and IAM authorizers of API Gateway.

NEVER deployed: on AWS, API Gateway verifies a Cognito JWT (user and admin routes) or a SigV4
signature (the service route) before Lambda runs. Locally, the bearer token *is* the identity:

* ``Authorization: Bearer dev:<user_id>``        -> Cognito claims ``{"sub": user_id}``
* ``Authorization: Bearer dev:<user_id>:admin``  -> the same plus ``"cognito:groups": "admin"``
* ``Authorization: Bearer dev:<user_id>:user``   -> ``dev:<user_id>``, said explicitly
* ``Authorization: Bearer dev-service``          -> an IAM identity (for the ``service`` route)

``<user_id>`` is any id the API accepts (``domain.activity.UserId``), ``:`` included: only a
*final* ``:admin`` or ``:user`` is a role, everything between ``dev:`` and it is the id. So
``dev:org:42`` is user ``org:42``, ``dev:org:42:admin`` that user as an admin, and an id that
itself ends in ``:admin`` signs in as ``dev:<id>:user`` (``dev_token`` writes the right form).

A missing or malformed token is refused with 401; a user token on the IAM route with 403 (the
API's own rule, ``api.auth``); the handler is never called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from gamification.api.auth import ADMIN_GROUP
from gamification.domain.activity import UserId
from gamification.local.handlers import ACCOUNT_ID
from gamification.resources import Route

SERVICE_TOKEN = "dev-service"  # noqa: S105 - a local-only identity, not a secret
SERVICE_ROLE = "gamify-local-service"
USER_PREFIX = "dev:"
ROLES = {"admin": True, "user": False}
"""A token's final ``:<role>`` segment, and whether it makes the user an admin."""
_USER_ID: TypeAdapter[str] = TypeAdapter(UserId)


@dataclass(frozen=True, slots=True)
class Granted:
    """What the authorizer adds to ``requestContext``."""

    authorizer: dict[str, Any] | None = None
    identity: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Refused:
    status: int
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class DevIdentity:
    """Who a local token names: a user (maybe admin) or the trusted service."""

    user_id: str | None = None
    admin: bool = False

    @property
    def service(self) -> bool:
        return self.user_id is None


def parse_dev_token(authorization: str | None) -> DevIdentity | None:
    """The one reading of a local ``Authorization`` header (the gateway and the API tests)."""
    token = _bearer(authorization)
    if token == SERVICE_TOKEN:
        return DevIdentity()
    if token is None or not token.startswith(USER_PREFIX):
        return None
    rest = token.removeprefix(USER_PREFIX)
    user_id, _, role = rest.rpartition(":")
    if not user_id or role not in ROLES:
        user_id, role = rest, "user"
    try:
        _USER_ID.validate_python(user_id)
    except ValidationError:
        return None
    return DevIdentity(user_id=user_id, admin=ROLES[role])


def dev_token(user_id: str, *, admin: bool = False) -> str:
    """The local token that ``parse_dev_token`` reads back as ``user_id`` (and the role)."""
    if admin:
        return f"{USER_PREFIX}{user_id}:admin"
    ambiguous = user_id.rpartition(":")[2] in ROLES and ":" in user_id
    return f"{USER_PREFIX}{user_id}:user" if ambiguous else f"{USER_PREFIX}{user_id}"


def user_claims(user_id: str, *, admin: bool = False) -> dict[str, Any]:
    """The claims the Cognito authorizer passes for an ID token of ``user_id``."""
    claims: dict[str, Any] = {
        "sub": user_id,
        "cognito:username": user_id,
        "token_use": "id",
        "iss": "https://cognito-idp.local/gamify-local",
    }
    if admin:
        claims["cognito:groups"] = ADMIN_GROUP
    return claims


def authorize(route: Route, authorization: str | None) -> Granted | Refused:
    if route.auth == "none":
        return Granted()
    who = parse_dev_token(authorization)
    if route.auth == "service":
        if who is None:
            return Refused(401, "unauthorized", "this route needs IAM (local: Bearer dev-service)")
        if not who.service:
            return Refused(403, "forbidden", "only IAM-authenticated services may call this route")
        return Granted(identity=service_identity())
    if who is None or who.user_id is None:
        return Refused(401, "unauthorized", "missing or invalid token (local: Bearer dev:<user>)")
    return Granted(authorizer={"claims": user_claims(who.user_id, admin=who.admin)})


def service_identity() -> dict[str, Any]:
    """The fields API Gateway puts in ``requestContext.identity`` for an IAM-signed caller."""
    return {
        "accountId": ACCOUNT_ID,
        "caller": f"AROALOCALSERVICE:{SERVICE_ROLE}",
        "user": f"AROALOCALSERVICE:{SERVICE_ROLE}",
        "userArn": f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{SERVICE_ROLE}/local",
        "accessKey": "ASIALOCALSERVICE",
    }


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None
