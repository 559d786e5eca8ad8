"""The friend board on the port fakes: me plus those I follow, the global board's order and
tie rule, only listed players, and the table fallback while the cache cannot be trusted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gamification.domain.periods import Period, iso_week
from gamification.domain.profile_records import StoredUser
from gamification.domain.state import UserSettings, UserState
from gamification.services.applier import player_score
from gamification.services.friend_board import FriendBoardQueries
from tests.fakes.boards import FakeFriendScores, FakeLeaderboard
from tests.fakes.follows import FakeGraph
from tests.fakes.profiles import FakeProfiles

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
WEEK = iso_week(NOW)


class World:
    def __init__(self) -> None:
        self.graph, self.profiles, self.board = FakeGraph(), FakeProfiles(), FakeLeaderboard()
        self.queries = FriendBoardQueries(
            self.graph, FakeFriendScores(self.board), self.profiles, lambda: NOW
        )

    def player(
        self, user_id: str, xp: int, weekly: int, *, at: int = 0, visible: bool = True
    ) -> None:
        state = UserState(
            user_id=user_id,
            settings=UserSettings(display_name=user_id.title(), leaderboard_visible=visible),
            xp=xp,
            weekly_xp={WEEK: weekly},
        )
        stored = self.profiles.put(StoredUser(state, xp_at=NOW - timedelta(hours=1, seconds=-at)))
        self.board.publish([player_score(stored)], NOW)


@pytest.fixture
def world() -> World:
    w = World()
    w.player("me", 200, 20, at=5)
    w.player("ann", 300, 10)
    w.player("bob", 200, 30, at=1)  # tied with me on all-time, reached it earlier
    w.player("cy", 200, 0, at=9)  # tied too, later than me; nothing this week
    w.player("stranger", 1000, 100)
    w.player("shy", 500, 50, visible=False)
    for other in ["ann", "bob", "cy", "shy", "nobody"]:
        w.graph.follow("me", other, NOW)
    return w


def _rows(world: World, period: Period) -> list[tuple[int, str, int]]:
    return [(e.rank, e.user_id, e.xp) for e in world.queries.board("me", period).entries]


def test_alltime_ranks_me_and_those_i_follow_with_the_global_tie_rule(world: World) -> None:
    assert _rows(world, Period.ALLTIME) == [
        (1, "ann", 300),
        (2, "bob", 200),
        (2, "me", 200),
        (2, "cy", 200),
    ]
    view = world.queries.board("me", Period.ALLTIME)
    assert (view.total, view.stale, [e.me for e in view.entries]) == (
        4,
        False,
        [False, False, True, False],
    )


def test_weekly_lists_only_those_with_xp_this_week(world: World) -> None:
    view = world.queries.board("me", Period.WEEKLY)
    assert view.week == WEEK
    assert _rows(world, Period.WEEKLY) == [(1, "bob", 30), (2, "me", 20), (3, "ann", 10)]


def test_an_untrusted_cache_is_not_read_the_table_answers(world: World) -> None:
    fresh = _rows(world, Period.ALLTIME)
    world.board.all_complete = False  # the generation marker is gone
    view = world.queries.board("me", Period.ALLTIME)
    assert view.stale
    assert _rows(world, Period.ALLTIME) == fresh
    world.board.down = True
    assert _rows(world, Period.WEEKLY) == [(1, "bob", 30), (2, "me", 20), (3, "ann", 10)]


def test_alone_i_am_my_board(world: World) -> None:
    world.player("solo", 5, 5)
    assert [(e.rank, e.user_id) for e in world.queries.board("solo", Period.ALLTIME).entries] == [
        (1, "solo")
    ]
