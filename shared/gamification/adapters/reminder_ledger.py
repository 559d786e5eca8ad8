"""Writes a streak reminder at most once per user and local day.

The in-app notification and a guard item (``REMINDED#<local day>``, created only if absent)
commit in one transaction with a check that the profile is still the version the decision was
made on. So a second or overlapping run writes nothing, and a user who acted (or turned push
off) between our read and our write is not reminded. The stream then carries the committed
notification to the push dispatcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.notification_codec import DEFAULT_NOTIFICATION_TTL, notification_item
from gamification.domain.notifications import Notification
from gamification.domain.reminders import ReminderOutcome as ReminderOutcome  # noqa: PLC0414 (re-exported: its old home)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

GUARD_TTL = timedelta(days=3)
"""Guards outlive every run that could still consider the same streak day (the look-back)."""
_BATCH_GET_LIMIT = 100


class ReminderLedger:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        notification_ttl: timedelta = DEFAULT_NOTIFICATION_TTL,
    ) -> None:
        self._client = client
        self._table = table_name
        self._notification_ttl = notification_ttl

    def already_reminded(self, wanted: Sequence[tuple[str, date]]) -> set[str]:
        """Users of ``(user, local day)`` pairs whose guard exists (a read, cheaper than a
        cancelled transaction; the transaction's condition still decides)."""
        found: set[str] = set()
        for start in range(0, len(wanted), _BATCH_GET_LIMIT):
            request: Any = {
                self._table: {
                    "Keys": [_guard_key(u, d) for u, d in wanted[start : start + _BATCH_GET_LIMIT]],
                    "ProjectionExpression": "PK",
                }
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table, []):
                    found.add(keys.user_id_from_pk(item["PK"]["S"]))
                request = response.get("UnprocessedKeys") or None
        return found

    def record(self, notification: Notification, day: date, version: int) -> ReminderOutcome:
        """Commit the reminder for ``day`` if none exists and the profile is at ``version``."""
        guard = {
            **_guard_key(notification.user_id, day),
            **to_item({"expires_at": int((notification.created_at + GUARD_TTL).timestamp())}),
        }
        items: Any = [
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": to_item(
                        {"PK": keys.user_pk(notification.user_id), "SK": keys.PROFILE_SK}
                    ),
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": to_item({":v": version}),
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": guard,
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": notification_item(notification, self._notification_ttl),
                }
            },
        ]
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                return ReminderOutcome.ALREADY_REMINDED
            if codes and (codes[0] == "ConditionalCheckFailed" or "TransactionConflict" in codes):
                return ReminderOutcome.PROFILE_CHANGED
            raise
        return ReminderOutcome.RECORDED


def _guard_key(user_id: str, day: date) -> dict[str, Any]:
    return to_item({"PK": keys.user_pk(user_id), "SK": keys.reminded_sk(day)})
