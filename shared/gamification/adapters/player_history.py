"""What the lake backfill reads per player: the player index, the profile, the dedupe markers
(``services.lake_backfill.PlayerHistory``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.player_directory import PlayerDirectory
from gamification.adapters.user_repository import UserRepository
from gamification.domain.profile_records import StoredUser


class PlayerHistory:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table
        self._players = PlayerDirectory(client, table)
        self._users = UserRepository(client, table)

    def user_ids(self) -> Iterator[str]:
        return (p.user_id for p in self._players.players())

    def load(self, user_id: str) -> StoredUser:
        return self._users.load(user_id, consistent=False)

    def applied(self, user_id: str) -> list[tuple[str, datetime]]:
        """Every ``SEEN#`` marker of the user (one Query a page of 1 MB)."""
        prefix = keys.seen_sk("")
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :seen)",
            "ExpressionAttributeValues": to_item({":pk": keys.user_pk(user_id), ":seen": prefix}),
            "ProjectionExpression": "SK, #at",
            "ExpressionAttributeNames": {"#at": "at"},
        }
        found: list[tuple[str, datetime]] = []
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                values = from_item(item)
                at = values.get("at")
                if at:
                    found.append(
                        (str(values["SK"]).removeprefix(prefix), datetime.fromisoformat(str(at)))
                    )
            last = response.get("LastEvaluatedKey")
            if not last:
                return found
            request["ExclusiveStartKey"] = last
