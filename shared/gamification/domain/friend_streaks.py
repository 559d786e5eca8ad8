"""Friend streaks (issue #29): two friends' run of days on which *both* were active.

**How two zones meet.** Each user's active days are the local days of their own timezone, as
their personal streak records them (``UserState.streak``). A *pair day* is a calendar date
``D`` on which the first was active on their local ``D`` and the second on theirs. The pair's
*today* is the earlier of the two local todays (the zone furthest behind): a date is over for
the pair only once it is over in both zones. The streak is the run of consecutive pair days,
from the day it started (``started_on``, the pair's today when it was accepted), that ends on
the latest pair day; it is alive while that day is the pair's today or the day before, and 0
once a whole pair day passed without both being active. Streak freezes are the personal
streak's and do not cover a friend streak.

It is derived from the two personal streak tracks, which are order-independent and exactly
once (``domain.streaks``), so the friend streak is too, and it costs no write per day: nothing
is stored for it but the pair's invitation and start.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from gamification.domain.streaks import StreakTrack

MAX_ACTIVE = 5
"""Active friend streaks per user (Duolingo's limit)."""
MILESTONES = (7, 30, 100, 365)


class LinkStatus(enum.Enum):
    """A friend streak from one side: ``INVITED`` (I asked), ``INVITED_ME``, ``ACTIVE``."""

    INVITED = "invited"
    INVITED_ME = "invited_me"
    ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class StreakLink:
    """What is stored about a friend streak, from its owner's side."""

    user_id: str
    """The partner."""
    status: LinkStatus
    since: datetime
    started_on: date | None = None
    """The pair's today when it was accepted (``ACTIVE`` only)."""


class StreakLimitError(Exception):
    """One of the two already has ``MAX_ACTIVE`` active friend streaks."""


@dataclass(frozen=True, slots=True)
class FriendStreak:
    current: int
    """Consecutive pair days ending on the latest one, 0 once broken."""
    longest: int
    """Longest run of pair days since the start (kept while the runs are, 60 days and more)."""
    last_pair_day: date | None
    both_active_today: bool
    """The pair's today is already a pair day."""
    at_risk: bool
    """Alive, and today is not yet a pair day: someone still has to be active."""


def pair_today(today_a: date, today_b: date) -> date:
    return min(today_a, today_b)


def pair_runs(a: StreakTrack, b: StreakTrack, started_on: date) -> list[tuple[date, date]]:
    """The runs of pair days from ``started_on``: the intersections of the two users' runs.
    Two runs of one user are apart by a missed day, so the intersections never touch."""
    found = []
    for run_a in a.runs:
        for run_b in b.runs:
            start = max(run_a.start, run_b.start, started_on)
            end = min(run_a.end, run_b.end)
            if start <= end:
                found.append((start, end))
    return sorted(found)


def friend_streak(
    a: StreakTrack, b: StreakTrack, started_on: date, today_a: date, today_b: date
) -> FriendStreak:
    today = pair_today(today_a, today_b)
    runs = [(s, min(e, today)) for s, e in pair_runs(a, b, started_on) if s <= today]
    if not runs:
        return FriendStreak(0, 0, None, False, False)
    start, end = runs[-1]
    alive = end >= today - timedelta(days=1)
    current = (end - start).days + 1 if alive else 0
    longest = max((e - s).days + 1 for s, e in runs)
    return FriendStreak(
        current=current,
        longest=longest,
        last_pair_day=end,
        both_active_today=end == today,
        at_risk=alive and end < today,
    )
