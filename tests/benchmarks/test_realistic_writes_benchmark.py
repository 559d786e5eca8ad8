"""The realistic-traffic bill benchmark measures what it says (a small month, both layouts)."""

from __future__ import annotations

from benchmarks import realistic_writes as bench
from gamification.domain.game_rules import default_game_rules


def test_the_before_layout_pays_every_item_the_new_one_avoids() -> None:
    before = bench.simulate(bench.BEFORE, users=12, days=8)
    after = bench.simulate(bench.AFTER, users=12, days=8)
    assert before.activities == after.activities > 50
    # Before: every commit a transaction (marker 2 units), a counter write per request, GSI2
    # rewritten on every XP change.
    assert before.units["marker"] == 2.0
    assert before.units["budget"] == 1.0
    assert before.units["GSI2 (players)"] == 1.0
    # Now: plain marker puts on most commits, no counter write, GSI2 keys only.
    assert 1.0 <= after.units["marker"] < 1.5
    assert after.units["budget"] == 0.0
    assert after.units["GSI2 (players)"] < 0.1
    assert after.total < before.total / 2


def test_batches_hold_one_activity_per_user() -> None:
    activities = bench.traffic(20, 3)
    batches = list(bench.batches(activities))
    assert sum(len(b) for b in batches) == len(activities)
    assert all(len({a.user_id for a in b}) == len(b) <= bench.BATCH_SIZE for b in batches)


def test_the_default_wallet_rules_add_a_ledger_item_per_credit() -> None:
    """The default data earns gems (badges, quests, levels): their ledger items are the only
    difference from the engine's bill without earning rules."""
    rules = default_game_rules()
    engine = bench.simulate(bench.AFTER, users=12, days=8, rules=bench.without_earning(rules))
    earning = bench.simulate(bench.AFTER, users=12, days=8, rules=rules)
    assert engine.units.get("wallet ledger", 0.0) == 0.0
    assert earning.units["wallet ledger"] > 0
    assert earning.total > engine.total
    assert earning.units["marker"] == engine.units["marker"]
