"""Export of everything stored about a user: the caller's own, or any user's for admins."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.bodies import ExportOut
from gamification.api.contract import ADMIN_ERRORS, AUTH_ERRORS, new_router, responses, route
from gamification.domain.activity import UserId
from gamification.services.export import UserExport

router = new_router()
UserIdPath = Annotated[UserId, Path(description="A user id (the user pool `sub`).")]
CursorQuery = Annotated[
    str | None, Query(min_length=1, max_length=2048, pattern=r"^[A-Za-z0-9_-]+$")
]
DESCRIPTION = (
    "One JSON document per page (format `gamify-export/1`): the first page holds the profile "
    "(settings, XP, level, counters, streaks, badges, leaderboard listing, exclusion and its "
    "reason) and every page up to 1,000 stored records (activity history, notifications, cap "
    "days, reminders). Pass `next_cursor` back as `cursor` until it is null."
)


def exporter() -> UserExport:
    return composition.user_export()


@route(
    router,
    "GET",
    "/v1/me/export",
    operation_id="exportMe",
    summary="Everything stored about you, as JSON",
    description=DESCRIPTION,
    tags=["account"],
    responses=responses(200, "A page of your data", *AUTH_ERRORS, HTTPStatus.BAD_REQUEST),
)
def export_me(
    caller: Annotated[Caller, Depends(current_user)],
    service: Annotated[UserExport, Depends(exporter)],
    cursor: CursorQuery = None,
) -> ExportOut:
    page = service.page(caller.user_id, cursor, composition.utc_now())
    return ExportOut.model_validate({**page.document, "next_cursor": page.next_cursor})


@route(
    router,
    "GET",
    "/v1/admin/users/{user_id}/export",
    operation_id="exportUser",
    summary="Everything stored about a user, as JSON",
    description=DESCRIPTION
    + " A user id with nothing stored (never seen, or erased more than 28 days ago) is a 404; "
    "an erasure still on record answers its tombstone (`profile.erased_at`).",
    tags=["admin"],
    responses=responses(
        200,
        "A page of the user's data",
        *ADMIN_ERRORS,
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.NOT_FOUND,
    ),
)
def export_user(
    user_id: UserIdPath,
    service: Annotated[UserExport, Depends(exporter)],
    cursor: CursorQuery = None,
) -> ExportOut:
    page = service.page(user_id, cursor, composition.utc_now(), must_exist=True)
    return ExportOut.model_validate({**page.document, "next_cursor": page.next_cursor})
