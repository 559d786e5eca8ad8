"""Users with long histories, as the domain leaves them: for size bounds and capacity figures.

Replaying a year of activity through moto would take hours (moto copies the table on every
transaction), so the benchmark and the size tests run the pure transition day by day and store
what it reached; the figures they report are for the next batch on top of that history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gamification.domain.activity import Activity
from gamification.domain.catalog import Reporter
from gamification.domain.game_rules import GameRules
from gamification.domain.quests import QuestCatalog, parse_quest
from gamification.domain.state import UserState
from gamification.domain.transition import apply_activities

EVERY_CAP: Mapping[str, int] = {
    "post_read": 50,
    "post_completed": 20,
    "comment_left": 10,
    "challenge_solved": 1,
    "series_completed": 1,
}
"""A day of a user who reaches every daily cap (and solves a challenge, completes a series)."""
MODERATE: Mapping[str, int] = {"post_read": 20}
"""A day of a user who reads 20 posts."""
SERVICE_TYPES = frozenset({"challenge_solved", "series_completed"})


@dataclass(frozen=True, slots=True)
class Persona:
    name: str
    days: int
    per_day: Mapping[str, int]


PERSONAS = (
    Persona("new user", 0, EVERY_CAP),
    Persona("30-day moderate reader", 30, MODERATE),
    Persona("365-day user at every cap", 365, EVERY_CAP),
)


def padded(text: str, length: int) -> str:
    """``text`` padded to exactly ``length`` characters (ids as long as the test wants)."""
    return (text + "-" + "x" * length)[:length] if len(text) < length else text[:length]


def day_of_activities(
    user_id: str, day: datetime, per_day: Mapping[str, int], id_length: int = 64
) -> list[Activity]:
    """One day of a user's activities, spread over the day, ids ``id_length`` characters."""
    found: list[Activity] = []
    for kind, count in per_day.items():
        for i in range(count):
            at = day + timedelta(hours=7, seconds=37 * len(found))
            found.append(
                Activity(
                    user_id=user_id,
                    type=kind,
                    object_id=padded(f"{day:%y%m%d}{i:02d}{kind[:4]}", id_length),
                    occurred_at=at,
                    received_at=at,
                    source=Reporter.SERVICE if kind in SERVICE_TYPES else Reporter.CLIENT,
                )
            )
    return found


def lived(
    user_id: str,
    days: int,
    per_day: Mapping[str, int],
    rules: GameRules,
    first_day: datetime,
    id_length: int = 64,
) -> Iterator[tuple[datetime, UserState]]:
    """The user's state after each of ``days`` days (one batch a day), oldest first."""
    state = UserState.new(user_id)
    for n in range(days):
        day = first_day + timedelta(days=n)
        activities = day_of_activities(user_id, day, per_day, id_length)
        state = apply_activities(state, activities, rules, day + timedelta(hours=23)).state
        yield day, state


def after(
    user_id: str, days: int, per_day: Mapping[str, int], rules: GameRules, first_day: datetime
) -> UserState:
    """The user's state after ``days`` days."""
    state = UserState.new(user_id)
    for _, reached in lived(user_id, days, per_day, rules, first_day):
        state = reached
    return state


EPOCH = datetime(2025, 11, 1, tzinfo=UTC)


def live_quests(count: int, starts_at: datetime, ends_at: datetime, target: int) -> QuestCatalog:
    """``count`` quests live from ``starts_at`` to ``ends_at``, over every counting criterion
    in turn (reads, XP, comments): the i-th of a criterion needs ``target`` x (1 + i % 5) of
    it (x 20 for XP). A small target completes soon; an out-of-reach one is evaluated on every
    activity forever (the worst case for the transition's time)."""
    kinds: list[Callable[[int], dict[str, Any]]] = [
        lambda n: {"type": "posts_read", "count": n},
        lambda n: {"type": "xp_total", "count": 20 * n},
        lambda n: {"type": "event_count", "event_type": "comment_left", "count": n},
    ]
    return QuestCatalog(
        quests=tuple(
            parse_quest(
                {
                    "id": f"q{i}",
                    "name": f"Quest {i}",
                    "description": "A benchmark quest.",
                    "starts_at": starts_at.isoformat(),
                    "ends_at": ends_at.isoformat(),
                    "criteria": kinds[i % len(kinds)](target * (1 + i // len(kinds) % 5)),
                    "reward_xp": 25,
                }
            )
            for i in range(count)
        )
    )
