"""Poison messages go to the dead-letter queue with the reason they can never succeed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gamification.domain.dead_letters import DeadLetter, DeadLetterQueueError

__all__ = ["DeadLetter", "DeadLetterQueue", "DeadLetterQueueError"]

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class DeadLetterQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._url = queue_url

    def send(self, letters: Sequence[DeadLetter]) -> None:
        """One SendMessageBatch per 10 letters; raises with the ids that did not make it."""
        failed: list[str] = []
        for start in range(0, len(letters), 10):
            chunk = letters[start : start + 10]
            entries: list[Any] = [
                {
                    "Id": str(i),
                    "MessageBody": letter.body or "<empty>",
                    "MessageAttributes": {
                        "reason": _text(letter.reason[:1000]),
                        "code": _text(letter.code),
                        "source_message_id": _text(letter.message_id),
                    },
                }
                for i, letter in enumerate(chunk)
            ]
            response = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
            failed.extend(chunk[int(f["Id"])].message_id for f in response.get("Failed", []))
        if failed:
            raise DeadLetterQueueError(failed)


def _text(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}
