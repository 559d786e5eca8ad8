"""The reminder fan-out on moto: sharded hours, units run twice, out of order, concurrently,
continuations through the queue, and the late-shard metric behind the alarm."""

from __future__ import annotations

import json
import random
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
import redis

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.reminder_queue import ReminderUnit, encode
from gamification.local.provision import Provisioned
from gamification.local.sqs_poller import sqs_event
from tests.integration.jobs.support import (
    SHARDS,
    Context,
    World,
    build_world,
    local_time,
    scheduled_event,
)

DAY = date(2026, 11, 25)
DUE = local_time(DAY + timedelta(days=1), 18, "UTC")  # 18:00 UTC on the day that saves it


@pytest.fixture
def world(aws: Provisioned, redis_client: redis.Redis) -> World:
    return build_world(aws, redis_client, datetime(2026, 11, 20, tzinfo=UTC))


def users_in_every_shard(per_shard: int, shards: int = SHARDS) -> list[str]:
    """Ids that fill every shard with ``per_shard`` users (crc32 decides, as in production)."""
    chosen: dict[int, list[str]] = {shard: [] for shard in range(shards)}
    n = 0
    while any(len(ids) < per_shard for ids in chosen.values()):
        user_id = f"user-{n}"
        shard = keys.reminder_shard(user_id, shards)
        if len(chosen[shard]) < per_shard:
            chosen[shard].append(user_id)
        n += 1
    return [user_id for ids in chosen.values() for user_id in ids]


def users_in_shard(count: int, shard: int) -> list[str]:
    ids = (f"user-{n}" for n in range(10_000))
    return [u for u in ids if keys.reminder_shard(u, SHARDS) == shard][:count]


def reminders_sent(world: World, user_id: str) -> int:
    notes = world.dynamodb.query(
        TableName=world.aws.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeValues=to_item({":pk": keys.user_pk(user_id), ":sk": "NOTIF#"}),
    )["Items"]
    return sum(1 for n in notes if n["kind"]["S"] == "streak_reminder")


def index_keys(world: World, user_id: str) -> str:
    item = world.dynamodb.get_item(
        TableName=world.aws.table_name,
        Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
    )["Item"]
    return str(item["GSI1PK"]["S"])


def test_profiles_are_filed_under_their_hour_and_shard(world: World) -> None:
    user_ids = users_in_every_shard(1)
    for user_id in user_ids:
        world.player(user_id, active_days=[DAY])
    # The hour of day and the 7-day period holding the due day (keys.reminder_pk).
    assert {index_keys(world, u) for u in user_ids} == {
        f"REMIND#2026-11-23+7d@18#{shard}" for shard in range(SHARDS)
    }


def test_a_sharded_hour_reminds_each_user_once_when_units_run_twice_and_out_of_order(
    world: World,
) -> None:
    user_ids = users_in_every_shard(3)
    for user_id in user_ids:
        world.player(user_id, active_days=[DAY])
    jobs = world.reminders()

    report = jobs.fan_out.run(DUE)
    units = jobs.take()
    assert report.queued == {f"2026-11-26T{h}": SHARDS for h in (18, 17, 16)}
    assert len(units) == 3 * SHARDS
    random.Random(7).shuffle(units)
    first = [jobs.worker.run_unit(unit) for unit in units]
    again = [jobs.worker.run_unit(unit) for unit in reversed(units)]

    assert sum(r.sent for r in first) == len(user_ids)
    assert sum(r.sent for r in again) == 0
    assert sum(r.already_sent for r in again) == len(user_ids)
    assert all(reminders_sent(world, u) == 1 for u in user_ids)
    # On the hour is a first pass: the hour is finished only by the run after it ended.
    assert jobs.progress.finished(DUE) == set()
    after = jobs.run_hour(DUE + timedelta(hours=1))
    assert after.sent == 0
    assert jobs.progress.finished(DUE) == set(range(SHARDS))
    assert all(reminders_sent(world, u) == 1 for u in user_ids)


def test_a_sharded_hour_reminds_each_user_once_when_units_run_concurrently(
    world: World,
) -> None:
    user_ids = users_in_every_shard(2)
    for user_id in user_ids:
        world.player(user_id, active_days=[DAY])
    jobs = world.reminders()
    jobs.fan_out.run(DUE)
    units = jobs.take()
    barrier = threading.Barrier(3)
    sent: list[int] = []

    def work(seed: int) -> None:
        mine = list(units)
        random.Random(seed).shuffle(mine)
        worker = world.reminders().worker
        barrier.wait()
        sent.append(sum(worker.run_unit(unit).sent for unit in mine))

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(sent) == 3
    assert sum(sent) == len(user_ids)
    assert all(reminders_sent(world, u) == 1 for u in user_ids)


