"""The follow graph port (``services.follows.Graph``): the fake (tests/fakes/follows.py) and
``FollowGraph`` on moto pass the same tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import boto3
import pytest

from gamification.adapters.cursor import InvalidCursorError
from gamification.adapters.follow_graph import FollowGraph
from gamification.domain.follows import (
    BlockedError,
    BlockLimitError,
    FollowLimitError,
    Relation,
)
from gamification.domain.friend_streaks import (
    MAX_ACTIVE,
    LinkStatus,
    StreakLimitError,
    StreakLink,
)
from gamification.local.provision import Provisioned
from tests.fakes.follows import FakeGraph

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
DAY = date(2026, 11, 25)
LIMIT = 5
"""The limits, lowered so the store's guard is reached in a few writes (the rule: domain)."""


@pytest.fixture(params=["fake", "dynamodb"])
def graph(request: pytest.FixtureRequest) -> FakeGraph | FollowGraph:
    if request.param == "fake":
        return FakeGraph(max_following=LIMIT, max_blocked=LIMIT)
    aws: Provisioned = request.getfixturevalue("aws")
    return FollowGraph(
        boto3.client("dynamodb"), aws.table_name, max_following=LIMIT, max_blocked=LIMIT
    )


def _ids(graph: FakeGraph | FollowGraph, owner: str, which: str, limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = getattr(graph, which)(owner, cursor, limit)
        pages.append([e.user_id for e in page.edges])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_a_follow_is_one_way_and_idempotent(graph: FakeGraph | FollowGraph) -> None:
    assert graph.follow("ann", "bob", NOW) is True
    assert graph.follow("ann", "bob", NOW) is False
    assert graph.relation("ann", "bob") == (Relation(follows=True), 1)
    assert graph.relation("bob", "ann") == (Relation(followed_by=True), 0)
    assert graph.follow("bob", "ann", NOW) is True
    assert graph.relation("ann", "bob")[0].friends


def test_unfollow_removes_the_edge_and_its_reverse(graph: FakeGraph | FollowGraph) -> None:
    graph.follow("ann", "bob", NOW)
    assert graph.unfollow("ann", "bob") is True
    assert graph.unfollow("ann", "bob") is False
    assert graph.relation("ann", "bob") == (Relation(), 0)
    assert _ids(graph, "bob", "followers", 10) == [[]]


def test_lists_page_in_id_order_every_edge_once(graph: FakeGraph | FollowGraph) -> None:
    for other in ["e", "a", "d", "c", "b"]:
        graph.follow("me", other, NOW)
        graph.follow(other, "me", NOW)
    assert _ids(graph, "me", "following", 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert _ids(graph, "me", "followers", 5) == [["a", "b", "c", "d", "e"]]
    assert graph.follows_many("me", ["a", "x"]) == {"a"}
    assert graph.followed_by_many("me", ["b", "y"]) == {"b"}
    assert graph.following("me", None, 1).edges[0].since == NOW


def test_a_cursor_not_issued_is_refused(graph: FakeGraph | FollowGraph) -> None:
    with pytest.raises(InvalidCursorError):
        graph.following("me", "bm90IGEgY3Vyc29y", 10)
    cursor = graph.followers("me", None, 1).next_cursor
    assert cursor is None  # nothing to continue


def test_a_block_cuts_both_follows_and_refuses_new_ones(graph: FakeGraph | FollowGraph) -> None:
    graph.follow("ann", "bob", NOW)
    graph.follow("bob", "ann", NOW)
    assert graph.block("ann", "bob", NOW) is True
    assert graph.block("ann", "bob", NOW) is False
    assert graph.relation("ann", "bob") == (Relation(i_block=True), 0)
    assert graph.relation("bob", "ann") == (Relation(they_block=True), 0)
    for follower, followed in [("ann", "bob"), ("bob", "ann")]:
        with pytest.raises(BlockedError):
            graph.follow(follower, followed, NOW)
    assert [e.user_id for e in graph.blocked("ann", None, 10).edges] == ["bob"]
    assert graph.blocked("bob", None, 10).edges == []


def test_unblock_lifts_only_the_callers_block(graph: FakeGraph | FollowGraph) -> None:
    graph.block("ann", "bob", NOW)
    graph.block("bob", "ann", NOW)
    assert graph.unblock("ann", "bob") is True
    assert graph.unblock("ann", "bob") is False
    assert graph.relation("ann", "bob") == (Relation(they_block=True), 0)
    with pytest.raises(BlockedError):
        graph.follow("ann", "bob", NOW)
    graph.unblock("bob", "ann")
    assert graph.relation("ann", "bob") == (Relation(), 0)
    assert graph.follow("ann", "bob", NOW) is True


def test_following_and_blocking_stop_at_their_limits(graph: FakeGraph | FollowGraph) -> None:
    for i in range(LIMIT):
        graph.follow("fan", f"u{i}", NOW)
        graph.block("fan", f"b{i}", NOW)
    with pytest.raises(FollowLimitError):
        graph.follow("fan", "one-more", NOW)
    with pytest.raises(BlockLimitError):
        graph.block("fan", "one-more", NOW)
    assert graph.relation("fan", "one-more") == (Relation(), LIMIT)
    graph.unfollow("fan", "u0")
    graph.unblock("fan", "b0")
    graph.block("fan", "u1", NOW)  # blocking someone followed frees a follow, takes a block
    assert graph.relation("fan", "u1") == (Relation(i_block=True), LIMIT - 2)
    assert graph.follow("fan", "one-more", NOW) is True
    with pytest.raises(BlockLimitError):
        graph.block("fan", "u2", NOW)
    assert graph.relation("fan", "u2") == (Relation(follows=True), LIMIT - 1)


def test_a_friend_streak_is_invited_accepted_and_ended_on_both_sides(
    graph: FakeGraph | FollowGraph,
) -> None:
    assert graph.invite_streak("ann", "bob", NOW) is True
    assert graph.invite_streak("ann", "bob", NOW) is False
    assert graph.streak_link("ann", "bob") == StreakLink("bob", LinkStatus.INVITED, NOW)
    assert graph.streak_link("bob", "ann") == StreakLink("ann", LinkStatus.INVITED_ME, NOW)
    assert graph.accept_streak("ann", "bob", DAY, NOW) is False  # only the invitee accepts
    assert graph.accept_streak("bob", "ann", DAY, NOW) is True
    assert graph.streak_links("ann") == [StreakLink("bob", LinkStatus.ACTIVE, NOW, DAY)]
    assert graph.end_streak("bob", "ann") is True
    assert graph.end_streak("bob", "ann") is False
    assert graph.streak_links("ann") == []


def test_at_most_five_active_friend_streaks_each(graph: FakeGraph | FollowGraph) -> None:
    for i in range(MAX_ACTIVE):
        graph.invite_streak("ann", f"p{i}", NOW)
        graph.accept_streak(f"p{i}", "ann", DAY, NOW)
    graph.invite_streak("sixth", "ann", NOW)
    with pytest.raises(StreakLimitError):
        graph.accept_streak("ann", "sixth", DAY, NOW)
    graph.block("ann", "p0", NOW)  # a block ends the streak and frees its place
    assert graph.streak_links("p0") == []
    assert graph.accept_streak("ann", "sixth", DAY, NOW) is True
