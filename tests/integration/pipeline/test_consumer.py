"""The consumer against moto (and the projector behind it against a real redis-server): happy
path, repeats, poison, faults."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import redis
import time_machine
from botocore.exceptions import ClientError

from gamification.adapters.board_schema import board_key, decode_xp
from gamification.adapters.player_score import ALLTIME, weekly
from gamification.domain.periods import iso_week
from gamification.local.provision import Provisioned
from gamification.local.redis_server import RedisServer
from tests.integration.jobs.support import Stream
from tests.integration.pipeline.support import (
    NOW,
    Record,
    activity,
    build_pipeline,
    dead_letters,
    record,
    sqs_event,
)


def test_handler_applies_a_batch_and_reports_no_failures(
    stack_env: Provisioned, redis_client: redis.Redis
) -> None:
    from functions.consumer.handler import lambda_handler

    records = [record(activity(object_id=f"post-{i}")) for i in range(12)]
    records.append(record(activity(user_id="bob", type_="comment_left", object_id="c-1")))

    response = lambda_handler(sqs_event(records[:10], stack_env.queue_arn), _context())
    response_2 = lambda_handler(sqs_event(records[10:], stack_env.queue_arn), _context())

    assert response == {"batchItemFailures": []}
    assert response_2 == {"batchItemFailures": []}
    from gamification.composition import user_repository

    alice = user_repository().load("alice").state
    assert alice.counters["post_read"] == 12
    # 12 reads (120 XP) + 2 badges at 0 XP: first-read and bookworm.
    assert alice.xp == 120
    assert set(alice.badges) == {"first-read", "bookworm"}
    # The consumer wrote no score: the projector raises them from the table's stream.
    assert redis_client.zscore("{lb}:board:alltime", "alice") is None
    projected = project(Stream(stack_env.table_name).read())
    assert projected == {"batchItemFailures": []}
    assert decode_xp(float(redis_client.zscore("{lb}:board:alltime", "alice") or 0)) == 120
    assert decode_xp(float(redis_client.zscore("{lb}:board:alltime", "bob") or 0)) == 5


def test_a_batch_whose_every_record_fails_is_a_partial_failure_not_a_function_error(
    stack_env: Provisioned, redis_client: redis.Redis, monkeypatch: Any
) -> None:
    """Every user's transaction is throttled: the handler reports every record for a retry
    (Powertools' processor would raise, which Lambda counts as an error and alarms on)."""
    from functions.consumer.handler import lambda_handler
    from gamification.composition import dynamodb

    def throttle(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ThrottlingException", "Message": "slow down"}},
            "TransactWriteItems",
        )

    dynamodb().meta.events.register("before-call.dynamodb.TransactWriteItems", throttle)
    records = [record(activity(user_id=f"u{i}", object_id="p")) for i in range(3)]
    try:
        response = lambda_handler(sqs_event(records, stack_env.queue_arn), _context())
    finally:
        dynamodb().meta.events.unregister("before-call.dynamodb.TransactWriteItems", throttle)

    assert response == {
        "batchItemFailures": [{"itemIdentifier": r.message_id} for r in sorted_by_id(records)]
    }


def sorted_by_id(records: list[Record]) -> list[Record]:
    return sorted(records, key=lambda r: r.message_id)


def project(records: list[dict[str, Any]]) -> dict[str, Any]:
    from functions.projector.handler import lambda_handler

    return dict(lambda_handler({"Records": records}, _context("projector")))


def test_duplicate_delivery_awards_once(aws: Provisioned, redis_client: redis.Redis) -> None:
    pipeline = build_pipeline(aws, redis_client)
    read = activity(object_id="post-7")

    first = pipeline.consumer.consume([record(read), record(read)])  # twice in one batch
    second = pipeline.consumer.consume([record(read)])  # and redelivered later

    assert not first.failed_message_ids
    assert not second.failed_message_ids
    state = pipeline.users.load("alice").state
    assert state.xp == 10
    assert state.counters == {"post_read": 1, "badge_earned": 1}
    assert second.totals()["DuplicatesDropped"] == 1
    pipeline.project()
    assert decode_xp(float(redis_client.zscore(board_key(ALLTIME), "alice") or 0)) == 10


def test_same_activities_in_two_concurrent_batches_apply_once(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client)
    reads = [activity(object_id=f"post-{i}", at=NOW + timedelta(minutes=i)) for i in range(8)]
    barrier = threading.Barrier(2)
    reports: list[Any] = []

    def consume() -> None:
        barrier.wait()
        reports.append(pipeline.consumer.consume([record(a) for a in reads]))

    threads = [threading.Thread(target=consume) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(not r.failed_message_ids for r in reports)
    state = pipeline.users.load("alice").state
    assert state.xp == 80
    assert state.counters["post_read"] == 8
    applied = sum(r.totals()["ActivitiesApplied"] for r in reports)
    assert applied == 8


def test_poison_messages_go_to_the_dlq_with_their_reason(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client)
    good = [record(activity(object_id=f"post-{i}")) for i in range(3)]
    not_json = record("{not json")
    unknown = record(activity(type_="post_read").model_dump_json().replace("post_read", "teleport"))
    forged = record(activity(type_="challenge_solved", object_id="ch-1", source="client"))
    too_old = record(
        activity(object_id="old").model_copy(update={"received_at": NOW + timedelta(days=3)})
    )
    missing = record('{"user_id": "alice", "type": "post_read"}')

    batch = [good[0], not_json, unknown, good[1], forged, too_old, missing, good[2]]
    report = pipeline.consumer.consume(batch)

    assert report.failed_message_ids == set()  # poison is not retried
    assert pipeline.users.load("alice").state.counters["post_read"] == 3
    letters = {d["source_message_id"]: d for d in dead_letters(pipeline.sqs, aws.dlq_url)}
    assert set(letters) == {r.message_id for r in (not_json, unknown, forged, too_old, missing)}
    assert letters[not_json.message_id]["code"] == "invalid_message"
    assert letters[unknown.message_id]["code"] == "unknown_event_type"
    assert letters[forged.message_id]["code"] == "event_type_not_reportable_by_source"
    assert letters[too_old.message_id]["code"] == "occurred_before_backdating_window"
    assert "occurred_at" in letters[missing.message_id]["reason"]
    assert "object_id" in letters[missing.message_id]["reason"]
    assert letters[too_old.message_id]["body"] == too_old.body


def test_throttled_transaction_fails_only_that_users_records(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client)
    throttled_users = {"alice"}

    def throttle(params: dict[str, Any], **_: Any) -> None:
        pk = params["TransactItems"][0]["Put"]["Item"]["PK"]["S"]
        if pk.removeprefix("USER#") in throttled_users:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "slow down"}},
                "TransactWriteItems",
            )

    pipeline.dynamodb.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems", throttle
    )
    alice = [record(activity(object_id="p1")), record(activity(object_id="p2"))]
    bob = [record(activity(user_id="bob", object_id="p1"))]

    report = pipeline.consumer.consume([*alice, *bob])

    assert report.failed_message_ids == {r.message_id for r in alice}
    assert pipeline.users.load("bob").state.xp == 10
    assert not pipeline.users.load("alice").exists

    throttled_users.clear()  # the throttling passes; SQS redelivers alice's records
    retry = pipeline.consumer.consume(alice)
    assert retry.failed_message_ids == set()
    assert pipeline.users.load("alice").state.xp == 20


