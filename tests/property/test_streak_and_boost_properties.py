"""Streak tracks are a function of the set of active days; boosts of the occurrence time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.domain.boosts import Boost, best_boost, boosted_xp
from gamification.domain.streaks import StreakTrack

FIRST = date(2026, 1, 1)
DAYS = st.lists(st.integers(0, 120).map(lambda n: FIRST + timedelta(days=n)), max_size=60)


def _runs_of(days: set[date]) -> list[tuple[date, date]]:
    """Maximal runs of consecutive days, computed the obvious way."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] == day - timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _track(days: list[date]) -> StreakTrack:
    track = StreakTrack()
    for day in days:
        track = track.with_day(day)
    return track


@settings(max_examples=200, deadline=None)
@given(DAYS, st.randoms(use_true_random=False), st.integers(1, 10))
def test_track_depends_only_on_the_set_of_days(days: list[date], rnd: Random, every: int) -> None:
    shuffled = list(days)
    rnd.shuffle(shuffled)
    track = _track(days)
    assert track == _track(shuffled)
    runs = _runs_of(set(days))
    assert [(r.start, r.end) for r in track.runs] == runs
    lengths = [(end - start).days + 1 for start, end in runs]
    assert track.longest == max(lengths, default=0)
    assert track.current_run == (lengths[-1] if lengths else 0)
    assert track.milestones(every) == sum(n // every for n in lengths)


@settings(max_examples=200, deadline=None)
@given(DAYS, st.integers(0, 120), st.integers(1, 10))
def test_folding_keeps_longest_and_milestones(days: list[date], cut: int, every: int) -> None:
    """The transition folds up to ``history_days`` before the last active day, never past it."""
    track = _track(days)
    keep_after = FIRST + timedelta(days=cut)
    if track.last_day is not None:
        keep_after = min(keep_after, track.last_day)
    folded = track.folded(keep_after, every)
    assert folded.longest == track.longest
    assert folded.milestones(every) == track.milestones(every)
    assert folded.last_day == track.last_day


@settings(max_examples=200, deadline=None)
@given(DAYS, DAYS, st.integers(1, 10))
def test_milestones_never_decrease_as_days_are_added(
    before: list[date], added: list[date], every: int
) -> None:
    """Why awarding the difference after each batch gives the same total in any order."""
    assert _track(before + added).milestones(every) >= _track(before).milestones(every)


MULTIPLIERS = st.decimals(min_value=Decimal("1.01"), max_value=Decimal(10), places=2)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 100_000), MULTIPLIERS)
def test_boosted_xp_is_the_exact_floor(base: int, multiplier: Decimal) -> None:
    boost = Boost(
        id="b",
        multiplier=multiplier,
        starts_at=datetime(2026, 1, 1, tzinfo=UTC),
        ends_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    exact = Fraction(base) * Fraction(multiplier)
    assert boosted_xp(base, boost) == exact.numerator // exact.denominator


@settings(max_examples=100, deadline=None)
@given(st.lists(MULTIPLIERS, min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_best_boost_ignores_the_order_boosts_are_listed_in(
    multipliers: list[Decimal], rnd: Random
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    boosts = [
        Boost(id=f"b{i}", multiplier=m, starts_at=start, ends_at=start + timedelta(days=1))
        for i, m in enumerate(multipliers)
    ]
    shuffled = list(boosts)
    rnd.shuffle(shuffled)
    chosen = best_boost(boosts, "post_read", start)
    assert chosen == best_boost(shuffled, "post_read", start)
    assert chosen is not None
    assert chosen.multiplier == max(multipliers)
