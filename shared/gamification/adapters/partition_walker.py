"""Deletes every item of one partition, a page at a time (the erasure walk's only tool).

A page is a keys-only ``Query`` from the partition's start: the items a previous page deleted are
gone, so no position needs keeping and a walk interrupted anywhere simply starts again. Deletes
go 25 to a ``BatchWriteItem`` (its limit), unprocessed keys are sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from gamification.adapters.dynamo_codec import to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

BATCH_WRITE_LIMIT = 25


class PartitionWalker:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def sort_keys(self, pk: str, limit: int, keep: Callable[[str], bool]) -> tuple[list[str], int]:
        """Up to ``limit`` sort keys of partition ``pk``, without those ``keep`` spares, and
        the number of ``Query`` requests it took."""
        found: list[str] = []
        start: Any = None
        requests = 0
        while len(found) < limit:
            kwargs: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "PK = :pk",
                "ExpressionAttributeValues": to_item({":pk": pk}),
                "ProjectionExpression": "SK",
                "Limit": limit + 1,
                "ConsistentRead": True,
            }
            if start is not None:
                kwargs["ExclusiveStartKey"] = start
            response = self._client.query(**kwargs)
            requests += 1
            found.extend(
                sk for item in response.get("Items", []) if not keep(sk := item["SK"]["S"])
            )
            start = response.get("LastEvaluatedKey")
            if start is None:
                break
        return found[:limit], requests

    def delete(self, pk: str, sort_keys: Sequence[str]) -> int:
        """Delete the items; returns the number of ``BatchWriteItem`` requests it took."""
        requests = 0
        for begin in range(0, len(sort_keys), BATCH_WRITE_LIMIT):
            pending: Any = {
                self._table: [
                    {"DeleteRequest": {"Key": to_item({"PK": pk, "SK": sk})}}
                    for sk in sort_keys[begin : begin + BATCH_WRITE_LIMIT]
                ]
            }
            while pending:
                response = self._client.batch_write_item(RequestItems=pending)
                requests += 1
                pending = response.get("UnprocessedItems") or None
        return requests
