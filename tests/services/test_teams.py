"""``TeamService`` and ``TeamQueries`` on the fakes: join rules, and boards read with ranks,
names and the hidden members counted but not listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gamification.domain.boards import PlayerScore
from gamification.domain.periods import Period, iso_week
from gamification.domain.teams import MembershipChange, TeamError
from gamification.services.team_models import TeamIn
from gamification.services.team_projection import TeamProjector
from gamification.services.teams import TeamQueries, TeamService
from tests.fakes.teams import FakeTeamBoards, FakeTeamStore

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
WEEK = iso_week(NOW)


def scores(user: str, xp: int, listed: bool = True) -> PlayerScore:
    return PlayerScore(user, xp, NOW - timedelta(hours=1), weekly_xp={WEEK: xp}, listed=listed)


def test_join_rules() -> None:
    service = TeamService(FakeTeamStore(), lambda: NOW, max_teams_per_user=10)
    service.put("club", TeamIn(name="Club", join="code", code="sesame"))
    with pytest.raises(TeamError, match="join code"):
        service.join("club", "ann", None, by_admin=False)
    assert service.join("club", "ann", "sesame", by_admin=False).changed is True
    assert service.join("club", "bob", None, by_admin=True).member is True
    with pytest.raises(TeamError) as refused:
        service.put("x", TeamIn(name="X", code="abcd"))
    assert refused.value.code == "invalid_team"


def test_boards_rank_with_names_and_leave_hidden_members_unlisted() -> None:
    store, boards = FakeTeamStore(), FakeTeamBoards()
    service = TeamService(store, lambda: NOW, max_teams_per_user=10)
    for team in ("a", "b"):
        service.put(team, TeamIn(name=team.upper()))
    profiles = {"ann": scores("ann", 50), "bob": scores("bob", 20), "cy": scores("cy", 30, False)}
    projector = TeamProjector(boards, profiles.get, lambda: NOW)
    for team, user in (("a", "ann"), ("b", "bob"), ("b", "cy")):
        service.join(team, user, None, by_admin=False)
        projector.project_memberships([MembershipChange(user, team, True, NOW)])
    boards.display_names["bob"] = "Bob"
    queries = TeamQueries(store, boards, lambda: NOW, max_teams_per_user=10)

    total = queries.board(Period.ALLTIME, "total", 0, 10)
    assert [(e.rank, e.team_id, e.name, e.value) for e in total.entries] == [
        (1, "a", "A", 50.0),
        (1, "b", "B", 50.0),
    ]
    average = queries.board(Period.WEEKLY, "average", 1, 10)
    assert (average.week, [(e.rank, e.team_id, e.value) for e in average.entries]) == (
        WEEK,
        [(2, "b", 25.0)],
    )
    inside = queries.team_board("b", Period.ALLTIME, 0, 10)
    assert (inside.xp, inside.members, inside.listed) == (50, 2, 1)
    assert [(e.rank, e.user_id, e.display_name, e.xp) for e in inside.entries] == [
        (1, "bob", "Bob", 20)
    ]
