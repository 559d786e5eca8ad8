"""Quests: the active and upcoming ones, and your progress on them."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.contract import AUTH_ERRORS, new_router, responses, route
from gamification.services.queries import ProfileQueries
from gamification.services.read_models import QuestCatalogOut, UserQuestsOut

router = new_router()
TAGS = ["quests"]


def profiles() -> ProfileQueries:
    return composition.profile_queries()


@route(
    router,
    "GET",
    "/v1/quests",
    operation_id="listQuests",
    summary="Active and upcoming quests",
    description="Soonest ending first. Windows are absolute instants, the same for every user.",
    tags=TAGS,
    responses=responses(200, "Active and upcoming quests", *AUTH_ERRORS),
)
def quest_catalog(
    queries: Annotated[ProfileQueries, Depends(profiles)],
) -> QuestCatalogOut:
    return queries.quests()


@route(
    router,
    "GET",
    "/v1/me/quests",
    operation_id="listMyQuests",
    summary="Your quests with progress",
    description="Active and upcoming quests with `progress` (current/target) and whether you "
    "completed them, plus ended quests you completed.",
    tags=TAGS,
    responses=responses(200, "Your quests", *AUTH_ERRORS),
)
def my_quests(
    caller: Annotated[Caller, Depends(current_user)],
    queries: Annotated[ProfileQueries, Depends(profiles)],
) -> UserQuestsOut:
    return queries.my_quests(caller.user_id)
