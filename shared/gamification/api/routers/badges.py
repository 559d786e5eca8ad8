"""The badge catalog, as the engine currently applies it."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from gamification import composition
from gamification.api.bodies import BadgeCatalogOut, BadgeOut
from gamification.api.conditional import CACHE_CONTROL, NOT_MODIFIED, conditional_get
from gamification.api.contract import AUTH_ERRORS, new_router, responses, route
from gamification.services.queries import ProfileQueries

router = new_router()


def profiles() -> ProfileQueries:
    return composition.profile_queries()


@route(
    router,
    "GET",
    "/v1/badges",
    operation_id="listBadges",
    summary="The badge catalog",
    tags=["badges"],
    middlewares=[conditional_get],
    cache_control=CACHE_CONTROL,
    responses={**responses(200, "Every badge definition", *AUTH_ERRORS), **NOT_MODIFIED},
)
def badge_catalog(
    queries: Annotated[ProfileQueries, Depends(profiles)],
) -> BadgeCatalogOut:
    return BadgeCatalogOut(badges=[BadgeOut.model_validate(b) for b in queries.catalog()])
