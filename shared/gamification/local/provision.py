"""Create the stack's stateful resources in moto from the one definition in ``resources.py``.

The local stack and the test suite both call this, so neither can drift from ``cdk deploy``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3

from gamification.resources import (
    EVENT_BUS,
    QUEUE,
    REMINDER_QUEUE,
    TABLE,
    WEBHOOK_QUEUE,
    QueueSpec,
)


@dataclass(frozen=True, slots=True)
class Provisioned:
    table_name: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str
    topic_arn: str
    stream_arn: str
    reminder_queue_url: str = ""
    reminder_queue_arn: str = ""
    reminder_dlq_url: str = ""
    events_dlq_url: str = ""
    webhook_queue_url: str = ""
    webhook_queue_arn: str = ""
    credential_key_id: str = ""
    """The KMS key that signs badge credentials (docs/credentials.md): moto's KMS, as on AWS."""
    webhook_key_id: str = ""

    def environment(self) -> dict[str, str]:
        """The variables the handlers read (``gamification.config.Settings``)."""
        return {
            "TABLE_NAME": self.table_name,
            "QUEUE_URL": self.queue_url,
            "DLQ_URL": self.dlq_url,
            "TOPIC_ARN": self.topic_arn,
            "REMINDER_QUEUE_URL": self.reminder_queue_url,
            "EVENTS_DLQ_URL": self.events_dlq_url,
            "WEBHOOK_QUEUE_URL": self.webhook_queue_url,
            "CREDENTIAL_KEY_ID": self.credential_key_id,
            **({"WEBHOOK_KEY_ID": self.webhook_key_id} if self.webhook_key_id else {}),
        }


def provision(
    prefix: str = "gamify", endpoint_url: str | None = None, *, webhook_key: bool = True
) -> Provisioned:
    """Table (keys, indexes, TTL, stream), activity and reminder queues with their DLQ
    redrives, push topic, the credential signing key, and the KMS key that seals webhook
    secrets (``webhook_key``; the local stack goes without: its table outlives a restart,
    moto's keys do not)."""
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

    queue_url, dlq_url = _queue_with_dlq(sqs, f"{prefix}-activities", QUEUE)
    reminder_url, reminder_dlq_url = _queue_with_dlq(sqs, f"{prefix}-reminders", REMINDER_QUEUE)
    topic_arn = sns.create_topic(Name=f"{prefix}-push")["TopicArn"]
    webhook_url, _ = _queue_with_dlq(sqs, f"{prefix}-webhooks", WEBHOOK_QUEUE)
    events_dlq_url = sqs.create_queue(
        QueueName=f"{prefix}-events-dlq",
        Attributes={"MessageRetentionPeriod": str(EVENT_BUS.dlq_retention_seconds)},
    )["QueueUrl"]
    credential_key = boto3.client("kms", **kwargs).create_key(
        Description=f"{prefix}: signs badge credentials",
        KeySpec="ECC_NIST_P256",
        KeyUsage="SIGN_VERIFY",
    )
    key_id = ""
    if webhook_key:
        kms = boto3.client("kms", **kwargs)
        key_id = kms.create_key(Description=f"{prefix} webhook secrets")["KeyMetadata"]["Arn"]
    return Provisioned(
        table_name=table_name,
        queue_url=queue_url,
        queue_arn=_queue_arn(sqs, queue_url),
        dlq_url=dlq_url,
        dlq_arn=_queue_arn(sqs, dlq_url),
        topic_arn=topic_arn,
        stream_arn=table["TableDescription"].get("LatestStreamArn", ""),
        reminder_queue_url=reminder_url,
        reminder_queue_arn=_queue_arn(sqs, reminder_url),
        reminder_dlq_url=reminder_dlq_url,
        events_dlq_url=events_dlq_url,
        webhook_queue_url=webhook_url,
        webhook_queue_arn=_queue_arn(sqs, webhook_url),
        credential_key_id=str(credential_key["KeyMetadata"]["KeyId"]),
        webhook_key_id=key_id,
    )


def _queue_with_dlq(sqs: Any, name: str, spec: QueueSpec) -> tuple[str, str]:
    """A queue redriving to its own dead-letter queue after ``spec.max_receive_count``."""
    dlq_url = sqs.create_queue(
        QueueName=f"{name}-dlq",
        Attributes={"MessageRetentionPeriod": str(spec.dlq_retention_seconds)},
    )["QueueUrl"]
    queue_url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(spec.visibility_timeout_seconds),
            "MessageRetentionPeriod": str(spec.retention_seconds),
            "RedrivePolicy": json.dumps(
                {
                    "deadLetterTargetArn": _queue_arn(sqs, dlq_url),
                    "maxReceiveCount": spec.max_receive_count,
                }
            ),
        },
    )["QueueUrl"]
    return str(queue_url), str(dlq_url)


def _queue_arn(sqs: Any, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])
