"""Friend streaks on the port fakes: friends only, invite then accept, at most five, and the
length from both users' active days in their own zones."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from gamification.domain.follows import Refusal
from gamification.domain.friend_streaks import MAX_ACTIVE
from gamification.domain.profile_records import StoredUser
from gamification.domain.state import UserSettings, UserState
from gamification.domain.streaks import StreakTrack
from gamification.services.follows import FollowRefusedError
from gamification.services.friend_streaks import FriendStreakService
from tests.fakes.follows import FakeGraph
from tests.fakes.profiles import FakeProfiles

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)  # Friday 27th noon UTC, 28th in Auckland
TODAY = date(2026, 11, 27)


class World:
    def __init__(self) -> None:
        self.graph, self.profiles = FakeGraph(), FakeProfiles()
        self.now = NOW
        self.service = FriendStreakService(self.graph, self.profiles, lambda: self.now)

    def user(self, user_id: str, days: list[date], timezone: str = "UTC") -> None:
        track = StreakTrack()
        for day in days:
            track = track.with_day(day)
        state = UserState(
            user_id=user_id,
            settings=UserSettings(display_name=user_id.title(), timezone=timezone),
            streak=track,
        )
        self.profiles.put(StoredUser(state))

    def friends(self, a: str, b: str) -> None:
        self.graph.follow(a, b, NOW)
        self.graph.follow(b, a, NOW)


@pytest.fixture
def world() -> World:
    w = World()
    w.user("ann", [])
    w.user("bob", [])
    w.friends("ann", "bob")
    return w


def test_friends_only_then_invite_and_accept(world: World) -> None:
    world.user("cy", [])
    world.graph.follow("ann", "cy", NOW)  # one way only
    with pytest.raises(FollowRefusedError) as refused:
        world.service.start("ann", "cy")
    assert refused.value.refusal is Refusal.NOT_FRIENDS
    assert world.service.start("ann", "bob").status == "invited"
    assert world.service.start("ann", "bob").status == "invited"  # idempotent
    assert [s.status for s in world.service.streaks("bob").streaks] == ["invited_me"]
    accepted = world.service.start("bob", "ann")
    assert (accepted.status, accepted.started_on) == ("active", TODAY)


def test_it_counts_days_both_were_active_each_in_their_own_zone(world: World) -> None:
    world.service.start("ann", "bob")
    world.service.start("bob", "ann")
    days = [TODAY + timedelta(days=i) for i in range(3)]
    world.user("ann", days)
    world.user("bob", days[:2], timezone="Pacific/Auckland")  # a day ahead of ann
    world.now = NOW + timedelta(days=2)  # ann's 29th, bob's 30th: the pair's today is the 29th
    streak = world.service.streaks("ann").streaks[0]
    assert (streak.current, streak.both_active_today, streak.at_risk) == (2, False, True)
    world.user("bob", days)  # bob active on his 29th too
    streak = world.service.streaks("bob").streaks[0]
    assert (streak.current, streak.both_active_today, streak.at_risk) == (3, True, False)
    world.now = NOW + timedelta(days=4)  # the 30th passed without either: broken
    assert world.service.streaks("ann").streaks[0].current == 0


def test_at_most_five_active_each(world: World) -> None:
    for i in range(MAX_ACTIVE):
        world.user(f"p{i}", [])
        world.friends("ann", f"p{i}")
        world.service.start(f"p{i}", "ann")
        world.service.start("ann", f"p{i}")
    world.service.start("bob", "ann")
    with pytest.raises(FollowRefusedError) as refused:
        world.service.start("ann", "bob")
    assert refused.value.refusal is Refusal.STREAK_LIMIT
    world.service.end("ann", "p0")
    assert world.service.start("ann", "bob").status == "active"


def test_an_accepted_friend_streak_tells_each_partner_once(world: World) -> None:
    world.service.start("ann", "bob")  # the invitation: nothing told yet
    assert world.graph.events == []
    world.service.start("bob", "ann")  # accepted
    world.service.start("bob", "ann")  # again: already active, nothing new

    told = sorted((who, e.type, e.fact) for who, e in world.graph.events)
    assert told == [
        ("ann", "friend_streak.started", f"bob#{TODAY.isoformat()}"),
        ("bob", "friend_streak.started", f"ann#{TODAY.isoformat()}"),
    ]


def test_a_public_profile_shows_live_streaks_with_partners_on_the_boards(world: World) -> None:
    for user_id in ("cy", "dee"):
        world.user(user_id, [])
        world.friends("ann", user_id)
    for partner in ("bob", "cy", "dee"):
        world.service.start("ann", partner)
        world.service.start(partner, "ann")  # accepted today: counts from today
    for user_id in ("ann", "bob", "dee"):  # cy is not active today: 0 days, not shown
        world.user(user_id, [TODAY])
    dee = world.profiles.load("dee")
    hidden = UserSettings(display_name="Dee", leaderboard_visible=False)
    world.profiles.put(replace(dee, state=dee.state.model_copy(update={"settings": hidden})))

    shown = world.service.public("ann")

    assert [(s.user_id, s.display_name, s.days) for s in shown] == [("bob", "Bob", 1)]
    assert world.service.public("cy") == []
