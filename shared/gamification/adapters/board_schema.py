"""How the leaderboards are laid out in Redis, without the client.

Board keys, generation markers and expiries; the board vocabulary (names, ``PlayerScore``, the
score that orders a board, ``Entry``/``Page``, ``LeaderboardUnavailableError``) is the
domain's (``domain.boards``) and re-exported here for the adapters that use it with the layout.
The Redis client (``leaderboard.py``) is loaded only by the functions that talk to Redis, and by
them only when they first do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from gamification.domain.boards import (
    ABANDONED_REBUILD_TTL,
    ALLTIME,
    EPOCH,
    LEAGUE_PREFIX,
    REBUILD_PAGE,
    SCALE,
    TIME_BITS,
    WEEKLY_PREFIX,
    WEEKLY_RETENTION,
    XP_BITS,
    BoardIncompleteError,
    Entry,
    LeaderboardUnavailableError,
    Page,
    PlayerScore,
    board_expiry,
    board_order,
    encode_score,
    league,
    league_week,
    leagues_marker,
    seconds_since_epoch,
    weekly,
    weekly_expiry,
)
from gamification.domain.periods import iso_week

__all__ = [
    "ABANDONED_REBUILD_TTL",
    "ALLTIME",
    "EPOCH",
    "LEAGUE_PREFIX",
    "REBUILD_PAGE",
    "SCALE",
    "TIME_BITS",
    "WEEKLY_PREFIX",
    "WEEKLY_RETENTION",
    "XP_BITS",
    "BoardIncompleteError",
    "Entry",
    "LeaderboardUnavailableError",
    "Page",
    "PlayerScore",
    "board_expiry",
    "board_order",
    "encode_score",
    "league",
    "league_week",
    "leagues_marker",
    "seconds_since_epoch",
    "weekly",
    "weekly_expiry",
]

LAYOUT = "v2"
"""The score layout's version, part of every generation marker: boards written with another
layout are incomplete for the reads and the reconciler's check, which rebuilds them at once."""
PREFIX = "{lb}"
NAMES_KEY = f"{PREFIX}:names"


def marker_key(board: str) -> str:
    """The board's generation marker (same hash slot as the board). All cohort boards of a week
    share one marker (``leagues:<week>``): the reconciler rebuilds them together."""
    if board.startswith(LEAGUE_PREFIX):
        return generation_key(leagues_marker(league_week(board)))
    return generation_key(board)


def generation_key(marker: str) -> str:
    """The key of a generation marker by name, in the current ``LAYOUT``."""
    return f"{PREFIX}:generation:{LAYOUT}:{marker}"


def boards_to_leave(player: PlayerScore, now: datetime) -> list[str]:
    """Every board that may still hold ``player``: the all-time board, the weeks of their
    weekly XP, every weekly board not yet expired around ``now`` (a weekly board lives
    ``WEEKLY_RETENTION`` after its week; next week's is stamped ahead), their latest league
    cohort's board and the cohorts the erasure tombstone names (``left_leagues``). No SCAN:
    the list is computed, so it costs nothing on a cluster-mode or serverless cache."""
    weeks = set(player.weekly_xp)
    weeks.update(iso_week(now + timedelta(weeks=k)) for k in range(-3, 2))
    boards = [ALLTIME, *(weekly(w) for w in sorted(weeks))]
    cohorts = {c for c in (player.league, *player.left_leagues) if c}
    boards.extend(league(c) for c in sorted(cohorts))
    return boards


def board_key(board: str) -> str:
    return f"{PREFIX}:board:{board}"


def decode_xp(score: float) -> int:
    return -int(score) // SCALE


def more_xp_than(xp: int) -> int:
    """The highest stored score of a player with more than ``xp``: ``ZCOUNT key -inf <this>``
    counts them, and one more is the ``RANK()`` of ``xp``. (The Lua reads compute the same
    bound from ``SCALE``.)"""
    return -(xp + 1) * SCALE


def text(value: Any) -> str:
    """A Redis reply as text (the client may or may not decode responses)."""
    return value.decode() if isinstance(value, bytes) else str(value)
