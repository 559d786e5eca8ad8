"""What the leaderboards hold for one player, and the board names: no Redis here, so the
consumer (which builds scores but never talks to Redis) does not load the Redis client."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

ALLTIME = "alltime"
WEEKLY_PREFIX = "weekly:"


def weekly(week: str) -> str:
    """Board name of an ISO week, e.g. ``weekly:2026-W48``."""
    return f"{WEEKLY_PREFIX}{week}"


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

    def xp_on(self, board: str) -> int:
        if board == ALLTIME:
            return self.xp
        return self.weekly_xp.get(board.removeprefix(WEEKLY_PREFIX), 0)

    def listed_xp(self, board: str) -> int | None:
        """XP on ``board``, or ``None`` when not a member: a board lists players with XP on it
        (publish, rebuild and reconciliation all apply this one rule)."""
        xp = self.xp_on(board)
        return xp if xp > 0 and self.listed else None
