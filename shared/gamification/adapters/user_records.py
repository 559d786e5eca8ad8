"""A user's partition read for the export: every item but the profile, a page at a time, and
the write-budget counters (``RATE#<user>``), decoded into ``domain.user_records``.

The cursor carries only a sort key: the partition always comes from the user asked for, so a
cursor never reaches another user.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.cursor import SortKeyCursor
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.notification_codec import stored_notification_from_item
from gamification.adapters.profile_codec import decode_slots
from gamification.adapters.wallet_codec import decode_ledger, decode_receipt
from gamification.domain.user_records import (
    AppliedActivity,
    BudgetWindow,
    CapDay,
    LedgerRecord,
    NotificationRecord,
    OtherRecord,
    PurchaseCount,
    RecordPage,
    RedeemReceipt,
    ReminderSent,
    UserRecord,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CURSOR = SortKeyCursor(max_chars=2048, accepts=bool)
"""An export continues after any item of the partition (the partition is the user asked for)."""


class UserRecords:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def page(self, user_id: str, cursor: str | None, limit: int) -> RecordPage:
        """The records among the next ``limit`` items of the partition (the profile is read
        and left out, so a page may hold one fewer); ``InvalidCursorError`` for a cursor this
        API did not issue."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.user_pk(user_id)}),
            "Limit": limit,
        }
        if cursor:
            after = CURSOR.decode(cursor)
            kwargs["ExclusiveStartKey"] = to_item({"PK": keys.user_pk(user_id), "SK": after})
        response = self._client.query(**kwargs)
        items = [from_item(i) for i in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return RecordPage(
            records=[_record(i) for i in items if i["SK"] != keys.PROFILE_SK],
            next_cursor=CURSOR.encode(last["SK"]["S"]) if last else None,
        )

    def budget(self, user_id: str) -> list[BudgetWindow]:
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.budget_pk(user_id)}),
        )
        return [
            BudgetWindow(window=str(v["SK"]).removeprefix("W#"), spent=int(v.get("spent", 0)))
            for v in (from_item(i) for i in response.get("Items", []))
        ]


def _record(values: Mapping[str, Any]) -> UserRecord:
    sk = str(values["SK"])
    if sk.startswith("SEEN#"):
        return AppliedActivity(key=sk.removeprefix("SEEN#"), applied_at=values.get("at"))
    if keys.is_notification_sk(sk):
        return NotificationRecord(stored_notification_from_item(values))
    if sk.startswith(keys.DAY_PREFIX):
        slots = values.get("slots", {})
        return CapDay(
            day=sk.removeprefix(keys.DAY_PREFIX),
            capped_activities={t: len(decode_slots(bytes(d))) for t, d in slots.items()},
        )
    if sk.startswith("REMINDED#"):
        return ReminderSent(day=sk.removeprefix("REMINDED#"))
    return _wallet_record(sk, values) or OtherRecord(key=sk)


def _wallet_record(sk: str, values: Mapping[str, Any]) -> UserRecord | None:
    if sk.startswith(keys.LEDGER_PREFIX):
        return LedgerRecord(decode_ledger(values))
    if sk.startswith(keys.RECEIPT_PREFIX):
        return RedeemReceipt(decode_receipt(values))
    if sk.startswith(keys.BOUGHT_PREFIX):
        return PurchaseCount(sk.removeprefix(keys.BOUGHT_PREFIX), int(values.get("count", 0)))
    return None
