"""Levelling curve: the seed's numbers, exact inverses, level 0 and progress-bar fields."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gamification.domain.levels import level_from_xp, level_progress, xp_for_level
from gamification.domain.state import UserState


@pytest.mark.parametrize(
    ("level", "xp"),
    [(0, 0), (1, 100), (2, 282), (3, 519), (10, 3162), (20, 8944), (50, 35355)],
)
def test_thresholds_match_the_seed(level: int, xp: int) -> None:
    assert xp_for_level(level) == xp


def test_every_threshold_up_to_10000_gives_its_level() -> None:
    """The seed's float inverse returned L-1 for 999 of the first 1,000 thresholds."""
    wrong = [
        level
        for level in range(1, 10_001)
        if level_from_xp(xp_for_level(level)) != level
        or level_from_xp(xp_for_level(level) - 1) != level - 1
    ]
    assert wrong == []


@pytest.mark.parametrize(("xp", "level"), [(0, 0), (1, 0), (99, 0), (100, 1), (281, 1), (282, 2)])
def test_level_zero_below_100_xp(xp: int, level: int) -> None:
    assert level_from_xp(xp) == level


def test_exact_far_beyond_float_precision() -> None:
    level = 10**9
    assert level_from_xp(xp_for_level(level)) == level
    assert level_from_xp(xp_for_level(level) - 1) == level - 1


@pytest.mark.parametrize("function", [xp_for_level, level_from_xp])
def test_negative_input_is_an_error(function: Callable[[int], int]) -> None:
    with pytest.raises(ValueError, match=">= 0"):
        function(-1)


def test_progress_inside_a_level() -> None:
    progress = level_progress(150)
    assert (progress.level, progress.level_floor_xp, progress.next_level_xp) == (1, 100, 282)
    assert progress.xp_into_level == 50
    assert progress.xp_needed == 132
    assert progress.level_span == 182
    assert progress.fraction == pytest.approx(50 / 182)


def test_progress_below_level_one() -> None:
    progress = level_progress(40)
    assert (progress.level, progress.level_floor_xp, progress.next_level_xp) == (0, 0, 100)
    assert (progress.xp_into_level, progress.xp_needed) == (40, 60)
    assert progress.fraction == pytest.approx(0.4)


def test_progress_exactly_at_a_threshold_starts_the_level_empty() -> None:
    progress = level_progress(3162)
    assert progress.level == 10
    assert progress.xp_into_level == 0
    assert progress.fraction == 0
    assert progress.xp_needed == xp_for_level(11) - 3162


def test_state_level_follows_xp() -> None:
    assert UserState(user_id="u", xp=99).level == 0
    assert UserState(user_id="u", xp=100).level == 1
    assert UserState(user_id="u", xp=35355).level == 50
