"""Writes a friend streak notice at most once (``services.friend_streak_notices``).

The notification and its guard item (``FNOTICE#<kind>#<day>#<partner>`` in the recipient's
partition, created only if absent, expiring after ``GUARD_TTL``) commit in one transaction;
an at-risk reminder adds a check that the recipient's profile is still the version it was
decided on; a break or a milestone adds its domain event to the recipient's profile outbox (an
update of ``outbox`` and ``version``). The stream then carries the committed notification to
the push dispatcher and the event to the publisher.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import to_item
from gamification.adapters.event_codec import outbox_update
from gamification.adapters.notification_codec import DEFAULT_NOTIFICATION_TTL, notification_item
from gamification.domain.domain_events import EventDraft
from gamification.domain.friend_streak_notices import GUARD_TTL, FriendNotice
from gamification.domain.reminders import ReminderOutcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_BATCH_GET_LIMIT = 100


class FriendNoticeLedger:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        notification_ttl: timedelta = DEFAULT_NOTIFICATION_TTL,
    ) -> None:
        self._client = client
        self._table = table_name
        self._notification_ttl = notification_ttl

    def already_sent(self, notices: Sequence[FriendNotice]) -> list[bool]:
        wanted = [_guard_key(n) for n in notices]
        found: set[tuple[str, str]] = set()
        for start in range(0, len(wanted), _BATCH_GET_LIMIT):
            unique = {
                (k["PK"]["S"], k["SK"]["S"]): k for k in wanted[start : start + _BATCH_GET_LIMIT]
            }
            request: Any = {
                self._table: {"Keys": list(unique.values()), "ProjectionExpression": "PK, SK"}
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self._table, []):
                    found.add((item["PK"]["S"], item["SK"]["S"]))
                request = response.get("UnprocessedKeys") or None
        return [(k["PK"]["S"], k["SK"]["S"]) in found for k in wanted]

    def record(
        self, notice: FriendNotice, version: int | None, events: Sequence[EventDraft] = ()
    ) -> ReminderOutcome:
        outcome = self._record(notice, version, events)
        if outcome is None:  # no profile to carry the event: the notice alone
            outcome = self._record(notice, version, ())
        assert outcome is not None
        return outcome

    def _record(
        self, notice: FriendNotice, version: int | None, events: Sequence[EventDraft]
    ) -> ReminderOutcome | None:
        """``None``: ``events`` were given and the recipient has no profile to carry them."""
        notification = notice.notification
        guard = {
            **_guard_key(notice),
            **to_item({"expires_at": int((notification.created_at + GUARD_TTL).timestamp())}),
        }
        items: Any = [
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
        if events:  # a break or a milestone: never with a version to check (an at-risk one)
            items.append(outbox_update(self._table, notification.user_id, events))
        elif version is not None:
            items.append(
                {
                    "ConditionCheck": {
                        "TableName": self._table,
                        "Key": to_item(
                            {"PK": keys.user_pk(notification.user_id), "SK": keys.PROFILE_SK}
                        ),
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": to_item({":v": version}),
                    }
                }
            )
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if codes and codes[0] == "ConditionalCheckFailed":
                return ReminderOutcome.ALREADY_REMINDED
            if (
                events
                and version is None
                and len(codes) > 2
                and codes[2] == "ConditionalCheckFailed"
            ):
                return None
            if len(codes) > 2 and (
                codes[2] == "ConditionalCheckFailed" or "TransactionConflict" in codes
            ):
                return ReminderOutcome.PROFILE_CHANGED
            raise
        return ReminderOutcome.RECORDED


def _guard_key(notice: FriendNotice) -> dict[str, Any]:
    return to_item(
        {
            "PK": keys.user_pk(notice.recipient),
            "SK": keys.friend_notice_sk(notice.kind.value, notice.day, notice.partner),
        }
    )
