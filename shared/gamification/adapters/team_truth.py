"""The truth the team boards are rebuilt from (the reconciler's ``TeamTruth`` port): every
membership, the members' profiles, the teams.

Memberships are keyed by user (``MEMBERSHIP#<user>`` / ``TEAM#<team>``: the join transaction's
conditions need them there), so no query lists a team's members: a rebuild reads them with a
paged ``Scan`` of the table that keeps the membership items only (billed on every item read, ≈
0.5 read units per 4 KB: the cost in docs/teams.md#reconciliation; it runs when Redis lost the
team boards, not on a schedule). Members with no XP have a profile or none: both count as a
member contributing 0 (GSI2 lists players with XP only, so it cannot be the source).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.player_directory import batch_profiles, profile_score
from gamification.adapters.team_repository import membership_sk
from gamification.domain.boards import PlayerScore
from gamification.domain.team_rebuild import MemberRow

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_PROFILE = "PK, SK, xp, xp_at, display_name, weekly_xp, #league, unlisted, erasing"


class TeamTruthReader:
    def __init__(self, client: DynamoDBClient, table_name: str, page_size: int = 1000) -> None:
        self._client = client
        self._table = table_name
        self._page_size = page_size

    def memberships(self) -> Iterator[list[MemberRow]]:
        """Every membership, a page (one ``Scan`` response) at a time; pages may be empty."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": "begins_with(PK, :m) AND begins_with(SK, :t)",
            "ProjectionExpression": "PK, SK, joined_at",
            "ExpressionAttributeValues": to_item(
                {":m": keys.MEMBERSHIP_PREFIX, ":t": keys.TEAM_PREFIX}
            ),
            "Limit": self._page_size,
        }
        while True:
            response = self._client.scan(**kwargs)
            yield [_row(from_item(item)) for item in response.get("Items", [])]
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    def profiles(self, user_ids: Sequence[str]) -> dict[str, PlayerScore]:
        """The members' scores (eventually consistent ``BatchGetItem``, 100 a request): the
        catch-up read puts back anything committed meanwhile."""
        found: dict[str, PlayerScore] = {}
        for values in batch_profiles(self._client, self._table, user_ids, _PROFILE):
            player = profile_score(values)
            if player is not None:
                found[player.user_id] = player
        return found

    def joined_at(self, team_id: str, user_id: str) -> datetime | None:
        """When the user joined the team, from a strongly consistent read (``None``: not a
        member now)."""
        item = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.membership_pk(user_id), "SK": membership_sk(team_id)}),
            ConsistentRead=True,
            ProjectionExpression="joined_at",
        ).get("Item")
        return None if item is None else datetime.fromisoformat(str(from_item(item)["joined_at"]))

    def teams(self) -> Iterator[str]:
        """Every team's id, from the directory partition (admins write it)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.TEAM_DIRECTORY_PK, ":prefix": keys.TEAM_PREFIX}
            ),
            "ProjectionExpression": "SK",
        }
        while True:
            response = self._client.query(**kwargs)
            for item in response.get("Items", []):
                yield str(from_item(item)["SK"]).removeprefix(keys.TEAM_PREFIX)
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last


def _row(item: dict[str, Any]) -> MemberRow:
    return MemberRow(
        team_id=str(item["SK"]).removeprefix(keys.TEAM_PREFIX),
        user_id=str(item["PK"]).removeprefix(keys.MEMBERSHIP_PREFIX),
        joined_at=datetime.fromisoformat(str(item["joined_at"])),
    )
