"""The activity queue as the ingest API sees it: send accepted activities, nothing else.

The ingest function's role holds only ``sqs:SendMessage`` on this queue; processing happens in the
consumer, never inline in the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from gamification.domain.activity import Activity

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SQS_BATCH = 10
"""SendMessageBatch takes at most 10 entries."""


class QueueUnavailableError(Exception):
    """SQS refused or could not be reached: nothing was queued, the caller may retry."""


class ActivityQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._url = queue_url

    def send(self, activity: Activity) -> None:
        try:
            self._client.send_message(QueueUrl=self._url, MessageBody=activity.model_dump_json())
        except (ClientError, BotoCoreError) as error:
            raise QueueUnavailableError(str(error)) from error

    def send_many(self, activities: Sequence[Activity]) -> set[int]:
        """One SendMessageBatch per 10 activities; returns the indexes SQS did not accept.

        A chunk whose call fails outright counts as not accepted as a whole, so the caller can
        report exactly which items to send again.
        """
        failed: set[int] = set()
        for start in range(0, len(activities), SQS_BATCH):
            chunk = activities[start : start + SQS_BATCH]
            entries: list[Any] = [
                {"Id": str(start + i), "MessageBody": a.model_dump_json()}
                for i, a in enumerate(chunk)
            ]
            try:
                response = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
            except (ClientError, BotoCoreError):
                failed.update(range(start, start + len(chunk)))
                continue
            failed.update(int(f["Id"]) for f in response.get("Failed", []))
        return failed
