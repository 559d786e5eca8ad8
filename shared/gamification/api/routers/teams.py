"""Teams to join, your teams and the team boards (the query function: reads)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.contract import AUTH_ERRORS, new_router, responses, route
from gamification.api.routers.team_admin import TeamIdPath
from gamification.domain.periods import Period
from gamification.services.team_models import (
    MyTeamsOut,
    TeamBoardOut,
    TeamListOut,
    TeamMembersBoardOut,
)
from gamification.services.team_quests import TeamQuests, TeamQuestsOut
from gamification.services.teams import TeamQueries

router = new_router()
TAGS = ["teams"]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=10_000)]
Cursor = Annotated[str | None, Query(min_length=1, max_length=400, pattern=r"^[A-Za-z0-9_-]+$")]
PeriodQuery = Annotated[Period, Query(description="`alltime`, or `weekly` (current ISO week).")]


def queries() -> TeamQueries:
    return composition.team_queries()


@route(
    router,
    "GET",
    "/v1/teams",
    operation_id="listTeams",
    summary="Teams you may join (`open` and `code` ones), by id",
    tags=TAGS,
    responses=responses(200, "A page of teams", HTTPStatus.BAD_REQUEST, *AUTH_ERRORS),
)
def list_teams(
    _: Annotated[Caller, Depends(current_user)],
    service: Annotated[TeamQueries, Depends(queries)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> TeamListOut:
    return service.directory(cursor, limit)


@route(
    router,
    "GET",
    "/v1/me/teams",
    operation_id="listMyTeams",
    summary="The teams you are in",
    tags=TAGS,
    responses=responses(200, "Your teams", *AUTH_ERRORS),
)
def my_teams(
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[TeamQueries, Depends(queries)],
) -> MyTeamsOut:
    return service.mine(caller.user_id)


@route(
    router,
    "GET",
    "/v1/teams/leaderboard",
    operation_id="getTeamLeaderboard",
    summary="Teams ranked by their members' XP",
    description="`metric`: `total` (the sum), `average` (the sum per current member, idle "
    "members included) or `top5` (the sum of the best five). `RANK()` (ties share a rank, "
    "listed by team id). Hidden and excluded members' XP counts.",
    tags=TAGS,
    responses=responses(200, "The team board", *AUTH_ERRORS, HTTPStatus.SERVICE_UNAVAILABLE),
)
def team_leaderboard(
    _: Annotated[Caller, Depends(current_user)],
    service: Annotated[TeamQueries, Depends(queries)],
    period: PeriodQuery = Period.ALLTIME,
    metric: Annotated[
        Literal["total", "average", "top5"], Query(description="The fairness option.")
    ] = "total",
    offset: Offset = 0,
    limit: Limit = 50,
) -> TeamBoardOut:
    return service.board(period, metric, offset, limit)


@route(
    router,
    "GET",
    "/v1/teams/{team_id}/leaderboard",
    operation_id="getTeamMembersLeaderboard",
    summary="A team's members ranked by XP, with the team's total",
    description="Members hidden from the boards or excluded count in `xp` but are not listed.",
    tags=TAGS,
    responses=responses(
        200,
        "The team's board",
        HTTPStatus.NOT_FOUND,
        *AUTH_ERRORS,
        HTTPStatus.SERVICE_UNAVAILABLE,
    ),
)
def team_members_leaderboard(
    team_id: TeamIdPath,
    _: Annotated[Caller, Depends(current_user)],
    service: Annotated[TeamQueries, Depends(queries)],
    period: PeriodQuery = Period.ALLTIME,
    offset: Offset = 0,
    limit: Limit = 50,
) -> TeamMembersBoardOut:
    return service.team_board(team_id, period, offset, limit)


def team_quests() -> TeamQuests:
    return composition.team_quests()


@route(
    router,
    "GET",
    "/v1/teams/{team_id}/quests",
    operation_id="getTeamQuests",
    summary="The team quests with your team's progress (members only)",
    description="Every team quest (`mode: team`), soonest ending first: the team's `progress` "
    "(the sum of its members' counts in the window; a member who left keeps what they "
    "counted), `contributors`, `completed` once the target was reached, and your own count "
    "and payment. Only the team's members may read it (403 `not_a_member`).",
    tags=TAGS,
    responses=responses(
        200, "The team's quests", HTTPStatus.NOT_FOUND, HTTPStatus.FORBIDDEN, *AUTH_ERRORS
    ),
)
def get_team_quests(
    team_id: TeamIdPath,
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[TeamQuests, Depends(team_quests)],
) -> TeamQuestsOut:
    return service.progress(team_id, caller.user_id)
