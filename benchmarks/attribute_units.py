"""Billed DynamoDB units per activity for users whose criteria read no attributes, with and
without attribute criteria in the catalog (issue #32: "billed units per activity unchanged").

The same month of realistic traffic (``benchmarks.realistic_writes``: the real consumer,
``ActivityApplier`` and ``UserRepository`` on ``FakeDynamoDB``, which bills as AWS does, index
writes included) runs twice: under the default catalog, and under the default catalog plus
badges reading attribute tallies up to the catalog's limits (40 tallies: filtered counts, sums,
4 distinct counts, 4 windows) on attributes these users never send. A tally an activity does not
match is never written, so their profiles, and so their bill, must be the same: the ratio is a
ratio of counts, exactly 1.00. A third run, the same users sending attributes, shows what the
criteria cost those who do count them (the benchmark can tell the difference).

Run alone with ``python -m benchmarks.attribute_units``.
"""

from __future__ import annotations

import random
from typing import Any

from benchmarks.realistic_writes import AFTER, DAYS, USERS, Bill, simulate
from gamification.domain.activity import Activity
from gamification.domain.badges import BadgeCatalog, parse_badge
from gamification.domain.catalog import CHALLENGE_SOLVED, POST_READ
from gamification.domain.criteria_check import (
    MAX_DISTINCT_TALLIES,
    MAX_TALLIES,
    MAX_WINDOW_TALLIES,
    catalog_problem,
    criterion_problem,
)
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.tallies import TallyKind

CATEGORIES = ("python", "rust", "go", "sql", "devops", "ml", "web", "career")
LANGUAGES = ("python", "rust", "go", "java")


def _leaves() -> list[dict[str, Any]]:
    """Criteria on the default catalog's attributes (``post_read``: category, premium,
    minutes; ``challenge_solved``: language, difficulty), every kind, at the catalog's limits."""
    distinct: list[dict[str, Any]] = [
        {"type": "distinct_count", "event_type": POST_READ, "attribute": "category", "count": 5},
        {"type": "distinct_count", "event_type": POST_READ, "attribute": "minutes", "count": 20},
        {
            "type": "distinct_count",
            "event_type": CHALLENGE_SOLVED,
            "attribute": "language",
            "count": 3,
        },
        {
            "type": "distinct_count",
            "event_type": CHALLENGE_SOLVED,
            "attribute": "difficulty",
            "where": {"language": "python"},
            "count": 3,
        },
    ]
    windows: list[dict[str, Any]] = [
        {"type": "count_in_window", "event_type": POST_READ, "where": where, "count": n, "days": d}
        for where, n, d in (
            ({"premium": True}, 5, 7),
            ({"category": "python"}, 20, 30),
            ({"minutes": {"gte": 30}}, 50, 90),
        )
    ]
    windows.append(
        {
            "type": "count_in_window",
            "event_type": CHALLENGE_SOLVED,
            "where": {"difficulty": "hard"},
            "count": 3,
            "days": 7,
        }
    )
    counts: list[dict[str, Any]] = [
        {"type": "posts_read", "where": {"category": c}, "count": 10} for c in CATEGORIES
    ]
    counts += [
        {
            "type": "event_count",
            "event_type": CHALLENGE_SOLVED,
            "where": {"language": lang},
            "count": 10,
        }
        for lang in LANGUAGES
    ]
    counts.append({"type": "posts_read", "where": {"premium": True}, "count": 25})
    sums: list[dict[str, Any]] = [
        {"type": "attribute_sum", "event_type": POST_READ, "attribute": "minutes", "total": 600}
    ]
    sums += [
        {
            "type": "attribute_sum",
            "event_type": POST_READ,
            "attribute": "minutes",
            "where": {"category": c},
            "total": 120,
        }
        for c in CATEGORIES
    ]
    leaves = [*distinct, *windows, *counts, *sums]
    for n in range(MAX_TALLIES - len(leaves)):  # the rest: counts of read lengths
        longer = {"minutes": {"gte": 5 * (n + 1)}}
        leaves.append({"type": "posts_read", "where": longer, "count": 5})
    return leaves


