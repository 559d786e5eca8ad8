"""The in-app notification feed: read newest first, page with a cursor, mark as read.

Notifications are written by the consumer's transaction (``notification_codec.notification_item``)
under ``PK=USER#<id>``, ``SK=NOTIF#<created_at>#<id>``, so a descending query of one partition is
the feed. The cursor carries only the sort key: the partition always comes from the caller's
identity, so a cursor can never page through someone else's feed.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.cursor import SortKeyCursor
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.notification_codec import stored_notification_from_item
from gamification.domain.notifications import MarkedRead, NotificationPage

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_PAGES = 10
"""Query pages read for one unread-only request before handing back a cursor (bounds the cost
when most of a long feed is already read)."""
CURSOR = SortKeyCursor(max_chars=512, accepts=keys.is_notification_sk)
"""The feed's cursors continue after a notification's sort key, and after nothing else."""


class NotificationRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def page(
        self, user_id: str, *, limit: int, unread_only: bool = False, cursor: str | None = None
    ) -> NotificationPage:
        """Up to ``limit`` notifications, newest first, and a cursor when more may follow."""
        pk = keys.user_pk(user_id)
        kwargs = self._feed_query(pk)
        if unread_only:
            kwargs["FilterExpression"] = "#read = :false"
            kwargs["ExpressionAttributeNames"] = {"#read": "read"}
            kwargs["ExpressionAttributeValues"].update(to_item({":false": False}))
        if cursor is not None:
            kwargs["ExclusiveStartKey"] = to_item({"PK": pk, "SK": CURSOR.decode(cursor)})
        found: list[dict[str, Any]] = []
        last_key: str | None = None
        for _ in range(MAX_PAGES):
            wanted = limit + 1 - len(found)
            # A filter drops items after Limit is applied: read a little more per page then.
            kwargs["Limit"] = max(wanted, 25) if unread_only else wanted
            response = self._client.query(**kwargs)
            found.extend(from_item(i) for i in response.get("Items", []))
            evaluated = response.get("LastEvaluatedKey")
            last_key = from_item(evaluated)["SK"] if evaluated else None
            if len(found) > limit or last_key is None:
                break
            kwargs["ExclusiveStartKey"] = evaluated
        if len(found) > limit:
            found = found[:limit]
            next_cursor: str | None = CURSOR.encode(found[-1]["SK"])
        else:
            next_cursor = CURSOR.encode(last_key) if last_key else None
        return NotificationPage([stored_notification_from_item(i) for i in found], next_cursor)

    def mark_read(self, user_id: str, ids: Collection[str] | None) -> MarkedRead:
        """Mark the given notifications (or, with ``None``, every unread one) as read."""
        pk = keys.user_pk(user_id)
        kwargs = self._feed_query(pk)
        kwargs["ProjectionExpression"] = "SK, notification_id, #read"
        kwargs["ExpressionAttributeNames"] = {"#read": "read"}
        if ids is None:
            kwargs["FilterExpression"] = "#read = :false"
            kwargs["ExpressionAttributeValues"].update(to_item({":false": False}))
        wanted = None if ids is None else set(ids)
        seen: set[str] = set()
        marked: list[str] = []
        while True:
            response = self._client.query(**kwargs)
            for item in map(from_item, response.get("Items", [])):
                notification_id = str(item["notification_id"])
                if wanted is not None and notification_id not in wanted:
                    continue
                seen.add(notification_id)
                if not item.get("read") and self._set_read(pk, item["SK"]):
                    marked.append(notification_id)
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        unknown = sorted((wanted or set()) - seen)
        return MarkedRead(marked=marked, unknown=unknown)

    def _feed_query(self, pk: str) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item({":pk": pk, ":prefix": keys.NOTIFICATION_PREFIX}),
            "ScanIndexForward": False,
        }

    def _set_read(self, pk: str, sort_key: str) -> bool:
        """Flip one item; the condition stops an update from re-creating an expired item."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item({"PK": pk, "SK": sort_key}),
                UpdateExpression="SET #read = :true",
                ConditionExpression="attribute_exists(PK) AND #read = :false",
                ExpressionAttributeNames={"#read": "read"},
                ExpressionAttributeValues=to_item({":true": True, ":false": False}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
