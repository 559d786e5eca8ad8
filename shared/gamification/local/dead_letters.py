"""Look into the local dead-letter queue and redrive it (``gamify dlq list|redrive``).

On AWS the same is ``aws sqs receive-message`` on the DLQ and ``aws sqs start-message-move-task``
(the console's "Start DLQ redrive"); moto has no message-move task, so redrive here moves the
messages itself: send to the source queue, then delete from the DLQ.
"""

from __future__ import annotations

from typing import Any

_HIDE_SECONDS = 5
"""How long a listed message stays invisible while the rest are collected; made visible again."""


def peek(sqs: Any, dlq_url: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` messages with the reason the consumer gave (none: retries ran out)."""
    seen: dict[str, dict[str, Any]] = {}
    handles: list[str] = []
    while len(seen) < limit:
        batch = _receive(sqs, dlq_url, min(10, limit - len(seen)))
        if not batch:
            break
        for message in batch:
            handles.append(message["ReceiptHandle"])
            attributes = message.get("MessageAttributes", {})
            seen.setdefault(
                message["MessageId"],
                {
                    "message_id": message["MessageId"],
                    "code": _attribute(attributes, "code"),
                    "reason": _attribute(attributes, "reason")
                    or "retries exhausted (maxReceiveCount) without a poison verdict",
                    "receive_count": int(message["Attributes"]["ApproximateReceiveCount"]),
                    "body": message["Body"],
                },
            )
    for handle in handles:
        sqs.change_message_visibility(QueueUrl=dlq_url, ReceiptHandle=handle, VisibilityTimeout=0)
    return list(seen.values())


def redrive(sqs: Any, dlq_url: str, queue_url: str) -> int:
    """Move the messages the DLQ holds now back to the activity queue; returns how many moved.

    Bounded by the count at the start: a poison message comes straight back (with a new id)
    while this runs, and must not be moved round and round.
    """
    attributes = sqs.get_queue_attributes(
        QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    remaining = int(attributes["ApproximateNumberOfMessages"])
    moved = 0
    while remaining > 0 and (batch := _receive(sqs, dlq_url, min(10, remaining))):
        entries = [{"Id": str(i), "MessageBody": m["Body"]} for i, m in enumerate(batch)]
        response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        sent = {int(e["Id"]) for e in response.get("Successful", [])}
        for i in sorted(sent):
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=batch[i]["ReceiptHandle"])
        moved += len(sent)
        remaining -= len(batch)
        if len(sent) < len(batch):
            break
    return moved


def _receive(sqs: Any, url: str, count: int) -> list[dict[str, Any]]:
    response = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=count,
        VisibilityTimeout=_HIDE_SECONDS,
        MessageAttributeNames=["All"],
        AttributeNames=["ApproximateReceiveCount"],
        WaitTimeSeconds=0,
    )
    return list(response.get("Messages", []))


def _attribute(attributes: dict[str, Any], name: str) -> str | None:
    value = attributes.get(name, {}).get("StringValue")
    return str(value) if value is not None else None
