"""Account lifecycle writes: erasure (your own, or any user's for admins) and exclusion."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path

from gamification import composition
from gamification.api.auth import Caller
from gamification.api.bodies import ErasureOut, ExclusionIn
from gamification.api.budget import current_writer
from gamification.api.contract import (
    ADMIN_ERRORS,
    AUTH_ERRORS,
    BODY_ERRORS,
    WRITE_ERRORS,
    new_router,
    responses,
    route,
)
from gamification.domain.activity import UserId
from gamification.services.erasure import ErasureRequests
from gamification.services.exclusion import ExclusionService
from gamification.services.read_models import ExclusionOut

router = new_router()
UserIdPath = Annotated[UserId, Path(description="A user id (the user pool `sub`).")]
ERASURE_DESCRIPTION = (
    "Answers 202 at once; everything stored about the user (profile, activity history, "
    "notifications, badges, reminders, leaderboard entries and names, snapshots) is deleted in "
    "the background. Activities received before the request are discarded; the same id then "
    "starts from nothing. Repeating the request is harmless."
)


def erasures() -> ErasureRequests:
    return composition.erasure_requests()


def exclusions() -> ExclusionService:
    return composition.exclusion_service()


def _accepted(user_id: str, service: ErasureRequests) -> Response[ErasureOut]:
    requested_at = service.request(user_id)
    return Response(
        status_code=HTTPStatus.ACCEPTED,
        content_type=content_types.APPLICATION_JSON,
        body=ErasureOut(user_id=user_id, status="erasing", requested_at=requested_at),
    )


@route(
    router,
    "DELETE",
    "/v1/me",
    status_code=202,
    operation_id="eraseMe",
    summary="Erase your account and everything stored about you",
    description=ERASURE_DESCRIPTION,
    tags=["account"],
    responses=responses(
        202, "Erasure started", *AUTH_ERRORS, *WRITE_ERRORS, HTTPStatus.SERVICE_UNAVAILABLE
    ),
)
def erase_me(
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[ErasureRequests, Depends(erasures)],
) -> Response[ErasureOut]:
    return _accepted(caller.user_id, service)


@route(
    router,
    "DELETE",
    "/v1/admin/users/{user_id}",
    status_code=202,
    operation_id="eraseUser",
    summary="Erase a user and everything stored about them",
    description=ERASURE_DESCRIPTION,
    tags=["admin"],
    responses=responses(
        202,
        "Erasure started",
        *ADMIN_ERRORS,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.SERVICE_UNAVAILABLE,
    ),
)
def erase_user(
    user_id: UserIdPath,
    service: Annotated[ErasureRequests, Depends(erasures)],
) -> Response[ErasureOut]:
    return _accepted(user_id, service)


@route(
    router,
    "PUT",
    "/v1/admin/users/{user_id}",
    operation_id="setUserExclusion",
    summary="Exclude a user from the leaderboards, or lift it",
    description="`excluded: true` (with a `reason`) keeps the user off every board until "
    "lifted; XP, levels and badges stay. The reason is stored and in the user's export.",
    tags=["admin"],
    responses=responses(
        200,
        "The exclusion",
        HTTPStatus.BAD_REQUEST,
        *ADMIN_ERRORS,
        HTTPStatus.NOT_FOUND,
        *BODY_ERRORS,
        HTTPStatus.SERVICE_UNAVAILABLE,
    ),
)
def set_exclusion(
    user_id: UserIdPath,
    body: ExclusionIn,
    service: Annotated[ExclusionService, Depends(exclusions)],
) -> ExclusionOut:
    return service.set(user_id, body.excluded, body.reason)
