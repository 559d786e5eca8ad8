"""The "passed you" notice on the port fakes, as the projector runs it before publishing: only
mutual friends who were really passed, at most once per friend per day, never with the setting
off, and exactly once under a retried or replayed batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from gamification.domain.boards import PlayerScore
from gamification.domain.notifications import NotificationKind
from gamification.domain.periods import iso_week
from gamification.domain.profile_records import StoredUser
from gamification.domain.state import UserSettings, UserState
from gamification.services.friend_passed import FriendPassedNotices
from tests.fakes.boards import FakeFriendScores, FakeLeaderboard
from tests.fakes.follows import FakeGraph
from tests.fakes.notifications import FakeFeed
from tests.fakes.profiles import FakeProfiles
from tests.fakes.reminders import FakeFriendNoticeLedger

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday
AT = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
WEEK = iso_week(NOW)


class World:
    def __init__(self) -> None:
        self.board, self.graph = FakeLeaderboard(), FakeGraph()
        self.profiles, self.feed = FakeProfiles(), FakeFeed()
        self.ledger = FakeFriendNoticeLedger(self.profiles, self.feed)
        self.notices = FriendPassedNotices(
            self.graph, FakeFriendScores(self.board), self.profiles, self.ledger
        )

    def user(self, user_id: str, weekly: int, **settings_: object) -> PlayerScore:
        self.profiles.put(
            StoredUser(UserState(user_id=user_id, settings=UserSettings.model_validate(settings_)))
        )
        player = self.player(user_id, weekly)
        self.board.publish([player], NOW)
        return player

    @staticmethod
    def player(user_id: str, weekly: int, name: str | None = None) -> PlayerScore:
        return PlayerScore(user_id, weekly, AT, name or user_id.title(), {WEEK: weekly})

    def friends(self, a: str, b: str) -> None:
        self.graph.follows[(a, b)] = AT
        self.graph.follows[(b, a)] = AT

    def project(self, *players: PlayerScore, now: datetime = NOW) -> int:
        """What the projector does: the notices, then the publish."""
        sent = self.notices.run(list(players), now).sent
        self.board.publish(players, now)
        return sent

    def passed_notices(self, user_id: str) -> list[str]:
        return [
            n.id
            for n in self.feed.page(user_id, limit=100).items
            if n.kind is NotificationKind.FRIEND_PASSED
        ]


def test_only_mutual_friends_really_passed_are_told() -> None:
    w = World()
    w.user("fay", 50)
    w.user("ann", 100)  # mutual, passed
    w.user("bob", 120)  # fay follows bob, bob does not follow back: not told
    w.user("cy", 500)  # mutual, not passed
    w.user("dan", 20)  # mutual, was already behind
    for friend in ("ann", "cy", "dan"):
        w.friends("fay", friend)
    w.graph.follows[("fay", "bob")] = AT

    assert w.project(w.player("fay", 130, "Fay")) == 1

    assert w.passed_notices("ann") == ["friend-passed#2026-11-25#fay"]
    assert [w.passed_notices(u) for u in ("bob", "cy", "dan")] == [[], [], []]
    (notice,) = w.feed.page("ann", limit=10).items
    assert notice.title == "Fay passed you on the weekly board"


def test_at_most_one_per_friend_per_day() -> None:
    w = World()
    w.user("fay", 50)
    w.user("ann", 100)
    w.friends("fay", "ann")
    assert w.project(w.player("fay", 110)) == 1
    w.project(w.player("ann", 120))  # ann takes it back...
    assert w.project(w.player("fay", 130)) == 0  # ...and fay passes her again the same day
    tomorrow = NOW + timedelta(days=1)
    w.project(w.player("ann", 140), now=tomorrow)
    assert w.project(w.player("fay", 150), now=tomorrow) == 1  # a new day: told again
    assert w.passed_notices("ann") == [
        "friend-passed#2026-11-26#fay",
        "friend-passed#2026-11-25#fay",
    ]


def test_the_setting_turns_it_off() -> None:
    w = World()
    w.user("fay", 50)
    w.user("ann", 100, friend_passed_notices=False, locale="de")
    w.user("bob", 100, locale="de")
    w.friends("fay", "ann")
    w.friends("fay", "bob")
    assert w.project(w.player("fay", 200, "Fay")) == 1
    assert w.passed_notices("ann") == []
    (notice,) = w.feed.page("bob", limit=10).items
    assert notice.title == "Fay hat dich in der Wochenwertung überholt"


def test_an_unreadable_board_tells_nobody() -> None:
    w = World()
    w.user("fay", 50)
    w.user("ann", 100)
    w.friends("fay", "ann")
    w.board.down = True
    report = w.notices.run([w.player("fay", 200)], NOW)
    assert (report.sent, report.skipped_boards) == (0, 1)


@settings(max_examples=60, deadline=None)
@given(
    friends=st.lists(st.integers(1, 300), min_size=1, max_size=6),
    steps=st.lists(st.integers(1, 200), min_size=1, max_size=4),
    deliveries=st.lists(st.sampled_from(["retry", "replay", "once"]), min_size=4, max_size=4),
)
def test_each_passed_friend_is_told_once_whatever_the_redelivery(
    friends: list[int], steps: list[int], deliveries: list[str]
) -> None:
    """Fay rises in steps; each batch may be retried before its publish (a failed publish) or
    replayed after it (the stream's at-least-once). Each friend she passed that day is told
    exactly once, and only those (against the literal board: friends below her final score)."""
    w = World()
    w.user("fay", 1)
    names = [f"f{i}" for i in range(len(friends))]
    for name, xp in zip(names, friends, strict=True):
        w.user(name, xp)
        w.friends("fay", name)
    xp = 1
    for step, how in zip(steps, deliveries, strict=False):
        xp += step
        image = w.player("fay", xp)
        if how == "retry":
            w.notices.run([image], NOW)  # the publish failed: the batch comes again
        w.project(image)
        if how == "replay":
            w.project(image)
    final = w.board.boards[f"weekly:{WEEK}"]["fay"]
    expected = {n for n in names if final < w.board.boards[f"weekly:{WEEK}"][n]}
    told = {n: w.passed_notices(n) for n in names}
    assert {n for n, ids in told.items() if ids} == expected
    assert all(len(ids) <= 1 for ids in told.values())
