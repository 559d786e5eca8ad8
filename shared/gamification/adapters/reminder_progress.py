"""Which shards of a due hour the reminder fan-out has finished: one small item per hour.

``REMINDHOUR#<hour>`` / ``PROGRESS`` holds ``done``, a number set of the finished shard numbers
(≤ ``reminder_shards`` numbers: ≈ 100 bytes at 16 shards, < 5 KB at 1,000), and expires with a
TTL once no run looks back at the hour. The hour's first run creates it (``start``); a shard is
added once its final pass (run after the whole hour was due) read its last page, and adding it
twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PROGRESS_TTL = timedelta(days=2)
"""Longer than any run looks back (hours), short enough to keep the table clean."""


class ReminderProgress:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def start(self, hour: datetime) -> None:
        """Mark ``hour`` as fanned out (by its first run), so a later run can tell an hour
        whose shards are late from one no run ever started (a fresh deploy)."""
        self._client.update_item(
            TableName=self._table,
            Key=self._key(hour),
            UpdateExpression="SET expires_at = :ttl",
            ExpressionAttributeValues={
                ":ttl": {"N": str(int((hour + PROGRESS_TTL).timestamp()))},
            },
        )

    def finish(self, hour: datetime, shard: int) -> None:
        """Record ``shard`` of ``hour`` as done (ADD to a set: idempotent, no read)."""
        self._client.update_item(
            TableName=self._table,
            Key=self._key(hour),
            UpdateExpression="ADD done :shard SET expires_at = :ttl",
            ExpressionAttributeValues={
                ":shard": {"NS": [str(shard)]},
                ":ttl": {"N": str(int((hour + PROGRESS_TTL).timestamp()))},
            },
        )

    def finished(self, hour: datetime) -> set[int] | None:
        """The shards of ``hour`` done so far, ``None`` if no run started the hour (strongly
        consistent: the enqueuer re-sends the others)."""
        item = self._client.get_item(
            TableName=self._table,
            Key=self._key(hour),
            ProjectionExpression="done, expires_at",
            ConsistentRead=True,
        ).get("Item")
        if not item:
            return None
        return {int(n) for n in item["done"]["NS"]} if "done" in item else set()

    @staticmethod
    def _key(hour: datetime) -> dict[str, Any]:
        return to_item({"PK": keys.reminder_progress_pk(hour), "SK": keys.REMINDER_PROGRESS_SK})
