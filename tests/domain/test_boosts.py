"""Boosts: window edges, the best one wins, floor rounding, chosen by occurrence time."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from gamification.domain.boosts import Boost, best_boost, boosted_xp
from tests.domain.builders import activity, apply, at, rules_with, user

START = at("2026-06-13T00:00+00:00")  # a Saturday
END = at("2026-06-15T00:00+00:00")
TICK = timedelta(microseconds=1)


def _boost(
    boost_id: str = "weekend",
    multiplier: str = "2",
    start: datetime = START,
    end: datetime = END,
    event_types: frozenset[str] | None = None,
) -> Boost:
    return Boost(
        id=boost_id,
        multiplier=Decimal(multiplier),
        starts_at=start,
        ends_at=end,
        event_types=event_types,
    )


@pytest.mark.parametrize(
    ("moment", "applies"),
    [
        (START - TICK, False),
        (START, True),
        (END - TICK, True),
        (END, False),
    ],
)
def test_window_includes_its_start_and_excludes_its_end(moment: datetime, applies: bool) -> None:
    assert _boost().applies("post_read", moment) is applies


def test_window_edges_hold_in_any_offset() -> None:
    """The window is a pair of instants; 20:00 in New York on the 12th is START."""
    assert _boost().applies("post_read", at("2026-06-12T20:00-04:00"))
    assert not _boost().applies("post_read", at("2026-06-12T19:59:59-04:00"))


def test_event_type_filter() -> None:
    reads_only = _boost(event_types=frozenset({"post_read"}))
    assert reads_only.applies("post_read", START)
    assert not reads_only.applies("comment_left", START)
    assert _boost().applies("comment_left", START), "no filter: every type"


def test_the_best_boost_wins_whatever_their_order() -> None:
    boosts = [
        _boost("double", "2"),
        _boost("triple", "3", event_types=frozenset({"post_read"})),
        _boost("later", "5", start=END, end=END + timedelta(days=1)),
    ]
    for ordering in (boosts, boosts[::-1]):
        assert best_boost(ordering, "post_read", START) == boosts[1]
        assert best_boost(ordering, "comment_left", START) == boosts[0]
    assert best_boost(boosts, "post_read", START - TICK) is None


def test_equal_multipliers_pick_the_same_boost_in_any_order() -> None:
    a, b = _boost("a-boost", "2"), _boost("b-boost", "2")
    assert best_boost([a, b], "post_read", START) == best_boost([b, a], "post_read", START)


@pytest.mark.parametrize(
    ("base", "multiplier", "expected"),
    [(10, "2", 20), (5, "1.5", 7), (25, "1.25", 31), (10, "2.75", 27), (1, "1.99", 1), (0, "3", 0)],
)
def test_boosted_xp_rounds_down(base: int, multiplier: str, expected: int) -> None:
    assert boosted_xp(base, _boost(multiplier=multiplier)) == expected


def test_no_boost_leaves_base_xp() -> None:
    assert boosted_xp(25, None) == 25


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"multiplier": "1"}, "multiplier"),
        ({"multiplier": "0.5"}, "multiplier"),
        ({"multiplier": "10.01"}, "multiplier"),
        ({"multiplier": "1.255"}, "multiplier"),
        ({"starts_at": "2026-06-13T00:00:00"}, "starts_at"),
        ({"ends_at": "2026-06-12T00:00:00+00:00"}, "ends_at must be after starts_at"),
        ({"ends_at": START.isoformat()}, "ends_at must be after starts_at"),
        ({"id": ""}, "id"),
        ({"stacking": True}, "stacking"),
    ],
)
def test_bad_boosts_are_rejected(changes: dict[str, Any], field: str) -> None:
    raw: dict[str, Any] = {
        "id": "weekend",
        "multiplier": "2",
        "starts_at": START.isoformat(),
        "ends_at": END.isoformat(),
    } | changes
    with pytest.raises(ValidationError) as error:
        Boost.model_validate(raw)
    assert field in str(error.value)


# --- through the transition function ---------------------------------------------------------


def test_boost_is_chosen_by_occurrence_time_not_arrival_or_processing() -> None:
    rules = rules_with(boosts=(_boost(),))
    inside = activity(
        "post_read", "in", END - timedelta(hours=1), received=END + timedelta(hours=5)
    )
    before = activity(
        "post_read", "before", START - timedelta(minutes=1), received=START + timedelta(hours=1)
    )
    processed_later = END + timedelta(days=1)
    step = apply(user(), [inside, before], rules, now=processed_later)
    awards = {a.key: (a.xp, a.boost_id) for a in step.effects.awards}
    assert awards["post_read#in"] == (20, "weekend")
    assert awards["post_read#before"] == (10, None)
    assert step.state.xp == 30


def test_the_best_boost_is_applied_and_named() -> None:
    rules = rules_with(
        boosts=(
            _boost("double", "2"),
            _boost("reading-week", "2.5", event_types=frozenset({"post_read"})),
        )
    )
    step = apply(user(), [activity("post_read", "p", START), activity("comment_left", "c", START)])
    assert step.state.xp == 15, "the default rules have no boosts"
    step = apply(
        user(), [activity("post_read", "p", START), activity("comment_left", "c", START)], rules
    )
    awards = {a.event_type: (a.xp, a.boost_id) for a in step.effects.awards}
    assert awards["post_read"] == (25, "reading-week")
    assert awards["comment_left"] == (10, "double")


def test_bonus_xp_is_not_boosted() -> None:
    """Milestones and badges are the engine's awards, not activities: no multiplier."""
    rules = rules_with(boosts=(_boost(start=START - timedelta(days=10)),))
    days = [activity("post_read", f"d{i}", START - timedelta(days=6 - i)) for i in range(7)]
    step = apply(user(), days, rules)
    milestone = [a for a in step.effects.awards if a.event_type == "streak_milestone"]
    assert [(a.xp, a.boost_id) for a in milestone] == [(50, None)]
    assert step.state.xp == 7 * 20 + 50
