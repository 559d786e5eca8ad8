"""Profiles: XP, level progress, streaks, rank and badges, for the caller or anyone."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.contract import AUTH_ERRORS, new_router, responses, route
from gamification.domain.activity import UserId
from gamification.services.queries import ProfileQueries
from gamification.services.read_models import MyProfileOut, ProfileOut, UserBadgesOut

router = new_router()
TAGS = ["profiles"]
UserIdPath = Annotated[UserId, Path(description="A user id (the user pool `sub`).")]


def profiles() -> ProfileQueries:
    return composition.profile_queries()


@route(
    router,
    "GET",
    "/v1/me",
    operation_id="getMyProfile",
    summary="Your profile and settings",
    description="A user who has not played yet gets a profile at zero XP.",
    tags=TAGS,
    responses=responses(200, "Your profile", *AUTH_ERRORS),
)
def my_profile(
    caller: Annotated[Caller, Depends(current_user)],
    queries: Annotated[ProfileQueries, Depends(profiles)],
) -> MyProfileOut:
    return queries.my_profile(caller.user_id)


@route(
    router,
    "GET",
    "/v1/users/{user_id}",
    operation_id="getUserProfile",
    summary="A user's public profile",
    tags=TAGS,
    responses=responses(200, "The profile", *AUTH_ERRORS, HTTPStatus.NOT_FOUND),
)
def user_profile(
    user_id: UserIdPath,
    queries: Annotated[ProfileQueries, Depends(profiles)],
) -> ProfileOut:
    return queries.profile(user_id)


@route(
    router,
    "GET",
    "/v1/users/{user_id}/badges",
    operation_id="getUserBadges",
    summary="Every badge with the user's progress",
    description="Earned badges carry `earned_at`; unearned ones show progress towards the "
    "target. Badges earned before their definition was removed are listed as `retired`.",
    tags=TAGS,
    responses=responses(200, "Badges and progress", *AUTH_ERRORS, HTTPStatus.NOT_FOUND),
)
def user_badges(
    user_id: UserIdPath,
    queries: Annotated[ProfileQueries, Depends(profiles)],
) -> UserBadgesOut:
    return queries.badges(user_id)
