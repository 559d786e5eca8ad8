"""The reminder fan-out and worker on the port fakes: which units the hourly run queues, and
what one unit sends, skips, continues and records (tests/jobs has the same on moto, with the
adapters and the handlers)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from gamification.adapters.user_repository import StoredUser
from gamification.domain.reminders import ReminderUnit, Skip
from gamification.domain.state import UserSettings, UserState
from gamification.domain.streaks import StreakTrack
from gamification.services.reminders import ReminderFanOut, StreakReminders
from tests.fakes.notifications import FakeFeed
from tests.fakes.profiles import FakeProfiles
from tests.fakes.reminders import FakeDueIndex, FakeHourProgress, FakeLedger, FakeUnitQueue

DAY = date(2026, 11, 25)
DUE = datetime(2026, 11, 26, 18, tzinfo=UTC)  # 6 h before the streak breaks at midnight UTC
SHARDS = 4


class World:
    def __init__(self, page_size: int = 10, profiles: FakeProfiles | None = None) -> None:
        self.profiles = profiles or FakeProfiles()
        self.index = FakeDueIndex()
        self.feed = FakeFeed()
        self.ledger = FakeLedger(self.profiles, self.feed)
        self.queue = FakeUnitQueue()
        self.progress = FakeHourProgress()
        self.fan_out = ReminderFanOut(self.queue, self.progress, shards=SHARDS)
        self.worker = StreakReminders(
            self.index,
            self.profiles,
            self.ledger,
            self.queue,
            self.progress,
            lead=timedelta(hours=6),
            page_size=page_size,
        )

    def player(self, user_id: str, *, push: bool = True, shard: int = 0) -> None:
        streak = StreakTrack()
        for back in range(3):
            streak = streak.with_day(DAY - timedelta(days=back))
        state = UserState(user_id=user_id, settings=UserSettings(push_enabled=push), streak=streak)
        self.profiles.put(StoredUser(state))
        self.index.add(user_id, DUE, shard)

    def reminded(self, user_id: str) -> list[str]:
        return [n.id for n in self.feed.page(user_id, limit=10).items]


def test_the_hourly_run_queues_every_shard_of_the_hour_and_the_unfinished_earlier_ones() -> None:
    world = World()
    world.fan_out.run(DUE - timedelta(hours=2))  # started two hours ago
    world.progress.finish(DUE - timedelta(hours=2), 1)
    world.fan_out.run(DUE - timedelta(hours=1))
    world.progress.finish(DUE - timedelta(hours=1), 2)
    world.queue.take()

    report = world.fan_out.run(DUE)

    units = world.queue.take()
    assert report.queued == {"2026-11-26T18": 4, "2026-11-26T17": 3, "2026-11-26T16": 3}
    assert report.late_shards == 3  # two hours ago, shards 0, 2 and 3 are still open
    assert {(u.hour, u.shard) for u in units if u.hour == DUE - timedelta(hours=2)} == {
        (DUE - timedelta(hours=2), s) for s in (0, 2, 3)
    }
    assert all(u.at == DUE for u in units)


def test_a_unit_reminds_the_due_users_once_and_skips_the_rest() -> None:
    world = World()
    world.player("ann")
    world.player("bob", push=False)
    world.player("cy", shard=1)

    report = world.worker.run_unit(ReminderUnit(DUE, 0, DUE))
    again = world.worker.run_unit(ReminderUnit(DUE, 0, DUE))

    assert (report.candidates, report.sent, report.skipped[Skip.PUSH_OFF]) == (2, 1, 1)
    assert report.hours == ["REMIND#2026-11-26T18#0"]
    assert (again.sent, again.already_sent) == (0, 1)
    assert world.reminded("ann") == ["reminder#2026-11-26"]
    assert world.reminded("cy") == []  # another shard


def test_a_long_shard_continues_through_the_queue_and_its_final_pass_is_recorded() -> None:
    world = World(page_size=2)
    for n in range(5):
        world.player(f"user-{n}")
    after_the_hour = DUE + timedelta(hours=1)

    reports = [world.worker.run_unit(ReminderUnit(DUE, 0, after_the_hour))]
    while units := world.queue.take():
        reports += [world.worker.run_unit(u) for u in units]

    assert [r.sent for r in reports] == [2, 2, 1]
    assert [r.continued for r in reports] == [True, True, False]
    assert reports[-1].finished is True
    assert world.progress.finished(DUE) == {0}


class ReadBeforeAWrite(FakeProfiles):
    """Batch reads answer the version before a concurrent write (which ``load`` then sees)."""

    def load_many(self, user_ids: Iterable[str], consistent: bool = False) -> dict[str, StoredUser]:
        found = super().load_many(user_ids, consistent)
        return {u: replace(s, version=s.version - 1) for u, s in found.items()}


def test_a_profile_changed_since_the_read_is_read_again_and_decided_anew() -> None:
    world = World(profiles=ReadBeforeAWrite())
    world.player("ann")

    report = world.worker.run_unit(ReminderUnit(DUE, 0, DUE))

    assert (report.sent, report.failed) == (1, 0)
    assert world.reminded("ann") == ["reminder#2026-11-26"]


BROKEN = DUE + timedelta(days=1)
"""The day after the reminder's day: 2026-11-26 was missed, so the 3-day streak is broken."""


def test_a_streak_the_clock_broke_is_told_once_as_streak_broken_with_the_profile() -> None:
    world = World()
    world.player("ann")
    world.index.add("ann", BROKEN, 0)  # listed for the rest of the index's period

    on_time = world.worker.run_unit(ReminderUnit(DUE, 0, DUE))
    report = world.worker.run_unit(ReminderUnit(BROKEN, 0, BROKEN))
    again = world.worker.run_unit(ReminderUnit(BROKEN, 0, BROKEN + timedelta(days=1)))

    assert on_time.breaks_told == 0  # at risk, not broken: reminded instead
    assert (report.breaks_told, report.skipped[Skip.NO_STREAK], report.failed) == (1, 1, 0)
    assert again.breaks_told == 0
    [(user, version, drafts)] = world.profiles.outbox
    assert (user, version) == ("ann", world.profiles.load("ann").version)
    assert [(d.type, d.fact, d.data) for d in drafts] == [
        ("streak.broken", "2026-11-25", {"last_day": "2026-11-25", "streak_days": 3})
    ]
    assert world.profiles.load("ann").state.broken_told == DAY


class ActiveMeanwhile(FakeProfiles):
    """The user is active again between the page's read and the job's consistent re-read."""

    def load(self, user_id: str, consistent: bool = True) -> StoredUser:
        stored = super().load(user_id, consistent)
        if not consistent:
            return stored
        streak = stored.state.streak.with_day(BROKEN.date())
        return replace(stored, state=stored.state.model_copy(update={"streak": streak}))

    def load_many(self, user_ids: Iterable[str], consistent: bool = False) -> dict[str, StoredUser]:
        return {u: super(ActiveMeanwhile, self).load(u, False) for u in user_ids}


def test_a_break_is_decided_again_on_the_consistent_read_before_it_is_told() -> None:
    """A break the page's read shows but the commit's read does not (the user acted since, and
    their next activity tells the break itself) is not told by the job."""
    world = World(profiles=ActiveMeanwhile())
    world.player("ann")
    world.index.add("ann", BROKEN, 0)

    report = world.worker.run_unit(ReminderUnit(BROKEN, 0, BROKEN))

    assert (report.breaks_told, report.failed, world.profiles.outbox) == (0, 0, [])
