"""The read side's board logic on the port fakes: live pages, the snapshot fallback while the
boards are down (re-ranked without players hidden or excluded since), the profile's rank."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from gamification.adapters.user_repository import AccountMarks, Exclusion, StoredUser
from gamification.domain.boards import ALLTIME, Entry, Snapshot, weekly
from gamification.domain.game_rules import default_game_rules
from gamification.domain.periods import Period, iso_week
from gamification.domain.state import UserSettings, UserState
from gamification.services.applier import player_score
from gamification.services.queries import (
    BoardUnavailableError,
    LeaderboardQueries,
    ProfileQueries,
    UnknownUserError,
)
from tests.fakes.boards import FakeLeaderboard, FakeSnapshots
from tests.fakes.profiles import FakeProfiles

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
WEEK = iso_week(NOW)
TAKEN = datetime(2026, 11, 27, 11, 55, tzinfo=UTC)


class World:
    def __init__(self) -> None:
        self.profiles = FakeProfiles()
        self.board = FakeLeaderboard()
        self.snapshots = FakeSnapshots()
        self.boards = LeaderboardQueries(self.board, self.snapshots, self.profiles, lambda: NOW)
        rules = default_game_rules()
        self.players = ProfileQueries(self.profiles, self.board, lambda: rules, lambda: NOW)

    def player(self, user_id: str, xp: int, **settings: object) -> StoredUser:
        state = UserState(
            user_id=user_id,
            settings=UserSettings(display_name=user_id.title(), **settings),
            xp=xp,
            weekly_xp={WEEK: xp},
        )
        stored = self.profiles.put(StoredUser(state, xp_at=TAKEN))
        self.board.publish([player_score(stored)], NOW)
        return stored

    def snapshot(self) -> None:
        """What the reconciler saves: the board's first entries as they are now."""
        page = self.board.page(ALLTIME, 0, 100)
        self.snapshots.save(Snapshot(ALLTIME, TAKEN, page.entries, page.total))


@pytest.fixture
def world() -> World:
    w = World()
    for user_id, xp in {"ana": 50, "ben": 40, "cy": 30, "dee": 30, "eve": 10}.items():
        w.player(user_id, xp)
    return w


def test_a_live_page_is_fresh_and_ranked(world: World) -> None:
    view = world.boards.page(Period.WEEKLY, 1, 3)

    assert (view.stale, view.as_of, view.week, view.total) == (False, None, WEEK, 5)
    assert [(e.rank, e.user_id, e.level) for e in view.entries] == [
        (2, "ben", 0),
        (3, "cy", 0),
        (3, "dee", 0),
    ]


def test_while_the_boards_are_down_the_snapshot_is_served_stale(world: World) -> None:
    world.snapshot()
    world.board.down = True

    view = world.boards.page(Period.ALLTIME, 0, 2)
    around = world.boards.around(Period.ALLTIME, "dee", 1)

    assert (view.stale, view.as_of, view.total) == (True, TAKEN, 5)
    assert [e.user_id for e in view.entries] == ["ana", "ben"]
    assert [e.user_id for e in around.entries] == ["cy", "dee", "eve"]
    assert around.rank == 3


def test_players_hidden_or_excluded_since_the_snapshot_are_dropped_and_the_rest_reranked(
    world: World,
) -> None:
    world.snapshot()
    ben = world.profiles.load("ben")
    hidden = ben.state.settings.model_copy(update={"leaderboard_visible": False})
    world.profiles.put(replace(ben, state=ben.state.model_copy(update={"settings": hidden})))
    cy = world.profiles.load("cy")
    world.profiles.put(replace(cy, marks=AccountMarks(exclusion=Exclusion("cheating", NOW))))
    world.board.down = True

    view = world.boards.page(Period.ALLTIME, 0, 10)

    assert [(e.rank, e.user_id) for e in view.entries] == [(1, "ana"), (2, "dee"), (3, "eve")]
    assert view.total == 3


def test_down_without_a_snapshot_is_unavailable(world: World) -> None:
    world.board.down = True

    with pytest.raises(BoardUnavailableError):
        world.boards.page(Period.ALLTIME, 0, 10)


def test_a_profile_has_its_rank_and_none_while_the_boards_are_down(world: World) -> None:
    assert world.players.profile("cy").rank == 3
    world.board.down = True

    profile = world.players.profile("cy")

    assert (profile.rank, profile.rank_available) == (None, False)


def test_off_the_boards_the_owner_alone_sees_where_their_xp_would_rank(world: World) -> None:
    world.player("fay", 45, leaderboard_visible=False)

    assert world.players.my_profile("fay").rank == 2
    assert world.players.profile("fay").rank is None
    assert world.board.page(ALLTIME, 0, 10).total == 5


def test_an_unknown_user_has_no_public_profile_but_an_empty_own_one(world: World) -> None:
    with pytest.raises(UnknownUserError):
        world.players.profile("zed")

    assert world.players.my_profile("zed").xp == 0


def test_a_weekly_board_of_another_week_is_empty(world: World) -> None:
    assert world.board.page(weekly("2026-W01"), 0, 10).entries == []
    assert world.board.page(ALLTIME, 0, 1).entries == [Entry(1, "ana", 50, "Ana")]
