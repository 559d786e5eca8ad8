"""The badge catalog, as the engine currently applies it, with each badge's rarity."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from gamification import composition
from gamification.api.bodies import (
    BadgeCatalogOut,
    LevelRarityOut,
    RarityOut,
    RatedBadgeOut,
)
from gamification.api.conditional import CACHE_CONTROL, NOT_MODIFIED, conditional_get
from gamification.api.contract import AUTH_ERRORS, new_router, responses, route
from gamification.domain.badges import LEVEL_SEPARATOR, BadgeDefinition
from gamification.domain.rarity import Rarity
from gamification.services.queries import ProfileQueries
from gamification.services.rarity import RarityReader

router = new_router()


def profiles() -> ProfileQueries:
    return composition.profile_queries()


def rarities() -> RarityReader:
    return composition.rarity_reader()


@route(
    router,
    "GET",
    "/v1/badges",
    operation_id="listBadges",
    summary="The badge catalog",
    description="Every badge definition with its `rarity` (the share of players holding it, "
    "and each level of a tiered badge), counted daily; absent until the first count finished.",
    tags=["badges"],
    middlewares=[conditional_get],
    cache_control=CACHE_CONTROL,
    responses={**responses(200, "Every badge definition", *AUTH_ERRORS), **NOT_MODIFIED},
)
def badge_catalog(
    queries: Annotated[ProfileQueries, Depends(profiles)],
    reader: Annotated[RarityReader, Depends(rarities)],
) -> BadgeCatalogOut:
    rarity = reader.latest()
    return BadgeCatalogOut(
        badges=[_rated(b, rarity) for b in queries.catalog()],
        rarity_computed_at=rarity.computed_at if rarity else None,
        players=rarity.count.players if rarity else None,
    )


def _rated(badge: BadgeDefinition, rarity: Rarity | None) -> RatedBadgeOut:
    shown = RatedBadgeOut.model_validate(badge)
    if rarity is None:
        return shown
    levels = None
    if badge.levels is not None:
        ids = [
            badge.id if n == 1 else f"{badge.id}{LEVEL_SEPARATOR}{n}"
            for n in range(1, len(badge.levels) + 1)
        ]
        levels = [
            LevelRarityOut(name=level.name, share=rarity.share(i), holders=rarity.holders(i))
            for level, i in zip(badge.levels, ids, strict=True)
        ]
    out = RarityOut(share=rarity.share(badge.id), holders=rarity.holders(badge.id), levels=levels)
    return shown.model_copy(update={"rarity": out})
