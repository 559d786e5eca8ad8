"""Streak reminders as a rule: who gets one at a given moment, and what it says.

Pure (no I/O, no clock of its own), so the hourly job only finds candidates and stores what this
decides, and every timezone, DST and "already active today" case is tested here directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from gamification.domain import notifications
from gamification.domain.experiments import experience
from gamification.domain.freezes import FreezeRules, freeze_status
from gamification.domain.notifications import Notification
from gamification.domain.state import UserState
from gamification.domain.streaks import local_day, streak_status


@dataclass(frozen=True, slots=True)
class ReminderUnit:
    """One bounded piece of an hour's reminders: a due hour's shard, from a cursor."""

    hour: datetime
    """The UTC due hour whose index keys the unit reads (``unit_name``)."""
    shard: int
    at: datetime
    """The scheduled run the unit belongs to: the worker's "now", so a retry is the same run."""
    after: str | None = None
    """Continue after this user (the index cursor); ``None`` starts the shard."""


class ReminderOutcome(StrEnum):
    """What recording one reminder did (the ledger's answer)."""

    RECORDED = "recorded"
    ALREADY_REMINDED = "already_reminded"
    PROFILE_CHANGED = "profile_changed"


def hour_name(due: datetime) -> str:
    """The UTC hour of ``due`` as reports and the reminder index name it (``2026-11-26T18``)."""
    return due.astimezone(UTC).strftime("%Y-%m-%dT%H")


def unit_name(hour: datetime, shard: int) -> str:
    """A due hour's shard as reports name it: the reminder index's partition key
    (``adapters.keys.reminder_pk``, held equal by tests/adapters/test_reminder_names.py)."""
    return f"REMIND#{hour_name(hour)}#{shard}"


class Skip(StrEnum):
    """Why a user found in the index gets no reminder now (the index can lag the profile)."""

    PUSH_OFF = "push_off"
    NO_STREAK = "no_streak"
    ACTIVE_TODAY = "active_today"
    NOT_DUE = "not_due"
    CONTROL_GROUP = "control_group"
    """In the control group: no reminders (domain.experiments)."""


@dataclass(frozen=True, slots=True)
class Reminder:
    notification: Notification
    day: date
    """The user's local day the reminder protects (at most one reminder per day)."""


def says_tonight(lead: timedelta) -> bool:
    """Whether the message says the streak breaks "tonight" (else "at midnight"), as seen
    ``lead`` before local midnight."""
    return lead <= timedelta(hours=12)


def plan_reminder(
    state: UserState, now: datetime, lead: timedelta, freezes: FreezeRules | None = None
) -> Reminder | Skip:
    """The reminder ``state`` calls for at ``now``, or why none (pure: no I/O, no clock).

    Freezes: the streak expires when the freezes held can no longer cover a missed day, so a
    user holding one gets no "expires tonight" on a day a freeze would cover; they are reminded
    on the evening before the streak really breaks (the message stays true).
    """
    settings = state.settings
    if not settings.push_enabled:
        return Skip.PUSH_OFF
    if experience(state.experiment) == "control":
        return Skip.CONTROL_GROUP
    status = freeze_status(
        state.streak, state.freezes, freezes or FreezeRules(), settings.timezone, now
    )
    if status.current == 0 or status.expires_at is None:
        return Skip.NO_STREAK
    if streak_status(state.streak, settings.timezone, now).active_today:
        return Skip.ACTIVE_TODAY
    due = status.expires_at - lead
    if now < due:
        return Skip.NOT_DUE
    day = local_day(now, settings.timezone)
    notification = notifications.streak_reminder(
        user_id=state.user_id,
        streak_days=status.current,
        local_day=day.isoformat(),
        tonight=says_tonight(lead),
        now=now,
        locale=settings.locale,
    )
    return Reminder(notification, day)
