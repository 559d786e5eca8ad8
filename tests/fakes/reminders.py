"""In-memory reminder ports of ``services.reminders``: the due index, the ledger, the unit queue and
the hours' progress (real: ``adapters.reminder_index``, ``reminder_ledger``, ``reminder_queue``,
``reminder_progress``; the contract: tests/adapters/contracts/test_reminders.py holds them
equal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from gamification.domain.domain_events import EventDraft
from gamification.domain.friend_streak_notices import FriendNotice
from gamification.domain.notifications import Notification
from gamification.domain.reminders import ReminderOutcome, ReminderUnit
from tests.fakes.notifications import FakeFeed
from tests.fakes.profiles import FakeProfiles


@dataclass(frozen=True, slots=True)
class DuePage:
    user_ids: list[str]
    next: str | None


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class FakeDueIndex:
    def __init__(self) -> None:
        self.due: dict[tuple[datetime, int], set[str]] = {}

    def add(self, user_id: str, hour: datetime, shard: int) -> None:
        """What a profile write does for a user whose reminder falls due in ``hour``."""
        self.due.setdefault((_hour(hour), shard), set()).add(user_id)

    def page(self, hour: datetime, shard: int, after: str | None, limit: int) -> DuePage:
        """Ids in order (as the index's sort key), after ``after``; ``next`` when more remain."""
        ids = sorted(
            u for u in self.due.get((_hour(hour), shard), ()) if after is None or u > after
        )
        shown = ids[:limit]
        return DuePage(shown, shown[-1] if len(ids) > limit else None)


class FakeLedger:
    """The guard and the notification commit together, only while the profile is at the
    version the decision was made on (``profiles``), and at most once per user and day."""

    def __init__(self, profiles: FakeProfiles, feed: FakeFeed | None = None) -> None:
        self._profiles = profiles
        self._feed = feed or FakeFeed()
        self.guards: set[tuple[str, date]] = set()

    def already_reminded(self, wanted: Sequence[tuple[str, date]]) -> set[str]:
        return {u for u, d in wanted if (u, d) in self.guards}

    def record(self, notification: Notification, day: date, version: int) -> ReminderOutcome:
        if (notification.user_id, day) in self.guards:
            return ReminderOutcome.ALREADY_REMINDED
        if self._profiles.load(notification.user_id).version != version:
            return ReminderOutcome.PROFILE_CHANGED
        self.guards.add((notification.user_id, day))
        self._feed.add(notification)
        return ReminderOutcome.RECORDED


class FakeUnitQueue:
    def __init__(self) -> None:
        self.sent: list[ReminderUnit] = []

    def send(self, units: Sequence[ReminderUnit]) -> None:
        self.sent.extend(units)

    def take(self) -> list[ReminderUnit]:
        """Every unit sent so far, emptying the queue (what the worker's mapping delivers)."""
        units, self.sent = self.sent, []
        return units


class FakeHourProgress:
    def __init__(self) -> None:
        self.hours: dict[datetime, set[int]] = {}

    def start(self, hour: datetime) -> None:
        self.hours.setdefault(_hour(hour), set())

    def finish(self, hour: datetime, shard: int) -> None:
        self.hours.setdefault(_hour(hour), set()).add(shard)

    def finished(self, hour: datetime) -> set[int] | None:
        done = self.hours.get(_hour(hour))
        return None if done is None else set(done)


class FakeFriendNoticeLedger:
    """The friend streak notices' ledger: a notice and its guard commit together, at most once
    per guard (recipient, kind, day, partner), an at-risk one only while the recipient's profile
    is at the version it was decided on (real: ``adapters.friend_notice_ledger``)."""

    def __init__(self, profiles: FakeProfiles, feed: FakeFeed | None = None) -> None:
        self._profiles = profiles
        self._feed = feed or FakeFeed()
        self.guards: set[tuple[str, str, date, str]] = set()
        self.events: list[tuple[str, EventDraft]] = []
        """(recipient, event) committed with a notice into the recipient's profile outbox."""

    @staticmethod
    def _key(notice: FriendNotice) -> tuple[str, str, date, str]:
        return (notice.recipient, notice.kind.value, notice.day, notice.partner)

    def already_sent(self, notices: Sequence[FriendNotice]) -> list[bool]:
        return [self._key(n) in self.guards for n in notices]

    def record(
        self, notice: FriendNotice, version: int | None, events: Sequence[EventDraft] = ()
    ) -> ReminderOutcome:
        if self._key(notice) in self.guards:
            return ReminderOutcome.ALREADY_REMINDED
        if version is not None and self._profiles.load(notice.recipient).version != version:
            return ReminderOutcome.PROFILE_CHANGED
        self.guards.add(self._key(notice))
        self._feed.add(notice.notification)
        stored = self._profiles.load(notice.recipient)
        if events and stored.exists:  # the profile carries them, at its next version
            self._profiles.put(replace(stored, version=stored.version + 1))
            self.events += [(notice.recipient, e) for e in events]
        return ReminderOutcome.RECORDED
