"""Stored cheating flags (domain.flags): the per-minute velocity rule and the outlier evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gamification.domain.cheating import OutlierRule, median, outliers
from gamification.domain.flag_events import flag_reviewed, user_flagged
from gamification.domain.flags import (
    KEPT_MINUTES,
    Flag,
    Review,
    Rule,
    VelocityRule,
    outlier_flags,
    velocity_step,
)
from gamification.domain.leagues import LeagueState, leave_out

NOW = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)
LIMIT = VelocityRule(max_per_minute=5)


def _run(batches: list[list[datetime]], rule: VelocityRule = LIMIT) -> list[Flag]:
    """Commit ``batches`` one after another; the flags raised (an open one blocks the next)."""
    counts: dict[str, int] = {}
    open_flag: Flag | None = None
    raised = []
    for batch in batches:
        counts, flag = velocity_step(counts, batch, rule, open_flag, NOW)
        if flag is not None:
            raised.append(flag)
            open_flag = flag
    return raised


def test_more_than_the_limit_in_one_minute_is_flagged_with_its_evidence() -> None:
    minute = [NOW + timedelta(seconds=s) for s in range(6)]
    [flag] = _run([minute[:3], minute[3:]])
    assert (flag.rule, flag.observed, flag.threshold, flag.window) == (
        Rule.VELOCITY,
        6,
        6,
        "2026-11-27T12:00",
    )


def test_the_limit_itself_and_the_same_count_spread_over_minutes_are_not_flagged() -> None:
    assert _run([[NOW] * 5]) == []
    assert _run([[NOW + timedelta(minutes=m)] * 5 for m in range(10)]) == []
    assert _run([[NOW] * 50], VelocityRule(enabled=False, max_per_minute=5)) == []


def test_the_counts_keep_the_latest_minutes_only() -> None:
    counts: dict[str, int] = {}
    for m in range(10):
        counts, _ = velocity_step(counts, [NOW + timedelta(minutes=m)], LIMIT, None, NOW)
    assert len(counts) == KEPT_MINUTES
    assert min(counts) == "2026-11-27T12:07"


def test_an_open_flag_is_never_raised_again_but_a_cleared_user_can_be_flagged_anew() -> None:
    first = _run([[NOW] * 6, [NOW] * 6])
    assert len(first) == 1
    counts, flag = velocity_step({}, [NOW] * 6, LIMIT, None, NOW)
    assert flag is not None
    # Cleared (no open flag), more in the same minute: no new crossing, no new flag.
    counts, again = velocity_step(counts, [NOW], LIMIT, None, NOW)
    assert again is None
    later = NOW + timedelta(minutes=1)
    _, anew = velocity_step(counts, [later] * 6, LIMIT, None, later)
    assert anew is not None
    assert anew.window == "2026-11-27T12:01"


moments = st.lists(
    st.integers(min_value=0, max_value=KEPT_MINUTES * 60 - 1).map(
        lambda s: datetime(2026, 11, 27, 12, 0, tzinfo=UTC) + timedelta(seconds=s)
    ),
    max_size=40,
)


@given(moments, st.randoms(use_true_random=False), st.integers(min_value=1, max_value=8))
def test_any_order_and_batch_split_within_the_kept_minutes_gives_the_same_verdict(
    received: list[datetime], rng: object, parts: int
) -> None:
    """The flag fires (or not) whatever order and batches the activities commit in, and the
    stored counts are the same: SQS reorders, retries and splits batches."""
    shuffled = list(received)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    cuts = sorted(rng.randint(0, len(shuffled)) for _ in range(parts))  # type: ignore[attr-defined]
    batches = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(shuffled)], strict=True)]
    one = _run([received])
    split = _run(batches)
    assert bool(one) == bool(split)
    busiest = max(
        (sum(1 for r in received if r.replace(second=0) == m.replace(second=0)) for m in received),
        default=0,
    )
    assert bool(one) == (busiest > LIMIT.max_per_minute)


@given(st.lists(st.integers(min_value=0, max_value=50_000), min_size=1, max_size=30))
def test_outlier_flags_are_the_rule_with_evidence_that_explains_them(xps: list[int]) -> None:
    board = {f"u{i}": xp for i, xp in enumerate(xps)}
    rule = OutlierRule(factor=3, min_xp=100)
    raised = outlier_flags("2026-W48", board, rule, NOW)
    assert set(raised) == outliers(board, rule)
    for user, flag in raised.items():
        assert flag.observed == board[user] >= flag.threshold >= rule.min_xp
    # The threshold is the least XP the rule flags in this cohort: one less is not flagged.
    bar = rule.factor * median(list(board.values()))
    for flag in raised.values():
        assert flag.threshold >= rule.min_xp
        assert flag.threshold > bar
        below = flag.threshold - 1
        assert below < rule.min_xp or below <= bar


def test_leaving_a_member_out_closes_their_week_without_a_result_once() -> None:
    seated = LeagueState(tier=3, week="2026-W48", cohort_tier=3, cohort=2)
    left = leave_out(seated, "2026-W48")
    assert (left.tier, left.closed, left.result, left.pending_close) == (3, "2026-W48", None, False)
    assert leave_out(left, "2026-W48") == left
    assert leave_out(seated, "2026-W47") == seated


def test_the_events_of_a_flag_share_its_fact_and_carry_the_evidence() -> None:
    flag = Flag(rule=Rule.OUTLIER, observed=300, threshold=121, window="2026-W48", at=NOW)
    raised, reviewed = user_flagged(flag), flag_reviewed(flag, Review.CLEARED, NOW)
    assert raised.fact == reviewed.fact
    assert raised.data == {
        "flag_rule": "outlier",
        "observed": 300,
        "threshold": 121,
        "flag_window": "2026-W48",
    }
    assert reviewed.data == {"flag_rule": "outlier", "review": "cleared"}
