"""The read side of leagues: the caller's cohort this week, the tier ladder, the profile summary.

The cohort board is one Redis round trip (the same Lua slice as every board: entries, RANK()
ties and names together). When the week's cohort boards are not known complete (Redis down,
flushed, not yet rebuilt) the cohort is read from DynamoDB instead: one Query of the member list
and one BatchGetItem of ≤ cohort-size profiles, so the answer is exact, never a partial cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gamification.adapters.leaderboard import (
    Entry,
    Leaderboard,
    LeaderboardUnavailableError,
    PlayerScore,
)
from gamification.adapters.league_repository import LeagueRepository, cohort_name
from gamification.adapters.player_score import league
from gamification.adapters.user_repository import UserRepository
from gamification.domain.leagues import LeagueRules, LeagueState, Movement, Tier, zones
from gamification.domain.periods import iso_week, week_bounds
from gamification.domain.ruleset import Ruleset
from gamification.services.applier import player_score
from gamification.services.reconciliation import top_entries


@dataclass(frozen=True, slots=True)
class CohortEntryView:
    rank: int
    user_id: str
    display_name: str | None
    weekly_xp: int


@dataclass(frozen=True, slots=True)
class ZonesView:
    promotion_up_to_rank: int | None
    """Ranks 1..this are promoted if the week ended now (``None``: nobody, e.g. the last tier)."""
    demotion_from_rank: int | None
    """Ranks from this down are demoted if the week ended now (``None``: nobody)."""


@dataclass(frozen=True, slots=True)
class ResultView:
    week: str
    rank: int
    weekly_xp: int
    movement: Movement
    from_tier: Tier
    to_tier: Tier


@dataclass(frozen=True, slots=True)
class LeagueSummaryView:
    """The ``league`` object of ``GET /v1/me``."""

    tier: Tier
    """The tier the user plays in next (this week's cohort's, or the one they join next)."""
    week: str | None
    """The week of the user's latest cohort."""
    last_result: ResultView | None


@dataclass(frozen=True, slots=True)
class MyLeagueView:
    week: str
    closes_at: datetime
    tier: Tier
    joined: bool
    cohort: int | None
    size: int
    entries: list[CohortEntryView]
    me: CohortEntryView | None
    zones: ZonesView | None
    source: str
    """``cache`` (Redis) or ``table`` (DynamoDB, while the cache may be incomplete)."""
    last_result: ResultView | None


@dataclass(frozen=True, slots=True)
class TiersView:
    tiers: list[Tier]
    cohort_size: int
    promote_percent: int
    demote_percent: int


class LeagueQueries:
    def __init__(
        self,
        users: UserRepository,
        leagues_repo: LeagueRepository,
        leaderboard: Leaderboard,
        rules: Callable[[], Ruleset],
        clock: Callable[[], datetime],
    ) -> None:
        self._users = users
        self._leagues = leagues_repo
        self._leaderboard = leaderboard
        self._rules = rules
        self._clock = clock

    def tiers(self) -> TiersView:
        rules = self._rules().leagues
        return TiersView(
            tiers=rules.all_tiers,
            cohort_size=rules.cohort_size,
            promote_percent=rules.promote_percent,
            demote_percent=rules.demote_percent,
        )

    def mine(self, user_id: str) -> MyLeagueView:
        rules = self._rules().leagues
        now = self._clock()
        week = iso_week(now)
        _, closes_at = week_bounds(week)
        state = self._users.load(user_id, consistent=False).state.league
        result = _result(state, rules)
        if state.week != week or state.cohort is None:
            return MyLeagueView(
                week=week,
                closes_at=closes_at,
                tier=rules.tier(state.tier),
                joined=False,
                cohort=None,
                size=0,
                entries=[],
                me=None,
                zones=None,
                source="table",
                last_result=result,
            )
        tier = state.cohort_tier
        entries, source = self._cohort(week, tier, state.cohort, rules.cohort_size)
        views = [
            CohortEntryView(
                rank=e.rank, user_id=e.user_id, display_name=e.display_name, weekly_xp=e.xp
            )
            for e in entries
        ]
        zone = zones(len(views), sum(1 for v in views if v.weekly_xp > 0), rules)
        last = len(rules.tiers) - 1
        return MyLeagueView(
            week=week,
            closes_at=closes_at,
            tier=rules.tier(tier),
            joined=True,
            cohort=state.cohort,
            size=len(views),
            entries=views,
            me=next((v for v in views if v.user_id == user_id), None),
            zones=ZonesView(
                promotion_up_to_rank=zone.promote if zone.promote and tier < last else None,
                demotion_from_rank=len(views) - zone.demote + 1
                if zone.demote and tier > 0
                else None,
            ),
            source=source,
            last_result=result,
        )

    def _cohort(self, week: str, tier: int, cohort: int, size: int) -> tuple[list[Entry], str]:
        board = league(cohort_name(week, tier, cohort))
        try:
            return self._leaderboard.page(board, 0, size).entries, "cache"
        except LeaderboardUnavailableError:
            pass
        members = self._leagues.members(week, tier, cohort)
        players: list[PlayerScore] = [
            player_score(s) for s in self._users.load_many(members).values()
        ]
        return top_entries(players, board, size), "table"


def league_summary(state: LeagueState, rules: LeagueRules) -> LeagueSummaryView:
    return LeagueSummaryView(
        tier=rules.tier(state.tier), week=state.week, last_result=_result(state, rules)
    )


def _result(state: LeagueState, rules: LeagueRules) -> ResultView | None:
    result = state.result
    if result is None:
        return None
    return ResultView(
        week=result.week,
        rank=result.rank,
        weekly_xp=result.xp,
        movement=result.movement,
        from_tier=rules.tier(result.from_tier),
        to_tier=rules.tier(result.to_tier),
    )
