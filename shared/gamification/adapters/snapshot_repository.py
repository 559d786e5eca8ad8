"""Top-N leaderboard snapshots in DynamoDB: served (marked stale) while Redis is down."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.domain.boards import Entry, Snapshot

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SNAPSHOT_SK = "SNAPSHOT"

__all__ = ["SNAPSHOT_SK", "Snapshot", "SnapshotRepository"]


class SnapshotRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def save(self, snapshot: Snapshot) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=to_item(
                {
                    "PK": keys.snapshot_pk(snapshot.board),
                    "SK": SNAPSHOT_SK,
                    "taken_at": snapshot.taken_at.isoformat(),
                    "total": snapshot.total,
                    "entries": json.dumps(
                        [[e.rank, e.user_id, e.xp, e.display_name] for e in snapshot.entries]
                    ),
                }
            ),
        )

    def load(self, board: str) -> Snapshot | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.snapshot_pk(board), "SK": SNAPSHOT_SK}),
        )
        if "Item" not in response:
            return None
        values = from_item(response["Item"])
        return Snapshot(
            board=board,
            taken_at=datetime.fromisoformat(values["taken_at"]),
            total=int(values["total"]),
            entries=[
                Entry(rank=r, user_id=u, xp=x, display_name=n)
                for r, u, x, n in json.loads(values["entries"])
            ],
        )
