"""The levelling curve's two functions are exact inverses (the seed's were off by one)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.domain.levels import level_from_xp, level_progress, xp_for_level

LEVELS = st.integers(min_value=1, max_value=10_000)
XP = st.integers(min_value=0, max_value=10**13)


@settings(max_examples=500, deadline=None)
@given(LEVELS)
def test_threshold_reaches_the_level_and_one_below_does_not(level: int) -> None:
    threshold = xp_for_level(level)
    assert level_from_xp(threshold) == level
    assert level_from_xp(threshold - 1) == level - 1


@settings(max_examples=300, deadline=None)
@given(LEVELS)
def test_xp_for_level_is_floor_of_100_times_level_to_the_1_5(level: int) -> None:
    """``floor(100 * L**1.5)`` is the ``x`` with ``x**2 <= 10_000 * L**3 < (x + 1)**2``."""
    xp = xp_for_level(level)
    assert xp**2 <= 10_000 * level**3 < (xp + 1) ** 2


@settings(max_examples=300, deadline=None)
@given(XP, XP)
def test_level_is_monotone_in_xp(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert level_from_xp(low) <= level_from_xp(high)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_thresholds_strictly_increase(level: int) -> None:
    assert xp_for_level(level) < xp_for_level(level + 1)


@settings(max_examples=300, deadline=None)
@given(XP)
def test_level_is_the_largest_whose_threshold_is_reached(xp: int) -> None:
    level = level_from_xp(xp)
    assert xp_for_level(level) <= xp < xp_for_level(level + 1)


@settings(max_examples=300, deadline=None)
@given(XP)
def test_progress_adds_up(xp: int) -> None:
    progress = level_progress(xp)
    assert progress.xp_into_level + progress.xp_needed == progress.level_span
    assert 0 <= progress.fraction < 1
    assert progress.xp_needed > 0
