"""Board names and ``PlayerScore`` now live in ``gamification.domain.boards``: re-exported here
for the modules that still import them from this path (being moved to the domain import)."""

from __future__ import annotations

from gamification.domain.boards import (
    ALLTIME,
    LEAGUE_PREFIX,
    WEEKLY_PREFIX,
    PlayerScore,
    league,
    league_week,
    weekly,
)

__all__ = [
    "ALLTIME",
    "LEAGUE_PREFIX",
    "WEEKLY_PREFIX",
    "PlayerScore",
    "league",
    "league_week",
    "weekly",
]
