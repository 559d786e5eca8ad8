"""Create the stack's stateful resources in moto from the one definition in ``resources.py``.

The local stack and the test suite both call this, so neither can drift from ``cdk deploy``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3

from gamification.resources import QUEUE, TABLE


@dataclass(frozen=True, slots=True)
class Provisioned:
    table_name: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str
    topic_arn: str
    stream_arn: str

    def environment(self) -> dict[str, str]:
        """The variables the handlers read (``gamification.config.Settings``)."""
        return {
            "TABLE_NAME": self.table_name,
            "QUEUE_URL": self.queue_url,
            "DLQ_URL": self.dlq_url,
            "TOPIC_ARN": self.topic_arn,
        }


def provision(prefix: str = "gamify", endpoint_url: str | None = None) -> Provisioned:
    """Table (keys, indexes, TTL, stream), activity queue with its DLQ redrive, push topic."""
    kwargs: dict[str, Any] = {"endpoint_url": endpoint_url} if endpoint_url else {}
    dynamodb = boto3.client("dynamodb", **kwargs)
    sqs = boto3.client("sqs", **kwargs)
    sns = boto3.client("sns", **kwargs)

    table_name = f"{prefix}-table"
    table = dynamodb.create_table(**TABLE.create_table_kwargs(table_name))
    dynamodb.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TABLE.ttl_attribute},
    )

    dlq_url = sqs.create_queue(
        QueueName=f"{prefix}-activities-dlq",
        Attributes={"MessageRetentionPeriod": str(QUEUE.dlq_retention_seconds)},
    )["QueueUrl"]
    dlq_arn = _queue_arn(sqs, dlq_url)
    queue_url = sqs.create_queue(
        QueueName=f"{prefix}-activities",
        Attributes={
            "VisibilityTimeout": str(QUEUE.visibility_timeout_seconds),
            "MessageRetentionPeriod": str(QUEUE.retention_seconds),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": QUEUE.max_receive_count}
            ),
        },
    )["QueueUrl"]
    topic_arn = sns.create_topic(Name=f"{prefix}-push")["TopicArn"]
    return Provisioned(
        table_name=table_name,
        queue_url=queue_url,
        queue_arn=_queue_arn(sqs, queue_url),
        dlq_url=dlq_url,
        dlq_arn=dlq_arn,
        topic_arn=topic_arn,
        stream_arn=table["TableDescription"].get("LatestStreamArn", ""),
    )


def _queue_arn(sqs: Any, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])
