"""The friend board equals a plain sort: more XP first, then the earlier second, then the lower
user id, with ``RANK()`` ranks (1 + how many have strictly more XP)."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gamification.domain.boards import encode_score, seconds_since_epoch
from gamification.domain.friend_boards import Scored, friend_board, xp_of
from gamification.domain.xp import MAX_XP

START = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)

players = st.dictionaries(
    st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=6),
    st.tuples(
        st.sampled_from([1, 2, 100, MAX_XP - 1, MAX_XP]),  # few values: many ties
        st.integers(0, 4_000),  # milliseconds: several players inside one second
    ),
    max_size=40,
)


@given(players)
def test_the_board_is_a_plain_sort_ranked_like_sql_rank(
    drawn: dict[str, tuple[int, int]],
) -> None:
    reached = {u: START + timedelta(milliseconds=ms) for u, (_, ms) in drawn.items()}
    scored = [Scored(u, encode_score(xp, reached[u])) for u, (xp, _) in drawn.items()]

    entries = friend_board(reversed(scored))

    expected = sorted(drawn, key=lambda u: (-drawn[u][0], seconds_since_epoch(reached[u]), u))
    assert [e.user_id for e in entries] == expected
    for entry in entries:
        assert entry.xp == drawn[entry.user_id][0]
        assert entry.rank == 1 + sum(1 for xp, _ in drawn.values() if xp > entry.xp)


@given(st.integers(0, MAX_XP), st.integers(0, 10**9))
def test_the_xp_of_a_score_is_the_xp_it_encodes(xp: int, seconds: int) -> None:
    assert xp_of(encode_score(xp, START + timedelta(seconds=seconds))) == xp
