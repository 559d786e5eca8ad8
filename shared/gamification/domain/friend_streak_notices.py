"""Friend streak notifications as a rule (issue #29): who is told what about a friend streak at
a given moment. Pure (no I/O, no clock of its own), like ``domain.reminders``.

* **At risk**: at the personal reminder's hour (``lead`` before the recipient's local
  midnight: 18:00 with the default 6 h), to the partner not yet active on their local today
  while the other was active on that date, when that day would extend a live friend streak.
* **Broken**: both partners, once per broken run (named by its last pair day).
* **Milestones** (``MILESTONES``): both partners, once per milestone of a run (named by the
  day it was reached).
* A partner in the **control group** (``domain.experiments``) is told none of these.

The hourly reminder worker evaluates a user's friend streaks when it loads them (their
18:00 local), so breaks and milestones are noticed there: each is told only while it is at most
``NOTICE_DAYS`` old, which bounds how long its once-only guard must live
(``GUARD_TTL``). Every notice names its partner and a day, the same from both sides, so the
two partners' runs find the same guards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from gamification.domain import notifications
from gamification.domain.experiments import experience
from gamification.domain.friend_streaks import MILESTONES, friend_streak, pair_runs, pair_today
from gamification.domain.messages import text
from gamification.domain.notifications import Notification
from gamification.domain.state import UserState
from gamification.domain.streaks import local_day

NOTICE_DAYS = 2
"""Days (of the pair's today) after a break or a milestone in which it is still told: each
partner who keeps a personal streak is loaded by the reminder worker once a day."""
GUARD_TTL = timedelta(days=NOTICE_DAYS + 3)
"""A guard outlives every run that could still find its notice (the window, zones, look-back)."""


class NoticeKind(StrEnum):
    AT_RISK = "risk"
    BROKEN = "broken"
    MILESTONE = "milestone"
    PASSED = "passed"
    """"NAME passed you on the weekly board" (``domain.friend_passed``): same guard family."""


@dataclass(frozen=True, slots=True)
class FriendNotice:
    notification: Notification
    """To its recipient (``notification.user_id``)."""
    kind: NoticeKind
    partner: str
    day: date
    """At risk: the recipient's local day; broken: the run's last pair day; milestone: the day
    it was reached."""
    streak_days: int = 0
    """Broken: the run's length; milestone: the milestone (0 for an at-risk reminder)."""

    @property
    def recipient(self) -> str:
        return self.notification.user_id

    @property
    def needs_same_profile(self) -> bool:
        """An at-risk reminder is sent only if the recipient did not act since the decision."""
        return self.kind is NoticeKind.AT_RISK


def plan_friend_notices(
    me: UserState, partner: UserState, started_on: date, now: datetime, lead: timedelta
) -> list[FriendNotice]:
    """What the friend streak of ``me`` and ``partner`` (accepted on ``started_on``) calls for
    at ``now``: milestones and a break for both, an at-risk reminder for ``me``."""
    today_me = local_day(now, me.settings.timezone)
    today = pair_today(today_me, local_day(now, partner.settings.timezone))
    runs = [(s, min(e, today)) for s, e in pair_runs(me.streak, partner.streak, started_on)]
    runs = [(s, e) for s, e in runs if s <= today]
    found: list[FriendNotice] = []
    window = today - timedelta(days=NOTICE_DAYS)
    for i, (start, end) in enumerate(runs):
        length = (end - start).days + 1
        for days in MILESTONES:
            reached = start + timedelta(days=days - 1)
            if days <= length and reached >= window:
                found += _both(me, partner, NoticeKind.MILESTONE, day=reached, days=days, now=now)
        # Broken once a whole pair day passed after it (a later run may have started since).
        broken = i < len(runs) - 1 or end < today - timedelta(days=1)
        if broken and end >= window - timedelta(days=1):
            found += _both(me, partner, NoticeKind.BROKEN, day=end, days=length, now=now)
    risk = _at_risk(me, partner, started_on, today=today_me, now=now, lead=lead)
    # The control group is told nothing (domain.experiments); its partner still is.
    control = {u.user_id for u in (me, partner) if experience(u.experiment) == "control"}
    return [n for n in [*found, *([risk] if risk else [])] if n.recipient not in control]


def _at_risk(
    me: UserState,
    partner: UserState,
    started_on: date,
    *,
    today: date,
    now: datetime,
    lead: timedelta,
) -> FriendNotice | None:
    if not me.settings.push_enabled or me.streak.active_on(today):
        return None
    if not partner.streak.active_on(today):
        return None
    after = today + timedelta(days=1)
    midnight = datetime(after.year, after.month, after.day, tzinfo=ZoneInfo(me.settings.timezone))
    if now < midnight - lead:
        return None
    streak = friend_streak(me.streak, partner.streak, started_on, today, today)
    if streak.current == 0:
        return None
    notification = notifications.friend_streak_reminder(
        user_id=me.user_id,
        partner=partner.user_id,
        name=_name(partner, me.settings.locale),
        days=streak.current,
        local_day=today.isoformat(),
        now=now,
        locale=me.settings.locale,
    )
    return FriendNotice(notification, NoticeKind.AT_RISK, partner.user_id, today)


def _both(
    me: UserState, partner: UserState, kind: NoticeKind, *, day: date, days: int, now: datetime
) -> list[FriendNotice]:
    found = []
    for to, other in ((me, partner), (partner, me)):
        push = to.settings.push_enabled
        if kind is NoticeKind.MILESTONE:
            notification = notifications.friend_streak_milestone(
                user_id=to.user_id,
                partner=other.user_id,
                name=_name(other, to.settings.locale),
                days=days,
                reached_on=day.isoformat(),
                now=now,
                push=push,
                locale=to.settings.locale,
            )
        else:
            notification = notifications.friend_streak_broken(
                user_id=to.user_id,
                partner=other.user_id,
                name=_name(other, to.settings.locale),
                days=days,
                last_day=day.isoformat(),
                now=now,
                push=push,
                locale=to.settings.locale,
            )
        found.append(FriendNotice(notification, kind, other.user_id, day, days))
    return found


def _name(user: UserState, locale: str) -> str:
    return user.settings.display_name or text(locale, "friend.unnamed")
