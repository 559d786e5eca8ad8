"""Friend streak notices through both reminder handlers on moto: the partner not yet active is
told at 18:05 local, once, however often the hour runs; a milestone tells both once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import redis

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.follow_graph import FollowGraph
from gamification.local.provision import Provisioned
from tests.integration.jobs.support import (
    Context,
    build_world,
    local_time,
    run_worker,
    scheduled_event,
)

TODAY = date(2026, 11, 27)


def notices_of(table: str, user_id: str) -> list[tuple[str, str]]:
    items = boto3.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeValues=to_item({":pk": keys.user_pk(user_id), ":sk": "NOTIF#"}),
    )["Items"]
    return sorted(
        (item["notification_id"]["S"], item["title"]["S"])
        for item in items
        if item["kind"]["S"].startswith("friend_streak")
    )


def guards_of(table: str, user_id: str) -> list[dict[str, Any]]:
    return boto3.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeValues=to_item(
            {":pk": keys.user_pk(user_id), ":sk": keys.FRIEND_NOTICE_PREFIX}
        ),
    )["Items"]


def test_the_partner_not_yet_active_is_told_at_18_local_once_and_a_milestone_tells_both(
    stack_env: Provisioned, redis_client: redis.Redis
) -> None:
    from functions.reminder_fanout.handler import lambda_handler as reminder_fanout

    table = stack_env.table_name
    world = build_world(
        stack_env, redis_client, datetime(2026, 11, 15, tzinfo=UTC), reminder_shards=16
    )
    zone = "America/New_York"
    # A pair streak of 7 days up to yesterday: Ann was active today too, Bob not yet.
    week = [TODAY - timedelta(days=d) for d in range(1, 8)]
    world.player("ann", timezone=zone, active_days=[*week, TODAY], display_name="Ann")
    world.player("bob", timezone=zone, active_days=week, display_name="Bob")
    graph = FollowGraph(boto3.client("dynamodb"), table)
    at = datetime(2026, 11, 19, tzinfo=UTC)
    graph.follow("ann", "bob", at)
    graph.follow("bob", "ann", at)
    graph.invite_streak("ann", "bob", at)
    graph.accept_streak("bob", "ann", week[-1], at)

    due = local_time(TODAY, 18, zone)
    for _ in range(2):  # the scheduled run, then a retried one: the same notices, once
        reminder_fanout(scheduled_event(due), Context("reminder_fanout"))
        run_worker(stack_env)
    reminder_fanout(scheduled_event(due + timedelta(hours=1)), Context("reminder_fanout"))
    run_worker(stack_env)  # the hour's final pass reads them again

    reached = week[0].isoformat()  # the 7th pair day: yesterday
    assert notices_of(table, "bob") == [
        (f"fstreak-milestone#7#{reached}#ann", "Friend streak milestone!"),
        (f"fstreak-risk#{TODAY}#ann", "Your friend streak with Ann is at risk"),
    ]
    assert notices_of(table, "ann") == [
        (f"fstreak-milestone#7#{reached}#bob", "Friend streak milestone!")
    ]
    # Guards: one per notice, in the recipient's partition, expiring by TTL.
    assert len(guards_of(table, "bob")) == 2
    assert all("expires_at" in g for g in guards_of(table, "ann"))
