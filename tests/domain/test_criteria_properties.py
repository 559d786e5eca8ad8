"""Filtered, summing, distinct and tiered criteria against a brute-force evaluation over the
full activity list (domain/tallies.py, domain/badges.py), whatever the delivery."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import HealthCheck, given, settings

from gamification.domain.activity import Activity
from gamification.domain.attributes import matches
from gamification.domain.badges import (
    LEVEL_SEPARATOR,
    AttributeSum,
    BadgeDefinition,
    DistinctCount,
    UserStats,
    WindowCount,
)
from gamification.domain.state import UserState
from gamification.domain.streaks import local_day
from gamification.domain.tallies import WINDOW_MARGIN_DAYS, Tally, TallyKind
from gamification.domain.transition import Rejection, apply_activities, check
from tests.strategies import Scenario, scenarios

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _replay(scenario: Scenario) -> UserState:
    state = UserState.new(scenario.user_id, scenario.settings)
    seen: set[str] = set()
    for batch in scenario.batches:
        now = max(a.received_at for a in batch)
        step = apply_activities(state, batch, scenario.rules, now, frozenset(seen))
        seen.update(step.effects.applied_keys)
        state = UserState.model_validate_json(step.state.model_dump_json())
    return state


def _accepted(scenario: Scenario) -> list[Activity]:
    return [
        a
        for a in scenario.activities
        if not isinstance(check(a, scenario.user_id, scenario.rules), Rejection)
    ]


def _brute_force(tally: Tally, activities: Iterable[Activity], timezone: str) -> int:
    """The tally's number straight from its definition, over every accepted activity."""
    matching = [
        a for a in activities if a.type == tally.event_type and matches(tally.where, a.attributes)
    ]
    if tally.kind is TallyKind.COUNT:
        return len(matching)
    if tally.kind is TallyKind.WINDOW:
        days = sorted(local_day(a.occurred_at, timezone).toordinal() for a in matching)
        return max((sum(1 for d in days if end - tally.days < d <= end) for end in days), default=0)
    values = [a.attributes[tally.attribute] for a in matching if tally.attribute in a.attributes]
    if tally.kind is TallyKind.SUM:
        return sum(v for v in values if isinstance(v, int))
    return min(len({(type(v), v) for v in values}), tally.keep)


@_SETTINGS
@given(scenarios(arrival="any"))
def test_every_live_tally_equals_its_brute_force_value(scenario: Scenario) -> None:
    state = _replay(scenario)
    accepted = _accepted(scenario)
    index = scenario.rules.badges.tallies

    for tallies in index.by_type.values():
        for tally in tallies:
            assert state.counters.get(tally.key, 0) == _brute_force(
                tally, accepted, scenario.settings.timezone
            ), tally
    # Nothing is kept that no live criterion reads.
    assert {k for k in state.counters if k.startswith("~")} <= set(index.keep)
    assert set(state.sketches) <= set(index.keep)
    assert all(
        len(s) <= (index.keep[k] or index.windows[k] + WINDOW_MARGIN_DAYS)
        for k, s in state.sketches.items()
    )


def _levels_met(badge: BadgeDefinition, stats: UserStats) -> set[str]:
    criteria = badge.criteria
    if badge.levels is None:
        return {badge.id} if criteria.is_met(stats) else set()
    value = criteria.measure(stats)
    return {
        badge.id if n == 1 else f"{badge.id}{LEVEL_SEPARATOR}{n}"
        for n, level in enumerate(badge.levels, 1)
        if value >= level.target
    }


@_SETTINGS
@given(scenarios(arrival="any"))
def test_attribute_badges_and_levels_are_earned_exactly_when_met(scenario: Scenario) -> None:
    """A badge (level) over attributes is held iff the brute-force value reaches its target:
    counts only grow, so whatever was met on the way is met at the end."""
    state = _replay(scenario)
    stats = state.stats()
    for badge in scenario.rules.badges:
        if not isinstance(badge.criteria, AttributeSum | DistinctCount | WindowCount) and not any(
            True for _ in badge.criteria.tallies()
        ):
            continue
        if badge.criteria.metric() == "":  # all/any: earned iff met (no levels)
            assert (badge.id in state.badges) == badge.criteria.is_met(stats)
            continue
        held = {e for e in state.badges if e.split(LEVEL_SEPARATOR)[0] == badge.id}
        assert held == _levels_met(badge, stats)


@_SETTINGS
@given(scenarios(arrival="any"))
def test_tier_progress_never_falls_along_the_deliveries(scenario: Scenario) -> None:
    state = UserState.new(scenario.user_id, scenario.settings)
    seen: set[str] = set()
    held = dict.fromkeys((b.id for b in scenario.rules.badges), 0)
    for batch in scenario.batches:
        now = max(a.received_at for a in batch)
        step = apply_activities(state, batch, scenario.rules, now, frozenset(seen))
        seen.update(step.effects.applied_keys)
        state = step.state
        for badge in scenario.rules.badges:
            level = badge.level_held(state.badges)
            assert level >= held[badge.id]
            held[badge.id] = level
