"""Leaderboards: pages ranked like SQL ``RANK()``, and the window around one user.

Each request is one Redis round trip (a Lua script reads entries, tie ranks and names together).
While Redis is down the latest DynamoDB snapshot is served with ``stale: true``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from gamification import composition
from gamification.api.conditional import CACHE_CONTROL, NOT_MODIFIED, conditional_get
from gamification.api.contract import AUTH_ERRORS, new_router, responses, route
from gamification.domain.activity import UserId
from gamification.domain.periods import Period
from gamification.services.queries import LeaderboardQueries
from gamification.services.read_models import AroundOut, LeaderboardOut

router = new_router()
metrics = Metrics()
TAGS = ["leaderboards"]
MAX_LIMIT = 100
MAX_OFFSET = 10_000_000
MAX_RADIUS = 50

PeriodQuery = Annotated[Period, Query(description="`alltime`, or `weekly` (current ISO week).")]


def boards() -> LeaderboardQueries:
    return composition.leaderboard_queries()


@route(
    router,
    "GET",
    "/v1/leaderboard",
    operation_id="getLeaderboard",
    summary="A page of the leaderboard",
    tags=TAGS,
    middlewares=[conditional_get],
    cache_control=CACHE_CONTROL,
    responses={
        **responses(200, "Entries with RANK() ranks", *AUTH_ERRORS, HTTPStatus.SERVICE_UNAVAILABLE),
        **NOT_MODIFIED,
    },
)
def leaderboard(
    queries: Annotated[LeaderboardQueries, Depends(boards)],
    period: PeriodQuery = Period.ALLTIME,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> LeaderboardOut:
    view = queries.page(period, offset, limit)
    if view.stale:
        metrics.add_metric("LeaderboardStaleServed", MetricUnit.Count, 1)
    return view


@route(
    router,
    "GET",
    "/v1/leaderboard/around/{user_id}",
    operation_id="getLeaderboardAround",
    summary="The leaderboard around one user",
    description="The user's entry with up to `radius` entries above and below. A user who is "
    "not on the board gets `rank: null` and no entries.",
    tags=TAGS,
    middlewares=[conditional_get],
    cache_control=CACHE_CONTROL,
    responses={
        **responses(
            200,
            "The user's neighbourhood",
            *AUTH_ERRORS,
            HTTPStatus.NOT_FOUND,
            HTTPStatus.SERVICE_UNAVAILABLE,
        ),
        **NOT_MODIFIED,
    },
)
def around(
    user_id: Annotated[UserId, Path()],
    queries: Annotated[LeaderboardQueries, Depends(boards)],
    period: PeriodQuery = Period.ALLTIME,
    radius: Annotated[int, Query(ge=0, le=MAX_RADIUS)] = 5,
) -> AroundOut:
    view = queries.around(period, user_id, radius)
    if view.stale:
        metrics.add_metric("LeaderboardStaleServed", MetricUnit.Count, 1)
    return view
