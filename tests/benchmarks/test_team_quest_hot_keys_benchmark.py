"""The team-quest hot-key benchmark's counting (``python -m benchmarks team_quest_hot_keys``):
every activity raises its user's contribution once, on its user's shard of its team, and the
big team's writes spread over the shards."""

from __future__ import annotations

from benchmarks import team_quest_hot_keys as bench
from gamification.adapters import keys


def test_every_activity_is_one_raise_on_its_users_shard() -> None:
    table = bench.one_second()
    assert sum(table.writes.values()) == bench.ACTIVITIES * 3 * bench.WRITE_UNITS
    big = {k: v for k, v in table.writes.items() if k.startswith("TQUEST#big#")}
    raises = sum(big.values()) // (2 * bench.WRITE_UNITS)
    assert 905 <= raises <= 1095  # ≈ 10 % of the activities (3 sigma)
    assert len(big) == keys.TEAM_QUEST_SHARDS
    assert max(big.values()) < 2 * (sum(big.values()) / keys.TEAM_QUEST_SHARDS)


def test_the_report_names_the_hot_keys() -> None:
    report = bench.run()
    assert "busiest of big's 16 shards" in report
