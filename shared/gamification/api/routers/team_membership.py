"""Joining and leaving teams (the account function: writes; identity from the authorizer)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.contract import AUTH_ERRORS, BODY_ERRORS, new_router, responses, route
from gamification.api.routers.team_admin import TeamIdPath
from gamification.services.team_models import JoinIn, MembershipOut
from gamification.services.teams import TeamService

router = new_router()
TAGS = ["teams"]


def teams() -> TeamService:
    return composition.team_service()


@route(
    router,
    "POST",
    "/v1/teams/{team_id}/join",
    operation_id="joinTeam",
    summary="Join a team",
    description="`open` teams take anyone; `code` teams need their `code` (400 `wrong_code`); "
    "`admin` teams only an admin's add (400 `team_closed`). 400 `team_full` at its "
    "`max_members`, `team_limit` when you are in the most teams allowed. Your XP counts for "
    "the team from the next projection (a second or two).",
    tags=TAGS,
    responses=responses(
        200,
        "You are a member",
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.NOT_FOUND,
        *AUTH_ERRORS,
        *BODY_ERRORS,
    ),
)
def join_team(
    team_id: TeamIdPath,
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[TeamService, Depends(teams)],
    body: JoinIn | None = None,
) -> MembershipOut:
    return service.join(team_id, caller.user_id, body.code if body else None, by_admin=False)


@route(
    router,
    "DELETE",
    "/v1/teams/{team_id}/members/me",
    operation_id="leaveTeam",
    summary="Leave a team",
    description="Your contribution leaves the team's all-time and current week's boards; "
    "earlier weeks keep it (docs/teams.md).",
    tags=TAGS,
    responses=responses(200, "You are not a member", HTTPStatus.NOT_FOUND, *AUTH_ERRORS),
)
def leave_team(
    team_id: TeamIdPath,
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[TeamService, Depends(teams)],
) -> MembershipOut:
    return service.leave(team_id, caller.user_id)
