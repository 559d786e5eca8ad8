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


def test_a_closed_week_keeps_a_leavers_xp_while_the_running_week_drops_it() -> None:
    """docs/teams.md: a leave takes the leaver's contribution off all-time and the running week
    at once; a closed week is history and keeps it (its average too). The week closed is decided
    by the leave's time and the projector's clock, both injected here: the same leave one
    week earlier (while that week ran) takes it off that week."""
    closed, running = iso_week(NOW - timedelta(days=7)), WEEK
    joined = NOW - timedelta(days=8)  # inside the closed week, while it ran

    def images(at: datetime) -> list[PlayerScore]:
        return [
            PlayerScore("ann", 50, at, weekly_xp={closed: 30, running: 20}),
            PlayerScore("bob", 12, at, weekly_xp={closed: 5, running: 7}),
        ]

    def team_with_a_leave(leave_at: datetime) -> FakeTeamBoards:
        store, clock = FakeTeamBoards(), [joined]
        projector = TeamProjector(store, lambda _: None, lambda: clock[0])
        projector.project_memberships(
            [MembershipChange(u, "red", True, joined) for u in ("ann", "bob")]
        )
        clock[0] = leave_at
        projector.project_scores(images(leave_at))
        assert store.ranked_teams(weekly(closed), "total", 0, 5)[0] == [("red", 35.0)]
        projector.project_memberships([MembershipChange("ann", "red", False, leave_at)])
        averages.append(store.ranked_teams(weekly(closed), "average", 0, 5)[0])
        projector.project_scores(images(leave_at))  # redelivered: the leaver's ignored
        averages.append(store.ranked_teams(weekly(closed), "average", 0, 5)[0])
        return store

    averages: list[list[tuple[str, float]]] = []

    store = team_with_a_leave(NOW)  # the leave in the running week: the closed one is history
    assert store.ranked_teams(ALLTIME, "total", 0, 5)[0] == [("red", 12.0)]
    assert store.ranked_teams(weekly(running), "total", 0, 5)[0] == [("red", 7.0)]
    assert store.ranked_teams(weekly(running), "average", 0, 5)[0] == [("red", 7.0)]
    assert store.ranked_teams(weekly(closed), "total", 0, 5)[0] == [("red", 35.0)]
    # A closed week's average keeps the member count of its last update: 2 until bob's image
    # (which still lands on the closed week) updates it with the one member left.
    assert averages == [[("red", 17.5)], [("red", 35.0)]]
    assert store.standing("red", [weekly(closed)]).totals == {weekly(closed): 35}

    store = team_with_a_leave(joined + timedelta(hours=1))  # while that week still ran
    assert store.ranked_teams(weekly(closed), "total", 0, 5)[0] == [("red", 5.0)]
    assert store.standing("red", [weekly(closed)]).totals == {weekly(closed): 5}
