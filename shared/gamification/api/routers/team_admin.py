"""Admin: define teams and add or remove their members (``admin`` group only; issue #30)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Depends, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import Field

from gamification import composition
from gamification.api.contract import ADMIN_ERRORS, BODY_ERRORS, new_router, responses, route
from gamification.domain.activity import UserId
from gamification.services.team_models import MembershipOut, TeamAdminOut, TeamIn
from gamification.services.teams import TeamService

router = new_router()
TAGS = ["teams"]
TeamId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,47}$")]
TeamIdPath = Annotated[TeamId, Path(description="Lower-case letters, digits, `-`, `_` (≤ 48).")]
MemberPath = Annotated[UserId, Path(description="The member's user id.")]


def teams() -> TeamService:
    return composition.team_service()


def _errors(status: int, what: str, *more: HTTPStatus, body: bool = True) -> dict[int, Any]:
    return responses(
        status, what, HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND, *ADMIN_ERRORS, *more, body=body
    )


@route(
    router,
    "PUT",
    "/v1/admin/teams/{team_id}",
    status_code=200,
    operation_id="putTeam",
    summary="Create or replace a team",
    description="Keeps the team's members. `join`: `open`, `code` (then `code` is required) or "
    "`admin`. Answers 201 when the team is new.",
    tags=TAGS,
    responses={
        **_errors(200, "Replaced", *BODY_ERRORS),
        201: {"description": "Created"},
    },
)
def put_team(
    team_id: TeamIdPath, body: TeamIn, service: Annotated[TeamService, Depends(teams)]
) -> Response[TeamAdminOut]:
    created, team = service.put(team_id, body)
    return Response(
        status_code=HTTPStatus.CREATED if created else HTTPStatus.OK,
        content_type=content_types.APPLICATION_JSON,
        body=team,
    )


@route(
    router,
    "GET",
    "/v1/admin/teams/{team_id}",
    operation_id="getTeam",
    summary="A team's definition, its join code and member count",
    tags=TAGS,
    responses=_errors(200, "The team"),
)
def get_team(team_id: TeamIdPath, service: Annotated[TeamService, Depends(teams)]) -> TeamAdminOut:
    return service.get(team_id)


@route(
    router,
    "DELETE",
    "/v1/admin/teams/{team_id}",
    status_code=204,
    operation_id="deleteTeam",
    summary="Remove an empty team",
    description="400 `team_not_empty` while it has members: remove them first (their "
    "contributions leave the boards with them).",
    tags=TAGS,
    responses=_errors(204, "Removed", body=False),
)
def delete_team(
    team_id: TeamIdPath, service: Annotated[TeamService, Depends(teams)]
) -> Response[None]:
    service.delete(team_id)
    return Response(status_code=HTTPStatus.NO_CONTENT, body=None)


@route(
    router,
    "PUT",
    "/v1/admin/teams/{team_id}/members/{user_id}",
    operation_id="addTeamMember",
    summary="Add a member (whatever the team's join rule)",
    description="The team's `max_members` and the user's team limit still apply.",
    tags=TAGS,
    responses=_errors(200, "The membership"),
)
def add_member(
    team_id: TeamIdPath, user_id: MemberPath, service: Annotated[TeamService, Depends(teams)]
) -> MembershipOut:
    return service.join(team_id, user_id, None, by_admin=True)


@route(
    router,
    "DELETE",
    "/v1/admin/teams/{team_id}/members/{user_id}",
    operation_id="removeTeamMember",
    summary="Remove a member",
    tags=TAGS,
    responses=_errors(200, "The membership"),
)
def remove_member(
    team_id: TeamIdPath, user_id: MemberPath, service: Annotated[TeamService, Depends(teams)]
) -> MembershipOut:
    return service.leave(team_id, user_id)
