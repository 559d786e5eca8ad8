"""The caller's follow lists (the query function: reads). Identity from the authorizer."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.contract import AUTH_ERRORS, new_router, responses, route
from gamification.services.follows import FollowService
from gamification.services.friend_models import FollowListOut

router = new_router()
TAGS = ["friends"]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(min_length=1, max_length=400, pattern=r"^[A-Za-z0-9_-]+$")]


def follows() -> FollowService:
    return composition.follow_service()


def _listed(what: str) -> dict[int, object]:
    return responses(200, what, *AUTH_ERRORS, HTTPStatus.BAD_REQUEST)


@route(
    router,
    "GET",
    "/v1/me/following",
    operation_id="listFollowing",
    summary="The users you follow, by id (`mutual`: they follow you back)",
    description="Pass `next_cursor` back as `cursor` for the next page.",
    tags=TAGS,
    responses=_listed("A page of the users you follow"),
)
def following(
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[FollowService, Depends(follows)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> FollowListOut:
    return service.following(caller.user_id, cursor, limit)


@route(
    router,
    "GET",
    "/v1/me/followers",
    operation_id="listFollowers",
    summary="The users who follow you, by id",
    description="Followers hidden from the boards or excluded are listed only if you follow "
    "them back, so a page may hold fewer than `limit`: follow `next_cursor` to the end.",
    tags=TAGS,
    responses=_listed("A page of your followers"),
)
def followers(
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[FollowService, Depends(follows)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> FollowListOut:
    return service.followers(caller.user_id, cursor, limit)


@route(
    router,
    "GET",
    "/v1/me/blocked",
    operation_id="listBlocked",
    summary="The users you block",
    tags=TAGS,
    responses=_listed("A page of the users you block"),
)
def blocked(
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[FollowService, Depends(follows)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> FollowListOut:
    return service.blocked(caller.user_id, cursor, limit)
