"""The team hot-key benchmark's counting (``python -m benchmarks team_hot_keys``): every activity
is one member row of its user's team, once, and a team gets one call per batch it appears in."""

from __future__ import annotations

from benchmarks import team_hot_keys


def test_every_activity_is_counted_once_for_its_team() -> None:
    store = team_hot_keys.one_second()
    assert sum(store.team_rows.values()) == team_hot_keys.ACTIVITIES
    # ≈ 10 % of the users are the big team's members (binomial: 1,000 ± 95 at 3 sigma).
    assert 905 <= store.team_rows["big"] <= 1095
    # One call per batch holding a member: never more than the batches, never more than rows.
    batches = store.rank_calls
    assert store.team_calls["big"] <= batches <= 2 * team_hot_keys.SHARDS + 1
    assert all(store.team_calls[t] <= store.team_rows[t] for t in store.team_calls)
    # Each team call's standing names both boards (all-time and the running week).
    assert sum(store.rank_rows.values()) == 2 * sum(store.team_calls.values())


def test_the_report_names_the_hot_keys() -> None:
    report = team_hot_keys.run()
    assert "`{team:big}`" in report
    assert "busiest of the 16 slots" in report
