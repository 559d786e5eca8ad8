"""Badge criteria: every type at its boundary, progress for a UI, and rejected definitions."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from gamification.domain.badges import (
    BadgeCatalog,
    BadgeDefinition,
    Progress,
    UserStats,
    load_badge_catalog,
    newly_met,
    parse_badge,
)
from gamification.domain.catalog import Reporter
from gamification.domain.levels import xp_for_level
from gamification.domain.notifications import NotificationKind
from gamification.domain.transition import XpAward
from tests.domain.builders import activity, apply, at, badge, rules_with, stats, user

# (criteria, stats one short of the target, stats exactly at it)
BOUNDARIES: list[tuple[dict[str, Any], UserStats, UserStats]] = [
    (
        {"type": "posts_read", "count": 10, "scope": "total"},
        stats(counters={"post_read": 9}),
        stats(counters={"post_read": 10}),
    ),
    (
        {"type": "streak", "count": 7, "scope": "consecutive_days"},
        stats(longest_streak=6, current_streak=6),
        stats(longest_streak=7, current_streak=7),
    ),
    (
        {"type": "series_complete", "count": 3, "scope": "unique_series"},
        stats(counters={"series_completed": 2}),
        stats(counters={"series_completed": 3}),
    ),
    (
        {"type": "xp_total", "count": 5000, "scope": "lifetime"},
        stats(xp=4999),
        stats(xp=5000),
    ),
    (
        {"type": "challenge_streak", "count": 5, "scope": "consecutive_days"},
        stats(longest_challenge_streak=4, current_challenge_streak=4),
        stats(longest_challenge_streak=5, current_challenge_streak=5),
    ),
    (
        {"type": "event_count", "event_type": "comment_left", "count": 25},
        stats(counters={"comment_left": 24}),
        stats(counters={"comment_left": 25}),
    ),
    (
        {"type": "event_count", "event_type": "badge_earned", "count": 5},
        stats(counters={"badge_earned": 4}),
        stats(counters={"badge_earned": 5}),
    ),
    (
        {"type": "level_reached", "level": 5},
        stats(level=4, xp=xp_for_level(5) - 1),
        stats(level=5, xp=xp_for_level(5)),
    ),
]


def _definition(criteria: dict[str, Any]) -> BadgeDefinition:
    return BadgeDefinition.model_validate(badge("b", criteria))


@pytest.mark.parametrize(
    ("criteria", "short", "reached"), BOUNDARIES, ids=[c["type"] for c, _, _ in BOUNDARIES]
)
def test_criterion_boundary(criteria: dict[str, Any], short: UserStats, reached: UserStats) -> None:
    rule = _definition(criteria).criteria
    target = rule.target
    assert not rule.is_met(short)
    assert rule.progress(short) == Progress(current=target - 1, target=target)
    assert not rule.progress(short).done
    assert rule.is_met(reached)
    assert rule.progress(reached) == Progress(current=target, target=target)
    assert rule.progress(reached).done


def test_progress_is_reported_as_seven_of_ten() -> None:
    rule = _definition({"type": "posts_read", "count": 10}).criteria
    assert rule.progress(stats(counters={"post_read": 7})) == Progress(current=7, target=10)
    assert rule.progress(stats()) == Progress(current=0, target=10)


def test_progress_never_shows_more_than_the_target() -> None:
    rule = _definition({"type": "xp_total", "count": 500}).criteria
    assert rule.progress(stats(xp=12_000)) == Progress(current=500, target=500)


def test_streak_badge_is_kept_by_the_longest_streak_and_shows_the_current_one() -> None:
    rule = _definition({"type": "streak", "count": 7}).criteria
    broken_after_seven = stats(longest_streak=7, current_streak=2)
    assert rule.is_met(broken_after_seven)
    assert rule.progress(broken_after_seven) == Progress(current=7, target=7)
    on_the_way = stats(longest_streak=5, current_streak=3)
    assert rule.progress(on_the_way) == Progress(current=3, target=7)


def test_challenge_streak_reads_the_challenge_streak_only() -> None:
    rule = _definition({"type": "challenge_streak", "count": 3}).criteria
    assert not rule.is_met(stats(longest_streak=30, current_streak=30))
    assert rule.progress(stats(longest_challenge_streak=2, current_challenge_streak=1)) == Progress(
        current=1, target=3
    )


def test_posts_read_counts_reads_not_other_progress() -> None:
    """The seed counted every progress row; completions and comments are not reads."""
    rule = _definition({"type": "posts_read", "count": 1}).criteria
    assert not rule.is_met(stats(counters={"post_completed": 50, "comment_left": 9}))


@pytest.mark.parametrize(
    ("criteria", "fields"),
    [
        ({"type": "comments_made", "count": 3}, ["criteria", "comments_made"]),
        ({"count": 3}, ["criteria", "type"]),
        ({"type": "posts_read", "count": 10, "weekly": True}, ["criteria.posts_read.weekly"]),
        ({"type": "posts_read", "count": 0}, ["criteria.posts_read.count"]),
        ({"type": "posts_read", "count": -3}, ["criteria.posts_read.count"]),
        ({"type": "posts_read", "count": "ten"}, ["criteria.posts_read.count"]),
        ({"type": "posts_read"}, ["criteria.posts_read.count"]),
        ({"type": "posts_read", "count": 1, "scope": "weekly"}, ["criteria.posts_read.scope"]),
        ({"type": "streak", "count": 0}, ["criteria.streak.count"]),
        ({"type": "xp_total", "count": 1.5}, ["criteria.xp_total.count"]),
        ({"type": "event_count", "count": 3}, ["criteria.event_count.event_type"]),
        (
            {"type": "event_count", "event_type": "Bad Type", "count": 3},
            ["criteria.event_count.event_type"],
        ),
        (
            {"type": "level_reached", "count": 5},
            ["criteria.level_reached.level", "criteria.level_reached.count"],
        ),
        ({"type": "level_reached", "level": 0}, ["criteria.level_reached.level"]),
    ],
)
def test_bad_criteria_are_rejected_naming_the_field(
    criteria: dict[str, Any], fields: list[str]
) -> None:
    with pytest.raises(ValidationError) as error:
        parse_badge(badge("b", criteria))
    for field in fields:
        assert field in str(error.value)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"color": "gold"}, "color"),
        ({"id": "Has Space"}, "id"),
        ({"name": ""}, "name"),
        ({"description": ""}, "description"),
        ({"icon": ""}, "icon"),
    ],
)
def test_bad_badge_fields_are_rejected_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    raw = badge("b", {"type": "posts_read", "count": 1}) | changes
    with pytest.raises(ValidationError) as error:
        parse_badge(raw)
    assert field in str(error.value)


def test_parse_badge_accepts_json_text() -> None:
    parsed = parse_badge(
        '{"id": "bookworm", "name": "Bookworm", "description": "Read 10 posts.",'
        ' "icon": "i.svg", "criteria": {"type": "posts_read", "count": 10}}'
    )
    assert parsed.criteria.target == 10


def test_loading_a_bad_file_names_the_entry_and_field(tmp_path: Path) -> None:
    good = badge("ok", {"type": "posts_read", "count": 1})
    bad = badge("bad", {"type": "streak", "count": 0})
    path = tmp_path / "badges.json"
    path.write_text(json.dumps([good]))
    assert len(load_badge_catalog(path)) == 1
    path.write_text(json.dumps([good, bad]))
    with pytest.raises(ValidationError) as error:
        load_badge_catalog(path)
    assert "1.criteria.streak.count" in str(error.value)


def test_duplicate_badge_ids_are_rejected() -> None:
    one = BadgeDefinition.model_validate(badge("same", {"type": "posts_read", "count": 1}))
    with pytest.raises(ValidationError, match="duplicate badge ids: same"):
        BadgeCatalog(badges=(one, one))


def test_newly_met_skips_earned_badges_and_keeps_catalog_order() -> None:
    catalog = BadgeCatalog(
        badges=tuple(
            BadgeDefinition.model_validate(badge(i, {"type": "xp_total", "count": n}))
            for i, n in [("c", 300), ("a", 100), ("b", 200), ("z", 10_000)]
        )
    )
    assert newly_met(catalog, {}, stats(xp=250)) == ["a", "b"]
    assert newly_met(catalog, {"a": object()}, stats(xp=300)) == ["c", "b"]


# --- through the transition function ---------------------------------------------------------


def _reads(count: int) -> list[Any]:
    start = at("2026-06-10T08:00+00:00")
    return [activity("post_read", f"p{i}", start + timedelta(minutes=i)) for i in range(count)]


def test_ninth_read_does_not_unlock_bookworm_and_tenth_does() -> None:
    rules = rules_with(
        badges=[
            badge(
                "bookworm",
                {"type": "posts_read", "count": 10},
                name="Bookworm",
                description="Read 10 posts.",
            )
        ]
    )
    nine = apply(user(push=True), _reads(9), rules)
    assert nine.effects.badges_earned == []
    ten = apply(nine.state, [activity("post_read", "p9", "2026-06-10T09:00+00:00")], rules)
    assert ten.effects.badges_earned == ["bookworm"]
    assert set(ten.state.badges) == {"bookworm"}
    assert ten.state.badges["bookworm"] == ten.effects.notifications[-1].created_at
    assert XpAward("badge_earned#bookworm", "badge_earned", 0) in ten.effects.awards
    assert ten.state.counters["badge_earned"] == 1

    [note] = [n for n in ten.effects.notifications if n.kind is NotificationKind.BADGE_EARNED]
    assert note.title == "Badge Unlocked: Bookworm"
    assert note.message == "Read 10 posts."
    assert note.id == "badge#bookworm"
    assert note.push is True


def test_a_badge_is_awarded_once() -> None:
    rules = rules_with(badges=[badge("first", {"type": "posts_read", "count": 1})])
    first = apply(user(), _reads(1), rules)
    later = apply(first.state, [activity("post_read", "other", "2026-06-11T08:00+00:00")], rules)
    assert first.effects.badges_earned == ["first"]
    assert later.effects.badges_earned == []
    assert later.state.badges == first.state.badges


def test_level_reached_badge_unlocks_when_the_threshold_is_crossed() -> None:
    """Level 5 needs 1118 XP: 11 series of 100 XP are 1100, the 12th crosses it."""
    rules = rules_with(badges=[badge("level-5", {"type": "level_reached", "level": 5})])
    series = [
        activity(
            "series_completed", f"s{i}", f"2026-06-10T08:{i:02d}+00:00", source=Reporter.SERVICE
        )
        for i in range(12)
    ]
    short = apply(user(), series[:11], rules)
    assert (short.state.xp, short.state.level, short.effects.badges_earned) == (1100, 4, [])
    crossed = apply(short.state, series[11:], rules)
    assert crossed.state.level == 5
    assert crossed.effects.badges_earned == ["level-5"]


def test_event_count_badge_counts_only_its_type() -> None:
    rules = rules_with(
        badges=[badge("talker", {"type": "event_count", "event_type": "comment_left", "count": 3})]
    )
    mixed = [
        activity("comment_left", "c1", "2026-06-10T08:00+00:00"),
        activity("comment_left", "c2", "2026-06-10T08:01+00:00"),
        activity("post_read", "p1", "2026-06-10T08:02+00:00"),
    ]
    two = apply(user(), mixed, rules)
    assert two.effects.badges_earned == []
    three = apply(two.state, [activity("comment_left", "c3", "2026-06-10T08:03+00:00")], rules)
    assert three.effects.badges_earned == ["talker"]


def test_badges_that_count_badges_unlock_in_the_same_transition() -> None:
    rules = rules_with(
        badges=[
            badge("collector", {"type": "event_count", "event_type": "badge_earned", "count": 2}),
            badge("one", {"type": "posts_read", "count": 1}),
            badge("two", {"type": "posts_read", "count": 2}),
        ]
    )
    done = apply(user(), _reads(2), rules)
    assert done.effects.badges_earned == ["one", "two", "collector"]
    assert done.state.counters["badge_earned"] == 3


@pytest.mark.parametrize("count", ["1", True, 1.0, "true"], ids=repr)
def test_a_criterion_count_is_an_integer_and_nothing_that_reads_as_one(count: object) -> None:
    """Lax mode took all of these for 1; a definition meaning something else was saved as 1."""
    raw = {
        "id": "b",
        "name": "B",
        "description": "d",
        "icon": "icons/b.svg",
        "criteria": {"type": "posts_read", "count": count},
    }
    with pytest.raises(ValidationError, match=r"criteria\.posts_read\.count"):
        parse_badge(raw)
    with pytest.raises(ValidationError, match=r"valid integer|written as an integer"):
        parse_badge(json.dumps(raw))


def test_json_stored_definitions_keep_loading_strictly() -> None:
    """Stored definitions and the shipped file are JSON, whose integers pass the strict check."""
    stored = _definition({"type": "level_reached", "level": 5}).model_dump_json()
    assert parse_badge(stored).criteria.target == 5
    assert len(load_badge_catalog()) > 0
