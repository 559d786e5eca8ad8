"""The streamed pass's top-N heap gives the snapshot the all-in-memory ranking gave."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gamification.adapters.player_score import ALLTIME, PlayerScore
from gamification.services.board_truth import TopN, pages, top_entries

START = datetime(2026, 11, 1, tzinfo=UTC)

population = st.dictionaries(
    st.sampled_from([f"u{i:02d}" for i in range(40)]),
    st.tuples(
        st.integers(min_value=1, max_value=6),  # few XP values: many ties
        st.integers(min_value=0, max_value=3),  # few minutes: exact ties too
        st.booleans(),
    ),
    max_size=40,
)


def _scores(players: dict[str, tuple[int, int, bool]]) -> list[PlayerScore]:
    """The drawn players (some without a name: a snapshot entry may have none)."""
    return [
        PlayerScore(
            user_id=u,
            xp=xp,
            xp_at=START + timedelta(minutes=minute),
            display_name=None if xp % 2 else u.upper(),
            listed=listed,
        )
        for u, (xp, minute, listed) in players.items()
    ]


@given(population, st.integers(min_value=0, max_value=12), st.integers(min_value=1, max_value=7))
def test_the_heap_of_n_ranks_as_the_full_sort(
    players: dict[str, tuple[int, int, bool]], size: int, page: int
) -> None:
    scores = _scores(players)
    top = TopN(ALLTIME, size)
    for chunk in pages(scores, page):
        top.offer(chunk)

    assert top.entries() == top_entries(scores, ALLTIME, size)


@given(population, st.integers(min_value=1, max_value=12))
def test_a_player_read_twice_counts_by_the_later_read(
    players: dict[str, tuple[int, int, bool]], size: int
) -> None:
    scores = _scores(players)
    raised = [PlayerScore(user_id=p.user_id, xp=p.xp + 10, xp_at=p.xp_at) for p in scores[:3]]
    top = TopN(ALLTIME, size)
    top.offer(scores)
    top.offer(raised)  # e.g. re-keyed to a higher shard and read again, with more XP

    latest = {p.user_id: p for p in [*scores, *raised]}
    assert top.entries() == top_entries(latest.values(), ALLTIME, size)


@given(population, st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=40))
def test_a_heap_saved_and_restored_mid_stream_ends_as_the_uninterrupted_one(
    players: dict[str, tuple[int, int, bool]], size: int, cut: int
) -> None:
    """A paused pass saves its heaps as JSON; the resumed pass goes on from the restored ones."""
    scores = _scores(players)
    whole = TopN(ALLTIME, size)
    whole.offer(scores)
    first = TopN(ALLTIME, size)
    first.offer(scores[:cut])

    saved = json.loads(json.dumps(first.state()))
    resumed = TopN.restore(ALLTIME, size, saved)
    resumed.offer(scores[cut:])
    for top in (resumed, whole):
        top.offer(scores[:cut][-1:])  # read again after the pause: counts by the later read

    assert resumed.entries() == whole.entries()
    assert resumed.listed == whole.listed
