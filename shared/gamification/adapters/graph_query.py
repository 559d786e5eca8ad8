"""What the follow graph and the friend quest pairings (one ``GRAPH#`` partition per user) share:
``graph_items``, every item of one user's partition under a sort-key prefix (``OUT#``,
``FSTREAK#``, ``PQUEST#``...), page after page, decoded (each family is bounded: ≤ 1,000
follows, ≤ 1,000 friend streaks, ≤ 100 pairings); and ``transact``, a transaction that tells
which of its items' conditions failed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def graph_items(
    client: DynamoDBClient,
    table: str,
    owner: str,
    prefix: str,
    *,
    projection: str | None = None,
    consistent: bool = False,
) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": to_item({":pk": keys.graph_pk(owner), ":prefix": prefix}),
    }
    if projection is not None:
        kwargs["ProjectionExpression"] = projection
    if consistent:
        kwargs["ConsistentRead"] = True
    while True:
        response = client.query(**kwargs)
        yield from (from_item(raw) for raw in response.get("Items", []))
        start = response.get("LastEvaluatedKey")
        if start is None:
            return
        kwargs["ExclusiveStartKey"] = start


def transact(
    client: DynamoDBClient, items: list[dict[str, Any]], attempts: int
) -> list[str] | None:
    """Commit; ``None`` on success, else each item's cancellation code (``"None"`` for items
    that did not fail). A conflict with another transaction is tried again as is, up to
    ``attempts`` times; the codes still hold ``"TransactionConflict"`` after the last."""
    codes: list[str] = []
    for _ in range(attempts):
        try:
            client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons", [])
            codes = [str(r.get("Code", "None")) for r in reasons] or ["None"] * len(items)
            if "TransactionConflict" not in codes:
                return codes
            continue
        return None
    return codes
