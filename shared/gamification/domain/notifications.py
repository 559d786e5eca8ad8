"""In-app notifications the engine creates, with the seed's titles and messages, in the user's
language (``locale``: the templates of ``domain.messages``; English by default).

Ids are deterministic (``level#12``, ``badge#bookworm``, ``streak#3``) so a retried batch writes
the same notification again instead of a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from gamification.domain.messages import DEFAULT_LOCALE, text


class NotificationKind(StrEnum):
    LEVEL_UP = "level_up"
    BADGE_EARNED = "badge_earned"
    STREAK_MILESTONE = "streak_milestone"
    STREAK_REMINDER = "streak_reminder"
    STREAK_FREEZE_USED = "streak_freeze_used"
    QUEST_COMPLETED = "quest_completed"
    DIGEST = "digest"
    LEAGUE_RESULT = "league_result"
    FRIEND_STREAK_REMINDER = "friend_streak_reminder"
    FRIEND_STREAK_BROKEN = "friend_streak_broken"
    FRIEND_STREAK_MILESTONE = "friend_streak_milestone"
    FRIEND_PASSED = "friend_passed"


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


class StoredNotification(Notification):
    """A notification as the feed holds it: with the user's read mark."""

    read: bool = False


@dataclass(frozen=True, slots=True)
class NotificationPage:
    """One page of a user's feed, newest first, and the cursor of the next (``None``: the end)."""

    items: list[StoredNotification]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class MarkedRead:
    marked: list[str]
    """Ids that were unread and are now read."""
    unknown: list[str]
    """Requested ids that are not in this user's feed (never someone else's: we only look here)."""


def level_up(
    *,
    user_id: str,
    old: int,
    new: int,
    now: AwareDatetime,
    push: bool,
    locale: str = DEFAULT_LOCALE,
) -> Notification:
    return Notification(
        id=f"level#{new}",
        user_id=user_id,
        kind=NotificationKind.LEVEL_UP,
        title=text(locale, "level_up.title", new=new),
        message=text(locale, "level_up.message", old=old, new=new),
        created_at=now,
        push=push,
    )


def badge_unlocked(
    *,
    user_id: str,
    badge_id: str,
    name: str,
    description: str,
    now: AwareDatetime,
    push: bool,
    locale: str = DEFAULT_LOCALE,
) -> Notification:
    return Notification(
        id=f"badge#{badge_id}",
        user_id=user_id,
        kind=NotificationKind.BADGE_EARNED,
        title=text(locale, "badge_unlocked.title", name=name),
        message=description,
        created_at=now,
        push=push,
    )


def streak_milestone(
    *,
    user_id: str,
    ordinal: int,
    every: int,
    xp: int,
    now: AwareDatetime,
    push: bool,
    locale: str = DEFAULT_LOCALE,
) -> Notification:
    return Notification(
        id=f"streak#{ordinal}",
        user_id=user_id,
        kind=NotificationKind.STREAK_MILESTONE,
        title=text(locale, "streak_milestone.title"),
        message=text(locale, "streak_milestone.message", every=every, xp=xp),
        created_at=now,
        push=push,
    )


def streak_reminder(
    *,
    user_id: str,
    streak_days: int,
    local_day: str,
    tonight: bool,
    now: AwareDatetime,
    locale: str = DEFAULT_LOCALE,
) -> Notification:
    """At most one per user per streak day: the id carries the local day it protects.
    ``tonight``: the streak breaks tonight (else "at midnight", said earlier in the day)."""
    when = text(locale, "streak_reminder.tonight" if tonight else "streak_reminder.at_midnight")
    return Notification(
        id=f"reminder#{local_day}",
        user_id=user_id,
        kind=NotificationKind.STREAK_REMINDER,
        title=text(locale, "streak_reminder.title"),
        message=text(locale, "streak_reminder.message", days=streak_days, when=when),
        created_at=now,
        push=True,
    )


def freeze_used(
    *,
    user_id: str,
    day: str,
    streak_days: int,
    used_at: AwareDatetime,
    push: bool,
    locale: str = DEFAULT_LOCALE,
) -> Notification:
    """One per covered day. Stamped with the moment the freeze was used (the end of the covered
    day), not with the clock: if late activity takes the freeze away and more late activity gives
    it back, the notice is written again under the same key (one item, pushed once)."""
    return Notification(
        id=f"freeze#{day}",
        user_id=user_id,
        kind=NotificationKind.STREAK_FREEZE_USED,
        title=text(locale, "freeze_used.title"),
        message=text(locale, "freeze_used.message", days=streak_days, day=day),
        created_at=used_at,
        push=push,
    )


