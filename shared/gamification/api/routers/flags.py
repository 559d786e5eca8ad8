"""Admins review the cheating flags (issue #33): the open ones, and clear or confirm each."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import ConfigDict, Field

from gamification import composition
from gamification.api.contract import ADMIN_ERRORS, BODY_ERRORS, new_router, responses, route
from gamification.domain import text
from gamification.domain.activity import UserId
from gamification.domain.text import HumanText
from gamification.services.flags import FlagReviews, Reviewed
from gamification.services.read_models import Model, ReadModel

router = new_router()
TAGS = ["admin"]
UserIdPath = Annotated[UserId, Path(description="A user id (the user pool `sub`).")]


def reviews() -> FlagReviews:
    return composition.flag_reviews()


class FlagOut(ReadModel):
    user_id: str
    rule: str = Field(description="`velocity` (activities a minute) or `outlier` (week XP)")
    observed: int = Field(description="What the user did: activities in the minute, week XP")
    threshold: int = Field(description="The least that fires the rule")
    window: str = Field(description="The UTC minute (`YYYY-MM-DDTHH:MM`) or the ISO week")
    flagged_at: datetime


class FlagPageOut(ReadModel):
    flags: list[FlagOut]
    next_cursor: str | None = Field(description="Pass back as `cursor` for the next page")


class ConfirmIn(Model):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    exclude: bool = Field(
        default=True,
        description="Also exclude the user (off every board and league until lifted with "
        "`PUT /v1/admin/users/{user_id}`).",
    )
    reason: (
        Annotated[
            HumanText,
            Field(
                min_length=1, max_length=280, json_schema_extra={"pattern": text.HUMAN_TEXT_PATTERN}
            ),
        ]
        | None
    ) = Field(default=None, description="The exclusion's reason (default: the flag's rule)")


class ReviewOut(ReadModel):
    user_id: str
    rule: str
    review: str = Field(description="`cleared` or `confirmed`")
    excluded: bool = Field(description="The review excluded the user")


def _out(done: Reviewed) -> ReviewOut:
    return ReviewOut(
        user_id=done.user_id, rule=done.rule, review=done.review.value, excluded=done.excluded
    )


@route(
    router,
    "GET",
    "/v1/admin/flags",
    operation_id="listFlags",
    summary="Open cheating flags, by user id",
    description="Users a cheating rule flagged and no admin reviewed yet, with the rule and its "
    "evidence. A flagged user is left out of every league close until reviewed. Pass "
    "`next_cursor` back as `cursor` for the next page.",
    tags=TAGS,
    responses=responses(200, "A page of open flags", *ADMIN_ERRORS, HTTPStatus.BAD_REQUEST),
)
def list_flags(
    service: Annotated[FlagReviews, Depends(reviews)],
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[
        str | None, Query(min_length=1, max_length=400, pattern=r"^[A-Za-z0-9_-]+$")
    ] = None,
) -> FlagPageOut:
    page = service.open_flags(limit, cursor)
    return FlagPageOut(
        flags=[
            FlagOut(
                user_id=f.user_id,
                rule=f.flag.rule.value,
                observed=f.flag.observed,
                threshold=f.flag.threshold,
                window=f.flag.window,
                flagged_at=f.flag.at,
            )
            for f in page.flags
        ],
        next_cursor=page.next_cursor,
    )


@route(
    router,
    "POST",
    "/v1/admin/flags/{user_id}/clear",
    operation_id="clearFlag",
    summary="Clear a user's flag: a false alarm",
    description="The flag closes; the user counts in league closes again from the next one.",
    tags=TAGS,
    responses=responses(200, "Cleared", *ADMIN_ERRORS, HTTPStatus.NOT_FOUND),
)
def clear_flag(user_id: UserIdPath, service: Annotated[FlagReviews, Depends(reviews)]) -> ReviewOut:
    return _out(service.clear(user_id))


@route(
    router,
    "POST",
    "/v1/admin/flags/{user_id}/confirm",
    operation_id="confirmFlag",
    summary="Confirm a user's flag: cheating",
    description="The flag closes and, unless `exclude` is false, the user is excluded (the "
    "exclusion of `PUT /v1/admin/users/{user_id}`, with the given or a default reason).",
    tags=TAGS,
    responses=responses(
        200,
        "Confirmed",
        HTTPStatus.BAD_REQUEST,
        *ADMIN_ERRORS,
        HTTPStatus.NOT_FOUND,
        *BODY_ERRORS,
    ),
)
def confirm_flag(
    user_id: UserIdPath,
    service: Annotated[FlagReviews, Depends(reviews)],
    body: Annotated[ConfirmIn | None, Body()] = None,
) -> ReviewOut:
    given = body or ConfirmIn()
    return _out(service.confirm(user_id, given.exclude, given.reason))
