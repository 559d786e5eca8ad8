"""Progress of a badge backfill (``PK=BACKFILL#<badge>``), so a re-invocation resumes.

Saving is conditional on the run's criteria fingerprint and on moving forward: a run whose
badge definition changed meanwhile (a newer run restarted the walk) or that fell behind a
concurrent run of the same definition is told to stop instead of overwriting newer progress.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.domain.checkpoints import Checkpoint

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CHECKPOINT_SK = "CHECKPOINT"


class BackfillCheckpoints:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def load(self, badge_id: str) -> Checkpoint | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.backfill_pk(badge_id), "SK": CHECKPOINT_SK}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        if item is None:
            return None
        values = from_item(item)
        return Checkpoint(
            badge_id=str(values["badge_id"]),
            fingerprint=str(values["fingerprint"]),
            started_at=datetime.fromisoformat(values["started_at"]),
            updated_at=datetime.fromisoformat(values["updated_at"]),
            shard=int(values["shard"]),
            position=values.get("position"),
            pages=int(values["pages"]),
            scanned=int(values["scanned"]),
            awarded=int(values["awarded"]),
            already_had=int(values["already_had"]),
            not_qualified=int(values["not_qualified"]),
            done=bool(values["done"]),
        )

    def start(self, checkpoint: Checkpoint) -> None:
        """Begin a walk, replacing any earlier one (an older definition's run then stops)."""
        self._client.put_item(TableName=self._table, Item=self._item(checkpoint))

    def save(self, checkpoint: Checkpoint) -> bool:
        """Record progress; ``False`` when another run superseded or overtook this one."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=self._item(checkpoint),
                ConditionExpression="fingerprint = :f AND pages < :p",
                ExpressionAttributeValues=to_item(
                    {":f": checkpoint.fingerprint, ":p": checkpoint.pages}
                ),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _item(self, checkpoint: Checkpoint) -> dict[str, Any]:
        values = asdict(checkpoint)
        values["started_at"] = checkpoint.started_at.isoformat()
        values["updated_at"] = checkpoint.updated_at.isoformat()
        return to_item({"PK": keys.backfill_pk(checkpoint.badge_id), "SK": CHECKPOINT_SK, **values})
