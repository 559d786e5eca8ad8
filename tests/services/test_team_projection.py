"""``TeamProjector`` on the fake store: the order of its port calls (which the exactly-once
property's simulation replays step by step) and what it ranks."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from gamification.domain.boards import ALLTIME, PlayerScore, weekly
from gamification.domain.periods import iso_week
from gamification.domain.teams import MemberScore, MembershipChange, TeamStanding
from gamification.services.team_projection import TeamProjector
from tests.fakes.teams import FakeTeamBoards

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
WEEK = iso_week(NOW)


class Recording(FakeTeamBoards):
    def __init__(self, calls: list[str]) -> None:
        super().__init__()
        self.calls = calls

    def teams_of(self, user_ids: Collection[str]) -> dict[str, set[str]]:
        self.calls.append("teams_of")
        return super().teams_of(user_ids)

    def admit(self, team_id: str, user_id: str, joined_at: datetime, boards: Sequence[str]) -> Any:
        self.calls.append("admit")
        return super().admit(team_id, user_id, joined_at, boards)

    def contribute(
        self, team_id: str, scores: Sequence[MemberScore], now: datetime
    ) -> TeamStanding:
        self.calls.append(f"contribute:{team_id}")
        return super().contribute(team_id, scores, now)

    def leave(self, team_id: str, user_id: str, boards: Sequence[str]) -> TeamStanding:
        self.calls.append("leave")
        return super().leave(team_id, user_id, boards)

    def rank(self, standings: Sequence[TeamStanding], now: datetime) -> None:
        self.calls.append(f"rank:{len(standings)}")
        super().rank(standings, now)


def ann(xp: int) -> PlayerScore:
    return PlayerScore("ann", xp, NOW - timedelta(hours=1), weekly_xp={WEEK: xp})


def test_a_join_admits_before_it_reads_the_profile_then_contributes() -> None:
    calls: list[str] = []
    store = Recording(calls)

    def profile(user_id: str) -> PlayerScore:
        calls.append("read_profile")
        return ann(40)

    projector = TeamProjector(store, profile, lambda: NOW)
    assert projector.project_memberships([MembershipChange("ann", "red", True, NOW)]) == 2
    assert calls == ["admit", "read_profile", "contribute:red", "rank:2"]
    assert store.ranked_teams(ALLTIME, "total", 0, 5) == ([("red", 40.0)], 1, 0)
    assert store.ranked_teams(weekly(WEEK), "average", 0, 5) == ([("red", 40.0)], 1, 0)


def test_a_profile_reads_the_teams_then_contributes_once_per_team() -> None:
    calls: list[str] = []
    store = Recording(calls)
    projector = TeamProjector(store, lambda _: None, lambda: NOW)
    projector.project_memberships([MembershipChange("ann", t, True, NOW) for t in ("red", "blue")])
    calls.clear()
    assert projector.project_scores([ann(10), ann(30)]) == 2
    assert calls == ["teams_of", "contribute:blue", "contribute:red", "rank:2"]
    assert store.standing("red", [ALLTIME]).totals == {ALLTIME: 30}


def test_a_leave_takes_the_member_off_the_live_boards() -> None:
    store = FakeTeamBoards()
    projector = TeamProjector(store, lambda _: ann(30), lambda: NOW)
    projector.project_memberships([MembershipChange("ann", "red", True, NOW)])
    projector.project_memberships([MembershipChange("ann", "red", False, NOW)])
    assert store.ranked_teams(ALLTIME, "total", 0, 5) == ([("red", 0.0)], 1, 0)
    assert projector.project_scores([ann(50)]) == 0
