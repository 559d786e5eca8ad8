"""The caller's in-app notification feed (read side; marking is in the account router)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.bodies import NotificationOut, NotificationPageOut
from gamification.api.contract import AUTH_ERRORS, new_router, responses, route
from gamification.services.queries import FeedQueries

router = new_router()


def feed() -> FeedQueries:
    return composition.feed_queries()


@route(
    router,
    "GET",
    "/v1/me/notifications",
    operation_id="listMyNotifications",
    summary="Your notifications, newest first",
    description="Pass `next_cursor` back as `cursor` for the next page.",
    tags=["notifications"],
    responses=responses(200, "A page of notifications", *AUTH_ERRORS, HTTPStatus.BAD_REQUEST),
)
def my_notifications(
    caller: Annotated[Caller, Depends(current_user)],
    queries: Annotated[FeedQueries, Depends(feed)],
    unread_only: Annotated[bool, Query()] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(min_length=1, max_length=512, pattern=r"^[A-Za-z0-9_-]+$")
    ] = None,
) -> NotificationPageOut:
    page = queries.feed(caller.user_id, limit=limit, unread_only=unread_only, cursor=cursor)
    return NotificationPageOut(
        notifications=[NotificationOut.model_validate(n) for n in page.items],
        next_cursor=page.next_cursor,
    )
