"""How the leaderboards are laid out in Redis, and what a read returns, without the client.

Board keys, the composite score, the entries of a page and the errors a caller handles are
named by every service that touches the boards; the Redis client (``leaderboard.py``) is loaded
only by the functions that talk to Redis, and by them only when they first do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gamification.adapters.player_score import (
    ALLTIME,
    LEAGUE_PREFIX,
    WEEKLY_PREFIX,
    PlayerScore,
    league_week,
    weekly,
)
from gamification.domain.periods import iso_week, week_bounds

TIME_BITS = 26
SCALE = 1 << TIME_BITS
"""2^26 minutes is ~127 years of tie-break resolution; XP keeps 27 bits (134 M) under 2^53."""
MAX_XP = (1 << 27) - 1
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
WEEKLY_RETENTION = timedelta(days=14)
"""A weekly board lives this long after its week ends (archived weeks stay readable a while)."""
ABANDONED_REBUILD_TTL = 3600
PREFIX = "{lb}"
NAMES_KEY = f"{PREFIX}:names"


class LeaderboardUnavailableError(Exception):
    """Redis could not be reached in time: callers fall back (snapshot, ``rank: null``)."""


class BoardIncompleteError(LeaderboardUnavailableError):
    """The board's generation marker is gone: the cache may hold part of it (or nothing) until
    the next rebuild, so it must not be served as fresh."""


def marker_key(board: str) -> str:
    """The board's generation marker (same hash slot as the board). All cohort boards of a week
    share one marker (``leagues:<week>``): the reconciler rebuilds them together."""
    if board.startswith(LEAGUE_PREFIX):
        return f"{PREFIX}:generation:{leagues_marker(league_week(board))}"
    return f"{PREFIX}:generation:{board}"


def leagues_marker(week: str) -> str:
    """The marker name that says every cohort board of ``week`` is complete."""
    return f"leagues:{week}"


def board_expiry(board: str) -> datetime | None:
    """When a board expires: never for all-time, ``WEEKLY_RETENTION`` after its week else."""
    if board == ALLTIME:
        return None
    if board.startswith(LEAGUE_PREFIX):
        return weekly_expiry(league_week(board))
    return weekly_expiry(board.removeprefix(WEEKLY_PREFIX))


def weekly_expiry(week: str) -> datetime:
    """When a weekly board expires: ``WEEKLY_RETENTION`` after its week ends."""
    _, week_end = week_bounds(week)
    return week_end + WEEKLY_RETENTION


def boards_to_leave(player: PlayerScore, now: datetime) -> list[str]:
    """Every board that may still hold ``player``: the all-time board, the weeks of their
    weekly XP, every weekly board not yet expired around ``now`` (a weekly board lives
    ``WEEKLY_RETENTION`` after its week; next week's is stamped ahead), and their latest league
    cohort's board. No SCAN: the list is computed, so it costs nothing on a cluster-mode or
    serverless cache."""
    weeks = set(player.weekly_xp)
    weeks.update(iso_week(now + timedelta(weeks=k)) for k in range(-3, 2))
    boards = [ALLTIME, *(weekly(w) for w in sorted(weeks))]
    if player.league_board is not None:
        boards.append(player.league_board)
    return boards


def board_key(board: str) -> str:
    return f"{PREFIX}:board:{board}"


def encode_score(xp: int, reached_at: datetime | None) -> int:
    minutes = 0 if reached_at is None else int((reached_at - EPOCH).total_seconds() // 60)
    minutes = min(max(minutes, 0), SCALE - 1)
    return min(xp, MAX_XP) * SCALE + (SCALE - 1 - minutes)


def decode_xp(score: float) -> int:
    return int(score) // SCALE


@dataclass(frozen=True, slots=True)
class Entry:
    rank: int
    user_id: str
    xp: int
    display_name: str | None


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[Entry]
    total: int


REBUILD_PAGE = 1000
"""Players per pipeline of a rebuild, members per ``ZSCAN``/``ZMSCORE`` chunk."""


def text(value: Any) -> str:
    """A Redis reply as text (the client may or may not decode responses)."""
    return value.decode() if isinstance(value, bytes) else str(value)
