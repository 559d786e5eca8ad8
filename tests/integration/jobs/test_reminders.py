"""Streak reminders against moto and the real repository: zones, DST, push, at most once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
import redis

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.event_codec import outbox_of_image
from gamification.domain.reminders import Skip
from gamification.local.provision import Provisioned
from gamification.services.reminders import ReminderReport
from tests.integration.jobs.support import (
    SHARDS,
    Context,
    World,
    build_world,
    local_time,
    run_worker,
    scheduled_event,
)

DAY = date(2026, 11, 25)  # the users' last active day; the reminder is for the next day


@pytest.fixture
def world(aws: Provisioned, redis_client: redis.Redis) -> World:
    return build_world(aws, redis_client, datetime(2026, 11, 20, tzinfo=UTC))


def hours(start: datetime, end: datetime) -> Iterator[datetime]:
    at = start
    while at <= end:
        yield at
        at += timedelta(hours=1)


def reminders_of(world: World, user_id: str) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").query(
        TableName=world.aws.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeValues=to_item({":pk": keys.user_pk(user_id), ":sk": "NOTIF#"}),
    )["Items"]
    return [
        {name: value.get("S", value.get("BOOL")) for name, value in item.items()}
        for item in items
        if item["kind"]["S"] == "streak_reminder"
    ]


def run_hourly(world: World, start: datetime, end: datetime) -> list[ReminderReport]:
    job = world.reminders()
    return [job.run_hour(at) for at in hours(start, end)]


ZONES = {
    "honolulu": "Pacific/Honolulu",  # UTC-10
    "london": "UTC",
    "kolkata": "Asia/Kolkata",  # UTC+5:30: due at half past a UTC hour
    "kiritimati": "Pacific/Kiritimati",  # UTC+14: its "tomorrow" starts before UTC's today
}


def test_each_zone_is_reminded_once_at_six_in_the_evening_local(world: World) -> None:
    for user_id, zone in ZONES.items():
        world.player(user_id, timezone=zone, active_days=[DAY - timedelta(days=1), DAY])

    reports = run_hourly(
        world, datetime(2026, 11, 25, 0, tzinfo=UTC), datetime(2026, 11, 27, 23, tzinfo=UTC)
    )

    assert sum(r.sent for r in reports) == len(ZONES)
    for user_id, zone in ZONES.items():
        [reminder] = reminders_of(world, user_id)
        sent_local = datetime.fromisoformat(reminder["created_at"]).astimezone(ZoneInfo(zone))
        # Never before 18:00 on the day that still saves the streak, and within the hour.
        assert sent_local.date() == DAY + timedelta(days=1), user_id
        assert sent_local.hour == 18, (user_id, sent_local)
        assert reminder["message"] == (
            "Your 2-day streak expires tonight — read one post to keep it alive!"
        )
        assert reminder["notification_id"] == f"reminder#{DAY + timedelta(days=1)}"
        assert reminder["push"] is True


def test_no_reminder_without_push_without_a_streak_or_after_todays_activity(
    world: World,
) -> None:
    tomorrow = DAY + timedelta(days=1)
    world.player("push-off", push=False, active_days=[DAY - timedelta(days=1), DAY])
    world.player("never-active")
    world.player("broken", active_days=[DAY - timedelta(days=3)])
    world.player("did-read", active_days=[DAY, tomorrow])
    world.player("due", active_days=[DAY])

    reports = run_hourly(world, local_time(tomorrow, 0, "UTC"), local_time(tomorrow, 23, "UTC"))

    assert sum(r.sent for r in reports) == 1
    assert len(reminders_of(world, "due")) == 1
    for user_id in ("push-off", "never-active", "broken", "did-read"):
        assert reminders_of(world, user_id) == [], user_id


def test_stale_index_entries_are_rechecked_against_the_profile(world: World) -> None:
    """The index can lag the profile: the job decides on the stored state, not the index."""
    tomorrow = DAY + timedelta(days=1)
    due_hour = local_time(tomorrow, 18, "UTC")
    world.player("push-off", push=False, active_days=[DAY])
    world.player("broken", active_days=[DAY - timedelta(days=3)])
    world.player("did-read", active_days=[DAY, tomorrow])
    for user_id in ("push-off", "broken", "did-read"):
        point_reminder_index_at(world, user_id, due_hour)

    report = world.reminders().run_hour(due_hour)

    assert report.candidates == 3
    assert report.sent == 0
    assert report.skipped == {Skip.PUSH_OFF: 1, Skip.NO_STREAK: 1, Skip.ACTIVE_TODAY: 1}


def test_running_the_same_hour_twice_reminds_once(
    stack_env: Provisioned, redis_client: redis.Redis
) -> None:
    """Through both handlers: the scheduled fan-out queues units, the sender sends them."""
    from functions.reminder_fanout.handler import lambda_handler as reminder_fanout

    # The handlers' repository files users under the default 16 shards.
    world = build_world(
        stack_env, redis_client, datetime(2026, 11, 20, tzinfo=UTC), reminder_shards=16
    )
    for i in range(5):
        world.player(f"user-{i}", active_days=[DAY])
    due = local_time(DAY + timedelta(days=1), 18, "UTC")

    first = reminder_fanout(scheduled_event(due), Context("reminder_fanout"))
    assert run_worker(stack_env) == first["ReminderUnitsQueued"] == 16 * 3  # 3 hours, 16 shards
    assert all(len(reminders_of(world, f"user-{i}")) == 1 for i in range(5))

    reminder_fanout(scheduled_event(due), Context("reminder_fanout"))  # a retried scheduled run
    run_worker(stack_env)
    later = reminder_fanout(scheduled_event(due + timedelta(hours=1)), Context("reminder_fanout"))
    run_worker(stack_env)  # the hour's final pass reads them again: still once

    assert later["queued"][keys.reminder_hour(due)] == 16
    assert all(len(reminders_of(world, f"user-{i}")) == 1 for i in range(5))


def test_overlapping_runs_remind_once(world: World) -> None:
    users = [f"user-{i}" for i in range(6)]
    for user_id in users:
        world.player(user_id, active_days=[DAY])
    due = local_time(DAY + timedelta(days=1), 18, "UTC")
    barrier = threading.Barrier(2)
    reports: list[ReminderReport] = []

    def run() -> None:
        job = world.reminders()
        barrier.wait()
        reports.append(job.run_hour(due))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.sent for r in reports) == len(users)
    assert all(len(reminders_of(world, u)) == 1 for u in users)


def test_a_missed_run_is_caught_up_by_the_next_one(world: World) -> None:
    world.player("alice", active_days=[DAY])
    due = local_time(DAY + timedelta(days=1), 18, "UTC")

    report = world.reminders().run_hour(due + timedelta(hours=2))  # 18:00 and 19:00 failed

    assert report.sent == 1
    [reminder] = reminders_of(world, "alice")
    assert reminder["created_at"] == (due + timedelta(hours=2)).isoformat()


def test_no_reminder_once_the_streak_has_broken(world: World) -> None:
    world.player("alice", active_days=[DAY])
    midnight = local_time(DAY + timedelta(days=2), 0, "UTC")

    report = world.reminders(lookback_hours=6).run_hour(midnight)

    assert report.sent == 0
    assert reminders_of(world, "alice") == []


@pytest.mark.parametrize(
    ("zone", "change_day", "due_utc_hour", "day_before_utc_hour"),
    [
        ("Europe/Berlin", date(2026, 3, 29), 16, 17),  # CET -> CEST at 02:00
        ("America/New_York", date(2026, 11, 1), 23, 22),  # EDT -> EST at 02:00
    ],
)
def test_reminder_on_a_dst_change_day_follows_the_new_offset(
    world: World, zone: str, change_day: date, due_utc_hour: int, day_before_utc_hour: int
) -> None:
    before = change_day - timedelta(days=1)
    world.player("alice", timezone=zone, active_days=[before - timedelta(days=1), before])
    # Sanity: 18:00 local really is a different UTC hour on either side of the change.
    assert local_time(before, 18, zone).hour == day_before_utc_hour

    reports = run_hourly(
        world,
        datetime.combine(change_day, datetime.min.time(), UTC) - timedelta(hours=6),
        datetime.combine(change_day, datetime.min.time(), UTC) + timedelta(hours=30),
    )

    [sent_in] = [r for r in reports if r.sent]
    assert sent_in.now == datetime.combine(change_day, datetime.min.time(), UTC).replace(
        hour=due_utc_hour
    )
    [reminder] = reminders_of(world, "alice")
    sent_local = datetime.fromisoformat(reminder["created_at"]).astimezone(ZoneInfo(zone))
    assert (sent_local.date(), sent_local.hour, sent_local.minute) == (change_day, 18, 0)


def point_reminder_index_at(world: World, user_id: str, due: datetime) -> None:
    """Leave the profile as it is but file it under ``due`` in the reminder index."""
    boto3.client("dynamodb").update_item(
        TableName=world.aws.table_name,
        Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
        UpdateExpression="SET GSI1PK = :pk, GSI1SK = :sk",
        ExpressionAttributeValues=to_item(
            {
                ":pk": keys.reminder_pk(due, keys.reminder_shard(user_id, SHARDS)),
                ":sk": keys.user_pk(user_id),
            }
        ),
    )


def test_a_streak_broken_by_the_clock_leaves_as_one_streak_broken_event(world: World) -> None:
    """Reminded on the evening at risk, found broken at the next evening's run (the index keeps
    the user at their hour for its period): the event commits in the profile's outbox, once."""
    world.player("alice", active_days=[DAY - timedelta(days=1), DAY])
    start = local_time(DAY + timedelta(days=1), 17, "UTC")

    reports = run_hourly(world, start, start + timedelta(days=1, hours=3))

    assert sum(r.sent for r in reports) == 1
    assert [r.breaks_told for r in reports if r.breaks_told] == [1]
    item = boto3.client("dynamodb").get_item(
        TableName=world.aws.table_name,
        Key=to_item({"PK": keys.user_pk("alice"), "SK": keys.PROFILE_SK}),
    )["Item"]
    found = outbox_of_image(from_item(item))
    assert found is not None
    assert [(d.type, d.fact, d.data) for d in found[2]] == [
        ("streak.broken", DAY.isoformat(), {"last_day": DAY.isoformat(), "streak_days": 2})
    ]
