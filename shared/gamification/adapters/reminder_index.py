"""The sparse reminder index (GSI1): which users' streak reminders fall due in a UTC hour.

Only profiles with push enabled and a streak carry the index keys, so a query reads exactly the
users to consider this hour, never the user table (see ``UserRepository.profile_item``). Each
hour is written under ``shards`` keys (``keys.reminder_shard`` of the user), read one shard and
one bounded page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

INDEX_NAME = "GSI1"


@dataclass(frozen=True, slots=True)
class ReminderPage:
    user_ids: list[str]
    next: str | None
    """The cursor of the next page (the last user id read), ``None`` on the shard's last page."""


class ReminderIndex:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def page(self, hour: datetime, shard: int, after: str | None, limit: int) -> ReminderPage:
        """Up to ``limit`` ids of users due in ``hour``'s ``shard``, after the user ``after``.

        The cursor is a user id: the index's sort key is the user's key, so the start key is
        rebuilt from it (GSI start keys carry the table's keys too) and a cursor is tiny and
        stable across retries."""
        pk = keys.reminder_pk(hour, shard)
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": INDEX_NAME,
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": pk}),
            "Limit": limit,
        }
        if after is not None:
            user_key = keys.user_pk(after)
            kwargs["ExclusiveStartKey"] = to_item(
                {"GSI1PK": pk, "GSI1SK": user_key, "PK": user_key, "SK": keys.PROFILE_SK}
            )
        user_ids: list[str] = []
        while True:
            response = self._client.query(**kwargs)
            user_ids += [keys.user_id_from_pk(i["PK"]["S"]) for i in response.get("Items", [])]
            last = response.get("LastEvaluatedKey")
            if last is None:
                return ReminderPage(user_ids, None)
            if len(user_ids) >= limit:
                return ReminderPage(user_ids, user_ids[-1])
            # A 1 MB response ended the page early: read on for the rest of the limit.
            kwargs["ExclusiveStartKey"] = last
            kwargs["Limit"] = limit - len(user_ids)
