"""Streak tracks are a function of the set of active days; boosts of the occurrence time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.domain.boosts import Boost, best_boost, boosted_xp
from gamification.domain.freezes import FreezeLedger, FreezeRules, chain, fold
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


# -- streak freezes ------------------------------------------------------------------------------

GRANTS = st.lists(st.integers(0, 120).map(lambda n: FIRST + timedelta(days=n)), max_size=6)
FREEZE_RULES = st.builds(
    FreezeRules, earn_every=st.sampled_from([7, 2, 3]), max_held=st.integers(0, 3)
)


def _ledger(grants: list[date], rules: FreezeRules) -> FreezeLedger:
    ledger = FreezeLedger()
    for day in grants:
        ledger = ledger.with_grant(day, rules)
    return ledger


def _chain_by_hand(days: set[date], grants: list[date], rules: FreezeRules) -> tuple[int, int, int]:
    """(length, held, frozen days) walking every calendar day: the rules read literally."""
    if not days:
        return 0, 0, 0
    per_day: dict[date, int] = {}
    for g in grants:
        per_day[g] = min(rules.max_held, per_day.get(g, 0) + 1)
    held, length, frozen, pending_held = 0, 0, 0, 0
    pending: list[date] = []
    day = min([*days, *per_day]) if per_day else min(days)
    while day <= max(days):
        before = held
        held = min(rules.max_held, held + per_day.get(day, 0))
        if day in days:
            if pending:  # the gap closes: bridged iff every missed day found a freeze
                ok, tentative = _cover(pending, per_day, start_held=pending_held, rules=rules)
                if ok:
                    held, frozen = (
                        min(rules.max_held, tentative + per_day.get(day, 0)),
                        frozen + len(pending),
                    )
                else:
                    length = 0
                pending = []
            length += 1
            if length % rules.earn_every == 0:
                held = min(rules.max_held, held + 1)
        elif length:
            if not pending:
                pending_held = before
            pending.append(day)
        day += timedelta(days=1)
    return length, held, frozen


def _cover(
    missed: list[date], per_day: dict[date, int], start_held: int, rules: FreezeRules
) -> tuple[bool, int]:
    held = start_held
    for day in missed:
        held = min(rules.max_held, held + per_day.get(day, 0))
        if held == 0:
            return False, 0
        held -= 1
    return True, held


@settings(max_examples=300, deadline=None)
@given(DAYS, GRANTS, st.randoms(use_true_random=False), FREEZE_RULES)
def test_freezes_depend_only_on_the_sets_of_days_and_grants(
    days: list[date], grants: list[date], rnd: Random, rules: FreezeRules
) -> None:
    shuffled, shuffled_grants = list(days), list(grants)
    rnd.shuffle(shuffled)
    rnd.shuffle(shuffled_grants)
    one = chain(_track(days), _ledger(grants, rules), rules)
    other = chain(_track(shuffled), _ledger(shuffled_grants, rules), rules)
    assert one == other
    length, held, frozen = _chain_by_hand(set(days), grants, rules)
    assert (one.length, one.held, len(one.frozen)) == (length, held, frozen)
    assert 0 <= one.held <= rules.max_held
    assert one.length <= len(set(days))  # covered days never add to the streak
    assert not {f.day for f in one.frozen} & set(days)


@settings(max_examples=300, deadline=None)
@given(DAYS, FREEZE_RULES)
def test_filling_a_covered_day_gives_its_freeze_back(days: list[date], rules: FreezeRules) -> None:
    before = chain(_track(days), FreezeLedger(), rules)
    for frozen in before.frozen:
        after = chain(_track([*days, frozen.day]), FreezeLedger(), rules)
        assert frozen.day not in {f.day for f in after.frozen}
        assert after.length >= before.length  # the streak only gets longer


@settings(max_examples=300, deadline=None)
@given(DAYS, GRANTS, st.integers(0, 120), FREEZE_RULES)
def test_folding_the_history_keeps_the_freeze_chain(
    days: list[date], grants: list[date], cut: int, rules: FreezeRules
) -> None:
    """Folding runs that ended before ``keep_after`` summarises them without changing the scan:
    the carry is the scan's state after the last folded day, and later grants are kept."""
    track, ledger = _track(days), _ledger(grants, rules)
    if track.last_day is None:
        return
    keep_after = min(FIRST + timedelta(days=cut), track.last_day)
    whole = chain(track, ledger, rules)
    folded_ledger = fold(track, ledger, rules, keep_after)
    folded = chain(track.folded(keep_after, 7), folded_ledger, rules)
    assert (folded.last, folded.length, folded.held, folded.longest) == (
        whole.last,
        whole.length,
        whole.held,
        whole.longest,
    )
    carried = folded_ledger.carry
    assert all(carried is None or d > carried.last for d in folded_ledger.grants)
