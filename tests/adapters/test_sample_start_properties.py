"""The drift sample's random start lies between the shard's first and last ids, in order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gamification.adapters.player_directory import between

user_ids = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@:+-",
    min_size=1,
    max_size=40,
)


@given(user_ids, user_ids, st.floats(min_value=0, max_value=1))
def test_the_start_lies_between_the_edges(a: str, b: str, fraction: float) -> None:
    low, high = sorted((a, b))
    start = between(low, high, fraction)
    assert low <= start <= high
    assert start  # a key condition value is never empty
    assert "\0" not in start


@given(st.lists(st.floats(min_value=0, max_value=1), min_size=2, max_size=2, unique=True))
def test_a_larger_fraction_never_starts_earlier(fractions: list[float]) -> None:
    low, high = "user-0000", "user-zzzz"
    first, second = sorted(fractions)
    assert between(low, high, first) <= between(low, high, second)


def test_ids_sharing_a_prefix_spread_over_the_range() -> None:
    starts = {between("user-0001", "user-9999", f / 10)[:6] for f in range(10)}
    assert len(starts) >= 8
