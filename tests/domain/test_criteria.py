"""The criteria language over attributes: filters, sums, distinct counts, all/any and tiered
badges (domain/badges.py, domain/tallies.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from gamification.domain.badges import BadgeCatalog, parse_badge
from gamification.domain.quests import parse_quest
from gamification.domain.state import UserState
from tests.domain.builders import DEFAULT_RULES, activity, apply, user


def _badge(criteria: dict[str, Any], badge_id: str = "b", **extra: Any) -> dict[str, Any]:
    return {
        "id": badge_id,
        "name": "Badge",
        "description": "A badge.",
        "icon": "icons/b.svg",
        "criteria": criteria,
        **extra,
    }


def _rules(*badges: dict[str, Any]) -> Any:
    return DEFAULT_RULES.with_badges(BadgeCatalog(badges=tuple(parse_badge(b) for b in badges)))


def _read(n: int, **attributes: Any) -> Any:
    return activity(obj=f"p{n}", occurred=f"2026-06-10T12:{n:02d}+00:00", attributes=attributes)


PYTHON_READS = {"type": "posts_read", "where": {"category": "python"}, "count": 2}


def test_a_filtered_count_counts_only_matching_activities() -> None:
    rules = _rules(_badge(PYTHON_READS))

    one = apply(user(), [_read(1, category="python"), _read(2, category="go"), _read(3)], rules)
    two = apply(one.state, [_read(4, category="python")], rules)

    assert "b" not in one.state.badges
    assert two.effects.badges_earned == ["b"]


def test_in_and_ranges_filter_too() -> None:
    rules = _rules(
        _badge(
            {
                "type": "event_count",
                "event_type": "post_read",
                "where": {"category": {"in": ["go", "rust"]}, "minutes": {"gte": 10, "lt": 30}},
                "count": 1,
            }
        )
    )

    assert apply(user(), [_read(1, category="go", minutes=30)], rules).state.badges == {}
    assert "b" in apply(user(), [_read(1, category="rust", minutes=10)], rules).state.badges


def test_a_sum_of_minutes_reaches_its_total() -> None:
    rules = _rules(
        _badge(
            {
                "type": "attribute_sum",
                "event_type": "post_read",
                "attribute": "minutes",
                "total": 60,
            }
        )
    )

    short = apply(user(), [_read(1, minutes=25), _read(2, minutes=30), _read(3)], rules)
    done = apply(short.state, [_read(4, minutes=5)], rules)

    assert "b" not in short.state.badges
    assert done.effects.badges_earned == ["b"]


def test_a_distinct_count_counts_each_value_once_and_keeps_at_most_its_target() -> None:
    rules = _rules(
        _badge(
            {
                "type": "distinct_count",
                "event_type": "post_read",
                "attribute": "category",
                "count": 2,
            }
        )
    )

    same = apply(user(), [_read(1, category="go"), _read(2, category="go")], rules)
    more = apply(same.state, [_read(3, category="c"), _read(4, category="d")], rules)

    assert "b" not in same.state.badges
    assert "b" in more.state.badges
    [sketch] = more.state.sketches.values()
    assert len(sketch) == 2  # bounded by the target, not by the values seen


def test_all_and_any_combine_criteria() -> None:
    python = {"type": "posts_read", "where": {"category": "python"}, "count": 1}
    go = {"type": "posts_read", "where": {"category": "go"}, "count": 1}
    rules = _rules(
        _badge({"type": "all", "of": [python, go]}, "both"),
        _badge({"type": "any", "of": [python, go]}, "either"),
    )

    first = apply(user(), [_read(1, category="go")], rules)
    second = apply(first.state, [_read(2, category="python")], rules)

    assert first.effects.badges_earned == ["either"]
    assert second.effects.badges_earned == ["both"]


def test_all_and_any_nest_at_most_three_deep() -> None:
    leaf = {"type": "xp_total", "count": 1}
    three = {"type": "all", "of": [leaf, {"type": "any", "of": [leaf, leaf]}]}
    parse_badge(_badge(three))  # all > any > leaf: three deep
    with pytest.raises(ValidationError, match="nest at most 3"):
        parse_badge(_badge({"type": "any", "of": [leaf, three]}))


TIERED = _badge(
    {"type": "posts_read", "count": 2},
    "reader",
    levels=[
        {"name": "Bronze", "target": 2},
        {"name": "Silver", "target": 4},
        {"name": "Gold", "target": 6},
    ],
)


def test_each_level_of_a_tiered_badge_is_earned_and_notified_once() -> None:
    rules = _rules(TIERED)

    bronze = apply(user(), [_read(n) for n in range(2)], rules)
    gold = apply(bronze.state, [_read(n) for n in range(2, 7)], rules)
    again = apply(gold.state, [_read(n) for n in range(7, 9)], rules)

    assert bronze.effects.badges_earned == ["reader"]
    assert gold.effects.badges_earned == ["reader#2", "reader#3"]
    titles = [n.title for n in gold.effects.notifications if n.kind == "badge_earned"]
    assert titles == ["Badge Unlocked: Badge (Silver)", "Badge Unlocked: Badge (Gold)"]
    assert again.effects.badges_earned == []
    assert rules.badges.index.by_id["reader"][1].level_held(gold.state.badges) == 3


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ([{"name": "Bronze", "target": 3}, {"name": "Silver", "target": 4}], "first level"),
        ([{"name": "Bronze", "target": 2}, {"name": "Silver", "target": 2}], "must rise"),
        ([{"name": "Bronze", "target": 2}, {"name": "Bronze", "target": 3}], "must differ"),
    ],
)
def test_levels_must_rise_from_the_criterions_target(
    levels: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_badge(_badge({"type": "posts_read", "count": 2}, levels=levels))


def test_a_tally_no_live_badge_reads_is_dropped_and_none_is_kept_without_one() -> None:
    rules = _rules(_badge(PYTHON_READS))
    counted = apply(user(), [_read(1, category="python")], rules).state
    assert any(k.startswith("~") for k in counted.counters)

    after = apply(counted, [_read(2, category="python")], DEFAULT_RULES).state
    plain = apply(user(), [_read(1, category="python", minutes=5)], DEFAULT_RULES).state

    assert not any(k.startswith("~") for k in after.counters)
    assert not any(k.startswith("~") for k in plain.counters)
    assert plain.sketches == {}


def test_filters_without_attributes_leave_the_state_as_before() -> None:
    """Users of plain criteria store exactly what they stored before attributes existed."""
    state = apply(user(), [_read(1), _read(2, premium=True)], DEFAULT_RULES).state

    assert set(state.counters) <= {"post_read", "badge_earned"}
    assert "sketches" not in state.model_dump(exclude_defaults=True)
    assert isinstance(state, UserState)


def test_a_quest_takes_a_filter_like_a_badge_and_counts_its_type() -> None:
    """Issue #32, second round: quests accept ``where`` (tests/domain/test_quest_filters.py)."""
    quest = parse_quest(
        {
            "id": "q",
            "name": "Q",
            "description": "A quest.",
            "starts_at": "2026-06-01T00:00:00Z",
            "ends_at": "2026-06-08T00:00:00Z",
            "criteria": PYTHON_READS,
            "reward_xp": 10,
        }
    )

    assert quest.criteria.model_dump(exclude_none=True)["where"] == PYTHON_READS["where"]
    assert quest.counted_type == "post_read"


