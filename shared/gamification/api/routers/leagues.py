"""Leagues: your cohort this week, and the tier ladder."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from gamification import composition
from gamification.api.auth import Caller, current_user
from gamification.api.contract import AUTH_ERRORS, new_router, responses, route
from gamification.services.league_queries import LeagueQueries
from gamification.services.read_models import MyLeagueOut, TiersOut

router = new_router()
TAGS = ["leagues"]


def leagues() -> LeagueQueries:
    return composition.league_queries()


@route(
    router,
    "GET",
    "/v1/me/league",
    operation_id="getMyLeague",
    summary="Your league cohort this week",
    description="Your tier, your cohort's members ranked by this week's XP (RANK()), your row, "
    "the promotion and demotion zones if the week ended now, and when it closes. You join a "
    "cohort with your first XP-earning activity of the week; until then `joined` is false. "
    "While the cache may be incomplete the cohort is read from DynamoDB (`source: table`).",
    tags=TAGS,
    responses=responses(200, "Your cohort", *AUTH_ERRORS),
)
def my_league(
    caller: Annotated[Caller, Depends(current_user)],
    queries: Annotated[LeagueQueries, Depends(leagues)],
) -> MyLeagueOut:
    return queries.mine(caller.user_id)


@route(
    router,
    "GET",
    "/v1/leagues/tiers",
    operation_id="getLeagueTiers",
    summary="The league tiers, cohort size and zones",
    tags=TAGS,
    responses=responses(200, "The ladder", *AUTH_ERRORS),
)
def tiers(
    queries: Annotated[LeagueQueries, Depends(leagues)],
) -> TiersOut:
    return queries.tiers()
