"""The domain events of a flag's life: raised (``user.flagged``) and reviewed (pure).

Apart from ``domain.flags`` because the profile's state holds a flag and the event drafts
depend on the state's module (no import cycle).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from gamification.domain.activity import Activity
from gamification.domain.domain_events import EventDraft
from gamification.domain.flags import Flag, Review, velocity_step
from gamification.domain.game_rules import GameRules
from gamification.domain.state import UserState
from gamification.domain.transition import Effects, activity_key


def user_flagged(flag: Flag) -> EventDraft:
    """The flag was raised (the fact: rule and window, so a retried commit repeats the id)."""
    return EventDraft(
        "user.flagged",
        f"{flag.rule.value}#{flag.window}#{flag.at.isoformat()}",
        flag.at,
        {
            "flag_rule": flag.rule.value,
            "observed": flag.observed,
            "threshold": flag.threshold,
            "flag_window": flag.window,
        },
    )


def flag_reviewed(flag: Flag, review: Review, now: datetime) -> EventDraft:
    """An admin's verdict on ``flag`` (the fact: the flag reviewed; one verdict per flag)."""
    return EventDraft(
        "user.flag_reviewed",
        f"{flag.rule.value}#{flag.window}#{flag.at.isoformat()}",
        now,
        {"flag_rule": flag.rule.value, "review": review.value},
    )


def velocity_check(
    state: UserState,
    chunk: Sequence[Activity],
    effects: Effects,
    rules: GameRules,
    now: datetime,
) -> tuple[UserState, tuple[EventDraft, ...]]:
    """One commit's activities that earned XP, counted per minute of occurrence; the state with the
    new counts (and a new flag, with its ``user.flagged``, when the velocity rule fires)."""
    occurred = {activity_key(a, rules): a.occurred_at for a in chunk}
    earned = [occurred[a.key] for a in effects.awards if a.xp > 0 and a.key in occurred]
    counts, flag = velocity_step(state.velocity, earned, rules.leagues.velocity, state.flag, now)
    update: dict[str, object] = {}
    if counts != state.velocity:
        update["velocity"] = counts
    if flag is not None:
        update["flag"] = flag
    if not update:
        return state, ()
    return state.model_copy(update=update), ((user_flagged(flag),) if flag else ())