FIVE_IN_SEVEN = {"type": "count_in_window", "event_type": "post_read", "count": 5, "days": 7}


def _read_on(n: int, day: int) -> Any:
    return activity(obj=f"w{n}", occurred=f"2026-06-{day:02d}T12:00+00:00")


def test_five_in_seven_days_slides_and_counts_the_users_days() -> None:
    rules = _rules(_badge(FIVE_IN_SEVEN))
    spread = [_read_on(n, day) for n, day in enumerate((1, 3, 5, 9, 11))]  # never 5 in 7 days
    close = [_read_on(n, day) for n, day in enumerate((10, 12, 13, 14, 16), start=10)]

    apart = apply(user(), spread, rules)
    together = apply(apart.state, close, rules)

    assert "b" not in apart.state.badges
    assert apart.state.counters[next(iter(rules.badges.tallies.windows))] == 3  # 5, 9, 11
    assert together.effects.badges_earned == ["b"]  # 10..16: 9 is out, 10 11 12 13 14 16 in


def test_a_window_keeps_a_bounded_number_of_days() -> None:
    rules = _rules(_badge({**FIVE_IN_SEVEN, "days": 2, "count": 50}))
    reads = [
        activity(obj=f"d{n}", occurred=f"2026-{1 + n // 28:02d}-{1 + n % 28:02d}T12:00+00:00")
        for n in range(150)
    ]

    state = apply(user(), [], rules).state
    for chunk in range(0, 150, 10):
        state = apply(state, reads[chunk : chunk + 10], rules, now=reads[chunk].occurred_at).state

    [days] = state.sketches.values()
    assert len(days) <= 2 + 60
