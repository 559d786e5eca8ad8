"""Teams: who may join, the per-user limit, and the team boards' three fairness metrics.

Pure rules, no I/O. A team's score on a period is derived from its *current* members'
contributions (each member's absolute XP on that period), never from increments, so it is a
function of (membership, each member's latest XP) and nothing else: see ``TeamTally``, the model
the Redis projection (``adapters/team_boards.py``) implements and the property tests check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from gamification.domain.boards import (
    ALLTIME,
    WEEKLY_PREFIX,
    PlayerScore,
    weekly,
    weekly_expiry,
)
from gamification.domain.periods import iso_week, week_bounds

JoinPolicy = Literal["open", "code", "admin"]
Metric = Literal["total", "average", "top5"]
METRICS: tuple[Metric, ...] = ("total", "average", "top5")
TOP_N = 5
"""``top5``: the sum of the best five members' XP (a team of 3 sums all three)."""

MAX_MEMBERS_LIMIT = 1_000_000
"""The largest ``max_members`` an admin may set (the scale simulation's team has 100,000)."""
TEAM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
"""Team ids: lowercase, ≤ 48 bytes, safe in a key and a URL."""
NAME_MAX = 80
DESCRIPTION_MAX = 500
CODE_MAX = 64


class TeamError(Exception):
    """A refused team operation; ``code`` is the API's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Team:
    team_id: str
    name: str
    description: str = ""
    join: JoinPolicy = "open"
    max_members: int = 1000
    code: str | None = None
    """The join code when ``join == "code"`` (shown to admins only)."""
    members: int = 0


def check_join(team: Team, code: str | None, *, by_admin: bool) -> None:
    """Raise ``TeamError`` unless a user may join ``team`` this way (the member limit is a
    condition of the write, not checked here: two concurrent joins cannot both pass it)."""
    if by_admin:
        return
    if team.join == "admin":
        raise TeamError("team_closed", "only an admin adds members to this team")
    if team.join == "code" and (code is None or code != team.code):
        raise TeamError("wrong_code", "this team needs its join code")


# -- the team boards -------------------------------------------------------------------------


def team_value(metric: Metric, total: int, members: int, top: Sequence[int]) -> float:
    """A team's score under ``metric``: the sum, the mean per current member (members with no
    XP count, so idle members weigh a team down: 0 for an empty team), or the best five's sum."""
    if metric == "total":
        return float(total)
    if metric == "average":
        return total / members if members else 0.0
    return float(sum(sorted(top, reverse=True)[:TOP_N]))


def rank_teams(values: Mapping[str, float]) -> list[tuple[int, str, float]]:
    """``(rank, team_id, value)`` by value descending, SQL ``RANK()`` (ties share a rank and
    the next skips), ties listed by team id."""
    ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    ranked: list[tuple[int, str, float]] = []
    for position, (team_id, value) in enumerate(ordered):
        rank = ranked[-1][0] if ranked and ranked[-1][2] == value else position + 1
        ranked.append((rank, team_id, value))
    return ranked


@dataclass
class TeamTally:
    """One team's board state on one period, as the projection keeps it.

    ``contributions`` holds each *current* member's XP on the period (absolute, only raised:
    the max of every value seen for them), so applying the same or an older profile image again
    changes nothing, and a member who leaves takes exactly their entry with them.
    """

    members: set[str] = field(default_factory=set)
    contributions: dict[str, int] = field(default_factory=dict)

    def admit(self, user_id: str) -> None:
        self.members.add(user_id)

    def contribute(self, user_id: str, xp: int) -> None:
        """Raise ``user_id``'s contribution to ``xp``; ignored unless they are a member."""
        if user_id in self.members and xp > self.contributions.get(user_id, -1):
            self.contributions[user_id] = xp

    def leave(self, user_id: str, *, keep: bool = False) -> None:
        """Take ``user_id`` off the team; ``keep``: a closed week keeps what they earned."""
        self.members.discard(user_id)
        if not keep:
            self.contributions.pop(user_id, None)

    @property
    def total(self) -> int:
        return sum(self.contributions.values())

    def value(self, metric: Metric) -> float:
        return team_value(metric, self.total, len(self.members), list(self.contributions.values()))


# -- what the team boards hold ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberScore:
    """One profile image as the team boards use it: the member's XP on each board (hidden or
    excluded members count, ``listed`` only decides whether their name is shown)."""

    user_id: str
    listed: bool
    xp_at: datetime | None
    boards: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TeamStanding:
    """A team's aggregates on some boards after one atomic step, with the team's version."""

    team_id: str
    version: int
    members: int
    totals: dict[str, int] = field(default_factory=dict)
    top: dict[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """A membership item's stream record: ``joined`` (insert, ``at`` = ``joined_at``) or left
    (removal, ``at`` = the record's time)."""

    user_id: str
    team_id: str
    joined: bool
    at: datetime


def member_score(player: PlayerScore) -> MemberScore:
    """The boards a profile image contributes to: all-time and each week it holds."""
    boards = {ALLTIME: player.xp_on(ALLTIME)}
    boards.update({weekly(week): player.xp_on(weekly(week)) for week in player.weekly_xp})
    return MemberScore(player.user_id, player.listed, player.xp_at, boards)


def live_boards(at: datetime) -> list[str]:
    """The boards a join or a leave at ``at`` changes: all-time and the running week."""
    return [ALLTIME, weekly(iso_week(at))]


def board_end(board: str) -> datetime | None:
    """When ``board``'s period ends (``None``: all-time never does)."""
    if board == ALLTIME:
        return None
    return week_bounds(board.removeprefix(WEEKLY_PREFIX))[1]


def team_board_expiry(board: str) -> datetime | None:
    """When a team's ``board`` is dropped: a week ``WEEKLY_RETENTION`` after its end, like the
    global weekly boards; a write after that would re-create it, so it is skipped."""
    if board == ALLTIME:
        return None
    return weekly_expiry(board.removeprefix(WEEKLY_PREFIX))


def week_open_to(board: str, joined_at: datetime) -> bool:
    """Whether a member who joined at ``joined_at`` counts on ``board``: on all-time always,
    on a week if they joined before it ended (their whole week counts, also before joining)."""
    end = board_end(board)
    return end is None or joined_at < end


class TeamNotFoundError(TeamError):
    def __init__(self, team_id: str) -> None:
        super().__init__("team_not_found", f"no team {team_id!r}")


@dataclass(frozen=True, slots=True)
class Membership:
    """One user's membership of one team (``USER#<id>`` / ``TEAM#<team>``)."""

    team_id: str
    joined_at: datetime
    added_by_admin: bool = False
