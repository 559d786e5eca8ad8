"""League rules: zone sizes for every cohort size, ranks with ties, tier limits, idempotence."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from gamification.domain.leagues import (
    LeagueRules,
    LeagueState,
    Movement,
    Outcome,
    Standing,
    apply_outcome,
    close_cohort,
    join,
    load_league_rules,
    may_join,
    result_message,
    seat_shards,
    zones,
)

RULES = LeagueRules()
WEEK = "2026-W48"


def test_shipped_rules_are_the_documented_defaults() -> None:
    rules = load_league_rules()
    assert rules == RULES
    assert [t.name for t in rules.all_tiers][:3] == ["Bronze", "Silver", "Gold"]
    assert rules.tier(9).name == "Diamond"
    assert rules.cohort_size == 30


@pytest.mark.parametrize("size", range(1, 31))
def test_zones_for_every_cohort_size_when_all_earned(size: int) -> None:
    zone = zones(size, size, RULES)
    assert zone.promote == max(1, math.ceil(size * 0.2))
    assert zone.demote == math.floor(size * 0.2)
    assert zone.promote + zone.demote <= size


@pytest.mark.parametrize("size", range(1, 31))
def test_closing_a_full_cohort_of_distinct_xp_moves_exactly_the_zones(size: int) -> None:
    standings = [Standing(f"u{i}", (size - i) * 10) for i in range(size)]
    outcomes = close_cohort(WEEK, 3, standings, RULES)
    moved = [outcomes[f"u{i}"].movement for i in range(size)]
    promote, demote = max(1, math.ceil(size * 0.2)), size // 5
    assert moved[:promote] == [Movement.PROMOTED] * promote
    assert moved[size - demote :] == [Movement.DEMOTED] * demote
    assert set(moved[promote : size - demote]) <= {Movement.STAYED}
    assert [outcomes[f"u{i}"].rank for i in range(size)] == list(range(1, size + 1))


@pytest.mark.parametrize("size", range(1, 31))
def test_an_all_zero_week_moves_nobody(size: int) -> None:
    outcomes = close_cohort(WEEK, 4, [Standing(f"u{i}", 0) for i in range(size)], RULES)
    assert {o.movement for o in outcomes.values()} == {Movement.STAYED}
    assert {o.rank for o in outcomes.values()} == {1}


def test_promotion_counts_only_members_who_earned_xp() -> None:
    # 10 members, 3 earned: ceil(20 % of 3) = 1 promoted; floor(20 % of 10) = 2 demoted, but the
    # 7 at zero share rank 4, which is not below rank 8: ties on the boundary are spared.
    standings = [Standing("a", 50), Standing("b", 40), Standing("c", 30)] + [
        Standing(f"z{i}", 0) for i in range(7)
    ]
    outcomes = close_cohort(WEEK, 2, standings, RULES)
    assert outcomes["a"].movement is Movement.PROMOTED
    assert outcomes["b"].movement is Movement.STAYED
    assert {outcomes[f"z{i}"].rank for i in range(7)} == {4}
    assert all(outcomes[f"z{i}"].movement is Movement.STAYED for i in range(7))


def test_ties_share_a_rank_and_never_split_a_zone() -> None:
    standings = [Standing("a", 90), Standing("b", 90), Standing("c", 50)] + [
        Standing(f"m{i}", 40 - i) for i in range(5)
    ]  # 8 members: promote ceil(1.6) = 2, demote floor(1.6) = 1
    outcomes = close_cohort(WEEK, 1, standings, RULES)
    assert (outcomes["a"].rank, outcomes["b"].rank, outcomes["c"].rank) == (1, 1, 3)
    assert outcomes["a"].to_tier == outcomes["b"].to_tier == 2
    assert outcomes["m4"].movement is Movement.DEMOTED
    tied_top = [Standing(f"t{i}", 10) for i in range(5)]  # all tied at rank 1: all promoted
    assert {o.movement for o in close_cohort(WEEK, 0, tied_top, RULES).values()} == {
        Movement.PROMOTED
    }


def test_nobody_falls_below_the_first_tier_or_rises_above_the_last() -> None:
    standings = [Standing(f"u{i}", 100 - i) for i in range(10)]
    bottom = close_cohort(WEEK, 0, standings, RULES)
    top = close_cohort(WEEK, 9, standings, RULES)
    assert min(o.to_tier for o in bottom.values()) == 0
    assert max(o.to_tier for o in top.values()) == 9
    assert top["u0"].movement is Movement.STAYED
    assert bottom["u9"].movement is Movement.STAYED


def test_notification_wording() -> None:
    up = Outcome(WEEK, 1, 0, 1, 120)
    down = Outcome(WEEK, 30, 1, 0, 5)
    same = Outcome(WEEK, 7, 2, 2, 60)
    assert result_message(up, RULES)[0] == "Promoted to Silver League!"
    assert result_message(down, RULES)[0] == "Demoted to Bronze League"
    assert result_message(same, RULES)[0] == "You stayed in Gold League"


def test_applying_an_outcome_is_idempotent_and_only_for_its_week() -> None:
    state = join(LeagueState(tier=2), WEEK, 0)
    outcome = Outcome(WEEK, 1, 2, 3, 100)
    once = apply_outcome(state, 0, outcome)
    assert (once.tier, once.closed) == (3, WEEK)
    assert once.result is not None
    assert apply_outcome(once, 0, outcome) == once
    assert apply_outcome(state, 0, Outcome("2026-W47", 1, 2, 3, 100)) == state


def test_joining_needs_xp_this_week_and_a_closed_previous_week() -> None:
    fresh = LeagueState()
    assert may_join(fresh, WEEK, 10)
    assert not may_join(fresh, WEEK, 0)
    joined = join(fresh, WEEK, 0)
    assert not may_join(joined, WEEK, 10)
    assert not may_join(joined, "2026-W49", 10)  # last week's result is not applied yet
    closed = apply_outcome(joined, 0, Outcome(WEEK, 1, 0, 1, 10))
    assert may_join(closed, "2026-W49", 10)


@pytest.mark.parametrize(
    "change",
    [
        {"tiers": []},
        {"tiers": ["Gold", "Gold"]},
        {"cohort_size": 0},
        {"cohort_size": 101},
        {"promote_percent": 60, "demote_percent": 50},
        {"tiers": ["  "]},
        {"unknown": 1},
    ],
)
def test_invalid_rules_are_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        LeagueRules.model_validate({**RULES.model_dump(), **change})


@pytest.mark.parametrize(
    ("joins", "floor", "shards"),
    [
        (0, 1, 1),
        (100, 1, 1),  # a small tier keeps one counter: full cohorts
        (10_000, 1, 1),
        (10_001, 1, 2),
        (50_000, 4, 5),
        (50, 4, 4),  # the setting is a floor
        (5_000_000, 1, 100),  # capped: one BatchGetItem reads a tier's counters
    ],
)
def test_seat_shards_grow_with_the_tiers_joins_from_the_setting(
    joins: int, floor: int, shards: int
) -> None:
    assert seat_shards(joins, floor) == shards
