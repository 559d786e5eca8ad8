"""The read side of leagues: the caller's cohort this week, the tier ladder, the profile summary.

The cohort board is one Redis round trip (the same Lua slice as every board: entries, RANK()
ties and names together). When the week's cohort boards are not known complete (Redis down,
flushed, not yet rebuilt) the cohort is read from DynamoDB instead: one Query of the member list
and one BatchGetItem of ≤ cohort-size profiles, so the answer is exact, never a partial cache.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from gamification.domain.boards import Entry, LeaderboardUnavailableError, Page, PlayerScore, league
from gamification.domain.game_rules import GameRules
from gamification.domain.leagues import LeagueRules, LeagueState, Tier, cohort_name, zones
from gamification.domain.periods import iso_week, week_bounds
from gamification.domain.profile_records import StoredUser
from gamification.services.applier import player_score
from gamification.services.board_truth import top_entries
from gamification.services.read_models import (
    CohortEntryOut,
    LeagueResultOut,
    LeagueSummaryOut,
    MyLeagueOut,
    TierOut,
    TiersOut,
    ZonesOut,
)

# -- ports (adapters: UserRepository, LeagueRepository, Leaderboard; fakes: tests/fakes) -------


class Profiles(Protocol):
    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...

    def load_many(
        self, user_ids: Sequence[str], consistent: bool = False
    ) -> Mapping[str, StoredUser]: ...


class CohortMembers(Protocol):
    def members(self, week: str, tier: int, cohort: int) -> list[str]:
        """The ids of a cohort's members (the table's member list)."""
        ...


class Boards(Protocol):
    def page(self, board: str, offset: int, limit: int) -> Page:
        """``LeaderboardUnavailableError`` while the board cannot be read or is incomplete."""
        ...


class LeagueQueries:
    def __init__(
        self,
        users: Profiles,
        leagues_repo: CohortMembers,
        leaderboard: Boards,
        rules: Callable[[], GameRules],
        clock: Callable[[], datetime],
    ) -> None:
        self._users = users
        self._leagues = leagues_repo
        self._leaderboard = leaderboard
        self._rules = rules
        self._clock = clock

    def tiers(self) -> TiersOut:
        rules = self._rules().leagues
        return TiersOut(
            tiers=[_tier(t) for t in rules.all_tiers],
            cohort_size=rules.cohort_size,
            promote_percent=rules.promote_percent,
            demote_percent=rules.demote_percent,
        )

    def mine(self, user_id: str) -> MyLeagueOut:
        rules = self._rules().leagues
        now = self._clock()
        week = iso_week(now)
        _, closes_at = week_bounds(week)
        state = self._users.load(user_id, consistent=False).state.league
        result = _result(state, rules)
        if state.week != week or state.cohort is None:
            return MyLeagueOut(
                week=week,
                closes_at=closes_at,
                tier=_tier(rules.tier(state.tier)),
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
            CohortEntryOut(
                rank=e.rank, user_id=e.user_id, display_name=e.display_name, weekly_xp=e.xp
            )
            for e in entries
        ]
        zone = zones(len(views), sum(1 for v in views if v.weekly_xp > 0), rules)
        last = len(rules.tiers) - 1
        return MyLeagueOut(
            week=week,
            closes_at=closes_at,
            tier=_tier(rules.tier(tier)),
            joined=True,
            cohort=state.cohort,
            size=len(views),
            entries=views,
            me=next((v for v in views if v.user_id == user_id), None),
            zones=ZonesOut(
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


def league_summary(state: LeagueState, rules: LeagueRules) -> LeagueSummaryOut:
    return LeagueSummaryOut(
        tier=_tier(rules.tier(state.tier)), week=state.week, last_result=_result(state, rules)
    )


def _result(state: LeagueState, rules: LeagueRules) -> LeagueResultOut | None:
    result = state.result
    if result is None:
        return None
    return LeagueResultOut(
        week=result.week,
        rank=result.rank,
        weekly_xp=result.xp,
        movement=result.movement,
        from_tier=_tier(rules.tier(result.from_tier)),
        to_tier=_tier(rules.tier(result.to_tier)),
    )


def _tier(tier: Tier) -> TierOut:
    return TierOut(index=tier.index, name=tier.name)
