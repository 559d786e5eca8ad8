"""Streak-expiry reminders, fanned out: the hourly run enqueues units, a worker sends them.

A reminder is due ``lead`` before the streak would break (local midnight ending the day after the
last active day; 18:00 local with the default 6 h). The sparse GSI1 lists users by the UTC hour
their reminder falls due, written under ``shards`` keys per hour (``keys.reminder_pk``).

``ReminderFanOut`` (the hourly schedule) only enqueues units of work, one per (hour, shard): for
the current hour (the users due on the hour, on time), and for the hour that just ended and the
one before, the shards whose *final pass* has not finished (the half-hour zones, a failed or
missed run). ``StreakReminders.run_unit`` (the queue's worker) handles one unit: at most
``page_size`` users of one hour-shard; a longer shard continues in a message it enqueues before it
returns. A shard's final pass (a run at or after the end of its hour) that reads its last page
records the shard done in the hour's progress item, so later runs leave it alone.

Every candidate is re-checked against the stored profile (never early, never after the streak
broke), and the ledger's guard item makes it at most one reminder per user and local day however
often, out of order or concurrently units run. A loaded user whose streak the clock has broken
gets its ``streak.broken`` event, committed with the profile that records it told (the outbox,
``domain_events.broken_by_clock``): once per streak, whichever of this job and the user's next
activity finds it first, with the same id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from gamification.domain.domain_events import broken_by_clock, told_broken
from gamification.domain.freezes import FreezeRules
from gamification.domain.notifications import Notification
from gamification.domain.profile_records import StoredUser, UserChange, VersionConflictError
from gamification.domain.reminders import (
    Reminder,
    ReminderOutcome,
    ReminderUnit,
    Skip,
    hour_name,
    plan_reminder,
    unit_name,
)
from gamification.services.friend_streak_notices import FriendStreakNotices

logger = Logger(child=True)

LOOKBACK_HOURS = 2
"""Earlier due hours each run looks at again (their unfinished shards), so one or two missed
runs lose no reminder; older hours are given up (a reminder near midnight is worse than none)."""
PAGE_SIZE = 1_000
"""Users per unit: ≈ 10-20 s of transactions, well inside the worker's 2-minute timeout."""
HOUR = timedelta(hours=1)
_CHUNK = 100


# -- ports (adapters: ReminderIndex, UserRepository, ReminderLedger, ReminderQueue,
# ReminderProgress; in-memory fakes: tests/fakes/reminders.py and the scale simulation's) ------


class DuePage(Protocol):
    """One page of the users due in an hour's shard (the adapter's own record matches it)."""

    @property
    def user_ids(self) -> Sequence[str]: ...

    @property
    def next(self) -> str | None:
        """The cursor of the next page (the last user id read), ``None`` on the last page."""
        ...


class DueIndex(Protocol):
    def page(self, hour: datetime, shard: int, after: str | None, limit: int) -> DuePage: ...


class Profiles(Protocol):
    def load(self, user_id: str, consistent: bool = True) -> StoredUser: ...

    def load_many(
        self, user_ids: Sequence[str], consistent: bool = False
    ) -> Mapping[str, StoredUser]: ...

    def save(self, change: UserChange) -> StoredUser:
        """Commit ``change`` (its events in the profile's outbox) under the version guard;
        :class:`VersionConflictError` when the profile moved on since it was read."""
        ...


class Ledger(Protocol):
    def already_reminded(self, wanted: Sequence[tuple[str, date]]) -> set[str]: ...

    def record(self, notification: Notification, day: date, version: int) -> ReminderOutcome: ...


class UnitQueue(Protocol):
    def send(self, units: Sequence[ReminderUnit]) -> None: ...


class HourProgress(Protocol):
    def start(self, hour: datetime) -> None: ...

    def finish(self, hour: datetime, shard: int) -> None: ...

    def finished(self, hour: datetime) -> set[int] | None: ...


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


# -- the hourly run: enqueue ------------------------------------------------------------------


@dataclass
class FanOutReport:
    now: datetime
    queued: dict[str, int] = field(default_factory=dict)
    """Units queued per due hour (``2026-11-26T18``)."""
    late_shards: int = 0
    """Shards of an hour that ended over an hour ago whose final pass has not finished: its
    reminders were not all sent in time (alarmed; this run queues them once more)."""

    def totals(self) -> dict[str, int]:
        return {
            "ReminderUnitsQueued": sum(self.queued.values()),
            "ReminderShardsLate": self.late_shards,
        }

    def summary(self) -> dict[str, Any]:
        return {"now": self.now.isoformat(), "queued": self.queued, **self.totals()}


class ReminderFanOut:
    """The hourly schedule's run: queue one unit per due hour and shard still to do."""

    def __init__(
        self,
        queue: UnitQueue,
        progress: HourProgress,
        *,
        shards: int,
        lookback_hours: int = LOOKBACK_HOURS,
    ) -> None:
        if shards < 1:
            raise ValueError("reminder shards must be at least 1")
        self._queue = queue
        self._progress = progress
        self._shards = shards
        self._lookback = lookback_hours

    def run(self, now: datetime) -> FanOutReport:
        """Queue the units for ``now`` (the scheduled event's time: a retried run is the same
        run, and shards finished meanwhile are not queued again)."""
        now = now.astimezone(UTC)
        report = FanOutReport(now=now)
        hour = hour_of(now)
        every = range(self._shards)
        self._progress.start(hour)
        units = [ReminderUnit(hour, shard, now) for shard in every]
        report.queued[hour_name(hour)] = len(units)
        for back in range(1, self._lookback + 1):
            earlier = hour - back * HOUR
            done = self._progress.finished(earlier)
            open_shards = [shard for shard in every if shard not in (done or ())]
            if back >= 2 and done is not None:
                # Its final pass was queued an hour ago (an hour no run started, e.g. before
                # the first deploy, is caught up but not counted: nothing was late).
                report.late_shards += len(open_shards)
            units += [ReminderUnit(earlier, shard, now) for shard in open_shards]
            report.queued[hour_name(earlier)] = len(open_shards)
        self._queue.send(units)
        return report


