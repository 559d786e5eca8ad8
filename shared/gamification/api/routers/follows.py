"""Following and blocking (the account function: writes). The caller is always the
authorizer's identity; the path names the other user."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends, Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from gamification import composition
from gamification.api.auth import Caller
from gamification.api.budget import current_writer
from gamification.api.contract import (
    new_router,
    no_content,
    relation_undo,
    relation_write,
    route,
)
from gamification.domain.activity import UserId
from gamification.services.follows import FollowService
from gamification.services.friend_models import FriendStreakOut, RelationOut
from gamification.services.friend_streaks import FriendStreakService

router = new_router()
TAGS = ["friends"]
OtherPath = Annotated[UserId, Path(description="The other user's id.")]


def follows() -> FollowService:
    return composition.follow_service()


@route(
    router,
    "PUT",
    "/v1/me/following/{user_id}",
    operation_id="follow",
    summary="Follow a user (no consent needed; mutual follows are friends)",
    description="Idempotent. 404 for an id that is unknown, erased, hidden from the boards or "
    "excluded (unless you already follow them), or that blocks you; 400 `blocked` when you "
    "block them, `following_limit` at 1,000 followed, `cannot_follow_self`.",
    tags=TAGS,
    responses=relation_write("The relation now"),
)
def follow(
    user_id: OtherPath,
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[FollowService, Depends(follows)],
) -> RelationOut:
    return service.follow(caller.user_id, user_id)


@route(
    router,
    "DELETE",
    "/v1/me/following/{user_id}",
    status_code=204,
    operation_id="unfollow",
    summary="Stop following a user",
    tags=TAGS,
    responses=relation_undo(),
)
def unfollow(
    user_id: OtherPath,
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[FollowService, Depends(follows)],
) -> Response[None]:
    service.unfollow(caller.user_id, user_id)
    return no_content()


@route(
    router,
    "PUT",
    "/v1/me/blocked/{user_id}",
    operation_id="block",
    summary="Block a user: both follows between you go, and neither can follow again",
    description="Your friend streak and friend quest pairings with them end too. Any id is "
    "accepted (a block reveals nothing about the id). Idempotent; 400 `blocking_limit` at "
    "1,000 blocked.",
    tags=TAGS,
    responses=relation_write("The relation now"),
)
def block(
    user_id: OtherPath,
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[FollowService, Depends(follows)],
) -> RelationOut:
    return service.block(caller.user_id, user_id)


@route(
    router,
    "DELETE",
    "/v1/me/blocked/{user_id}",
    status_code=204,
    operation_id="unblock",
    summary="Lift your block of a user (a block of theirs stays)",
    tags=TAGS,
    responses=relation_undo(),
)
def unblock(
    user_id: OtherPath,
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[FollowService, Depends(follows)],
) -> Response[None]:
    service.unblock(caller.user_id, user_id)
    return no_content()


def friend_streaks() -> FriendStreakService:
    return composition.friend_streak_service()


@route(
    router,
    "PUT",
    "/v1/me/friend-streaks/{user_id}",
    operation_id="startFriendStreak",
    summary="Invite a friend to a friend streak, or accept their invitation",
    description="Friends only (you follow each other); at most 5 active friend streaks each. "
    "The streak counts the consecutive days on which you were both active, each in your own "
    "timezone (docs/friends.md). Idempotent.",
    tags=TAGS,
    responses=relation_write("The friend streak"),
)
def start_friend_streak(
    user_id: OtherPath,
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[FriendStreakService, Depends(friend_streaks)],
) -> FriendStreakOut:
    return service.start(caller.user_id, user_id)


@route(
    router,
    "DELETE",
    "/v1/me/friend-streaks/{user_id}",
    status_code=204,
    operation_id="endFriendStreak",
    summary="Decline, withdraw or end a friend streak",
    tags=TAGS,
    responses=relation_undo(),
)
def end_friend_streak(
    user_id: OtherPath,
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[FriendStreakService, Depends(friend_streaks)],
) -> Response[None]:
    service.end(caller.user_id, user_id)
    return no_content()
