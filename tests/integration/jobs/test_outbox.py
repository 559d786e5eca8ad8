"""The push outbox: the table's stream (moto) → dispatcher handler → SNS → a subscriber queue."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import redis
from botocore.exceptions import ClientError

from gamification import composition
from gamification.adapters.user_repository import UserChange, VersionConflictError
from gamification.domain import notifications
from gamification.local.provision import Provisioned
from tests.integration.jobs.support import Context, PushInbox, Stream, World, build_world


@pytest.fixture
def world(stack_env: Provisioned, redis_client: redis.Redis) -> World:
    # The handlers' repository files reminders under the default shard count.
    return build_world(
        stack_env, redis_client, datetime(2026, 11, 20, tzinfo=UTC), reminder_shards=16
    )


def dispatch(records: list[dict[str, Any]]) -> dict[str, Any]:
    from functions.dispatcher.handler import lambda_handler

    return dict(lambda_handler({"Records": records}, Context("dispatcher")))


def test_committed_notifications_are_pushed_once_per_stream_record(
    world: World, stack_env: Provisioned
) -> None:
    inbox = PushInbox(stack_env.topic_arn)
    stream = Stream(stack_env.table_name)
    # 10 reads: first-read and bookworm badges, level 1 — three notifications each.
    world.player("alice", push=True, active_days=[date(2026, 11, 20)], reads_per_day=10)
    world.player("bob", push=False, active_days=[date(2026, 11, 20)], reads_per_day=10)
    records = stream.read()

    response = dispatch(records)

    assert response == {"batchItemFailures": []}
    pushes = inbox.drain()
    assert sorted(p["notification_id"] for p in pushes) == [
        "badge#bookworm",
        "badge#first-read",
        "level#1",
    ]
    assert {p["user_id"] for p in pushes} == {"alice"}  # bob has push off: in-app only
    for push in pushes:
        assert push["dedupe_id"] == f"alice/{push['notification_id']}"
        assert push["attribute_dedupe_id"] == push["dedupe_id"]
    # Profile writes and bob's notifications were in the stream too, and published nothing.
    assert len(records) > len(pushes)


def test_a_rolled_back_transaction_pushes_nothing(world: World, stack_env: Provisioned) -> None:
    inbox = PushInbox(stack_env.topic_arn)
    world.player("alice", push=True)
    stream = Stream(stack_env.table_name)
    stale = world.users.load("alice")
    now = datetime(2026, 11, 21, tzinfo=UTC)

    def change(level: int) -> UserChange:
        note = notifications.level_up(user_id="alice", old=0, new=level, now=now, push=True)
        return UserChange(before=stale, state=stale.state, now=now, notifications=[note])

    world.users.commit(change(1))
    with pytest.raises(VersionConflictError):
        world.users.commit(change(2))  # read the same version: this one rolls back

    dispatch(stream.read())

    assert [p["notification_id"] for p in inbox.drain()] == ["level#1"]


def test_a_failed_publish_is_retried_not_lost(world: World, stack_env: Provisioned) -> None:
    inbox = PushInbox(stack_env.topic_arn)
    world.player("alice", push=True, active_days=[date(2026, 11, 20)], reads_per_day=10)
    records = Stream(stack_env.table_name).read()
    failing = {"badge#first-read"}

    def sns_outage(params: dict[str, Any], **_: Any) -> None:
        if any(f'"{n}"' in params["Message"] for n in failing):
            raise ClientError(
                {"Error": {"Code": "InternalError", "Message": "SNS unavailable"}}, "Publish"
            )

    composition.sns().meta.events.register("provide-client-params.sns.Publish", sns_outage)

    first = dispatch(records)

    [failure] = first["batchItemFailures"]
    failed_at = [r["dynamodb"]["SequenceNumber"] for r in records].index(failure["itemIdentifier"])
    assert "badge#first-read" in str(records[failed_at]["dynamodb"]["NewImage"])
    delivered = {p["notification_id"] for p in inbox.drain()}
    assert "badge#first-read" not in delivered

    failing.clear()  # SNS recovers; Lambda retries from the failed record onwards
    retry = dispatch(records[failed_at:])

    assert retry == {"batchItemFailures": []}
    redelivered = inbox.drain()
    assert "badge#first-read" in {p["notification_id"] for p in redelivered}
    everything = {p["dedupe_id"] for p in redelivered} | {f"alice/{n}" for n in delivered}
    assert everything == {"alice/badge#first-read", "alice/badge#bookworm", "alice/level#1"}


def test_reminders_written_by_the_reminder_sender_are_pushed(
    world: World, stack_env: Provisioned
) -> None:
    from functions.reminder_fanout.handler import lambda_handler as reminder_fanout
    from tests.integration.jobs.support import local_time, run_worker, scheduled_event

    inbox = PushInbox(stack_env.topic_arn)
    world.player("alice", push=True, active_days=[date(2026, 11, 20)])
    stream = Stream(stack_env.table_name)
    stream.read()  # skip what setting the user up wrote

    reminder_fanout(
        scheduled_event(local_time(date(2026, 11, 21), 18, "UTC")), Context("reminder_fanout")
    )
    assert run_worker(stack_env) == 3 * 16  # the reminder sender sends the queued units
    dispatch(stream.read())

    [push] = inbox.drain()
    assert push["notification_id"] == "reminder#2026-11-21"
    assert push["kind"] == "streak_reminder"
