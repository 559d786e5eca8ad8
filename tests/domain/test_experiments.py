"""The control group's assignment and the impact report's two-proportion test."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gamification.domain.experiments import (
    Assignment,
    ControlGroup,
    assign,
    bucket,
    draw,
    experience,
    two_proportions,
)

ids = st.text(min_size=1, max_size=40)
shares = st.floats(min_value=0.0, max_value=0.5)
salts = st.text(max_size=16)


@given(ids, salts, shares, shares)
def test_changing_the_share_never_moves_an_assigned_user(
    user: str, salt: str, before: float, after: float
) -> None:
    first = assign(user, ControlGroup(share=before, salt=salt), None)
    assert assign(user, ControlGroup(share=after, salt=salt), first) == first


@given(ids, salts, st.text(min_size=1, max_size=16), shares)
def test_a_new_salt_draws_again(user: str, salt: str, other: str, share: float) -> None:
    recorded = assign(user, ControlGroup(share=share, salt=salt), None)
    again = assign(user, ControlGroup(share=share, salt=salt + other), recorded)
    assert again.salt == salt + other
    assert again.group == draw(user, ControlGroup(share=share, salt=salt + other))


@given(ids, salts, shares, shares)
def test_a_larger_share_only_adds_new_users_to_control(
    user: str, salt: str, one: float, two: float
) -> None:
    small, large = sorted((one, two))
    if draw(user, ControlGroup(share=small, salt=salt)) == "control":
        assert draw(user, ControlGroup(share=large, salt=salt)) == "control"


def test_the_share_is_what_was_asked_and_nobody_is_in_control_when_off() -> None:
    users = [f"user-{i}" for i in range(20_000)]
    control = sum(draw(u, ControlGroup(share=0.1, salt="s")) == "control" for u in users)
    assert 0.09 < control / len(users) < 0.11
    assert all(draw(u, ControlGroup()) == "treatment" for u in users[:2000])
    assert experience(None) == "treatment"
    assert experience(Assignment(group="control")) == "control"


@given(ids, salts)
def test_buckets_are_stable_and_in_range(user: str, salt: str) -> None:
    assert bucket(user, salt) == bucket(user, salt)
    assert 0 <= bucket(user, salt) < 10_000


def test_two_proportions_matches_a_worked_example() -> None:
    # 60/100 vs 40/100: pooled p = 0.5, se = sqrt(0.5*0.5*0.02) = 0.0707, z = 2.828;
    # unpooled se = sqrt(0.24/100 + 0.24/100) = 0.0693, 95 % CI 0.2 ± 1.96 * 0.0693.
    result = two_proportions((60, 100), (40, 100))
    assert result.z == pytest.approx(2.8284, abs=1e-4)
    assert result.p_value == pytest.approx(0.00468, abs=1e-4)
    assert result.low == pytest.approx(0.2 - 1.95996 * 0.069282, abs=1e-4)
    assert result.high == pytest.approx(0.2 + 1.95996 * 0.069282, abs=1e-4)
    assert result.significant


def test_equal_groups_are_not_significant() -> None:
    result = two_proportions((50, 100), (50, 100))
    assert result.difference == 0
    assert not result.significant
    assert result.p_value == pytest.approx(1.0)


def test_empty_groups_are_refused() -> None:
    with pytest.raises(ValueError, match="users"):
        two_proportions((0, 0), (1, 2))


def test_no_false_positives_beyond_the_stated_confidence() -> None:
    """400 experiments where treatment and control retain alike (30 %, 200 users each, seeded
    draws): about 5 % may look significant at 95 %, never many more."""
    import random

    rng = random.Random(20261203)
    flagged = 0
    for _ in range(400):
        treatment = sum(rng.random() < 0.3 for _ in range(200))
        control = sum(rng.random() < 0.3 for _ in range(200))
        flagged += two_proportions((treatment, 200), (control, 200)).significant
    assert flagged / 400 < 0.08


def test_control_users_get_no_reminder() -> None:
    from datetime import UTC, datetime, timedelta

    from gamification.domain.reminders import Skip, plan_reminder
    from gamification.domain.state import UserSettings, UserState

    state = UserState(
        user_id="ann",
        settings=UserSettings(push_enabled=True),
        experiment=Assignment(group="control", salt="s"),
    )
    now = datetime(2026, 11, 27, 20, tzinfo=UTC)
    assert plan_reminder(state, now, timedelta(hours=6)) is Skip.CONTROL_GROUP
    treated = state.model_copy(update={"experiment": Assignment(group="treatment", salt="s")})
    assert plan_reminder(treated, now, timedelta(hours=6)) is Skip.NO_STREAK
