"""Every item of one user's ``GRAPH#`` partition under a sort-key prefix (``OUT#``, ``FSTREAK#``,
``PQUEST#``...), page after page: the one read the follow graph and the pairings share when
they need a whole family (each bounded: ≤ 1,000 follows, ≤ 1,000 friend streaks, ≤ 100
pairings), decoded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

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
