"""In-app notifications the engine creates, with the seed's titles and messages.

Ids are deterministic (``level#12``, ``badge#bookworm``, ``streak#3``) so a retried batch writes
the same notification again instead of a second copy.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict


class NotificationKind(StrEnum):
    LEVEL_UP = "level_up"
    BADGE_EARNED = "badge_earned"
    STREAK_MILESTONE = "streak_milestone"
    STREAK_REMINDER = "streak_reminder"
    LEAGUE_RESULT = "league_result"


class Notification(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    user_id: str
    kind: NotificationKind
    title: str
    message: str
    created_at: AwareDatetime
    push: bool = False
    """Whether it should also go out as a push message (the user's setting at creation)."""


def level_up(*, user_id: str, old: int, new: int, now: AwareDatetime, push: bool) -> Notification:
    return Notification(
        id=f"level#{new}",
        user_id=user_id,
        kind=NotificationKind.LEVEL_UP,
        title=f"Level {new}!",
        message=f"You advanced from level {old} to {new}.",
        created_at=now,
        push=push,
    )


def badge_unlocked(
    *, user_id: str, badge_id: str, name: str, description: str, now: AwareDatetime, push: bool
) -> Notification:
    return Notification(
        id=f"badge#{badge_id}",
        user_id=user_id,
        kind=NotificationKind.BADGE_EARNED,
        title=f"Badge Unlocked: {name}",
        message=description,
        created_at=now,
        push=push,
    )


def streak_milestone(
    *, user_id: str, ordinal: int, every: int, xp: int, now: AwareDatetime, push: bool
) -> Notification:
    return Notification(
        id=f"streak#{ordinal}",
        user_id=user_id,
        kind=NotificationKind.STREAK_MILESTONE,
        title="Streak milestone!",
        message=f"{every} more days in a row: +{xp} XP.",
        created_at=now,
        push=push,
    )


def streak_reminder(
    *, user_id: str, streak_days: int, local_day: str, lead: str, now: AwareDatetime
) -> Notification:
    """At most one per user per streak day: the id carries the local day it protects."""
    return Notification(
        id=f"reminder#{local_day}",
        user_id=user_id,
        kind=NotificationKind.STREAK_REMINDER,
        title="Keep your streak alive",
        message=(f"Your {streak_days}-day streak expires {lead} — read one post to keep it alive!"),
        created_at=now,
        push=True,
    )


def league_result(
    *, user_id: str, week: str, title: str, message: str, now: AwareDatetime, push: bool
) -> Notification:
    """One per user and closed week: the id carries the week, so a re-run writes the same one."""
    return Notification(
        id=f"league#{week}",
        user_id=user_id,
        kind=NotificationKind.LEAGUE_RESULT,
        title=title,
        message=message,
        created_at=now,
        push=push,
    )
