"""The local SQS event source mapping: batches, partial failures, retries and the DLQ redrive."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3

from gamification.local.handlers import Invoker
from gamification.local.provision import Provisioned
from gamification.local.sqs_poller import SqsPoller
from gamification.resources import QUEUE

Function = Callable[[str, dict[str, Any]], Any]


def _poller(aws: Provisioned, function: Function) -> SqsPoller:
    return SqsPoller(
        boto3.client("sqs"),
        aws.queue_url,
        aws.queue_arn,
        function,
        retry_delay_seconds=0,
        wait_seconds=0,
    )


def _send(aws: Provisioned, *bodies: str) -> None:
    sqs = boto3.client("sqs")
    for body in bodies:
        sqs.send_message(QueueUrl=aws.queue_url, MessageBody=body)


def _depth(aws: Provisioned, url: str | None = None) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=url or aws.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())


def test_batches_are_sqs_events_and_successes_are_deleted(aws: Provisioned) -> None:
    events: list[dict[str, Any]] = []

    def function(name: str, event: dict[str, Any]) -> dict[str, Any]:
        events.append(event)
        return {"batchItemFailures": []}

    _send(aws, *[f"m{i}" for i in range(12)])
    poller = _poller(aws, function)
    first, second = poller.poll_once(), poller.poll_once()

    assert (first.received, second.received) == (QUEUE.batch_size, 2)
    assert _depth(aws) == 0
    record = events[0]["Records"][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == aws.queue_arn
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["receiptHandle"]
    assert {r["body"] for e in events for r in e["Records"]} == {f"m{i}" for i in range(12)}


def test_reported_failures_are_retried_and_the_rest_deleted(aws: Provisioned) -> None:
    attempts: dict[str, list[str]] = {}

    def function(name: str, event: dict[str, Any]) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            attempts.setdefault(record["body"], []).append(
                record["attributes"]["ApproximateReceiveCount"]
            )
            if record["body"] == "flaky" and len(attempts["flaky"]) < 3:
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    _send(aws, "ok", "flaky")
    poller = _poller(aws, function)
    while _depth(aws):
        poller.poll_once()

    assert attempts == {"ok": ["1"], "flaky": ["1", "2", "3"]}
    assert poller.totals["failed"] == 2


def test_a_message_that_always_fails_ends_in_the_dlq_after_max_receives(aws: Provisioned) -> None:
    def function(name: str, event: dict[str, Any]) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}

    _send(aws, "poison")
    poller = _poller(aws, function)
    for _ in range(QUEUE.max_receive_count + 1):
        poller.poll_once()

    assert poller.totals["received"] == QUEUE.max_receive_count
    assert _depth(aws) == 0
    assert _depth(aws, aws.dlq_url) == 1


def test_a_function_error_or_bogus_identifier_fails_the_whole_batch(aws: Provisioned) -> None:
    calls = 0

    def function(name: str, event: dict[str, Any]) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("crash")
        if calls == 2:
            return {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]}
        return {"batchItemFailures": []}

    _send(aws, "a", "b")
    poller = _poller(aws, function)
    outcomes = [poller.poll_once() for _ in range(3)]

    assert [o.failed for o in outcomes] == [2, 2, 0]
    assert _depth(aws) == 0


def test_feeds_the_real_consumer_handler(stack_env: Provisioned) -> None:
    now = datetime.now(UTC).isoformat()
    activity = {
        "user_id": "alice",
        "type": "post_read",
        "object_id": "post-1",
        "occurred_at": now,
        "received_at": now,
    }
    _send(stack_env, json.dumps(activity), json.dumps(activity), "not json")
    poller = _poller(stack_env, Invoker().invoke)
    outcome = poller.poll_once()

    assert (outcome.received, outcome.failed) == (3, 0)
    from gamification.composition import user_repository

    assert user_repository().load("alice").state.xp == 10
    assert _depth(stack_env, stack_env.dlq_url) == 1  # the consumer dead-lettered "not json"


def test_a_paused_poller_takes_nothing_until_resumed(aws: Provisioned) -> None:
    """``pause`` returns with no batch in hand; messages sent meanwhile wait on the queue."""
    handled: list[str] = []

    def function(name: str, event: dict[str, Any]) -> dict[str, Any]:
        handled.extend(r["body"] for r in event["Records"])
        return {"batchItemFailures": []}

    poller = _poller(aws, function).start()
    try:
        _send(aws, "before")
        _wait_until(lambda: handled == ["before"])
        poller.pause()
        _send(aws, "during-1", "during-2")
        for _ in range(5):  # the paused loop wakes every 0.2 s: a second of it
            poller.pause()
            time.sleep(0.2)
        assert handled == ["before"]
        assert _depth(aws) == 2
        poller.resume()
        _wait_until(lambda: len(handled) == 3)
        assert sorted(handled[1:]) == ["during-1", "during-2"]
    finally:
        poller.stop()


def _wait_until(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
