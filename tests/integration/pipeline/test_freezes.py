"""Streak freezes through the consumer against moto: stored with the profile, announced once."""

from __future__ import annotations

from datetime import timedelta

import boto3
import redis

from gamification.adapters.notification_repository import NotificationRepository
from gamification.domain.freezes import chain
from gamification.domain.policy import Policy
from gamification.local.provision import Provisioned
from tests.integration.pipeline.support import NOW, activity, build_pipeline, record


def test_a_missed_day_is_covered_in_the_stored_state_and_announced_once(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client)
    start = NOW - timedelta(days=9)
    for day in [*range(7), 8, 9]:  # day 7 missed
        at = start + timedelta(days=day)
        pipeline.clock.now = at
        read = activity(object_id=f"post-{day}", at=at)
        assert not pipeline.consumer.consume([record(read), record(read)]).failed_message_ids
    # Redelivering the whole last day changes nothing.
    last = activity(object_id="post-9", at=start + timedelta(days=9))
    pipeline.consumer.consume([record(last)])

    state = pipeline.users.load("alice").state
    scan = chain(state.streak, state.freezes, Policy().freezes)
    assert (scan.length, scan.held) == (9, 0)
    feed = NotificationRepository(boto3.client("dynamodb"), aws.table_name).page("alice", limit=50)
    used = [n for n in feed.items if n.title == "Streak Freeze used"]
    assert len(used) == 1
    assert "7-day streak is safe" in used[0].message


def test_notifications_are_stored_in_the_users_language(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client)
    pipeline.users.update_settings("alice", lambda s: s.model_copy(update={"locale": "de"}), NOW)
    pipeline.clock.now = NOW
    reads = [record(activity(object_id=f"post-{i}", at=NOW)) for i in range(3)]
    assert not pipeline.consumer.consume(reads).failed_message_ids

    feed = NotificationRepository(boto3.client("dynamodb"), aws.table_name).page("alice", limit=50)
    titles = {n.title for n in feed.items}
    assert "Abzeichen freigeschaltet: First Steps" in titles
    assert not any(t.startswith("Badge Unlocked") for t in titles)
