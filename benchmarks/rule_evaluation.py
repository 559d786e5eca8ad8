"""Rule evaluation CPU with the second criteria language (issue #32): 200 badges vs 10.

The catalog mixes every kind of criterion the engine now takes (plain counters, `where`
filters, attribute sums, distinct counts, "N in D days" windows, `all`/`any`, tiered levels),
within the catalog's own limits (≤ 40 tallies, 4 distinct, 4 windows), and the activities carry
attributes (a category, minutes, premium). Reported as a ratio in one run (the figures are CPU
time on a shared machine; the ratio is what stays comparable): the cost of 200 badges over 10,
and of 100 live quests on top (each with its own window; plain, filtered, comment and XP
quests), which the quest index (``domain.quests.QuestIndex``) keeps near the no-quest cost.
Same workload and method as ``domain_transition`` (``time.process_time``, GC paused, cases
interleaved, median of runs).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.domain_transition import (
    BATCH_SIZE,
    HISTORY_DAYS,
    TIMED_DAYS,
    Batch,
    cpu_seconds_per_activity,
    replay,
    workload,
)
from gamification.domain.badges import BadgeCatalog, parse_badge
from gamification.domain.catalog import load_event_catalog
from gamification.domain.game_rules import GameRules
from gamification.domain.quests import QuestCatalog, parse_quest
from gamification.domain.state import UserSettings, UserState

RUNS = 5
QUESTS = 100
CATEGORIES = ("python", "go", "rust", "sql", "web")
TALLY_KINDS = 8
"""Distinct criteria shapes below: tallies are shared by badges counting the same thing."""

_KINDS: tuple[Callable[[int], dict[str, Any]], ...] = (
    lambda n: {"type": "posts_read", "count": 5 * n},
    lambda n: {"type": "posts_read", "count": 2 * n, "where": {"category": "python"}},
    lambda n: {
        "type": "event_count",
        "event_type": "post_read",
        "count": n,
        "where": {"category": {"in": ["go", "rust"]}, "minutes": {"gte": 10}},
    },
    lambda n: {
        "type": "attribute_sum",
        "event_type": "post_read",
        "attribute": "minutes",
        "total": 100 * n,
    },
    lambda n: {
        "type": "distinct_count",
        "event_type": "post_read",
        "attribute": "category",
        "count": min(5, 1 + n % 5),
    },
    lambda n: {"type": "count_in_window", "event_type": "post_read", "count": 3 + n, "days": 7},
    lambda n: {"type": "xp_total", "count": 250 * n * n},
    lambda n: {
        "type": "all",
        "of": [
            {"type": "streak", "count": 2 + n},
            {
                "type": "any",
                "of": [
                    {"type": "level_reached", "level": n},
                    {"type": "posts_read", "count": 3 * n},
                ],
            },
        ],
    },
)


def rich_catalog(count: int) -> BadgeCatalog:
    """``count`` badges over every criterion kind; every fifth one tiered (3 levels)."""
    badges = []
    for i in range(count):
        n = 1 + i // len(_KINDS)
        criteria = _KINDS[i % len(_KINDS)](n)
        extra: dict[str, Any] = {}
        target_field = "total" if criteria["type"] == "attribute_sum" else "count"
        if i % 5 == 0 and criteria["type"] in {"posts_read", "xp_total", "attribute_sum"}:
            first = criteria[target_field]
            extra["levels"] = [
                {"name": "Bronze", "target": first},
                {"name": "Silver", "target": first * 5},
                {"name": "Gold", "target": first * 25},
            ]
        badges.append(
            parse_badge(
                {
                    "id": f"rich-{i}",
                    "name": f"Rich {i}",
                    "description": "A benchmark badge.",
                    "icon": "icons/x.svg",
                    "criteria": criteria,
                    **extra,
                }
            )
        )
    return BadgeCatalog(badges=tuple(badges))


def _quest_criteria(i: int) -> dict[str, Any]:
    """Plain reads, reads filtered by one of the categories, comments and XP, in turn."""
    kind = i % 4
    if kind == 0:
        return {"type": "posts_read", "count": 10**6}
    if kind == 1:
        return {"type": "posts_read", "count": 10**6, "where": {"category": CATEGORIES[i % 5]}}
    if kind == 2:
        return {"type": "event_count", "event_type": "comment_left", "count": 10**6}
    return {"type": "xp_total", "count": 10**9}


def rich_quests(count: int) -> QuestCatalog:
    """``count`` quests live over the whole workload and out of reach, each with its own window
    (quests sharing a counter and a window would be counted as one group, which would flatter
    the index): a quarter each of plain reads, filtered reads, comments and XP."""
    first_start = datetime(2000, 1, 1, tzinfo=UTC)
    last_end = datetime(2100, 1, 1, tzinfo=UTC)
    return QuestCatalog(
        quests=tuple(
            parse_quest(
                {
                    "id": f"q{i}",
                    "name": f"Quest {i}",
                    "description": "A benchmark quest.",
                    "starts_at": (first_start + timedelta(days=i)).isoformat(),
                    "ends_at": (last_end - timedelta(days=i)).isoformat(),
                    "criteria": _quest_criteria(i),
                    "reward_xp": 25,
                }
            )
            for i in range(count)
        )
    )


def with_attributes(batches: list[Batch]) -> list[Batch]:
    """The workload's reads carry a category, minutes and premium (a function of the post)."""
    out: list[Batch] = []
    for items, now in batches:
        changed = tuple(
            a.model_copy(
                update={
                    "attributes": {
                        "category": CATEGORIES[zlib.crc32(a.object_id.encode()) % len(CATEGORIES)],
                        "minutes": len(a.object_id) * 3 % 60,
                        "premium": len(a.object_id) % 2 == 0,
                    }
                }
            )
            if a.type == "post_read"
            else a
            for a in items
        )
        out.append((changed, now))
    return out


