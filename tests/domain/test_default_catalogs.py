"""The shipped catalogs load, validate and hold the seed's rules; rulesets check references."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gamification.domain.badges import (
    DEFAULT_BADGES_FILE,
    BadgeCatalog,
    BadgeDefinition,
    load_badge_catalog,
)
from gamification.domain.catalog import (
    DEFAULT_EVENT_TYPES_FILE,
    EventType,
    Reporter,
    load_event_catalog,
)
from gamification.domain.game_rules import GameRules, default_game_rules
from tests.domain.builders import badge

SEED_XP = {
    "post_read": 10,
    "post_completed": 25,
    "series_completed": 100,
    "challenge_solved": 30,
    "comment_left": 5,
    "streak_milestone": 50,
    "badge_earned": 0,
    "streak_freeze_granted": 0,
}

SEED_CRITERIA = [
    {"type": "posts_read", "count": 10, "scope": "total"},
    {"type": "streak", "count": 7, "scope": "consecutive_days"},
    {"type": "series_complete", "count": 3, "scope": "unique_series"},
    {"type": "xp_total", "count": 5000, "scope": "lifetime"},
    {"type": "challenge_streak", "count": 5, "scope": "consecutive_days"},
]


def test_the_files_ship_with_the_package() -> None:
    assert DEFAULT_EVENT_TYPES_FILE.parent.name == "data"
    assert DEFAULT_EVENT_TYPES_FILE.is_file()
    assert DEFAULT_BADGES_FILE.is_file()


def test_event_catalog_has_the_seeds_seven_types_and_xp_plus_the_freeze_grant() -> None:
    catalog = load_event_catalog()
    assert {t.name: t.base_xp for t in catalog} == SEED_XP


def test_event_catalog_reporters() -> None:
    catalog = load_event_catalog()
    reporters = {t.name: t.reporter for t in catalog}
    assert reporters["challenge_solved"] is Reporter.SERVICE
    assert reporters["series_completed"] is Reporter.SERVICE
    assert reporters["streak_milestone"] is Reporter.SYSTEM
    assert reporters["badge_earned"] is Reporter.SYSTEM
    assert catalog["post_read"].daily_cap == 50
    assert catalog["challenge_solved"].challenge


def test_badge_catalog_loads_with_the_seeds_examples() -> None:
    catalog = load_badge_catalog()
    assert len(catalog) >= 10
    shown = [b.criteria.model_dump() for b in catalog]
    for criteria in SEED_CRITERIA:
        assert criteria in shown


def test_badge_catalog_has_a_starter_set() -> None:
    catalog = load_badge_catalog()
    by_id = {b.id: b for b in catalog}
    assert by_id["first-read"].criteria.model_dump() == {
        "type": "posts_read",
        "count": 1,
        "scope": "total",
    }
    levels = sorted(
        b.criteria.target for b in catalog if b.criteria.model_dump()["type"] == "level_reached"
    )
    assert levels == [5, 10, 25]
    assert {"type": "streak", "count": 30, "scope": "consecutive_days"} in [
        b.criteria.model_dump() for b in catalog
    ]


def test_every_criterion_type_is_used_by_the_defaults() -> None:
    types = {b.criteria.model_dump()["type"] for b in load_badge_catalog()}
    assert types == {
        "posts_read",
        "streak",
        "series_complete",
        "xp_total",
        "challenge_streak",
        "event_count",
        "level_reached",
    }


def test_default_badges_have_unique_ids_and_icons() -> None:
    catalog = load_badge_catalog()
    assert len({b.id for b in catalog}) == len(catalog)
    assert len({b.icon for b in catalog}) == len(catalog)


def test_default_ruleset_loads() -> None:
    rules = default_game_rules()
    assert rules.badges.referenced_event_types() <= set(rules.events.by_name)
    assert rules.boosts == ()
    assert rules.policy.milestone_every == 7


def test_a_badge_counting_an_unknown_event_type_is_rejected() -> None:
    rules = default_game_rules()
    typo = BadgeDefinition.model_validate(
        badge("typo", {"type": "event_count", "event_type": "coment_left", "count": 3})
    )
    with pytest.raises(ValidationError) as error:
        GameRules(events=rules.events, badges=BadgeCatalog(badges=(typo,)))
    message = str(error.value)
    assert "criteria.event_type" in message
    assert "coment_left" in message
    with pytest.raises(ValidationError, match="coment_left"):
        rules.with_badges(BadgeCatalog(badges=(typo,)))


def test_a_badge_for_a_deployments_own_type_is_accepted_once_the_type_exists() -> None:
    rules = default_game_rules()
    video = BadgeDefinition.model_validate(
        badge("binge", {"type": "event_count", "event_type": "video_watched", "count": 5})
    )
    events = rules.events.with_types([EventType(name="video_watched", base_xp=15, daily_cap=10)])
    assert len(GameRules(events=events, badges=BadgeCatalog(badges=(video,))).badges) == 1
