"""The issuer's public side for verifiers: its Open Badges profile and its keys (JWKS).

Served by the meta function (public, no table, no cache): it may read the credential key's
public half (``kms:GetPublicKey``) and nothing else (docs/credentials.md).
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Depends, Response

from gamification import composition
from gamification.api.contract import new_router, responses, route
from gamification.api.routers.credentials import ISSUER_PATH, issuer_for
from gamification.services.credentials import IssuerKeys

router = new_router()
TAGS = ["credentials"]
_PUBLIC_CACHE = "public, max-age=300"


def keys() -> IssuerKeys:
    return composition.issuer_keys()


@route(
    router,
    "GET",
    "/.well-known/jwks.json",
    operation_id="getIssuerKeys",
    summary="The public keys badge credentials are signed with (JWKS)",
    tags=TAGS,
    responses=responses(200, "A JSON Web Key Set (EC P-256, ES256)"),
)
def issuer_keys(service: Annotated[IssuerKeys, Depends(keys)]) -> Response[Any]:
    return Response(
        status_code=200,
        content_type="application/json",
        body=service.jwks(),
        headers={"Cache-Control": _PUBLIC_CACHE},
    )


@route(
    router,
    "GET",
    ISSUER_PATH,
    operation_id="getIssuerProfile",
    summary="The Open Badges 3.0 issuer profile",
    tags=TAGS,
    responses=responses(200, "The issuer's Profile (its id is this URL)"),
)
def issuer_profile() -> Response[Any]:
    return Response(
        status_code=200,
        content_type="application/json",
        body=issuer_for(router).profile(),
        headers={"Cache-Control": _PUBLIC_CACHE},
    )
