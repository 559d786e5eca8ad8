"""The local DynamoDB Streams mapping: filtered, Lambda-shaped records, in order, with retries."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from gamification.local.provision import Provisioned
from gamification.local.stream_poller import StreamPoller, Subscription
from gamification.resources import STREAM


def _put(aws: Provisioned, pk: str, sk: str, **extra: str) -> None:
    item = {"PK": {"S": pk}, "SK": {"S": sk}, **{k: {"S": v} for k, v in extra.items()}}
    boto3.client("dynamodb").put_item(TableName=aws.table_name, Item=item)


def _poller(aws: Provisioned, function: Any, retries: int = 3) -> StreamPoller:
    return StreamPoller(
        # botocore's account-based streams endpoint is not one moto's in-process mock matches.
        boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled")),
        aws.stream_arn,
        function,
        [Subscription("dispatcher", STREAM.accepts, batch_size=2, retry_attempts=retries)],
        interval_seconds=0,
    )


def test_only_inserted_notifications_reach_the_function_in_lambda_shape(
    aws: Provisioned,
) -> None:
    events: list[dict[str, Any]] = []
    poller = _poller(aws, lambda name, event: events.append(event))
    _put(aws, "USER#a", "PROFILE")
    _put(aws, "USER#a", "NOTIF#2026-01-01#level#1", title="Level 1!")
    _put(aws, "USER#a", "NOTIF#2026-01-01#level#1", title="again")  # MODIFY: filtered out
    _put(aws, "USER#a", "NOTIF#2026-01-02#badge#x")
    _put(aws, "USER#a", "NOTIF#2026-01-03#badge#y")

    assert poller.poll_once() == 5
    assert poller.poll_once() == 0

    records = [r for e in events for r in e["Records"]]
    assert [len(e["Records"]) for e in events] == [2, 1]  # batch size 2
    assert [r["dynamodb"]["Keys"]["SK"]["S"] for r in records] == [
        "NOTIF#2026-01-01#level#1",
        "NOTIF#2026-01-02#badge#x",
        "NOTIF#2026-01-03#badge#y",
    ]
    first = records[0]
    assert first["eventName"] == "INSERT"
    assert first["eventSource"] == "aws:dynamodb"
    assert first["eventSourceARN"] == aws.stream_arn
    assert first["dynamodb"]["NewImage"]["title"] == {"S": "Level 1!"}
    assert isinstance(first["dynamodb"]["ApproximateCreationDateTime"], int)


def test_a_reported_failure_is_retried_from_that_record(aws: Provisioned) -> None:
    seen: list[str] = []
    failed_once: set[str] = set()

    def function(name: str, event: dict[str, Any]) -> dict[str, Any]:
        for record in event["Records"]:
            sk = record["dynamodb"]["Keys"]["SK"]["S"]
            seen.append(sk)
            if sk.endswith("second") and sk not in failed_once:
                failed_once.add(sk)
                sequence = record["dynamodb"]["SequenceNumber"]
                return {"batchItemFailures": [{"itemIdentifier": sequence}]}
        return {"batchItemFailures": []}

    poller = _poller(aws, function)
    _put(aws, "USER#a", "NOTIF#1#first")
    _put(aws, "USER#a", "NOTIF#2#second")
    poller.poll_once()

    assert seen == ["NOTIF#1#first", "NOTIF#2#second", "NOTIF#2#second"]
    assert poller.totals["delivered"] == 2


def test_a_batch_that_keeps_failing_is_given_up_after_the_retries(aws: Provisioned) -> None:
    calls = 0

    def function(name: str, event: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("SNS is down")

    poller = _poller(aws, function, retries=2)
    _put(aws, "USER#a", "NOTIF#1#x")
    poller.poll_once()

    assert calls == 3  # the first try and two retries
    assert poller.totals["discarded"] == 1


def test_the_local_mapping_is_the_one_infra_deploys() -> None:
    """Infra builds the dispatcher's mapping from the same spec (tests/infra checks that side)."""
    subscription = Subscription.of(STREAM)
    assert subscription.function == "dispatcher"
    assert (subscription.batch_size, subscription.retry_attempts) == (
        STREAM.batch_size,
        STREAM.retry_attempts,
    )
    assert subscription.accepts == STREAM.accepts
