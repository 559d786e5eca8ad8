"""The rule-evaluation benchmark measures what it says: a 200-badge catalog of every criterion
kind the engine takes (within the catalog's limits), activities whose attributes the catalog
accepts, and quests of every counting kind, each with its own window (not its figures)."""

from __future__ import annotations

from benchmarks.domain_transition import workload
from benchmarks.rule_evaluation import (
    measure,
    rich_catalog,
    rich_quests,
    rules_for,
    with_attributes,
)
from gamification.domain.criteria_check import catalog_problem
from gamification.domain.transition import Rejection, check


def test_the_catalog_holds_every_kind_of_criterion_and_tiered_badges_within_limits() -> None:
    catalog = rich_catalog(200)

    kinds = {badge.criteria.type for badge in catalog}
    assert len(catalog) == 200
    assert catalog_problem(catalog) is None
    assert {"posts_read", "attribute_sum", "distinct_count", "count_in_window", "all"} <= kinds
    assert any(b.criteria.where for b in catalog if hasattr(b.criteria, "where"))
    assert sum(1 for b in catalog if b.levels) >= 20
    quests = rich_quests(100)
    assert sum(1 for q in quests if getattr(q.criteria, "where", None)) == 25
    assert sum(1 for q in quests if q.counted_type is None) == 25  # XP quests
    assert len({(q.starts_at, q.ends_at) for q in quests}) == 100  # no two share a window


def test_the_activities_carry_attributes_the_rules_accept() -> None:
    rules = rules_for(10)
    batches = with_attributes(workload(2, 0, seed=1))
    reads = [a for items, _ in batches for a in items if a.type == "post_read"]

    assert reads
    assert all(set(a.attributes) == {"category", "minutes", "premium"} for a in reads)
    assert not any(isinstance(check(a, "bench-user", rules), Rejection) for a in reads)


def test_measure_reports_each_case() -> None:
    history = with_attributes(workload(1, 0, seed=1))
    timed = with_attributes(workload(1, 1, seed=2))

    medians = measure({"a": rules_for(10), "b": rules_for(20, quests=3)}, history, timed, runs=1)

    assert set(medians) == {"a", "b"}
    assert all(v > 0 for v in medians.values())
