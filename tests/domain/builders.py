"""Small builders that keep the domain unit tests about the rule they check."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from gamification.domain.activity import Activity
from gamification.domain.badges import BadgeCatalog, BadgeDefinition, UserStats
from gamification.domain.catalog import EventType, Reporter
from gamification.domain.game_rules import GameRules, default_game_rules
from gamification.domain.state import UserSettings, UserState
from gamification.domain.transition import Transition, apply_activities

USER = "alice"
DEFAULT_RULES = default_game_rules()
NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def at(iso: str) -> datetime:
    """An aware datetime from ISO text with an offset, e.g. ``"2026-01-10T23:30-05:00"``."""
    moment = datetime.fromisoformat(iso)
    assert moment.tzinfo is not None, "give every instant an offset"
    return moment


def activity(
    kind: str = "post_read",
    obj: str = "p1",
    occurred: datetime | str = "2026-06-10T12:00+00:00",
    *,
    received: datetime | None = None,
    source: Reporter = Reporter.CLIENT,
    user: str = USER,
    attributes: dict[str, Any] | None = None,
) -> Activity:
    """An activity received when it happened unless ``received`` says otherwise."""
    occurred_at = at(occurred) if isinstance(occurred, str) else occurred
    return Activity(
        user_id=user,
        type=kind,
        object_id=obj,
        occurred_at=occurred_at,
        received_at=received or occurred_at,
        source=source,
        attributes=attributes or {},
    )


def user(timezone: str = "UTC", *, push: bool = False) -> UserState:
    return UserState.new(USER, UserSettings(timezone=timezone, push_enabled=push))


def apply(
    state: UserState,
    activities: Iterable[Activity],
    rules: GameRules = DEFAULT_RULES,
    now: datetime = NOW,
    seen: Iterable[str] = (),
) -> Transition:
    return apply_activities(state, list(activities), rules, now, frozenset(seen))


def apply_one_by_one(
    state: UserState, activities: Sequence[Activity], rules: GameRules = DEFAULT_RULES
) -> tuple[UserState, list[Transition]]:
    """Each activity in its own batch, in the given order, with earlier keys as ``seen``."""
    seen: set[str] = set()
    steps: list[Transition] = []
    for item in activities:
        step = apply(state, [item], rules, now=item.received_at, seen=seen)
        seen.update(step.effects.applied_keys)
        steps.append(step)
        state = step.state
    return state, steps


def daily(first: datetime, days: int, kind: str = "post_read") -> list[Activity]:
    """One activity per day for ``days`` days, each on a different object."""
    return [activity(kind, f"{kind}-{i}", first + timedelta(days=i)) for i in range(days)]


def rules_with(
    *types: EventType,
    badges: Sequence[dict[str, Any]] = (),
    base: GameRules = DEFAULT_RULES,
    **changes: Any,
) -> GameRules:
    """The default events with ``types`` added or replaced, and only the ``badges`` given."""
    return GameRules(
        events=base.events.with_types(types),
        badges=BadgeCatalog(badges=tuple(BadgeDefinition.model_validate(b) for b in badges)),
        boosts=changes.pop("boosts", base.boosts),
        policy=changes.pop("policy", base.policy),
    )


def badge(badge_id: str, criteria: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "id": badge_id,
        "name": fields.get("name", badge_id.title()),
        "description": fields.get("description", f"The {badge_id} badge."),
        "icon": fields.get("icon", f"icons/{badge_id}.svg"),
        "criteria": criteria,
    }


def stats(**values: Any) -> UserStats:
    """Stats with everything zero unless given."""
    base: dict[str, Any] = {
        "xp": 0,
        "level": 0,
        "counters": {},
        "current_streak": 0,
        "longest_streak": 0,
        "current_challenge_streak": 0,
        "longest_challenge_streak": 0,
    }
    return UserStats(**(base | values))
