"""The sparse reminder index (GSI1): which users' streak reminders fall due in a UTC hour.

Only profiles with push enabled and a streak carry the index keys, so a query reads exactly the
users to consider this hour, never the user table (see ``UserRepository.profile_item``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

INDEX_NAME = "GSI1"


class ReminderIndex:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def due_in(self, hour: datetime) -> Iterator[str]:
        """Ids of the users whose reminder is due in the UTC hour containing ``hour``."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": INDEX_NAME,
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.reminder_pk(hour)}),
        }
        while True:
            response = self._client.query(**kwargs)
            for item in response.get("Items", []):
                yield keys.user_id_from_pk(item["PK"]["S"])
            if "LastEvaluatedKey" not in response:
                return
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
