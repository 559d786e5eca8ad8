"""Streak-expiry reminders: once an hour, remind every user whose streak breaks tonight.

A reminder is due ``lead`` before the streak would break (local midnight ending the day after the
last active day; 18:00 local with the default 6 h). The sparse GSI1 lists users by the UTC hour
their reminder falls due, so a run reads only the hours it covers: the current one and a short
look-back, so a late or missed run still reminds (a reminder is never sent *before* it is due,
and never after the streak broke). Every candidate is re-checked against the stored profile,
and the ledger's guard item makes it at most one reminder per user and local day however often
or concurrently the job runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from gamification.adapters import keys
from gamification.adapters.reminder_index import ReminderIndex
from gamification.adapters.reminder_ledger import ReminderLedger, ReminderOutcome
from gamification.adapters.user_repository import StoredUser, UserRepository
from gamification.domain.freezes import FreezeRules
from gamification.domain.reminders import Reminder, Skip, plan_reminder

logger = Logger(child=True)

LOOKBACK_HOURS = 2
"""Earlier hour buckets each run reads again, so one or two missed runs lose no reminder."""
_CHUNK = 100


@dataclass
class ReminderReport:
    now: datetime
    hours: list[str] = field(default_factory=list)
    candidates: int = 0
    sent: int = 0
    already_sent: int = 0
    failed: int = 0
    skipped: Counter[Skip] = field(default_factory=Counter)

    def totals(self) -> dict[str, int]:
        """The run's metrics, by CloudWatch metric name."""
        return {
            "ReminderCandidates": self.candidates,
            "RemindersSent": self.sent,
            "RemindersAlreadySent": self.already_sent,
            "RemindersSkipped": sum(self.skipped.values()),
            "RemindersFailed": self.failed,
        }

    def summary(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "hours": self.hours,
            **self.totals(),
            "skipped": {reason.value: n for reason, n in sorted(self.skipped.items())},
        }


class StreakReminders:
    def __init__(
        self,
        index: ReminderIndex,
        users: UserRepository,
        ledger: ReminderLedger,
        *,
        lead: timedelta,
        lookback_hours: int = LOOKBACK_HOURS,
        max_attempts: int = 3,
        freezes: FreezeRules | None = None,
    ) -> None:
        if not timedelta(0) < lead <= timedelta(hours=24):
            # Longer leads would fall on the last active day itself, before there is anything
            # to remind about; the reminder is for the day that still saves the streak.
            raise ValueError("the reminder lead must be more than 0 and at most 24 hours")
        self._index = index
        self._users = users
        self._ledger = ledger
        self._lead = lead
        self._lookback = lookback_hours
        self._max_attempts = max_attempts
        self._freezes = freezes or FreezeRules()

    def run(self, now: datetime) -> ReminderReport:
        """Remind every user whose reminder is due by ``now`` (the scheduled event's time)."""
        now = now.astimezone(UTC)
        report = ReminderReport(now=now)
        hour = now.replace(minute=0, second=0, microsecond=0)
        buckets = [hour - timedelta(hours=h) for h in range(self._lookback, -1, -1)]
        report.hours = [keys.reminder_pk(b) for b in buckets]
        user_ids = list(dict.fromkeys(u for b in buckets for u in self._index.due_in(b)))
        report.candidates = len(user_ids)
        for chunk in _chunks(user_ids, _CHUNK):
            self._remind_chunk(chunk, now, report)
        return report

    def _remind_chunk(self, user_ids: Sequence[str], now: datetime, report: ReminderReport) -> None:
        stored = self._users.load_many(user_ids)
        planned: list[tuple[StoredUser, Reminder]] = []
        for user_id in user_ids:
            plan = plan_reminder(stored[user_id].state, now, self._lead, self._freezes)
            if isinstance(plan, Skip):
                report.skipped[plan] += 1
            else:
                planned.append((stored[user_id], plan))
        done = self._ledger.already_reminded([(s.state.user_id, r.day) for s, r in planned])
        report.already_sent += len(done)
        for user, reminder in planned:
            if user.state.user_id in done:
                continue
            try:
                self._remind(user, reminder, now, report)
            except Exception:
                logger.exception("reminder failed", extra={"user_id": user.state.user_id})
                report.failed += 1

    def _remind(
        self, user: StoredUser, reminder: Reminder, now: datetime, report: ReminderReport
    ) -> None:
        """Commit the reminder; after a concurrent profile change, re-read and decide again."""
        for _ in range(self._max_attempts):
            outcome = self._ledger.record(reminder.notification, reminder.day, user.version)
            if outcome is ReminderOutcome.RECORDED:
                report.sent += 1
                return
            if outcome is ReminderOutcome.ALREADY_REMINDED:
                report.already_sent += 1
                return
            user = self._users.load(user.state.user_id)
            plan = plan_reminder(user.state, now, self._lead, self._freezes)
            if isinstance(plan, Skip):
                report.skipped[plan] += 1
                return
            reminder = plan
        raise RuntimeError(f"user {user.state.user_id} kept changing")


def _chunks(values: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
