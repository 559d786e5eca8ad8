"""The leaderboards as the product defines them, with no Redis and no DynamoDB in sight.

Board names, what a board holds for one player (``PlayerScore.listed_xp``: who appears, with
how much), the order a board serves (more XP, then the earlier achiever to the second, then the
lower user id) as one integer per player, and what a read returns (``Entry``, ``Page``,
``Snapshot``). Services and adapters share these records; the Redis layout (keys, markers, Lua)
stays in ``adapters.board_schema``, which stores ``encode_score`` as the sorted-set score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from gamification.domain.periods import week_bounds
from gamification.domain.xp import MAX_XP

ALLTIME = "alltime"
WEEKLY_PREFIX = "weekly:"
LEAGUE_PREFIX = "league:"
REBUILD_PAGE = 1000
"""Players per page when a board is rebuilt from the truth: the reconciler's walk and the cache
writer's round trip (``adapters.board_rebuild``) use the same page."""


class LeaderboardUnavailableError(Exception):
    """The boards could not be read in time: callers fall back (snapshot, ``rank: null``)."""


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


# -- the order a board serves, as one integer ----------------------------------------------------

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
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def seconds_since_epoch(reached_at: datetime | None) -> int:
    """The tie-break time: whole seconds since ``EPOCH``, kept inside ``TIME_BITS`` (no time:
    the epoch, so a player without one sorts first among equals, as before)."""
    if reached_at is None:
        return 0
    delta = reached_at - EPOCH
    return min(max(delta.days * 86_400 + delta.seconds, 0), SCALE - 1)


def encode_score(xp: int, reached_at: datetime | None) -> int:
    """The *negated* composite ``xp * SCALE + (SCALE - 1 - seconds)``: ascending is the board's
    order (the best player, most XP then earliest second, first).

    The cache stores it as the sorted-set score, and Redis orders members of equal score by
    their bytes: exact ties go to the lower user id, with no re-sorting on read. Every value
    fits a double exactly (|score| < 2^53); XP outside ``0..MAX_XP`` is refused, never clamped
    (the domain never produces it)."""
    if not 0 <= xp <= MAX_XP:
        raise ValueError(f"xp {xp} is outside the board's range 0..{MAX_XP}")
    return -(xp * SCALE + (SCALE - 1 - seconds_since_epoch(reached_at)))


def board_order(xp: int, reached_at: datetime | None, user_id: str) -> tuple[int, str]:
    """The board's order as a sort key (ascending): what Redis does with ``encode_score`` and
    the member's bytes (UTF-8 keeps code point order, so ``str`` comparison agrees)."""
    return encode_score(xp, reached_at), user_id


# -- what a read returns ---------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A board's first entries as taken at ``taken_at``: served (marked stale) while the live
    boards cannot be read."""

    board: str
    taken_at: datetime
    entries: list[Entry]
    total: int


WEEKLY_RETENTION = timedelta(days=14)
"""A weekly board lives this long after its week ends (archived weeks stay readable a while)."""
ABANDONED_REBUILD_TTL = 3600
"""Seconds a rebuild's temporary keys outlive a run that died (the next run starts afresh)."""


class BoardIncompleteError(LeaderboardUnavailableError):
    """The board's generation marker is gone: the cache may hold part of it (or nothing) until
    the next rebuild, so it must not be served as fresh."""


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


@dataclass
class PageCounts:
    """What one page added to a rebuild, and how the live boards differed for it."""

    players: int = 0
    """Distinct players new to this run (a player re-keyed mid-walk is read twice)."""
    members: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)
    """Board -> new members the live board lacks."""
    changed: dict[str, int] = field(default_factory=dict)
    """Board -> new members the live board holds with other XP."""
    cohort_members: int = 0
