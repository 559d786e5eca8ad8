"""The pending-marker path step by step (docs/pipeline.md): a plain change commits without a
transaction, a lost marker is put again by the next commit, other writers carry ``pending``."""

from __future__ import annotations

from typing import Any

import redis

from tests.integration.pipeline.support import NOW, activity, build_pipeline, record
from tests.integration.pipeline.test_pending_markers import Faults, _marker_exists


def test_a_plain_activity_commits_without_a_transaction_and_confirms_its_marker_next_time(
    aws: Any, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client)
    calls: list[str] = []
    pipeline.dynamodb.meta.events.register(
        "before-call.dynamodb.*", lambda event_name, **_: calls.append(event_name.split(".")[-1])
    )
    pipeline.consumer.consume([record(activity(object_id="post-0"))])  # the week's league seat
    calls.clear()
    first = activity(object_id="post-1")
    pipeline.consumer.consume([record(first)])
    assert "TransactWriteItems" not in calls
    assert calls.count("PutItem") == 2  # the profile, then its marker
    stored = pipeline.users.load("alice")
    assert stored.pending == ("post_read#post-1",)

    pipeline.consumer.consume([record(activity(object_id="post-2"))])
    after = pipeline.users.load("alice")
    assert after.pending == ("post_read#post-2",)  # post-1's marker was confirmed and dropped
    assert after.state.xp == 30

    report = pipeline.consumer.consume([record(first)])  # a redelivery changes nothing
    assert report.totals()["DuplicatesDropped"] == 1
    assert pipeline.users.load("alice").state.xp == 30


def test_a_lost_marker_is_put_again_by_the_next_commit(aws: Any, redis_client: redis.Redis) -> None:
    pipeline = build_pipeline(aws, redis_client)
    pipeline.consumer.consume([record(activity(object_id="post-0"))])  # the week's league seat
    faults = Faults(pipeline.dynamodb)
    with faults.arm("markers_fail"):
        report = pipeline.consumer.consume([record(activity(object_id="post-1"))])
    assert not report.failed_message_ids  # applied: the marker's failure does not fail it
    table = aws.table_name
    assert not _marker_exists(pipeline.dynamodb, table, "alice", "post_read#post-1")
    assert pipeline.users.load("alice").pending == ("post_read#post-1",)

    pipeline.consumer.consume([record(activity(object_id="post-2"))])
    assert _marker_exists(pipeline.dynamodb, table, "alice", "post_read#post-1")
    assert _marker_exists(pipeline.dynamodb, table, "alice", "post_read#post-2")
    assert pipeline.users.load("alice").state.xp == 30


def test_a_writer_without_the_fast_path_carries_pending_forward(
    aws: Any, redis_client: redis.Redis
) -> None:
    from gamification.adapters.user_repository import UserRepository

    pipeline = build_pipeline(aws, redis_client)
    pipeline.consumer.consume([record(activity(object_id="post-0"))])  # the week's league seat
    faults = Faults(pipeline.dynamodb)
    with faults.arm("markers_fail"):
        pipeline.consumer.consume([record(activity(object_id="post-1"))])
    settings_writer = UserRepository(pipeline.dynamodb, aws.table_name)  # the account API's
    stored = pipeline.users.load("alice")
    settings_writer.save_settings("alice", stored.state.settings.model_copy(), NOW)
    assert pipeline.users.load("alice").pending == ("post_read#post-1",)
    report = pipeline.consumer.consume([record(activity(object_id="post-1"))])
    assert report.totals()["DuplicatesDropped"] == 1
    assert pipeline.users.load("alice").state.xp == 20


def test_a_record_built_by_hand_keeps_the_inline_slots(aws: Any, redis_client: redis.Redis) -> None:
    """A writer that builds its ``StoredUser`` itself (as the badge backfill does after its
    commit) knows nothing of inline slots: the day is written out to its day item, not lost."""
    from gamification.adapters.user_repository import StoredUser, UserChange, UserRepository

    pipeline = build_pipeline(aws, redis_client)
    pipeline.consumer.consume([record(activity(object_id="post-0"))])
    stored = pipeline.users.load("alice")
    assert stored.state.capped
    assert stored.slots_from is not None
    by_hand = StoredUser(stored.state, stored.version, stored.xp_at)
    jobs = UserRepository(pipeline.dynamodb, aws.table_name)
    jobs.commit(UserChange(before=by_hand, state=stored.state, now=NOW))
    again = pipeline.users.load("alice")
    days = {bucket.split("|", 1)[0] for bucket in stored.state.capped}
    assert pipeline.users.with_days(again, days).state.capped == stored.state.capped
