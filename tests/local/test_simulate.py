"""The simulation's population model and the CLI's rendering (no network)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from gamification.cli import simulate as sim
from gamification.cli.render import bar, table

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_the_plan_is_reproducible_heavy_tailed_and_inside_the_window() -> None:
    activities = sim.plan(300, 3, NOW, seed=11)
    assert activities == sim.plan(300, 3, NOW, seed=11)
    assert activities != sim.plan(300, 3, NOW, seed=12)

    per_user = sorted(Counter(a.user_id for a in activities).values(), reverse=True)
    top_fifth = sum(per_user[: len(per_user) // 5])
    assert top_fifth > 0.4 * len(activities)  # a few heavy users, a long tail
    assert all(NOW - sim.oldest_offset(3) <= a.occurred_at <= NOW for a in activities)
    kinds = Counter(a.type for a in activities)
    assert set(kinds) == set(sim.MIX)
    assert kinds["post_read"] > kinds["comment_left"] > kinds["series_completed"]
    reads = [a.object_id for a in activities if a.type == "post_read"]
    assert len(set(reads)) < len(reads)  # popular posts are read again (and earn once)


def test_days_past_the_back_dating_window_are_refused() -> None:
    sim.check_window(2, 48)
    with pytest.raises(ValueError, match="GAMIFY_MAX_BACKDATE_HOURS="):
        sim.check_window(3, 48)
    sim.check_window(7, 200)


def test_user_batches_hold_25_of_one_user_and_service_types_go_alone() -> None:
    at = NOW - timedelta(hours=1)
    activities = [sim.PlannedActivity("u1", "post_read", f"p{i}", at) for i in range(30)]
    activities.append(sim.PlannedActivity("u1", "challenge_solved", "c1", at))
    units = sim._units(activities, via_user_batches=True)
    assert sorted((kind, len(items)) for kind, items in units) == [
        ("batch", 5),
        ("batch", 25),
        ("service", 1),
    ]
    assert all(kind == "service" for kind, _ in sim._units(activities, via_user_batches=False))
    assert activities[-1].body(with_user=True)["user_id"] == "u1"
    assert "user_id" not in activities[0].body(with_user=False)


def test_tables_align_columns_and_numbers_right() -> None:
    text = table(["rank", "user"], [(1, "ada"), (10, "bob")]).splitlines()
    assert text == ["rank  user", "----  ----", "   1  ada", "  10  bob"]
    assert bar(0.5, 10) == "#####....."
    assert bar(2.0, 4) == "####"
