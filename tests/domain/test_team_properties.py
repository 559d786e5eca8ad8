"""The team rules: the three metrics and the ranking across teams (SQL ``RANK()``), and
``TeamTally``, the model of a team's board state the projection implements."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gamification.domain.teams import TeamTally, rank_teams, team_value

XPS = st.lists(st.integers(0, 10_000), max_size=12)


@given(st.dictionaries(st.text("abcdef", min_size=1, max_size=4), st.integers(0, 50)))
def test_ranking_is_sql_rank_ties_by_team_id(values: dict[str, int]) -> None:
    ranked = rank_teams({t: float(v) for t, v in values.items()})
    assert [t for _, t, _ in ranked] == sorted(values, key=lambda t: (-values[t], t))
    for rank, _, value in ranked:
        assert rank == 1 + sum(1 for v in values.values() if v > value)


@given(XPS)
def test_the_metrics(xps: list[int]) -> None:
    total, members = sum(xps), len(xps)
    assert team_value("total", total, members, xps) == total
    assert team_value("average", total, members, xps) == (total / members if members else 0.0)
    assert team_value("top5", total, members, xps) == sum(sorted(xps)[-5:])
    assert team_value("top5", total, members, xps) <= total


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["join", "leave", "earn"]), st.sampled_from("abcd"), st.integers(0, 100)
        ),
        max_size=40,
    )
)
def test_a_tally_is_the_sum_of_its_members_newest_xp(
    steps: list[tuple[str, str, int]],
) -> None:
    tally, xp, members = TeamTally(), dict[str, int](), set[str]()
    for kind, user, gain in steps:
        if kind == "join":
            tally.admit(user)
            members.add(user)
            tally.contribute(user, xp.get(user, 0))
        elif kind == "leave":
            tally.leave(user)
            members.discard(user)
        else:
            xp[user] = xp.get(user, 0) + gain
            tally.contribute(user, xp[user])
            tally.contribute(user, xp[user] - gain)  # a late, older image: ignored
            tally.contribute(user, xp[user])  # a redelivery: ignored
    assert tally.total == sum(xp.get(u, 0) for u in members)
    assert tally.members == members