def attribute_rules(base: GameRules | None = None) -> GameRules:
    """``base`` (the default rules) plus one badge per attribute criterion above, accepted as
    an admin's PUT would be (each fits the event catalog; the catalog stays within its limits)."""
    base = base or default_game_rules()
    extra = tuple(
        parse_badge(
            {
                "id": f"attr-{n:02d}",
                "name": f"Attribute badge {n}",
                "description": "Reads an attribute tally.",
                "icon": "icons/attr.svg",
                "criteria": criteria,
            }
        )
        for n, criteria in enumerate(_leaves())
    )
    for badge in extra:
        problem = criterion_problem(badge.criteria, base.events)
        assert problem is None, (badge.id, problem)
    badges = BadgeCatalog(badges=(*base.badges.badges, *extra))
    assert catalog_problem(badges) is None
    return base.with_badges(badges)


def live_tallies(rules: GameRules) -> dict[str, int]:
    """How many live tallies of each kind a catalog keeps."""
    kinds = [t.kind for ts in rules.badges.tallies.by_type.values() for t in ts]
    return {kind.value: kinds.count(kind) for kind in TallyKind}


def with_attributes(activities: list[Activity]) -> list[Activity]:
    """The same month, with the attributes a reader and a solver would send (seeded)."""
    rng = random.Random(32)
    shaped = []
    for activity in activities:
        attributes: dict[str, str | int | bool] = {}
        if activity.type == POST_READ:
            attributes = {
                "category": rng.choice(CATEGORIES),
                "premium": rng.random() < 0.2,
                "minutes": rng.randrange(1, 60),
            }
        elif activity.type == CHALLENGE_SOLVED:
            attributes = {
                "language": rng.choice(LANGUAGES),
                "difficulty": rng.choice(("easy", "medium", "hard")),
            }
        shaped.append(activity.model_copy(update={"attributes": attributes}))
    return shaped


def measure(users: int = USERS, days: int = DAYS) -> dict[str, Bill]:
    """The three runs' bills per activity: the default catalog, the attribute catalog for the
    same users sending no attributes, and the attribute catalog for users who send them."""
    plain = default_game_rules()
    rules = attribute_rules(plain)
    return {
        "default catalog": simulate(AFTER, users, days, rules=plain),
        "+ attribute criteria, no attributes sent": simulate(AFTER, users, days, rules=rules),
        "+ attribute criteria, attributes sent": simulate(
            AFTER, users, days, rules=rules, shape=with_attributes
        ),
    }


def ratio(bills: dict[str, Bill], label: str, base: str = "default catalog") -> tuple[float, float]:
    """``label``'s write and read units per activity over ``base``'s."""
    return bills[label].total / bills[base].total, bills[label].read_units / bills[base].read_units


def run() -> str:
    bills = measure()
    tallies = live_tallies(attribute_rules())
    assert tallies["distinct"] == MAX_DISTINCT_TALLIES
    assert tallies["window"] == MAX_WINDOW_TALLIES
    assert sum(tallies.values()) == MAX_TALLIES
    unchanged = ratio(bills, "+ attribute criteria, no attributes sent")
    counted = ratio(bills, "+ attribute criteria, attributes sent")
    activities = bills["default catalog"].activities
    lines = [
        "## Billed units per activity with attribute criteria (issue #32)",
        "",
        f"The realistic month ({USERS} users, {DAYS} days, {activities} activities, no "
        "attributes sent: `realistic_writes`) through the real consumer, under the default "
        "catalog and under the default catalog plus "
        + ", ".join(f"{n} {kind}" for kind, n in tallies.items())
        + " tallies (the catalog's limits) on `post_read` and `challenge_solved` attributes. "
        "Units as billed by `FakeDynamoDB`.",
        "",
        "| run | write units/activity | read units/activity | requests/activity |",
        "|---|---|---|---|",
        *(
            f"| {label} | {bill.total:.4f} | {bill.read_units:.4f} | {bill.requests:.4f} |"
            for label, bill in bills.items()
        ),
        "",
        f"Users who send no attributes: **{unchanged[0]:.2f}** of the write units and "
        f"**{unchanged[1]:.2f}** of the read units (a tally no activity matched is never "
        f"written). The same users sending attributes: {counted[0]:.2f} and {counted[1]:.2f} "
        "(their profiles carry the tallies).",
    ]
    assert unchanged == (1.0, 1.0), "\n".join(lines)
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
