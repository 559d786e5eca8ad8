"""Following, followers and blocks on the port fakes: the rules of ``domain.follows`` and the
discoverability rule for hidden, excluded and erased users."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gamification.domain.follows import MAX_FOLLOWING, Refusal
from gamification.domain.profile_records import AccountMarks, Exclusion, StoredUser
from gamification.domain.state import UserSettings, UserState
from gamification.services.follows import FollowRefusedError, FollowService
from tests.fakes.follows import FakeGraph
from tests.fakes.profiles import FakeProfiles

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


class World:
    def __init__(self) -> None:
        self.graph = FakeGraph()
        self.profiles = FakeProfiles()
        self.service = FollowService(self.graph, self.profiles, lambda: NOW)

    def user(self, user_id: str, *, visible: bool = True, excluded: bool = False) -> None:
        state = UserState(
            user_id=user_id,
            settings=UserSettings(display_name=user_id.title(), leaderboard_visible=visible),
        )
        marks = AccountMarks(exclusion=Exclusion("spam", NOW)) if excluded else AccountMarks()
        self.profiles.put(StoredUser(state, marks=marks))


@pytest.fixture
def world() -> World:
    w = World()
    for user_id in ["ann", "bob", "cy"]:
        w.user(user_id)
    return w


def _refusal(world: World, me: str, other: str) -> Refusal:
    with pytest.raises(FollowRefusedError) as raised:
        world.service.follow(me, other)
    return raised.value.refusal


def test_follow_needs_no_consent_and_friends_are_mutual(world: World) -> None:
    first = world.service.follow("ann", "bob")
    assert (first.following, first.friends) == (True, False)
    assert world.service.follow("bob", "ann").friends
    listed = world.service.following("ann", None, 10).entries
    assert [(e.user_id, e.display_name, e.mutual) for e in listed] == [("bob", "Bob", True)]


def test_unknown_erased_and_self_are_refused(world: World) -> None:
    assert _refusal(world, "ann", "nobody") is Refusal.UNKNOWN
    assert _refusal(world, "ann", "ann") is Refusal.SELF
    world.profiles.put(StoredUser(UserState(user_id="gone"), tombstone=True))
    assert _refusal(world, "ann", "gone") is Refusal.UNKNOWN


def test_hidden_and_excluded_users_are_found_only_by_their_followers(world: World) -> None:
    world.service.follow("cy", "bob")
    world.user("bob", visible=False)  # bob hides after cy followed
    world.user("dan", excluded=True)
    assert _refusal(world, "ann", "bob") is Refusal.UNKNOWN
    assert _refusal(world, "ann", "dan") is Refusal.UNKNOWN
    assert world.service.follow("cy", "bob").following  # a repeat by a follower is answered
    assert [e.user_id for e in world.service.following("cy", None, 10).entries] == ["bob"]
    # bob follows ann: ann does not see him among her followers until she follows him back.
    world.graph.follow("bob", "ann", NOW)
    assert world.service.followers("ann", None, 10).entries == []
    world.user("bob")
    world.service.follow("ann", "bob")
    world.user("bob", visible=False)
    assert [e.user_id for e in world.service.followers("ann", None, 10).entries] == ["bob"]


def test_a_block_cuts_both_ways_and_is_never_revealed(world: World) -> None:
    world.service.follow("ann", "bob")
    world.service.follow("bob", "ann")
    world.service.block("bob", "ann")
    assert world.service.following("ann", None, 10).entries == []
    assert world.service.following("bob", None, 10).entries == []
    assert _refusal(world, "ann", "bob") is Refusal.UNKNOWN  # bob's block reads as unknown
    assert _refusal(world, "bob", "ann") is Refusal.BLOCKED_BY_ME
    world.service.unblock("bob", "ann")
    assert world.service.follow("ann", "bob").following


def test_blocking_any_id_reveals_nothing(world: World) -> None:
    assert world.service.block("ann", "never-existed").blocked
    with pytest.raises(FollowRefusedError):
        world.service.block("ann", "ann")
    assert [e.user_id for e in world.service.blocked("ann", None, 10).entries] == ["never-existed"]


def test_following_is_limited(world: World) -> None:
    for i in range(MAX_FOLLOWING):
        world.graph.follow("ann", f"u{i}", NOW)
    assert _refusal(world, "ann", "bob") is Refusal.LIMIT
    world.service.unfollow("ann", "u0")
    assert world.service.follow("ann", "bob").following


def test_a_follow_leaves_one_friend_followed_event_a_repeat_none(world: World) -> None:
    world.service.follow("bob", "ann")
    world.service.follow("ann", "bob")
    world.service.follow("ann", "bob")  # a repeat: nothing written, nothing told

    told = [(who, e.type, e.fact, e.data) for who, e in world.graph.events]
    assert told == [
        (
            "bob",
            "friend.followed",
            f"ann#{NOW.isoformat()}",
            {"followed_id": "ann", "mutual": False},
        ),
        (
            "ann",
            "friend.followed",
            f"bob#{NOW.isoformat()}",
            {"followed_id": "bob", "mutual": True},
        ),
    ]
