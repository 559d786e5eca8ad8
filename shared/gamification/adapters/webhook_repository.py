"""Webhook endpoints and their deliveries log in the table (docs/data-model.md#webhooks).

Endpoints: ``WEBHOOKS`` / ``WEBHOOK#<id>`` (≤ 3 KB: a URL ≤ 2 KB, a description ≤ 280 chars).
Attempts: ``WEBHOOKLOG#<id>`` / ``ATTEMPT#<time>#<delivery>#<n>`` (≤ 1.5 KB: the response kept
to 1 KB), expiring after ``ATTEMPT_TTL``; beside them a delivery that ended failed or refused,
``PARKED#<event id>`` (≤ 2.5 KB: the event's body), kept as long for a retry, with an index
item in the user's ``WEBHOOKOF#<user>`` partition so an erasure finds it. The signing
secret is stored with the endpoint as the service hands it over: sealed (``adapters.kms_sealer``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.domain.webhooks import Attempt, Delivery, Health, Webhook

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ATTEMPT_TTL = timedelta(days=7)


class WebhookRepository:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, webhook_id: str) -> Webhook | None:
        item = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.WEBHOOKS_PK, "SK": keys.webhook_sk(webhook_id)}),
            ConsistentRead=True,
        ).get("Item")
        return _webhook(from_item(item)) if item else None

    def put(self, webhook: Webhook) -> None:
        values = webhook.model_dump(mode="json")
        self._client.put_item(
            TableName=self._table,
            Item=to_item({"PK": keys.WEBHOOKS_PK, "SK": keys.webhook_sk(webhook.id), **values}),
        )

    def mark(self, webhook_id: str, health: Health) -> None:
        """One ``UpdateItem`` of the named fields (a ``None`` removes one), conditional on the
        endpoint still existing, so a sender never undoes an admin's concurrent change or
        brings back a deleted endpoint. Billed by the item's size: ≤ 3 WCU."""
        values = {k: _stamp(v) if isinstance(v, datetime) else v for k, v in health.items()}
        sets = [k for k, v in values.items() if v is not None]
        removes = [k for k, v in values.items() if v is None]
        expression = " ".join(
            part
            for part in (
                "SET " + ", ".join(f"#{k} = :{k}" for k in sets) if sets else "",
                "REMOVE " + ", ".join(f"#{k}" for k in removes) if removes else "",
            )
            if part
        )
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": to_item({"PK": keys.WEBHOOKS_PK, "SK": keys.webhook_sk(webhook_id)}),
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeNames": {f"#{k}": k for k in values},
        }
        if sets:
            request["ExpressionAttributeValues"] = to_item({f":{k}": values[k] for k in sets})
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.update_item(**request)  # refused: deleted meanwhile, nothing to mark

    def claim_probe(self, webhook_id: str, now: datetime, until: datetime) -> bool:
        """One conditional ``UpdateItem`` (≤ 3 WCU, a refused one too), only when the breaker
        was seen lapsed: ``breaker_until`` is compared as text, which orders like time for the
        fixed-width UTC stamps the sender writes (``_stamp``)."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item({"PK": keys.WEBHOOKS_PK, "SK": keys.webhook_sk(webhook_id)}),
                UpdateExpression="SET #b = :until",
                ConditionExpression="attribute_exists(PK) AND "
                "(attribute_not_exists(#b) OR #b <= :now)",
                ExpressionAttributeNames={"#b": "breaker_until"},
                ExpressionAttributeValues=to_item({":until": _stamp(until), ":now": _stamp(now)}),
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False  # another sender claimed it first, or the endpoint is gone
        return True

    def delete(self, webhook_id: str) -> bool:
        response = self._client.delete_item(
            TableName=self._table,
            Key=to_item({"PK": keys.WEBHOOKS_PK, "SK": keys.webhook_sk(webhook_id)}),
            ReturnValues="ALL_OLD",
        )
        return "Attributes" in response

    def all(self) -> list[Webhook]:
        found: list[Webhook] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.WEBHOOKS_PK}),
        }
        while True:
            page = self._client.query(**request)
            found += [_webhook(from_item(i)) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return found
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def record(self, webhook_id: str, attempt: Attempt) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=to_item(
                {
                    "PK": keys.webhook_log_pk(webhook_id),
                    "SK": keys.attempt_sk(attempt.at, attempt.delivery_id, attempt.attempt),
                    "delivery_id": attempt.delivery_id,
                    "event_id": attempt.event_id,
                    "event_type": attempt.event_type,
                    "attempt": attempt.attempt,
                    "at": attempt.at.isoformat(),
                    "status": attempt.status,
                    "response_code": attempt.response_code,
                    "latency_ms": attempt.latency_ms,
                    "response": attempt.response,
                    "expires_at": int((attempt.at + ATTEMPT_TTL).timestamp()),
                }
            ),
        )

    def recent(self, webhook_id: str, limit: int) -> list[Attempt]:
        page = self._client.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :attempt)",
            ExpressionAttributeValues=to_item(
                {":pk": keys.webhook_log_pk(webhook_id), ":attempt": "ATTEMPT#"}
            ),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_attempt(from_item(i)) for i in page.get("Items", [])]

    def park(self, delivery: Delivery, at: datetime) -> bool:
        """The body beside the log and an index item in the user's partition
        (``WEBHOOKOF#<user>``), so the erasure walk finds and deletes the body
        (``partition_walker``'s ``webhooks`` family). One transaction with a check of the
        user's profile: refused (``False``, nothing kept) when the user was erased after the
        event, so a delivery still retrying when the walk ran cannot park behind it."""
        user = _user_of(delivery)
        expires_at = int((at + ATTEMPT_TTL).timestamp())
        body = {
            "PK": keys.webhook_log_pk(delivery.webhook_id),
            "SK": keys.parked_sk(delivery.event_id),
            "event_id": delivery.event_id,
            "event": delivery.event,
            "first_attempt_at": delivery.first_attempt_at.isoformat(),
            "parked_at": at.isoformat(),
            "expires_at": expires_at,
        }
        if not user:  # a test ping: no user, nothing to erase
            self._client.put_item(TableName=self._table, Item=to_item(body))
            return True
        index = {
            "PK": keys.webhook_user_pk(user),
            "SK": keys.parked_index_sk(delivery.webhook_id, delivery.event_id),
            "expires_at": expires_at,
        }
        check = {
            "TableName": self._table,
            "Key": to_item({"PK": keys.user_pk(user), "SK": keys.PROFILE_SK}),
            "ConditionExpression": "attribute_not_exists(erased_at) OR erased_at < :occurred",
            "ExpressionAttributeValues": to_item({":occurred": _occurred_of(delivery)}),
        }
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {"ConditionCheck": check},  # type: ignore[typeddict-item]
                    {"Put": {"TableName": self._table, "Item": to_item(index)}},
                    {"Put": {"TableName": self._table, "Item": to_item(body)}},
                ]
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                return False
            raise
        return True

    def parked(self, webhook_id: str, event_id: str) -> Delivery | None:
        item = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.webhook_log_pk(webhook_id), "SK": keys.parked_sk(event_id)}),
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            return None
        values = from_item(item)
        return Delivery(
            webhook_id,
            str(values["event_id"]),
            str(values["event"]),
            datetime.fromisoformat(str(values["first_attempt_at"])),
        )


def _user_of(delivery: Delivery) -> str:
    user = json.loads(delivery.event).get("user_id")
    return str(user) if user else ""


def _occurred_of(delivery: Delivery) -> str:
    """The event's ``occurred_at`` as the profile writes ``erased_at`` (UTC ``isoformat``), so
    the two compare as strings; an event without one counts as older than any erasure."""
    occurred = json.loads(delivery.event).get("occurred_at")
    if not occurred:
        return ""
    return datetime.fromisoformat(str(occurred)).astimezone(UTC).isoformat()


def unlink_parked(
    client: DynamoDBClient, table: str, user_id: str, sort_keys: Sequence[str]
) -> int:
    """The erasure's unlink for the ``webhooks`` family: delete the parked bodies the page's
    index items point at (in the endpoints' logs) before the index items go. Returns the
    requests it made."""
    bodies = [
        {"PK": keys.webhook_log_pk(webhook_id), "SK": keys.parked_sk(event_id)}
        for sk in sort_keys
        if sk.startswith(keys.PARKED_INDEX_PREFIX)
        for webhook_id, _, event_id in [sk.removeprefix(keys.PARKED_INDEX_PREFIX).partition("#")]
    ]
    requests = 0
    for begin in range(0, len(bodies), 25):
        pending: Any = {
            table: [{"DeleteRequest": {"Key": to_item(k)}} for k in bodies[begin : begin + 25]]
        }
        while pending:
            response = client.batch_write_item(RequestItems=pending)
            requests += 1
            pending = response.get("UnprocessedItems") or None
    return requests


def _webhook(values: dict[str, Any]) -> Webhook:
    fields = {k: v for k, v in values.items() if k not in {"PK", "SK"}}
    fields["event_types"] = tuple(fields.get("event_types", ()))
    return Webhook.model_validate(fields)


def _attempt(values: dict[str, Any]) -> Attempt:
    code = values.get("response_code")
    return Attempt(
        delivery_id=str(values["delivery_id"]),
        event_id=str(values["event_id"]),
        event_type=str(values["event_type"]),
        attempt=int(values["attempt"]),
        at=datetime.fromisoformat(str(values["at"])),
        status=str(values["status"]),
        response_code=int(code) if code is not None else None,
        latency_ms=int(values["latency_ms"]),
        response=str(values.get("response", "")),
    )


def _stamp(moment: datetime) -> str:
    """UTC, microseconds always: equal widths, so the text compares like the time."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