def test_a_shard_longer_than_a_unit_continues_through_the_queue(world: World) -> None:
    shard = 1
    mine = users_in_shard(5, shard)
    for user_id in mine:
        world.player(user_id, active_days=[DAY])
    jobs = world.reminders(page_size=2)
    final = DUE + timedelta(hours=1)  # the hour's final pass

    first = jobs.worker.run_unit(ReminderUnit(DUE, shard, final))
    [continuation] = jobs.take()

    assert (first.candidates, first.sent, first.continued) == (2, 2, True)
    # Index order is the user key's: the cursor is the page's last user.
    assert continuation == ReminderUnit(DUE, shard, final, after=sorted(mine)[1])
    assert jobs.progress.finished(DUE) is None  # not before the shard's last page
    second = jobs.worker.run_unit(continuation)
    [third] = jobs.take()
    last = jobs.worker.run_unit(third)
    assert [r.candidates for r in (first, second, last)] == [2, 2, 1]
    assert (second.continued, last.continued, last.finished) == (True, False, True)
    assert jobs.take() == []
    assert all(reminders_sent(world, u) == 1 for u in mine)
    assert jobs.progress.finished(DUE) == {shard}


def test_a_whole_hour_of_pages_runs_from_the_schedule_alone(world: World) -> None:
    user_ids = users_in_every_shard(3)
    for user_id in user_ids:
        world.player(user_id, active_days=[DAY])
    jobs = world.reminders(page_size=2)

    on_time = jobs.run_hour(DUE)
    final = jobs.run_hour(DUE + timedelta(hours=1))

    assert on_time.sent == len(user_ids)
    assert final.sent == 0
    assert final.already_sent == len(user_ids)
    assert jobs.progress.finished(DUE) == set(range(SHARDS))


def test_more_shards_after_a_deploy_still_find_users_filed_under_fewer(world: World) -> None:
    """Growing the shard count is safe: the old shard numbers are a subset of the new ones."""
    user_ids = users_in_every_shard(2)
    for user_id in user_ids:
        world.player(user_id, active_days=[DAY])

    report = world.reminders(shards=2 * SHARDS).run_hour(DUE)

    assert report.sent == len(user_ids)


def test_the_hour_before_last_with_unfinished_shards_is_reported_late_and_caught_up(
    stack_env: Provisioned, redis_client: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    from functions.reminder_fanout.handler import lambda_handler as reminder_fanout

    world = build_world(
        stack_env, redis_client, datetime(2026, 11, 20, tzinfo=UTC), reminder_shards=16
    )
    world.player("ann", active_days=[DAY])
    jobs = world.reminders(shards=16)

    fresh = reminder_fanout(scheduled_event(DUE), Context("reminder_fanout"))
    assert fresh["ReminderShardsLate"] == 0  # hours no run started are not late
    jobs.take()  # the worker never ran them: a stuck or failing worker
    reminder_fanout(scheduled_event(DUE + timedelta(hours=1)), Context("reminder_fanout"))
    jobs.take()
    capsys.readouterr()
    late = reminder_fanout(scheduled_event(DUE + timedelta(hours=2)), Context("reminder_fanout"))

    assert late["ReminderShardsLate"] == 16  # ReminderShardsLate >= 1: alarmed
    assert emitted(capsys.readouterr().out, "ReminderShardsLate") == [16]
    assert late["queued"][keys.reminder_hour(DUE)] == 16  # and queued once more
    for unit in jobs.drain():  # the worker is back
        jobs.worker.run_unit(unit)
    assert reminders_sent(world, "ann") == 1  # 1.5-2 h late, before the look-back gives up
    assert jobs.progress.finished(DUE) == set(range(16))
    on_time = reminder_fanout(scheduled_event(DUE + timedelta(hours=3)), Context("reminder_fanout"))
    assert on_time["ReminderShardsLate"] == 0


def emitted(stdout: str, metric: str) -> list[float]:
    """The values of ``metric`` in the Powertools EMF lines the handler printed."""
    values: list[float] = []
    for line in stdout.splitlines():
        try:
            blob: dict[str, Any] = json.loads(line)
        except ValueError:
            continue
        if "_aws" in blob and metric in blob:
            value = blob[metric]
            values += value if isinstance(value, list) else [value]
    return values


def test_a_malformed_unit_fails_its_record_only(stack_env: Provisioned) -> None:
    from functions.reminder_sender.handler import lambda_handler as worker

    sqs = boto3.client("sqs")
    good = encode(ReminderUnit(DUE, 0, DUE))
    for body in ('{"hour": "yesterday"}', good):
        sqs.send_message(QueueUrl=stack_env.reminder_queue_url, MessageBody=body)
    messages = sqs.receive_message(QueueUrl=stack_env.reminder_queue_url, MaxNumberOfMessages=10)[
        "Messages"
    ]
    bad = next(m for m in messages if m["Body"] != good)

    response = worker(sqs_event(messages, stack_env.reminder_queue_arn), Context("reminder_sender"))

    assert response == {"batchItemFailures": [{"itemIdentifier": bad["MessageId"]}]}
