"""Webhook deliveries as SQS messages: one message per attempt, delayed for a retry.

The webhooks queue carries two kinds of message: an event as EventBridge's rule delivers it
(``detail`` is the event: fan it out) and a delivery written here (``{"delivery": ...}``: make
one attempt). ``parse`` tells them apart for the handler.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gamification.domain.event_catalog import DomainEvent
from gamification.domain.webhooks import MAX_DELAY_SECONDS, Delivery

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


def encode(delivery: Delivery) -> str:
    return json.dumps(
        {
            "delivery": {
                "webhook_id": delivery.webhook_id,
                "event_id": delivery.event_id,
                "event": delivery.event,
                "first_attempt_at": delivery.first_attempt_at.isoformat(),
                "attempt": delivery.attempt,
                "waits": delivery.waits,
                "in_line": delivery.in_line,
            }
        }
    )


def parse(body: str) -> Delivery | dict[str, Any]:
    """A delivery to attempt, or the event (EventBridge's ``detail``) to fan out."""
    message = json.loads(body)
    if "delivery" in message:
        d = message["delivery"]
        return Delivery(
            webhook_id=str(d["webhook_id"]),
            event_id=str(d["event_id"]),
            event=str(d["event"]),
            first_attempt_at=datetime.fromisoformat(d["first_attempt_at"]),
            attempt=int(d["attempt"]),
            waits=int(d.get("waits", 0)),
            in_line=bool(d.get("in_line", True)),
        )
    detail = message.get("detail", message)
    if not isinstance(detail, dict) or "id" not in detail or "type" not in detail:
        raise ValueError("neither a delivery nor an event")
    return detail


class WebhookQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._url = queue_url

    def send(self, deliveries: Sequence[Delivery], delay_seconds: int = 0) -> None:
        delay = max(0, min(MAX_DELAY_SECONDS, delay_seconds))
        for start in range(0, len(deliveries), 10):
            chunk = deliveries[start : start + 10]
            response = self._client.send_message_batch(
                QueueUrl=self._url,
                Entries=[
                    {"Id": str(i), "MessageBody": encode(d), "DelaySeconds": delay}
                    for i, d in enumerate(chunk)
                ],
            )
            if response.get("Failed"):
                raise RuntimeError(f"{len(response['Failed'])} deliveries not queued")


def event_forwarder(client: SQSClient, queue_url: str) -> Callable[[DomainEvent], None]:
    """The local stack's stand-in for the bus's rule: each event to the webhook queue, in the
    envelope EventBridge sends (``detail`` holds the event)."""

    def forward(event: DomainEvent) -> None:
        body = {
            "source": "gamify",
            "detail-type": event.type,
            "detail": event.model_dump(mode="json"),
        }
        client.send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))

    return forward
