"""What the leaderboards hold for one player, and the board names: no Redis here, so the
consumer (which builds scores but never talks to Redis) does not load the Redis client."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gamification.domain.xp import MAX_XP

ALLTIME = "alltime"
WEEKLY_PREFIX = "weekly:"
LEAGUE_PREFIX = "league:"


def weekly(week: str) -> str:
    """Board name of an ISO week, e.g. ``weekly:2026-W48``."""
    return f"{WEEKLY_PREFIX}{week}"


def league(cohort: str) -> str:
    """Board name of a league cohort, e.g. ``league:2026-W48:3:0`` (week, tier, cohort)."""
    return f"{LEAGUE_PREFIX}{cohort}"


def league_week(board: str) -> str:
    return board.removeprefix(LEAGUE_PREFIX).split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class PlayerScore:
    """What the boards hold for one user, read from the profile (the source of truth)."""

    user_id: str
    xp: int
    xp_at: datetime | None
    display_name: str | None = None
    weekly_xp: dict[str, int] = field(default_factory=dict)
    listed: bool = True
    """False when the user left the boards (``leaderboard_visible`` off), was excluded by an
    operator or erased: every board, rebuild and snapshot leaves them out."""

    league: str | None = None
    """The user's latest league cohort (``week:tier:cohort``), from the profile."""
    left_leagues: tuple[str, ...] = ()
    """Cohorts whose boards may still hold the user, named by the erasure tombstone (which has
    no league of its own): ``boards_to_leave`` includes them."""

    @property
    def league_board(self) -> str | None:
        return league(self.league) if self.league else None

    def xp_on(self, board: str) -> int:
        """XP on ``board``: the total (capped at ``MAX_XP`` by the domain), or a week's sum,
        which the boards count up to ``MAX_XP`` (reaching it takes 8.4 M XP in one week, i.e.
        ≈ 84,000 service-reported series; a week's sum stays exact in the profile)."""
        if board == ALLTIME:
            # A profile stored before the cap (above it only by service-reported awards) is
            # listed at the bound rather than failing every projection of it.
            return min(self.xp, MAX_XP)
        if board.startswith(LEAGUE_PREFIX):
            # A cohort board holds its members' XP of the cohort's week.
            week = league_week(board)
            return min(self.weekly_xp.get(week, 0), MAX_XP) if board == self.league_board else 0
        return min(self.weekly_xp.get(board.removeprefix(WEEKLY_PREFIX), 0), MAX_XP)

    def listed_xp(self, board: str) -> int | None:
        """XP on ``board``, or ``None`` when not a member: a board lists players with XP on it
        (publish, rebuild and reconciliation all apply this one rule)."""
        xp = self.xp_on(board)
        return xp if xp > 0 and self.listed else None
