"""The follow graph through the account lifecycle on moto: an erased user's edges are erased on
both sides (with the other users' counters), and the export carries the user's own edges."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
import redis

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.follow_graph import FollowGraph
from gamification.adapters.user_records import UserRecords
from gamification.adapters.user_repository import UserRepository
from gamification.domain.follows import Relation
from gamification.local.provision import Provisioned
from gamification.services.erasure import Status
from gamification.services.export import UserExport
from tests.integration.lifecycle.support import build_lifecycle
from tests.integration.pipeline.support import NOW

pytestmark = pytest.mark.time_machine(NOW)
SINCE = datetime(2026, 11, 1, tzinfo=UTC)


def _graph_items(aws: Provisioned, user_id: str) -> list[str]:
    response = boto3.client("dynamodb").query(
        TableName=aws.table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues=to_item({":pk": keys.graph_pk(user_id)}),
    )
    return [from_item(i)["SK"] for i in response["Items"]]


def test_erasure_removes_every_edge_on_both_sides(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    life = build_lifecycle(aws, redis_client)
    graph = FollowGraph(boto3.client("dynamodb"), aws.table_name)
    graph.follow("alice", "bob", SINCE)
    graph.follow("bob", "alice", SINCE)
    graph.follow("cy", "alice", SINCE)
    graph.follow("cy", "bob", SINCE)
    graph.block("alice", "dan", SINCE)
    graph.block("eve", "alice", SINCE)
    graph.invite_streak("alice", "bob", SINCE)
    graph.accept_streak("bob", "alice", SINCE.date(), SINCE)

    life.requests.request("alice")
    assert life.eraser.run("alice", NOW).status is Status.DONE

    assert _graph_items(aws, "alice") == []
    assert graph.relation("bob", "alice") == (Relation(), 0)  # bob's follow of her, counted
    assert graph.relation("cy", "alice") == (Relation(), 1)  # cy still follows bob
    assert [e.user_id for e in graph.followers("bob", None, 10).edges] == ["cy"]
    assert _graph_items(aws, "dan") == []  # the other side of her block
    assert graph.relation("eve", "alice")[0] == Relation()  # eve's block of the erased id
    assert "COUNTS" in _graph_items(aws, "eve")
    assert graph.block("eve", "x", SINCE)  # and eve's block count went down with it
    assert graph.streak_links("bob") == []  # the friend streak's other side, uncounted:
    for i in range(5):
        graph.invite_streak("bob", f"p{i}", SINCE)
        assert graph.accept_streak(f"p{i}", "bob", SINCE.date(), SINCE)
    assert life.eraser.run("alice", NOW).status is Status.DONE  # repeating is harmless


def test_the_export_carries_the_users_own_edges(aws: Provisioned) -> None:
    client = boto3.client("dynamodb")
    graph = FollowGraph(client, aws.table_name)
    graph.follow("alice", "bob", SINCE)
    graph.follow("cy", "alice", SINCE)
    graph.block("alice", "dan", SINCE)
    graph.follow("bob", "alice", SINCE)
    graph.invite_streak("bob", "alice", SINCE)
    export = UserExport(
        UserRepository(client, aws.table_name), UserRecords(client, aws.table_name), graph=graph
    )
    document = export.page("alice", None, NOW).document
    assert document["graph"] == {
        "following": [{"user_id": "bob", "since": SINCE.isoformat()}],
        "blocked": [{"user_id": "dan", "since": SINCE.isoformat()}],
        "friend_streaks": [
            {
                "user_id": "bob",
                "status": "invited_me",
                "since": SINCE.isoformat(),
                "started_on": None,
            }
        ],
    }
    assert export.page("alice", None, NOW, must_exist=True).document["graph"]["following"]