# -- the worker: one unit ---------------------------------------------------------------------


@dataclass
class ReminderReport:
    now: datetime
    hours: list[str] = field(default_factory=list)
    candidates: int = 0
    sent: int = 0
    already_sent: int = 0
    failed: int = 0
    friend_sent: int = 0
    """Friend streak notices sent (at risk, broken, milestones: ``FriendStreakNotices``)."""
    friend_already_sent: int = 0
    breaks_told: int = 0
    """``streak.broken`` events committed (a streak found broken by the clock, once each)."""
    skipped: Counter[Skip] = field(default_factory=Counter)
    continued: bool = False
    """The shard had more users: a continuation unit was queued."""
    finished: bool = False
    """The final pass read the shard's last page: the hour's progress item has it."""

    def totals(self) -> dict[str, int]:
        """The run's metrics, by CloudWatch metric name."""
        return {
            "ReminderCandidates": self.candidates,
            "RemindersSent": self.sent,
            "RemindersAlreadySent": self.already_sent,
            "RemindersSkipped": sum(self.skipped.values()),
            "RemindersFailed": self.failed,
            "FriendStreakNoticesSent": self.friend_sent,
            "FriendStreakNoticesAlreadySent": self.friend_already_sent,
            "StreakBreaksTold": self.breaks_told,
        }

    def summary(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "hours": self.hours,
            **self.totals(),
            "skipped": {reason.value: n for reason, n in sorted(self.skipped.items())},
            "continued": self.continued,
            "finished": self.finished,
        }

    def add(self, other: ReminderReport) -> None:
        """Fold another unit's counts into this one (a batch, a test's whole hour)."""
        self.hours += other.hours
        self.candidates += other.candidates
        self.sent += other.sent
        self.already_sent += other.already_sent
        self.failed += other.failed
        self.friend_sent += other.friend_sent
        self.friend_already_sent += other.friend_already_sent
        self.breaks_told += other.breaks_told
        self.skipped.update(other.skipped)


class StreakReminders:
    def __init__(
        self,
        index: DueIndex,
        users: Profiles,
        ledger: Ledger,
        queue: UnitQueue,
        progress: HourProgress,
        *,
        lead: timedelta,
        page_size: int = PAGE_SIZE,
        max_attempts: int = 3,
        freezes: FreezeRules | None = None,
        friends: FriendStreakNotices | None = None,
    ) -> None:
        """``friends``: the friend streak notices of each loaded user, told in the same pass."""
        if not timedelta(0) < lead <= timedelta(hours=24):
            # Longer leads would fall on the last active day itself, before there is anything
            # to remind about; the reminder is for the day that still saves the streak.
            raise ValueError("the reminder lead must be more than 0 and at most 24 hours")
        self._index = index
        self._users = users
        self._ledger = ledger
        self._queue = queue
        self._progress = progress
        self._lead = lead
        self._page_size = page_size
        self._max_attempts = max_attempts
        self._freezes = freezes or FreezeRules()
        self._friends = friends

    def run_unit(self, unit: ReminderUnit, now: datetime | None = None) -> ReminderReport:
        """Remind the users of one page of ``unit`` whose reminder is due by ``now`` (default:
        the unit's scheduled run), then continue the shard or record it finished.

        With failed users nothing is queued or recorded: the caller fails the message, and its
        retry repeats the page (the guard skips whoever was reminded)."""
        now = (now or unit.at).astimezone(UTC)
        report = ReminderReport(now=now, hours=[unit_name(unit.hour, unit.shard)])
        page = self._index.page(unit.hour, unit.shard, unit.after, self._page_size)
        report.candidates = len(page.user_ids)
        for chunk in _chunks(page.user_ids, _CHUNK):
            self._remind_chunk(chunk, now, report)
        if report.failed:
            return report
        if page.next is not None:
            self._queue.send([replace(unit, after=page.next)])
            report.continued = True
        elif now >= unit.hour + HOUR:
            self._progress.finish(unit.hour, unit.shard)
            report.finished = True
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
        if self._friends is not None:
            told = self._friends.run([stored[u] for u in user_ids], now)
            report.friend_sent += told.sent
            report.friend_already_sent += told.already_sent
            report.failed += told.failed
        # Last: a break commits a new profile version, which the reminders above guard on.
        for user_id in user_ids:
            if broken_by_clock(stored[user_id].state, self._freezes, now) is None:
                continue
            try:
                report.breaks_told += self._tell_broken(user_id, now)
            except Exception:
                logger.exception("streak break not told", extra={"user_id": user_id})
                report.failed += 1

    def _tell_broken(self, user_id: str, now: datetime) -> int:
        """Commit ``streak.broken`` with the profile that records it told (the outbox): decided
        again on a consistent read, and again after a concurrent commit. Returns 1 if told."""
        for _ in range(self._max_attempts):
            user = self._users.load(user_id)
            draft = broken_by_clock(user.state, self._freezes, now)
            if draft is None:
                return 0  # active again meanwhile, or told by an overlapping run
            change = UserChange(
                before=user, state=told_broken(user.state, draft), now=now, events=(draft,)
            )
            try:
                self._users.save(change)
            except VersionConflictError:
                continue
            return 1
        raise RuntimeError(f"user {user_id} kept changing")

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