def test_lost_commit_response_is_safe_to_retry(aws: Provisioned, redis_client: redis.Redis) -> None:
    """The transaction commits but its response is lost: the retry finds the markers."""
    pipeline = build_pipeline(aws, redis_client)
    calls = {"n": 0}

    def lose_response(**_: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("response lost after commit")

    pipeline.dynamodb.meta.events.register("after-call.dynamodb.TransactWriteItems", lose_response)
    records = [record(activity(object_id=f"p{i}")) for i in range(3)]

    assert pipeline.consumer.consume(records).failed_message_ids == {r.message_id for r in records}
    retry = pipeline.consumer.consume(records)

    assert retry.failed_message_ids == set()
    assert retry.totals()["DuplicatesDropped"] == 3
    assert pipeline.users.load("alice").state.xp == 30
    pipeline.project()
    assert decode_xp(float(redis_client.zscore(board_key(ALLTIME), "alice") or 0)) == 30


def test_the_consumer_commits_while_redis_is_down(aws: Provisioned) -> None:
    """Redis is not on the write path any more: an outage delays the boards, never the XP."""
    with RedisServer() as server:
        client = redis.Redis.from_url(server.url, decode_responses=True, socket_timeout=0.5)
        pipeline = build_pipeline(aws, client)
        server.stop()

        report = pipeline.consumer.consume([record(activity(object_id=f"p{i}")) for i in range(2)])

        assert report.failed_message_ids == set()
        assert pipeline.users.load("alice").state.xp == 20
        client.close()


def test_a_projection_that_fails_is_retried_from_the_batch_start_and_heals(
    stack_env: Provisioned,
) -> None:
    """Redis down: the projector reports the batch failed (no exception); the mapping's retry
    of the same records, once Redis is back, leaves the exact scores.

    The handler's projector reads the clock (right in production) and skips weekly boards that
    have expired by then: the clock is moved to the activities' week, not left at today."""
    from gamification import composition

    stream = Stream(stack_env.table_name)
    pipeline = build_pipeline(stack_env, redis.Redis())  # commits only; no Redis used
    pipeline.consumer.consume([record(activity(object_id=f"p{i}")) for i in range(2)])
    records = stream.read()
    with (
        time_machine.travel(NOW),
        RedisServer() as server,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv("REDIS_URL", server.url)
        composition.reset()
        server.stop()
        failed = project(records)
        assert failed == {
            "batchItemFailures": [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]
        }
        server.start()
        composition.reset()
        assert project(records) == {"batchItemFailures": []}
        client = redis.Redis.from_url(server.url, decode_responses=True)
        assert decode_xp(float(client.zscore(board_key(ALLTIME), "alice") or 0)) == 20
        week = client.zscore(board_key(weekly(iso_week(NOW))), "alice")
        assert decode_xp(float(week or 0)) == 20
        client.close()
    composition.reset()


def test_a_user_whose_profile_keeps_changing_is_retried_later(
    aws: Provisioned, redis_client: redis.Redis
) -> None:
    pipeline = build_pipeline(aws, redis_client)
    pipeline.consumer.consume([record(activity(object_id="p0"))])

    def conflict(params: dict[str, Any], **_: Any) -> None:
        raise ClientError(
            {
                "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                "CancellationReasons": [{"Code": "ConditionalCheckFailed"}],
            },
            "TransactWriteItems",
        )

    def moved(**_: Any) -> None:  # the pending-marker path's profile write
        raise ClientError(
            {"Error": {"Code": "ConditionalCheckFailedException", "Message": "conflict"}},
            "PutItem",
        )

    pipeline.dynamodb.meta.events.register("before-call.dynamodb.TransactWriteItems", conflict)
    pipeline.dynamodb.meta.events.register("before-call.dynamodb.PutItem", moved)
    records = [record(activity(object_id="p1"))]
    report = pipeline.consumer.consume(records)

    assert report.failed_message_ids == {records[0].message_id}
    assert pipeline.users.load("alice").state.xp == 10


def _context(name: str = "consumer") -> Any:
    class Context:
        function_name = name
        memory_limit_in_mb = 256
        invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        aws_request_id = "req-1"

    return Context()
