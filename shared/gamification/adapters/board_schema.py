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
    league,
    league_week,
    weekly,
)
from gamification.domain.periods import iso_week, week_bounds
from gamification.domain.xp import MAX_XP

XP_BITS = MAX_XP.bit_length()
"""23 bits: the domain caps a user's total at ``MAX_XP`` (8,388,607), and the boards count a
week's XP up to it (``PlayerScore.xp_on``)."""
TIME_BITS = 53 - XP_BITS
"""30 bits of whole seconds since ``EPOCH``: ties are ordered to the second until
2054-01-09 13:37:03 UTC (later times all count as that second, so later ties fall back to the
user id). A double holds integers exactly up to 2^53, so XP and time share that budget:
milliseconds would need 40 bits and leave 13 for XP (8,191). A second is finer than the
pipeline itself keeps order: ``xp_at`` is the consumer's commit time, behind the queue's
batching window and a standard queue's reordering, so two achievers less than a second apart
may already be committed in either order."""
SCALE = 1 << TIME_BITS
LAYOUT = "v2"
"""The score layout's version, part of every generation marker: boards written with another
layout are incomplete for the reads and the reconciler's check, which rebuilds them at once."""
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
        return generation_key(leagues_marker(league_week(board)))
    return generation_key(board)


def generation_key(marker: str) -> str:
    """The key of a generation marker by name, in the current ``LAYOUT``."""
    return f"{PREFIX}:generation:{LAYOUT}:{marker}"


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


def seconds_since_epoch(reached_at: datetime | None) -> int:
    """The tie-break time: whole seconds since ``EPOCH``, kept inside ``TIME_BITS`` (no time:
    the epoch, so a player without one sorts first among equals, as before)."""
    if reached_at is None:
        return 0
    delta = reached_at - EPOCH
    return min(max(delta.days * 86_400 + delta.seconds, 0), SCALE - 1)


def encode_score(xp: int, reached_at: datetime | None) -> int:
    """The stored score: the *negated* composite ``xp * SCALE + (SCALE - 1 - seconds)``.

    Boards are read in ascending order, so the best player (most XP, then earliest second)
    comes first, and Redis orders members of equal score by their bytes: exact ties go to the
    lower user id, with no re-sorting on read. Raising a player is ``ZADD ... LT``. Every
    value fits a double exactly (|score| < 2^53); XP outside ``0..MAX_XP`` is refused, never
    clamped (the domain never produces it)."""
    if not 0 <= xp <= MAX_XP:
        raise ValueError(f"xp {xp} is outside the board's range 0..{MAX_XP}")
    return -(xp * SCALE + (SCALE - 1 - seconds_since_epoch(reached_at)))


def decode_xp(score: float) -> int:
    return -int(score) // SCALE


def more_xp_than(xp: int) -> int:
    """The highest stored score of a player with more than ``xp``: ``ZCOUNT key -inf <this>``
    counts them, and one more is the ``RANK()`` of ``xp``. (The Lua reads compute the same
    bound from ``SCALE``.)"""
    return -(xp + 1) * SCALE


def board_order(xp: int, reached_at: datetime | None, user_id: str) -> tuple[int, str]:
    """The board's order as a sort key (ascending): what Redis does with ``encode_score`` and
    the member's bytes (UTF-8 keeps code point order, so ``str`` comparison agrees)."""
    return encode_score(xp, reached_at), user_id


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