def quest_completed(
    *,
    user_id: str,
    quest_id: str,
    name: str,
    xp: int,
    now: AwareDatetime,
    push: bool,
    locale: str = DEFAULT_LOCALE,
) -> Notification:
    """Once per quest: the id carries the quest, and completion is stored with the profile."""
    return Notification(
        id=f"quest#{quest_id}",
        user_id=user_id,
        kind=NotificationKind.QUEST_COMPLETED,
        title=text(locale, "quest_completed.title", name=name),
        message=(
            text(locale, "quest_completed.message", xp=xp)
            if xp
            else text(locale, "quest_completed.message_no_xp")
        ),
        created_at=now,
        push=push,
    )


DIGEST_MESSAGE_MAX = 280


def within(
    found: list[Notification], room: int, locale: str = DEFAULT_LOCALE
) -> list[Notification]:
    """At most ``room`` notifications: past it, the rest become one digest ("And 12 more").

    One commit writes its notifications in the user's transaction (at most 100 items), and one
    activity can complete many quests or badges at once; without this the commit could never
    fit. Deterministic (the digest's id names the first notice it folds), so a retry writes the
    same items.
    """
    if len(found) <= room:
        return found
    kept, rest = found[: max(room - 1, 0)], found[max(room - 1, 0) :]
    message = text(locale, "digest.message", titles="; ".join(n.title for n in rest))
    if len(message) > DIGEST_MESSAGE_MAX:
        message = message[: DIGEST_MESSAGE_MAX - 1] + "…"
    digest = Notification(
        id=f"more#{rest[0].id}",
        user_id=rest[0].user_id,
        kind=NotificationKind.DIGEST,
        title=text(locale, "digest.title", count=len(rest)),
        message=message,
        created_at=rest[0].created_at,
        push=any(n.push for n in rest),
    )
    return [*kept, digest] if room > 0 else []


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


def friend_streak_reminder(
    *,
    user_id: str,
    partner: str,
    name: str,
    days: int,
    local_day: str,
    now: AwareDatetime,
    locale: str = DEFAULT_LOCALE,
) -> Notification:
    """At most one per partner and local day: the id carries both."""
    return Notification(
        id=f"fstreak-risk#{local_day}#{partner}",
        user_id=user_id,
        kind=NotificationKind.FRIEND_STREAK_REMINDER,
        title=text(locale, "friend_streak_reminder.title", name=name),
        message=text(locale, "friend_streak_reminder.message", name=name, days=days),
        created_at=now,
        push=True,
    )


def friend_streak_broken(
    *,
    user_id: str,
    partner: str,
    name: str,
    days: int,
    last_day: str,
    now: AwareDatetime,
    push: bool,
    locale: str = DEFAULT_LOCALE,
) -> Notification:
    """Once per broken run: the id carries its last pair day."""
    return Notification(
        id=f"fstreak-broken#{last_day}#{partner}",
        user_id=user_id,
        kind=NotificationKind.FRIEND_STREAK_BROKEN,
        title=text(locale, "friend_streak_broken.title", name=name),
        message=text(locale, "friend_streak_broken.message", name=name, days=days),
        created_at=now,
        push=push,
    )


def friend_streak_milestone(
    *,
    user_id: str,
    partner: str,
    name: str,
    days: int,
    reached_on: str,
    now: AwareDatetime,
    push: bool,
    locale: str = DEFAULT_LOCALE,
) -> Notification:
    """Once per milestone of a run: the id carries the day it was reached."""
    return Notification(
        id=f"fstreak-milestone#{days}#{reached_on}#{partner}",
        user_id=user_id,
        kind=NotificationKind.FRIEND_STREAK_MILESTONE,
        title=text(locale, "friend_streak_milestone.title"),
        message=text(locale, "friend_streak_milestone.message", name=name, days=days),
        created_at=now,
        push=push,
    )


def friend_passed(
    *,
    user_id: str,
    friend: str,
    name: str | None,
    local_day: str,
    now: AwareDatetime,
    push: bool,
    locale: str = DEFAULT_LOCALE,
) -> Notification:
    """At most one per friend and the recipient's local day: the id carries both. A friend
    with no display name gets sentences of their own ("A friend passed you..."): the name
    starts the sentence, and a stand-in noun would need a capital in English and another case
    in German."""
    suffix = "" if name else "_unnamed"
    return Notification(
        id=f"friend-passed#{local_day}#{friend}",
        user_id=user_id,
        kind=NotificationKind.FRIEND_PASSED,
        title=text(locale, f"friend_passed.title{suffix}", name=name),
        message=text(locale, f"friend_passed.message{suffix}", name=name),
        created_at=now,
        push=push,
    )
