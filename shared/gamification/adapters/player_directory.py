"""Every player with XP, read from the sharded player index (GSI2), for rebuilds and backfills.

GSI2 is sparse (only profiles with XP) and spread over ``PLAYER_SHARDS`` partition keys, so a
full read never hammers one partition; it projects exactly what a leaderboard needs, so a rebuild
reads no profile bodies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.player_score import PlayerScore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

INDEX_NAME = "GSI2"


@dataclass(frozen=True, slots=True)
class PlayerPage:
    players: list[PlayerScore]
    next_key: str | None
    """Opaque position to resume this shard from; ``None`` when the shard is exhausted."""


class PlayerDirectory:
    def __init__(self, client: DynamoDBClient, table_name: str, page_size: int = 1000) -> None:
        self._client = client
        self._table = table_name
        self._page_size = page_size

    def players(self) -> Iterator[PlayerScore]:
        """Every player, shard by shard."""
        for shard in range(keys.PLAYER_SHARDS):
            position: str | None = None
            while True:
                page = self.page(shard, position, self._page_size)
                yield from page.players
                if page.next_key is None:
                    break
                position = page.next_key

    def page(self, shard: int, after: str | None, limit: int) -> PlayerPage:
        """Up to ``limit`` players of one shard, after the position ``after``."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": INDEX_NAME,
            "KeyConditionExpression": "GSI2PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.players_pk(shard)}),
            "Limit": limit,
        }
        if after is not None:
            kwargs["ExclusiveStartKey"] = json.loads(after)
        response = self._client.query(**kwargs)
        last = response.get("LastEvaluatedKey")
        return PlayerPage(
            players=[_player(from_item(i)) for i in response.get("Items", [])],
            next_key=json.dumps(last, sort_keys=True) if last else None,
        )

    def any_player(self) -> bool:
        """Whether at least one player exists (at most one small query per shard)."""
        return any(self.page(shard, None, 1).players for shard in range(keys.PLAYER_SHARDS))


def profile_score(image: Mapping[str, Any]) -> PlayerScore | None:
    """What the boards hold for the profile in a stream record's new image (``None`` for any
    other item). Reads only the four attributes GSI2 projects, never the encoded state."""
    pk, sk = str(image.get("PK", "")), str(image.get("SK", ""))
    if sk != keys.PROFILE_SK or not pk.startswith(keys.user_pk("")):
        return None
    return _player(image, keys.user_id_from_pk(pk))


def _player(values: Mapping[str, Any], user_id: str | None = None) -> PlayerScore:
    xp_at = values.get("xp_at")
    return PlayerScore(
        user_id=user_id if user_id is not None else str(values["GSI2SK"]),
        xp=int(values.get("xp", 0)),
        xp_at=datetime.fromisoformat(xp_at) if xp_at else None,
        display_name=values.get("display_name"),
        weekly_xp={str(k): int(v) for k, v in (values.get("weekly_xp") or {}).items()},
    )
