"""The team boards' ``TeamBoardStore`` port: the fake (tests/fakes/teams.py) and ``TeamBoards`` on
a real redis-server pass the same tests, including the exactly-once property of
tests/services/test_team_projection_properties.py (fewer examples here: each is real Redis)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gamification.adapters.team_boards import TeamBoards
from gamification.domain.boards import ALLTIME, PlayerScore, weekly
from gamification.domain.periods import iso_week
from gamification.domain.teams import member_score
from tests.fakes.teams import FakeTeamBoards
from tests.services.team_simulation import Simulation

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
WEEK = iso_week(NOW)
BOARDS = [ALLTIME, weekly(WEEK)]

pytestmark = pytest.mark.time_machine(NOW)

Store = FakeTeamBoards | TeamBoards


@pytest.fixture(params=["fake", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "fake":
        yield FakeTeamBoards()
        return
    client: redis.Redis = request.getfixturevalue("redis_client")
    yield TeamBoards(client)


def player(user: str, xp: int, week_xp: int | None = None, listed: bool = True) -> PlayerScore:
    return PlayerScore(
        user,
        xp,
        NOW - timedelta(hours=1),
        weekly_xp={WEEK: xp if week_xp is None else week_xp},
        listed=listed,
    )


def test_a_member_contributes_once_and_only_raises(store: Store) -> None:
    store.admit("red", "ann", NOW, BOARDS)
    store.contribute("red", [member_score(player("ann", 30))], NOW)
    store.contribute("red", [member_score(player("ann", 30))], NOW)  # a redelivery
    standing = store.contribute("red", [member_score(player("ann", 10))], NOW)  # a late image
    assert standing.totals == {ALLTIME: 30, weekly(WEEK): 30}
    assert standing.members == 1


def test_a_non_member_counts_nothing_and_a_leaver_takes_their_xp(store: Store) -> None:
    store.admit("red", "ann", NOW, BOARDS)
    store.admit("red", "bob", NOW, BOARDS)
    store.contribute("red", [member_score(player("ann", 30)), member_score(player("bob", 5))], NOW)
    assert store.contribute("red", [member_score(player("cy", 99))], NOW).totals[ALLTIME] == 35
    left = store.leave("red", "bob", BOARDS)
    assert (left.totals[ALLTIME], left.members) == (30, 1)
    assert store.contribute("red", [member_score(player("bob", 50))], NOW).totals[ALLTIME] == 30
    assert store.teams_of({"ann", "bob"}) == {"ann": {"red"}}


def test_a_week_that_ended_before_the_join_keeps_out(store: Store) -> None:
    last_week = iso_week(NOW - timedelta(days=7))
    image = PlayerScore("ann", 70, NOW, weekly_xp={last_week: 40, WEEK: 30})
    store.admit("red", "ann", NOW, BOARDS)
    standing = store.contribute("red", [member_score(image)], NOW)
    assert standing.totals == {ALLTIME: 70, weekly(last_week): 0, weekly(WEEK): 30}


def test_a_hidden_member_counts_but_is_not_listed(store: Store) -> None:
    for user in ("ann", "bob"):
        store.admit("red", user, NOW, BOARDS)
    store.contribute("red", [member_score(player("ann", 30, listed=False))], NOW)
    standing = store.contribute("red", [member_score(player("bob", 20))], NOW)
    assert standing.totals[ALLTIME] == 50
    rows, count, higher = store.member_page("red", ALLTIME, 0, 10)
    assert (rows, count, higher) == ([("bob", 20)], 1, 0)


def test_the_boards_across_teams_keep_the_newest_standing(store: Store) -> None:
    store.admit("red", "ann", NOW, BOARDS)
    older = store.contribute("red", [member_score(player("ann", 10))], NOW)
    newer = store.contribute("red", [member_score(player("ann", 40))], NOW)
    store.admit("blue", "bob", NOW, BOARDS)
    store.admit("blue", "cy", NOW, BOARDS)
    blue = store.contribute(
        "blue", [member_score(player("bob", 30)), member_score(player("cy", 30))], NOW
    )
    store.rank([newer, blue], NOW)
    store.rank([older], NOW)  # late: ignored
    assert store.ranked_teams(ALLTIME, "total", 0, 10) == ([("blue", 60.0), ("red", 40.0)], 2, 0)
    assert store.ranked_teams(ALLTIME, "average", 0, 10) == ([("red", 40.0), ("blue", 30.0)], 2, 0)
    assert store.ranked_teams(ALLTIME, "top5", 1, 10) == ([("red", 40.0)], 2, 1)


def test_ties_share_a_rank(store: Store) -> None:
    standings = []
    for team, user in (("red", "ann"), ("blue", "bob")):
        store.admit(team, user, NOW, BOARDS)
        standings.append(store.contribute(team, [member_score(player(user, 25))], NOW))
    store.rank(standings, NOW)
    assert store.ranked_teams(ALLTIME, "total", 1, 1) == ([("red", 25.0)], 2, 0)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), actions=st.integers(0, 80))
def test_exactly_once_under_redelivery_and_interleaving(
    redis_client: redis.Redis, data: st.DataObject, actions: int
) -> None:
    """The services' property on the real scripts (both stores pass it; the fake's run is in
    tests/services)."""
    redis_client.flushdb()
    store = TeamBoards(redis_client)
    simulation = Simulation(store)
    simulation.run(data.draw, actions)
    simulation.check(store.standing)