def rules_for(badges: int, quests: int = 0) -> GameRules:
    rules = GameRules(events=load_event_catalog(), badges=rich_catalog(badges))
    return rules.with_quests(rich_quests(quests)) if quests else rules


def measure(
    cases: dict[str, GameRules], history: list[Batch], timed: list[Batch], runs: int = RUNS
) -> dict[str, float]:
    """Median CPU seconds per activity of each case, the cases interleaved run by run."""
    starts = {
        name: replay(
            UserState.new("bench-user", UserSettings(timezone="Europe/Berlin")), history, rules
        )
        for name, rules in cases.items()
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, rules in cases.items():
            samples[name].append(cpu_seconds_per_activity(starts[name], timed, rules))
    return {name: sorted(values)[len(values) // 2] for name, values in samples.items()}


def run() -> str:
    history = with_attributes(workload(HISTORY_DAYS, 0, seed=1))
    timed = with_attributes(workload(TIMED_DAYS, HISTORY_DAYS, seed=2))
    cases = {
        "10 badges": rules_for(10),
        "200 badges": rules_for(200),
        "200 badges + 100 live quests": rules_for(200, quests=QUESTS),
    }
    medians = measure(cases, history, timed)
    tallies = len(cases["200 badges"].badges.tallies.keep)
    ten, two_hundred, quests = (medians[name] * 1e6 for name in cases)
    lines = [
        "## Rule evaluation: 200 badges of the second criteria language vs 10",
        "",
        f"Batches of {BATCH_SIZE}, reads with attributes; the 200-badge catalog holds "
        f"{tallies} live tallies (filters, sums, distinct counts, windows) and tiered badges; "
        f"median of {RUNS} interleaved runs of `time.process_time`.",
        "",
        "| case | CPU µs/activity (median) |",
        "|---|---|",
        *(f"| {name} | {medians[name] * 1e6:.1f} |" for name in cases),
        "",
        f"- **200 vs 10 badges: {two_hundred / ten:.2f}x** (same run)",
        f"- **{QUESTS} live quests vs no quest (200 badges): {quests:.1f} vs "
        f"{two_hundred:.1f} µs, {quests / two_hundred:.2f}x** (same run; the issue's target "
        f"is ≤ 25 µs on its machine)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
