"""The badge rarity item: ``PK = SK = RARITY``, the published count and the walk in progress
as JSON (at most 1,000 ids each, about 70 KB; docs/data-model.md). Read eventually consistent
by ``GET /v1/badges`` (cached per container), written by the ``rarity`` job only."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.domain.rarity import Rarity, RarityCount, RarityRecord, RarityWalk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_KEY = {"PK": {"S": keys.RARITY_PK}, "SK": {"S": keys.RARITY_SK}}


class RarityStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def load(self) -> RarityRecord:
        item = self._client.get_item(TableName=self._table, Key=_KEY).get("Item")
        if item is None:
            return RarityRecord()
        values = from_item(item)
        result = walk = None
        if values.get("result"):
            raw = json.loads(values["result"])
            result = Rarity(datetime.fromisoformat(raw["computed_at"]), RarityCount.of_json(raw))
        if values.get("walk"):
            raw = json.loads(values["walk"])
            walk = RarityWalk(
                datetime.fromisoformat(raw["started_at"]),
                int(raw["shard"]),
                raw["after"],
                RarityCount.of_json(raw),
            )
        return RarityRecord(result=result, walk=walk)

    def save(self, record: RarityRecord) -> None:
        item: dict[str, Any] = {"PK": keys.RARITY_PK, "SK": keys.RARITY_SK}
        if record.result is not None:
            item["result"] = json.dumps(
                {
                    "computed_at": record.result.computed_at.isoformat(),
                    **record.result.count.to_json(),
                }
            )
        if record.walk is not None:
            item["walk"] = json.dumps(
                {
                    "started_at": record.walk.started_at.isoformat(),
                    "shard": record.walk.shard,
                    "after": record.walk.after,
                    **record.walk.count.to_json(),
                }
            )
        self._client.put_item(TableName=self._table, Item=to_item(item))
