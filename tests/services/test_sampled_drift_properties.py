"""A sample that is the whole population measures the drift the full pass measures."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gamification.adapters.player_score import ALLTIME, PlayerScore
from gamification.services.board_truth import board_truth, measure_drift, sampled_drift

players = st.dictionaries(
    st.sampled_from([f"u{i}" for i in range(12)]),
    st.tuples(st.integers(min_value=1, max_value=50), st.booleans()),
    max_size=12,
)
cache_errors = st.dictionaries(
    st.sampled_from([f"u{i}" for i in range(12)]),
    st.one_of(st.none(), st.integers(min_value=1, max_value=50)),
    max_size=12,
)


@given(players, cache_errors)
def test_a_whole_population_sample_finds_the_full_pass_drift(
    population: dict[str, tuple[int, bool]], errors: dict[str, int | None]
) -> None:
    scores = [
        PlayerScore(user_id=u, xp=xp, xp_at=None, listed=listed)
        for u, (xp, listed) in population.items()
    ]
    truth = board_truth(scores, ALLTIME)
    cached: dict[str, int] = dict(truth)
    for user_id, wrong in errors.items():
        if user_id not in population:
            continue  # a stray outside the index: only the full pass can see it
        if wrong is None:
            cached.pop(user_id, None)
        else:
            cached[user_id] = wrong

    full = measure_drift(cached, truth)
    sampled = sampled_drift(scores, ALLTIME, {u: cached.get(u) for u in population})

    assert sampled == full
