"""Local-only authentication: stand-ins for the Cognito and IAM authorizers of API Gateway.

NEVER deployed: on AWS, API Gateway verifies a Cognito JWT (user and admin routes) or a SigV4
signature (the service route) before Lambda runs. Locally, the bearer token *is* the identity:

* ``Authorization: Bearer dev:<user_id>``        -> Cognito claims ``{"sub": user_id}``
* ``Authorization: Bearer dev:<user_id>:admin``  -> the same plus ``"cognito:groups": "admin"``
* ``Authorization: Bearer dev-service``          -> an IAM identity (for the ``service`` route)

A missing or malformed token is refused the way API Gateway refuses it: 401 on Cognito routes,
403 on the IAM route, and the handler is never called.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gamification.api.auth import ADMIN_GROUP
from gamification.local.handlers import ACCOUNT_ID
from gamification.resources import Route

SERVICE_TOKEN = "dev-service"  # noqa: S105 - a local-only identity, not a secret
SERVICE_ROLE = "gamify-local-service"
_USER_TOKEN = re.compile(r"^dev:(?P<user>[A-Za-z0-9_.@+-]{1,128})(?P<admin>:admin)?$")


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


def authorize(route: Route, authorization: str | None) -> Granted | Refused:
    token = _bearer(authorization)
    if route.auth == "none":
        return Granted()
    if route.auth == "service":
        if token != SERVICE_TOKEN:
            return Refused(403, "forbidden", "this route needs IAM (local: Bearer dev-service)")
        return Granted(identity=service_identity())
    match = _USER_TOKEN.match(token or "")
    if match is None:
        return Refused(401, "unauthorized", "missing or invalid token (local: Bearer dev:<user>)")
    claims: dict[str, Any] = {
        "sub": match["user"],
        "cognito:username": match["user"],
        "token_use": "id",
        "iss": "https://cognito-idp.local/gamify-local",
    }
    if match["admin"]:
        claims["cognito:groups"] = ADMIN_GROUP
    return Granted(authorizer={"claims": claims})


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
