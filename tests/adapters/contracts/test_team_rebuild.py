"""The team boards' rebuild (``services.team_reconciliation``) on the fake and on ``TeamBoards``
on a real redis-server: after Redis loses everything the boards answer ``stale: true``, the check
rebuilds them from the truth (memberships and profiles), and they then equal what the projection
had built, across teams and inside each team, with the drift counted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from gamification.adapters import team_boards as boards_module
from gamification.adapters.rebuild_lease import RebuildLease
from gamification.adapters.team_rebuild import ReconciledTeamBoards
from gamification.domain.boards import ALLTIME, PlayerScore, weekly
from gamification.domain.periods import Period, iso_week
from gamification.domain.team_rebuild import MemberRow
from gamification.domain.teams import METRICS, MembershipChange, Team, member_score
from gamification.services.team_projection import TeamProjector
from gamification.services.team_reconciliation import TeamBoardReconciler
from gamification.services.teams import TeamQueries
from tests.fakes.teams import FakeTeamBoards, FakeTeamStore, FakeTeamTruth

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
WEEK = iso_week(NOW)
BOARDS = [ALLTIME, weekly(WEEK)]

pytestmark = pytest.mark.time_machine(NOW)

Cache = FakeTeamBoards | ReconciledTeamBoards


@pytest.fixture(params=["fake", "redis"])
def cache(request: pytest.FixtureRequest) -> Iterator[Cache]:
    if request.param == "fake":
        yield FakeTeamBoards()
        return
    client: redis.Redis = request.getfixturevalue("redis_client")
    yield ReconciledTeamBoards(client)


def _flush(cache: Cache) -> None:
    if isinstance(cache, FakeTeamBoards):
        cache.flush()
    else:
        cache._client.flushall()


def _lease(cache: Cache) -> RebuildLease | None:
    if isinstance(cache, FakeTeamBoards):
        return None
    return RebuildLease(
        cache._client,
        lease_key=boards_module.LEASE_KEY,
        progress_key=boards_module.PROGRESS_KEY,
    )


def player(user: str, xp: int, week_xp: int, listed: bool = True) -> PlayerScore:
    return PlayerScore(
        user, xp, NOW - timedelta(hours=1), f"name-{user}", {WEEK: week_xp}, listed=listed
    )


def _world() -> tuple[FakeTeamStore, dict[str, PlayerScore]]:
    """Two teams of 1 and 3 (one hidden member, one with no profile), one empty team."""
    store = FakeTeamStore()
    for team in ("solo", "trio", "empty"):
        store.put(Team(team, team.title()))
    joined = NOW - timedelta(days=1)
    for team, user in [("solo", "ann"), ("trio", "bob"), ("trio", "cy"), ("trio", "dee")]:
        store.join(team, user, joined, limit=10, by_admin=True)
    store.join("trio", "ann", joined, limit=10, by_admin=True)  # ann is in two teams
    players = {
        "ann": player("ann", 500, 40),
        "bob": player("bob", 300, 30),
        "cy": player("cy", 200, 0, listed=False),
    }  # dee has no profile: a member contributing 0
    return store, players


def _state(cache: Cache, teams: list[str]) -> dict[str, object]:
    """What readers see: each team's standing (without its version) and member board, and the
    boards across teams under every metric."""
    found: dict[str, object] = {}
    for team in teams:
        standing = cache.standing(team, BOARDS)
        found[team] = (
            standing.members,
            standing.totals,
            standing.top,
            [cache.member_page(team, b, 0, 10)[0] for b in BOARDS],
        )
    for board in BOARDS:
        for metric in METRICS:
            found[f"{board}/{metric}"] = cache.ranked_teams(board, metric, 0, 10)
    return found


def test_a_flushed_cache_answers_stale_then_is_rebuilt_as_projected(cache: Cache) -> None:
    store, players = _world()
    projector = TeamProjector(cache, players.get, lambda: NOW)
    for user, teams in sorted(store.joined.items()):
        for membership in teams.values():
            projector.project_memberships([_join(user, membership.team_id, membership.joined_at)])
    projector.project_scores(players.values())
    reconciler = TeamBoardReconciler(FakeTeamTruth(store, players), cache, _lease(cache))
    queries = TeamQueries(store, cache, lambda: NOW, 10)

    first = reconciler.run("full", NOW)  # over the projected boards: no drift
    assert first.rebuild == "done"
    assert all(d.total == 0 for d in first.drift.values()), first.drift
    assert queries.board(Period.ALLTIME, "total", 0, 10).stale is False
    projected = _state(cache, ["solo", "trio"])
    assert projected["trio"] == (
        4,
        {ALLTIME: 1000, weekly(WEEK): 70},
        {ALLTIME: (500, 300, 200), weekly(WEEK): (40, 30, 0)},
        [[("ann", 500), ("bob", 300)], [("ann", 40), ("bob", 30)]],
    )

    _flush(cache)
    stale = queries.board(Period.ALLTIME, "total", 0, 10)
    assert (stale.stale, stale.entries) == (True, [])
    assert queries.team_board("trio", Period.WEEKLY, 0, 10).stale is True

    report = reconciler.run("check", NOW)
    assert (report.rebuild, report.incomplete, report.memberships) == ("done", True, 5)
    assert report.drift[ALLTIME].added == 4  # ann (twice), bob, cy: dee has no XP entry
    assert _state(cache, ["solo", "trio"]) == projected
    board = queries.board(Period.ALLTIME, "average", 0, 10)
    assert board.stale is False
    assert [(e.rank, e.team_id, e.value) for e in board.entries] == [
        (1, "solo", 500.0),
        (2, "trio", 250.0),
    ]
    assert reconciler.run("check", NOW).rebuild == "none"  # complete again: nothing to do
    assert cache.teams_of({"ann", "cy"}) == {"ann": {"solo", "trio"}, "cy": {"trio"}}


def test_a_pass_finds_drift_strays_and_deleted_teams(cache: Cache) -> None:
    store, players = _world()
    projector = TeamProjector(cache, players.get, lambda: NOW)
    projector.project_memberships([_join("ann", "solo", NOW - timedelta(days=1))])
    projector.project_memberships([_join("zed", "gone", NOW - timedelta(days=1))])
    cache.contribute("gone", [member_score(player("zed", 999, 9))], NOW)
    cache.rank([cache.standing("gone", BOARDS)], NOW)
    # A partial loss that kept the marker: ann's contribution is wrong, the trio is missing.
    cache.contribute("solo", [member_score(player("ann", 9999, 1))], NOW)
    cache.stamp("kept")
    reconciler = TeamBoardReconciler(FakeTeamTruth(store, players), cache, _lease(cache))

    assert reconciler.run("check", NOW).rebuild == "none"  # the marker is there
    report = reconciler.run("full", NOW)
    assert report.rebuild == "done"
    assert report.drift[ALLTIME].added == 3  # trio's ann, bob, cy (dee has no XP entry)
    assert report.drift[ALLTIME].changed == 1  # solo's ann: 9,999 held, 500 true
    assert report.drift[ALLTIME].removed == 1  # zed of "gone", not a team
    assert report.dropped == 1  # "gone" off the boards across teams
    assert cache.standing("gone", BOARDS).members == 0
    assert [t for t, _ in cache.ranked_teams(ALLTIME, "total", 0, 10)[0]] == ["trio", "solo"]
    assert cache.standing("solo", BOARDS).totals[ALLTIME] == 500
    assert report.metrics()


def test_a_member_who_left_during_the_pass_is_taken_off_by_the_catch_up(cache: Cache) -> None:
    store, players = _world()
    truth = FakeTeamTruth(store, players)
    reads = truth.memberships

    def leave_after_first_read() -> Iterator[list[MemberRow]]:
        yield from reads()
        if store.leave("trio", "bob"):  # the first read is over: bob leaves before the second
            TeamProjector(cache, players.get, lambda: NOW).project_memberships(
                [_leave("bob", "trio")]
            )

    truth.memberships = leave_after_first_read  # type: ignore[method-assign]
    report = TeamBoardReconciler(truth, cache, _lease(cache)).run("full", NOW)
    assert report.rebuild == "done"
    trio = cache.standing("trio", BOARDS)
    assert (trio.members, trio.totals[ALLTIME]) == (3, 700)
    assert report.late_updates >= 1


def _join(user: str, team: str, at: datetime) -> MembershipChange:
    return MembershipChange(user, team, True, at)


def _leave(user: str, team: str) -> MembershipChange:
    return MembershipChange(user, team, False, NOW)
