"""How the leaderboards are laid out in Redis, and what a read returns, without the client.

Board keys, the composite score, the entries of a page and the errors a caller handles are
named by every service that touches the boards; the Redis client (``leaderboard.py``) is loaded
only by the functions that talk to Redis, and by them only when they first do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gamification.domain.periods import week_bounds

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
    """The board's generation marker (same hash slot as the board)."""
    return f"{PREFIX}:generation:{board}"


def weekly_expiry(week: str) -> datetime:
    """When a weekly board expires: ``WEEKLY_RETENTION`` after its week ends."""
    _, week_end = week_bounds(week)
    return week_end + WEEKLY_RETENTION


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
