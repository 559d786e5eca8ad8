"""Each user's deliveries to each endpoint, in line by sequence (docs/events.md, ordering).

``WEBHOOKOF#<user>`` / ``PENDING#<webhook id>#<sequence, 20 digits>#<event id>`` (≤ 200 B: the
key and ``expires_at``), one item per delivery of the user's events to the endpoint that is not
yet delivered or parked. The line's head is the first item of a ``Query`` on the endpoint's
prefix. An item says "a message of this delivery is alive": it is written when the delivery is
fanned out and again at each re-queue, expiring a grace period after the message is due, so a
message lost for good (the queue's DLQ) holds its line at most that long. The partition is a key
family of the erasure walk (``partition_walker``): no user's bookkeeping outlives them.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

GRACE = timedelta(hours=1)
"""How long past its message's due time a place in line is kept without being renewed."""
_PAGE = 10


class WebhookLines:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def join(
        self, webhook_id: str, user_id: str, sequence: int, event_id: str, due: datetime
    ) -> None:
        self._client.put_item(**self._place(webhook_id, user_id, sequence, event_id, due))

    def renew(
        self, webhook_id: str, user_id: str, sequence: int, event_id: str, due: datetime
    ) -> None:
        """A conditional put (1 WCU, as the plain one): an erased user's place stays gone."""
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.put_item(
                **self._place(webhook_id, user_id, sequence, event_id, due),
                ConditionExpression="attribute_exists(PK)",
            )

    def _place(
        self, webhook_id: str, user_id: str, sequence: int, event_id: str, due: datetime
    ) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Item": to_item(
                {
                    "PK": keys.webhook_user_pk(user_id),
                    "SK": keys.pending_sk(webhook_id, sequence, event_id),
                    "expires_at": int((due + GRACE).timestamp()),
                }
            ),
        }

    def head(self, webhook_id: str, user_id: str, now: datetime) -> tuple[int, str] | None:
        """(sequence, event id) of the first live place in the user's line to the endpoint."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :line)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.webhook_user_pk(user_id), ":line": keys.pending_prefix(webhook_id)}
            ),
            "ConsistentRead": True,
            "Limit": _PAGE,
        }
        while True:
            page = self._client.query(**request)
            for item in page.get("Items", []):
                if int(item["expires_at"]["N"]) > now.timestamp():
                    sk = item["SK"]["S"].removeprefix(keys.pending_prefix(webhook_id))
                    sequence, _, event_id = sk.partition("#")
                    return int(sequence), event_id
            if "LastEvaluatedKey" not in page:
                return None
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def leave(self, webhook_id: str, user_id: str, sequence: int, event_id: str) -> None:
        self._client.delete_item(
            TableName=self._table,
            Key=to_item(
                {
                    "PK": keys.webhook_user_pk(user_id),
                    "SK": keys.pending_sk(webhook_id, sequence, event_id),
                }
            ),
        )
