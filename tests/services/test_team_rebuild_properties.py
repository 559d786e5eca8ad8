"""A rebuilt team board equals the projected one: after any simulated stream (joins, leaves,
duplicated, reordered and abandoned deliveries: ``team_simulation.py``) the projection's boards,
the boards rebuilt from the truth into an empty cache, and the truth's own standings
(``domain.team_rebuild.truth_standings``) agree on every team's members, totals and best five and
on the boards across teams; a pass over the projected boards finds no drift."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.domain.boards import ALLTIME
from gamification.domain.team_rebuild import rebuilt_members, truth_standings
from gamification.domain.teams import METRICS, Membership, Team
from gamification.services.team_reconciliation import TeamBoardReconciler
from tests.fakes.teams import FakeTeamBoards, FakeTeamStore, FakeTeamTruth
from tests.services.team_simulation import TEAMS, WEEK, Simulation

BOARDS = [ALLTIME, WEEK]


def truth_of(simulation: Simulation) -> FakeTeamTruth:
    """The table at the end of the simulation: the teams, the current memberships (joined at
    their last join), each user's latest profile."""
    store = FakeTeamStore()
    store.teams = {t: Team(t, t) for t in TEAMS}
    for team, user in sorted(simulation.members):
        joined = simulation.log[(team, user)][-1].at
        store.joined.setdefault(user, {})[team] = Membership(team, joined)
    players = {u: p for u in simulation.images if (p := simulation.profile(u)) is not None}
    return FakeTeamTruth(store, players, page_size=3)


def board_view(cache: FakeTeamBoards) -> dict[str, object]:
    view: dict[str, object] = {}
    for team in TEAMS:
        standing = cache.standing(team, BOARDS)
        view[team] = (standing.members, standing.totals, standing.top)
    for board in BOARDS:
        for metric in METRICS:
            view[f"{board}/{metric}"] = dict(cache.ranked_teams(board, metric, 0, 10)[0])
    return view


@settings(max_examples=200, deadline=None)
@given(st.data(), st.integers(0, 80))
def test_a_rebuilt_board_equals_the_projected_one(data: st.DataObject, actions: int) -> None:
    projected = FakeTeamBoards()
    simulation = Simulation(projected)
    simulation.run(data.draw, actions)
    truth = truth_of(simulation)
    now = simulation.now

    rebuilt = FakeTeamBoards()
    rebuilt.flush()  # Redis lost everything
    assert not rebuilt.complete()
    assert TeamBoardReconciler(truth, rebuilt, None).run("check", now).rebuild == "done"
    assert rebuilt.complete()

    ranked = {s.team_id for s in simulation.standings}
    view, expected = board_view(rebuilt), board_view(projected)
    for team in TEAMS:
        assert view[team] == expected[team], team
    rows = [r for page in truth.memberships() for r in page]
    truth_teams = truth_standings(rebuilt_members(rows, truth.players, BOARDS), BOARDS)
    for team, standing in truth_teams.items():
        assert view[team] == (standing.members, standing.totals, standing.top)
    for key, value in view.items():
        if "/" in key:  # across teams: the teams the projection ranked (it lists a team once
            # it had a member; the rebuild lists teams with members now)
            assert isinstance(value, dict)
            held = expected[key]
            assert isinstance(held, dict)
            for team in ranked & set(value):
                assert value[team] == held[team], (key, team)
            assert set(value) == {t for t in TEAMS if truth_teams.get(t)}

    again = TeamBoardReconciler(truth, projected, None).run("full", now)
    assert all(d.total == 0 for d in again.drift.values()), again.drift
