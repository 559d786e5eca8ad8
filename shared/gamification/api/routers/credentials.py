"""Verifiable badges: a holder's Open Badges 3.0 credential (served by the credentials function,
the only one that may sign; docs/credentials.md). The issuer's profile and keys: ``issuer``."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.contract import AUTH_ERRORS, new_router, responses, route
from gamification.config import settings
from gamification.domain.activity import UserId
from gamification.domain.credentials import Issuer
from gamification.services.credentials import CredentialService

router = new_router()
TAGS = ["credentials"]
JWT_MEDIA_TYPE = "application/vc+jwt"
ISSUER_PATH = "/v1/issuer"


def credentials() -> CredentialService:
    return composition.credential_service()


def issuer_for(served_by: Router) -> Issuer:
    """The issuer: ``GAMIFY_ISSUER_URL`` when the deployment sets it (a custom domain, the local
    stack), else this API's own URL as API Gateway names it (``https://<domain>/<stage>``)."""
    config = settings()
    if config.issuer_url:
        return Issuer(id=config.issuer_url, name=config.issuer_name)
    context = served_by.current_event.raw_event.get("requestContext") or {}
    return Issuer(
        id=f"https://{context.get('domainName')}/{context.get('stage')}{ISSUER_PATH}",
        name=config.issuer_name,
    )


@route(
    router,
    "GET",
    "/v1/users/{user_id}/badges/{badge_id}/credential",
    operation_id="getBadgeCredential",
    summary="An earned badge as an Open Badges 3.0 verifiable credential (JWT)",
    description="The caller's own earned badge as a W3C Verifiable Credential "
    "(`OpenBadgeCredential`), signed ES256 as a compact JWT (`typ: vc+jwt`, "
    "`application/vc+jwt`); verify it against `/.well-known/jwks.json`. A tiered badge is issued "
    "at the highest level held. 404 for a badge not earned, someone else's badge, a retired "
    "badge or an erased user. The holder appears only as a salted hash of their user id.",
    tags=TAGS,
    responses={
        **responses(200, "The credential", *AUTH_ERRORS, HTTPStatus.NOT_FOUND),
        200: {
            "description": "The credential as a compact JWS",
            "content": {JWT_MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
    },
)
def badge_credential(
    user_id: Annotated[UserId, Path(description="A user id (the user pool `sub`): yours.")],
    badge_id: Annotated[str, Path(max_length=64, description="A badge id of the catalog.")],
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[CredentialService, Depends(credentials)],
) -> Response[str]:
    token = service.issue(caller.user_id, user_id, badge_id, issuer_for(router))
    return Response(
        status_code=200,
        content_type=JWT_MEDIA_TYPE,
        body=token,
        headers={"Cache-Control": "private, no-store"},
    )
