"""A follow's ``friend.followed`` rides the follower's profile outbox in the follow's own
transaction (``adapters.event_codec.outbox_update``): it exists iff the edge was committed, the
profile's version moves on (the publisher's sequence), and a follower with no profile gets the
edge alone."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.event_codec import outbox_of_image
from gamification.adapters.follow_graph import FollowGraph
from gamification.adapters.user_repository import UserRepository
from gamification.domain.domain_events import friend_followed, friend_streak_started
from gamification.local.provision import Provisioned

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def _outbox(table: str, user_id: str) -> list[tuple[str, str]]:
    item = (
        boto3.client("dynamodb")
        .get_item(
            TableName=table, Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK})
        )
        .get("Item")
    )
    found = outbox_of_image(from_item(item)) if item else None
    return [(d.type, d.fact) for d in found[2]] if found else []


def test_the_follow_commits_its_event_with_the_edge(aws: Provisioned) -> None:
    client = boto3.client("dynamodb")
    graph = FollowGraph(client, aws.table_name)
    users = UserRepository(client, aws.table_name)
    before = users.update_settings("ann", lambda s: s, NOW).version

    assert graph.follow("ann", "bob", NOW, [friend_followed("bob", False, NOW)])
    assert not graph.follow("ann", "bob", NOW, [friend_followed("bob", False, NOW)])  # exists
    assert graph.follow("cy", "bob", NOW, [friend_followed("bob", False, NOW)])  # cy: no profile

    assert _outbox(aws.table_name, "ann") == [("friend.followed", f"bob#{NOW.isoformat()}")]
    assert users.load("ann").version == before + 1
    assert _outbox(aws.table_name, "cy") == []
    assert not users.load("cy").exists  # no stub profile was made
    assert graph.relation("cy", "bob")[0].follows


def test_an_accepted_friend_streak_tells_the_partners_who_have_a_profile(
    aws: Provisioned,
) -> None:
    client = boto3.client("dynamodb")
    graph = FollowGraph(client, aws.table_name)
    UserRepository(client, aws.table_name).update_settings("ann", lambda s: s, NOW)
    graph.follow("ann", "bob", NOW)
    graph.follow("bob", "ann", NOW)
    graph.invite_streak("bob", "ann", NOW)
    day = NOW.date()
    told = {
        "ann": [friend_streak_started("bob", day, NOW)],
        "bob": [friend_streak_started("ann", day, NOW)],
    }

    assert graph.accept_streak("ann", "bob", day, NOW, told)

    assert _outbox(aws.table_name, "ann") == [("friend_streak.started", f"bob#{day}")]
    assert _outbox(aws.table_name, "bob") == []  # no profile: the link alone
    link = graph.streak_link("bob", "ann")
    assert link is not None
    assert link.started_on == day
