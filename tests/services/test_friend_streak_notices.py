"""Friend streak notices on the port fakes, riding the reminder worker: the at-risk reminder for
the partner not yet active, and exactly once under redelivery and interleaving (property test
against a literal walk of the two users' active days)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gamification.domain.friend_streaks import LinkStatus, StreakLink
from gamification.domain.profile_records import StoredUser
from gamification.domain.reminders import ReminderUnit
from gamification.domain.state import UserSettings, UserState
from gamification.domain.streaks import StreakTrack
from gamification.services.friend_streak_notices import FriendStreakNotices
from gamification.services.reminders import StreakReminders
from tests.fakes.follows import FakeGraph
from tests.fakes.notifications import FakeFeed
from tests.fakes.profiles import FakeProfiles
from tests.fakes.reminders import (
    FakeDueIndex,
    FakeFriendNoticeLedger,
    FakeHourProgress,
    FakeLedger,
    FakeUnitQueue,
)

LEAD = timedelta(hours=6)
DAY0 = date(2026, 11, 1)
MILESTONES = (7, 30)


class World:
    def __init__(self) -> None:
        self.profiles, self.graph, self.feed = FakeProfiles(), FakeGraph(), FakeFeed()
        self.index = FakeDueIndex()
        self.friend_ledger = FakeFriendNoticeLedger(self.profiles, self.feed)
        self.friends = FriendStreakNotices(self.graph, self.profiles, self.friend_ledger, lead=LEAD)
        self.worker = StreakReminders(
            self.index,
            self.profiles,
            FakeLedger(self.profiles, self.feed),
            FakeUnitQueue(),
            FakeHourProgress(),
            lead=LEAD,
            friends=self.friends,
        )

    def user(self, user_id: str, days: list[date]) -> None:
        track = StreakTrack()
        for day in days:
            track = track.with_day(day)
        settings_ = UserSettings(display_name=user_id.title(), push_enabled=True)
        self.profiles.put(StoredUser(UserState(user_id=user_id, settings=settings_, streak=track)))

    def pair(self, a: str, b: str, started_on: date) -> None:
        at = datetime.combine(started_on, datetime.min.time(), UTC)
        self.graph.links[(a, b)] = StreakLink(b, LinkStatus.ACTIVE, at, started_on)
        self.graph.links[(b, a)] = StreakLink(a, LinkStatus.ACTIVE, at, started_on)

    def ids(self, user_id: str) -> list[str]:
        return [n.id for n in self.feed.page(user_id, limit=100).items]


def test_the_worker_reminds_the_partner_not_yet_active_once_however_often_the_unit_runs() -> None:
    world = World()
    today = DAY0 + timedelta(days=3)
    world.user("ann", [DAY0 + timedelta(days=d) for d in range(4)])
    world.user("bob", [DAY0 + timedelta(days=d) for d in range(3)])
    world.pair("ann", "bob", DAY0)
    due = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=18)
    world.index.add("bob", due, 0)
    unit = ReminderUnit(due, 0, due + timedelta(minutes=5))
    first = world.worker.run_unit(unit)
    assert (first.sent, first.friend_sent) == (1, 1)
    for _ in range(3):  # redelivered
        again = world.worker.run_unit(unit)
        assert (again.sent, again.friend_sent, again.failed) == (0, 0, 0)
    assert sorted(world.ids("bob")) == [f"fstreak-risk#{today}#ann", f"reminder#{today}"]
    assert world.ids("ann") == []
    assert first.totals()["FriendStreakNoticesSent"] == 1


def test_a_user_without_friend_streaks_costs_one_lookup_and_gets_nothing_more() -> None:
    world = World()
    world.user("cat", [DAY0, DAY0 + timedelta(days=1)])
    report = world.friends.run([world.profiles.load("cat")], datetime(2026, 11, 2, 19, tzinfo=UTC))
    assert (report.sent, report.already_sent, report.failed) == (0, 0, 0)


def pair_runs(both: list[bool]) -> list[tuple[int, int]]:
    """The literal walk: runs of consecutive days on which both were active."""
    runs: list[tuple[int, int]] = []
    for day, active in enumerate(both):
        if not active:
            continue
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


days_st = st.lists(st.sampled_from([True] * 9 + [False]), min_size=1, max_size=40)
"""Active days, mostly: runs of 7 and more pair days (milestones) come up often."""


@settings(max_examples=100, deadline=None)
@example(ann=[True] * 40, bob=[True] * 40, early=[False] * 80, order=[["bob", "ann", "bob"]] * 45)
@example(  # a run of exactly 7, then a 1-day gap and a new run: milestone and break both told
    ann=[True] * 7 + [False] + [True] * 5,
    bob=[True] * 13,
    early=[True] * 80,
    order=[["ann"]] * 45,
)
@given(
    ann=days_st,
    bob=days_st,
    early=st.lists(st.booleans(), min_size=80, max_size=80),
    order=st.lists(
        st.lists(st.sampled_from(["ann", "bob"]), min_size=1, max_size=4), min_size=45, max_size=45
    ),
)
def test_breaks_and_milestones_are_told_exactly_once_to_each_partner(
    ann: list[bool],
    bob: list[bool],
    early: list[bool],
    order: list[list[str]],
) -> None:
    """Each day both partners' 18:00 runs happen in any order, some several times (redelivery);
    an activity lands before or after that day's runs. Afterwards every milestone and every break
    of the literal walk was told once to each partner (with its domain event, once), and no
    at-risk reminder twice."""
    horizon = max(len(ann), len(bob))
    active = {
        "ann": [d < len(ann) and ann[d] for d in range(horizon)],
        "bob": [d < len(bob) and bob[d] for d in range(horizon)],
    }
    is_early = {"ann": early[:horizon], "bob": early[40 : 40 + horizon]}
    world = World()
    world.pair("ann", "bob", DAY0)
    for day in range(horizon + 4):  # 4 quiet days at the end: the last break is told too
        for who in ("ann", "bob"):
            days = [
                DAY0 + timedelta(days=d)
                for d in range(min(day + 1, horizon))
                if active[who][d] and (d < day or is_early[who][d])
            ]
            world.user(who, days)
        at = datetime.combine(DAY0 + timedelta(days=day), datetime.min.time(), UTC)
        for who in order[day]:
            world.friends.run([world.profiles.load(who)], at + timedelta(hours=18, minutes=5))
        for who in ("ann", "bob"):  # the day's late activity
            world.user(
                who,
                [DAY0 + timedelta(days=d) for d in range(min(day + 1, horizon)) if active[who][d]],
            )
    runs = pair_runs([a and b for a, b in zip(active["ann"], active["bob"], strict=True)])
    for me, other in (("ann", "bob"), ("bob", "ann")):
        told = Counter(world.ids(me))
        assert all(n == 1 for n in told.values()), told
        milestones = {i for i in told if i.startswith("fstreak-milestone#")}
        assert milestones == {
            f"fstreak-milestone#{m}#{DAY0 + timedelta(days=s + m - 1)}#{other}"
            for s, e in runs
            for m in MILESTONES
            if e - s + 1 >= m
        }
        broken = {i for i in told if i.startswith("fstreak-broken#")}
        assert broken == {f"fstreak-broken#{DAY0 + timedelta(days=e)}#{other}" for _, e in runs}
        # Their domain events ride the same commits: one per notice, each fact once.
        events = Counter((e.type, e.fact) for u, e in world.friend_ledger.events if u == me)
        assert all(n == 1 for n in events.values()), events
        assert set(events) == {
            ("friend_streak.milestone", f"{other}#{i.split('#')[2]}") for i in milestones
        } | {("friend_streak.broken", f"{other}#{i.split('#')[1]}") for i in broken}


def test_a_recipient_who_changed_since_the_read_is_decided_again() -> None:
    """The at-risk reminder commits only at the profile version it was decided on: one who
    became active meanwhile is not reminded; one who only changed a setting still is."""
    today = DAY0 + timedelta(days=3)
    at = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=18, minutes=5)
    for acted, told in ((True, []), (False, [f"fstreak-risk#{today}#ann"])):
        world = World()
        world.user("ann", [DAY0 + timedelta(days=d) for d in range(4)])
        world.user("bob", [DAY0 + timedelta(days=d) for d in range(3)])
        world.pair("ann", "bob", DAY0)
        read = world.profiles.load("bob")
        world.user("bob", [DAY0 + timedelta(days=d) for d in range(4 if acted else 3)])
        world.profiles.stored["bob"] = replace(world.profiles.load("bob"), version=read.version + 1)

        report = world.friends.run([read], at)

        assert (report.sent, report.failed) == (len(told), 0)
        assert world.ids("bob") == told
