"""Cheating flags: the outlier rule and the hold it puts on a league close."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gamification.domain.cheating import OutlierRule, outliers
from gamification.domain.leagues import LeagueRules, Standing, close_cohort

RULE = OutlierRule()
RULES = LeagueRules()
WEEK = "2026-W48"

week_xp = st.lists(st.integers(min_value=0, max_value=50_000), min_size=1, max_size=30)


def _board(xps: list[int]) -> dict[str, int]:
    return {f"u{i}": xp for i, xp in enumerate(xps)}


def test_a_minute_of_2300_xp_in_a_quiet_cohort_is_flagged() -> None:
    board = {"cheat": 2_300, **{f"u{i}": 60 + i for i in range(20)}}
    assert outliers(board, RULE) == {"cheat"}


def test_a_busy_cohort_flags_nobody_and_a_disabled_rule_flags_nobody() -> None:
    assert outliers({f"u{i}": 3_000 + i for i in range(20)}, RULE) == frozenset()
    assert (
        outliers({"cheat": 9_999, "a": 1, "b": 1}, RULE.model_copy(update={"enabled": False}))
        == frozenset()
    )


@given(week_xp, st.randoms(use_true_random=False))
def test_the_same_board_in_any_order_flags_the_same_members(xps: list[int], rnd: object) -> None:
    items = list(_board(xps).items())
    rnd.shuffle(items)  # type: ignore[attr-defined]
    assert outliers(dict(items), RULE) == outliers(_board(xps), RULE)


@given(week_xp)
def test_fewer_than_half_of_a_cohort_is_ever_flagged_and_only_above_the_floor(
    xps: list[int],
) -> None:
    flagged = outliers(_board(xps), RULE)
    assert 2 * len(flagged) < len(xps) or not flagged
    assert all(_board(xps)[u] >= RULE.min_xp for u in flagged)


@given(week_xp, st.integers(min_value=0, max_value=100_000))
def test_earning_more_never_clears_a_flag(xps: list[int], more: int) -> None:
    board = _board(xps)
    for user_id in outliers(board, RULE):
        assert user_id in outliers({**board, user_id: board[user_id] + more}, RULE)


@given(week_xp, st.integers(min_value=0, max_value=9), st.data())
def test_a_hold_changes_others_only_by_handing_on_a_vacated_promotion_slot(
    xps: list[int], tier: int, data: st.DataObject
) -> None:
    standings = [Standing(u, xp) for u, xp in _board(xps).items()]
    held = frozenset(data.draw(st.sets(st.sampled_from([s.user_id for s in standings]))))
    free = close_cohort(WEEK, tier, standings, RULES)
    holding = close_cohort(WEEK, tier, standings, RULES, held)
    # The held keep their tier, and keep their displayed rank.
    assert all(holding[u].to_tier == tier and holding[u].rank == free[u].rank for u in held)
    vacated = sum(1 for u in held if free[u].to_tier > tier)
    gained = [u for u in free if u not in held and holding[u] != free[u]]
    # Every other change is a promotion into a vacated slot, and no more than were vacated.
    assert all(holding[u].to_tier == tier + 1 and holding[u].rank == free[u].rank for u in gained)
    # A tie never splits, so members tied at the new cut all gain: one XP value per slot.
    assert len({free[u].xp for u in gained}) <= vacated


def test_the_held_leader_s_slot_goes_to_the_next_member() -> None:
    standings = [Standing("cheat", 9_000), *(Standing(f"u{i}", 100 - i) for i in range(9))]
    outcomes = close_cohort(WEEK, 3, standings, RULES, frozenset({"cheat"}))
    # 10 members with XP: ceil(20 %) = 2 promoted: u0 and u1, the leader stays in tier 3.
    assert {u for u, o in outcomes.items() if o.to_tier == 4} == {"u0", "u1"}
    assert outcomes["cheat"].to_tier == 3
    assert outcomes["cheat"].rank == 1
