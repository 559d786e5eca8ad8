"""`gamify dlq list` reads dead letters without receiving them: listing changes no count."""

from __future__ import annotations

from typing import Any

import boto3

from gamification.local import dead_letters
from gamification.local.provision import Provisioned
from gamification.local.sqs_poller import SqsPoller
from gamification.resources import QUEUE


def _receive_counts(url: str) -> list[int]:
    """The counts as SQS itself reports them (this receive adds one; hidden 0 s)."""
    messages = boto3.client("sqs").receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        VisibilityTimeout=0,
        AttributeNames=["ApproximateReceiveCount"],
    )["Messages"]
    return [int(m["Attributes"]["ApproximateReceiveCount"]) - 1 for m in messages]


def test_listing_twice_shows_the_same_counts_and_leaves_the_messages_visible(
    aws: Provisioned,
) -> None:
    sqs = boto3.client("sqs")
    sqs.send_message(
        QueueUrl=aws.dlq_url,
        MessageBody="{not json",
        MessageAttributes={
            "code": {"DataType": "String", "StringValue": "invalid_message"},
            "reason": {"DataType": "String", "StringValue": "Invalid JSON"},
        },
    )

    first = dead_letters.peek(aws.dlq_url, 50)
    second = dead_letters.peek(aws.dlq_url, 50)

    assert first == second
    assert [(m["code"], m["reason"], m["receive_count"], m["body"]) for m in first] == [
        ("invalid_message", "Invalid JSON", 0, "{not json")
    ]
    assert _receive_counts(aws.dlq_url) == [0]  # SQS agrees: never received before


def test_a_message_whose_retries_ran_out_shows_its_receives_from_the_queue(
    aws: Provisioned,
) -> None:
    def always_fails(name: str, event: dict[str, Any]) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}

    boto3.client("sqs").send_message(QueueUrl=aws.queue_url, MessageBody="flaky")
    poller = SqsPoller(
        boto3.client("sqs"),
        aws.queue_url,
        aws.queue_arn,
        always_fails,
        retry_delay_seconds=0,
        wait_seconds=0,
    )
    for _ in range(QUEUE.max_receive_count + 1):
        poller.poll_once()

    [listed] = dead_letters.peek(aws.dlq_url, 50)
    assert listed["receive_count"] == QUEUE.max_receive_count
    assert listed["code"] is None
    assert "retries exhausted" in listed["reason"]
    assert dead_letters.peek(aws.dlq_url, 1) == [listed]
