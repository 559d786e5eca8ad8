"""Look into the local dead-letter queue and redrive it (``gamify dlq list|redrive``).

Listing reads moto's queue in this process instead of receiving: SQS has no peek, and every
receive (``VisibilityTimeout=0`` too) adds one to a message's ``ApproximateReceiveCount``, so a
listing through the API changed the very count it showed. On AWS the listing is
``aws sqs receive-message`` on the DLQ, with that side effect; the redrive is
``aws sqs start-message-move-task`` (the console's "Start DLQ redrive"). moto has no
message-move task, so redrive here moves the messages itself: send to the source queue, then
delete from the DLQ.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def peek(dlq_url: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` messages with the reason the consumer gave (none: retries ran out),
    read without receiving them; ``receive_count`` is how often they were received before
    (from the activity queue for one whose retries ran out; 0 for one the consumer sent)."""
    return [
        {
            "message_id": message.id,
            "code": _attribute(message.message_attributes, "code"),
            "reason": _attribute(message.message_attributes, "reason")
            or "retries exhausted (maxReceiveCount) without a poison verdict",
            "receive_count": int(message.approximate_receive_count),
            "body": message.body,
        }
        for message in _moto_queue(dlq_url).messages[:limit]
    ]


def _moto_queue(url: str) -> Any:
    """The queue behind ``url`` in this process's moto (the stack's moto server shares it)."""
    from moto.sqs.models import sqs_backends

    account, name = urlsplit(url).path.strip("/").split("/")[-2:]
    for backend in sqs_backends[account].values():
        if name in backend.queues:
            return backend.queues[name]
    raise LookupError(f"no queue {name!r} in this process's moto")


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


_HIDE_SECONDS = 5
"""How long a message being moved stays invisible to other readers."""


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
