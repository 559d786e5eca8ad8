"""Team totals follow member XP exactly once (issue #30's "must show"): after any interleaving of
joins, leaves, duplicated, reordered and abandoned deliveries, each team's total on each board is
the sum of its current members' XP, and the boards across teams rank the final standing under
all three metrics. The simulation is in ``team_simulation.py``; the same property runs on a
real redis-server in tests/adapters/contracts/test_team_boards.py."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.teams import FakeTeamBoards
from tests.services.team_simulation import Simulation


@settings(max_examples=400, deadline=None)
@given(st.data(), st.integers(0, 120))
def test_team_totals_equal_the_members_xp_after_any_delivery(
    data: st.DataObject, actions: int
) -> None:
    store = FakeTeamBoards()
    simulation = Simulation(store)
    simulation.run(data.draw, actions)
    simulation.check(store.standing)
