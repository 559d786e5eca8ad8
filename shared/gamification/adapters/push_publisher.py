"""Publishes push notifications to the SNS topic subscribers fan out from (mobile push, email).

SNS delivers at least once and the outbox may publish a notification again after a retry, so
every message carries ``dedupe_id`` (``<user>/<notification id>``, unique and stable) in its body
and attributes: subscribers drop repeats by it. On a FIFO topic SNS dedupes by it as well.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from gamification.domain.notifications import Notification

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


def dedupe_id(notification: Notification) -> str:
    """Notification ids are unique per user (``badge#x``, ``reminder#<day>``), so add the user."""
    return f"{notification.user_id}/{notification.id}"


class PushPublisher:
    def __init__(self, client: SNSClient, topic_arn: str) -> None:
        self._client = client
        self._topic = topic_arn
        self._fifo = topic_arn.endswith(".fifo")

    def publish(self, notification: Notification) -> str:
        """Send one push; returns SNS's message id. Errors propagate (the caller retries)."""
        key = dedupe_id(notification)
        body = {
            "dedupe_id": key,
            "notification_id": notification.id,
            "user_id": notification.user_id,
            "kind": notification.kind.value,
            "title": notification.title,
            "message": notification.message,
            "created_at": notification.created_at.isoformat(),
        }
        kwargs: dict[str, Any] = {
            "TopicArn": self._topic,
            "Message": json.dumps(body),
            "MessageAttributes": {
                name: {"DataType": "String", "StringValue": value}
                for name, value in (
                    ("dedupe_id", key),
                    ("user_id", notification.user_id),
                    ("kind", notification.kind.value),
                )
            },
        }
        if self._fifo:
            kwargs["MessageGroupId"] = notification.user_id
            kwargs["MessageDeduplicationId"] = hashlib.sha256(key.encode()).hexdigest()
        return str(self._client.publish(**kwargs)["MessageId"])
