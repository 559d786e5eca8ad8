"""Event catalog: who may report what, and definitions that are rejected when loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from gamification.domain.catalog import (
    EventCatalog,
    EventType,
    Repeat,
    Reporter,
    load_event_catalog,
    may_report,
)

CATALOG = load_event_catalog()


@pytest.mark.parametrize(
    ("reporter", "name", "allowed"),
    [
        (Reporter.CLIENT, "post_read", True),
        (Reporter.CLIENT, "comment_left", True),
        (Reporter.CLIENT, "challenge_solved", False),
        (Reporter.CLIENT, "series_completed", False),
        (Reporter.CLIENT, "streak_milestone", False),
        (Reporter.CLIENT, "badge_earned", False),
        (Reporter.SERVICE, "post_read", True),
        (Reporter.SERVICE, "challenge_solved", True),
        (Reporter.SERVICE, "series_completed", True),
        (Reporter.SERVICE, "streak_milestone", False),
        (Reporter.SERVICE, "badge_earned", False),
        # Nothing from outside may claim to be the engine, whatever the type.
        (Reporter.SYSTEM, "post_read", False),
        (Reporter.SYSTEM, "streak_milestone", False),
    ],
)
def test_who_may_report_what(reporter: Reporter, name: str, allowed: bool) -> None:
    assert may_report(reporter, CATALOG[name]) is allowed


def test_reportable_by_lists_types_in_catalog_order() -> None:
    assert CATALOG.reportable_by(Reporter.CLIENT) == ["post_read", "post_completed", "comment_left"]
    assert CATALOG.reportable_by(Reporter.SERVICE) == [
        "post_read",
        "post_completed",
        "series_completed",
        "challenge_solved",
        "comment_left",
        "streak_freeze_granted",
    ]


def test_client_types_cannot_be_farmed() -> None:
    """Every type a user can report earns once per object and is capped per day."""
    for event_type in CATALOG:
        if event_type.reporter is Reporter.CLIENT:
            assert event_type.repeat is Repeat.ONCE, event_type.name
            assert event_type.daily_cap is not None, event_type.name


@pytest.mark.parametrize(
    ("event_type", "counts"),
    [
        (EventType(name="post_read", base_xp=10), True),
        (EventType(name="judge_pass", base_xp=30, reporter=Reporter.SERVICE), True),
        (EventType(name="profile_viewed", base_xp=0), False),
        (EventType(name="streak_milestone", base_xp=50, reporter=Reporter.SYSTEM), False),
    ],
)
def test_only_xp_earning_user_activity_counts_for_the_streak(
    event_type: EventType, counts: bool
) -> None:
    assert event_type.counts_for_streak is counts


def test_lookup() -> None:
    assert "post_read" in CATALOG
    assert "nope" not in CATALOG
    assert CATALOG.get("nope") is None
    assert CATALOG["comment_left"].base_xp == 5
    with pytest.raises(KeyError):
        CATALOG["nope"]


def test_with_types_adds_and_replaces() -> None:
    changed = CATALOG.with_types(
        [
            EventType(name="post_read", base_xp=12, daily_cap=5),
            EventType(name="video_watched", base_xp=15, daily_cap=10),
        ]
    )
    assert changed["post_read"].base_xp == 12
    assert changed["video_watched"].base_xp == 15
    assert len(changed.types) == len(CATALOG.types) + 1
    assert CATALOG["post_read"].base_xp == 10, "the original is unchanged"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"name": "post_read", "base_xp": 10, "xp_multiplier": 2}, "xp_multiplier"),
        ({"name": "post_read", "base_xp": -1}, "base_xp"),
        ({"name": "post_read", "base_xp": 10, "daily_cap": 0}, "daily_cap"),
        ({"name": "Post-Read", "base_xp": 10}, "name"),
        ({"name": "post_read", "base_xp": 10, "reporter": "admin"}, "reporter"),
        ({"name": "post_read", "base_xp": 10, "repeat": "hourly"}, "repeat"),
        ({"name": "post_read"}, "base_xp"),
    ],
)
def test_bad_event_type_is_rejected_naming_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        EventType.model_validate(raw)
    assert field in str(error.value)


def test_duplicate_event_types_are_rejected() -> None:
    with pytest.raises(ValidationError, match="duplicate event types: post_read"):
        EventCatalog(types=(*CATALOG.types, EventType(name="post_read", base_xp=1)))


@pytest.mark.parametrize("missing", ["streak_milestone", "badge_earned"])
def test_catalog_must_define_the_system_types(missing: str) -> None:
    with pytest.raises(ValidationError, match=missing):
        EventCatalog(types=tuple(t for t in CATALOG.types if t.name != missing))


def test_loading_a_bad_file_names_the_entry_and_field(tmp_path: Path) -> None:
    path = tmp_path / "event_types.json"
    path.write_text('[{"name": "post_read", "base_xp": 10, "daily_cap": "many"}]')
    with pytest.raises(ValidationError) as error:
        load_event_catalog(path)
    assert "0.daily_cap" in str(error.value)
