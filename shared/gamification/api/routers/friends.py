"""The caller's follow lists and friend board (the query function: reads). Identity from the
authorizer."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.contract import AUTH_ERRORS, new_router, responses, route
from gamification.domain.periods import Period
from gamification.services.follows import FollowService
from gamification.services.friend_board import FriendBoardQueries
from gamification.services.friend_models import FollowListOut, FriendBoardOut, FriendStreaksOut
from gamification.services.friend_streaks import FriendStreakService

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


def friend_boards() -> FriendBoardQueries:
    return composition.friend_board_queries()


@route(
    router,
    "GET",
    "/v1/me/friends/leaderboard",
    operation_id="getFriendLeaderboard",
    summary="You and everyone you follow, ranked like the global board",
    description="`RANK()` over XP (ties share a rank) in the global board's order: more XP, "
    "then whoever reached it first, then the lower id. Only players the global board lists "
    "appear (XP on the board, not hidden or excluded). `stale: true`: the cache could not be "
    "trusted and the board was computed from the stored profiles.",
    tags=TAGS,
    responses=responses(200, "The friend board", *AUTH_ERRORS),
)
def friend_leaderboard(
    caller: Annotated[Caller, Depends(current_user)],
    queries: Annotated[FriendBoardQueries, Depends(friend_boards)],
    period: Annotated[
        Period, Query(description="`alltime`, or `weekly` (current ISO week).")
    ] = Period.ALLTIME,
) -> FriendBoardOut:
    return queries.board(caller.user_id, period)


def friend_streaks() -> FriendStreakService:
    return composition.friend_streak_service()


@route(
    router,
    "GET",
    "/v1/me/friend-streaks",
    operation_id="listFriendStreaks",
    summary="Your friend streaks and invitations, with their current length",
    tags=TAGS,
    responses=responses(200, "Your friend streaks", *AUTH_ERRORS),
)
def my_friend_streaks(
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[FriendStreakService, Depends(friend_streaks)],
) -> FriendStreaksOut:
    return service.streaks(caller.user_id)
