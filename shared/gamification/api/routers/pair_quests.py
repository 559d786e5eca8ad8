"""Friend quests (``mode: "pair"``, docs/friends.md#friend-quests): pair with one mutual friend
per quest, see the pair's progress, unpair. The caller is the authorizer's identity."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends, Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.budget import current_writer
from gamification.api.contract import (
    AUTH_ERRORS,
    new_router,
    no_content,
    relation_undo,
    relation_write,
    responses,
    route,
)
from gamification.domain.activity import UserId
from gamification.services.pair_quests import PairOut, PairQuests

router = new_router()
TAGS = ["friends"]
QuestPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="A quest id.")]
FriendPath = Annotated[UserId, Path(description="The mutual friend to pair with.")]


def pair_quests() -> PairQuests:
    return composition.pair_quests()


@route(
    router,
    "PUT",
    "/v1/me/quests/{quest_id}/partner/{user_id}",
    operation_id="pairForQuest",
    summary="Do a friend quest with a mutual friend",
    description='A quest with `mode: "pair"`: both partners\' activities in its window count '
    "toward one target, and completion pays both once. One partner per quest each; 400 "
    "`not_friends`, `not_a_pair_quest`, `quest_ended`, `quest_completed`; 409 `already_paired` "
    "(either of you has another partner for it). A block between you ends it. Idempotent.",
    tags=TAGS,
    responses=relation_write("The pair's progress", HTTPStatus.CONFLICT),
)
def pair(
    quest_id: QuestPath,
    user_id: FriendPath,
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[PairQuests, Depends(pair_quests)],
) -> PairOut:
    return service.pair(caller.user_id, user_id, quest_id)


@route(
    router,
    "GET",
    "/v1/me/quests/{quest_id}/partner",
    operation_id="getQuestPartner",
    summary="Your partner and the pair's progress on a friend quest",
    tags=TAGS,
    responses=responses(200, "The pair's progress", *AUTH_ERRORS, HTTPStatus.NOT_FOUND),
)
def status(
    quest_id: QuestPath,
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[PairQuests, Depends(pair_quests)],
) -> PairOut:
    return service.status(caller.user_id, quest_id)


@route(
    router,
    "DELETE",
    "/v1/me/quests/{quest_id}/partner",
    status_code=204,
    operation_id="unpairForQuest",
    summary="Leave your pairing on a friend quest (both sides)",
    tags=TAGS,
    responses=relation_undo("Done (also when you had no partner)"),
)
def unpair(
    quest_id: QuestPath,
    caller: Annotated[Caller, Depends(current_writer)],
    service: Annotated[PairQuests, Depends(pair_quests)],
) -> Response[None]:
    service.unpair(caller.user_id, quest_id)
    return no_content()
