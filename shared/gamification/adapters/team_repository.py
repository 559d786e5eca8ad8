"""Teams and memberships in DynamoDB (sizes in docs/data-model.md#teams-issue-30).

* ``TEAM#<id>`` / ``META``: the team (name, description, join rule, code, ``max_members``) and
  its ``members`` counter, kept in the transactions that add or remove a member, so
  ``max_members`` holds under concurrent joins (a condition, not a count read before writing);
* ``TEAMS`` / ``TEAM#<id>``: the directory row ``GET /v1/teams`` pages (name, join rule);
* ``MEMBERSHIP#<user>`` / ``TEAM#<id>``: the membership (export reads it, erasure leaves each
  team through ``unlink``); its stream record (insert, removal) is what the projector turns
  into a join or a leave of the team boards;
* ``MEMBERSHIP#<user>`` / ``COUNT``: the user's ``count`` of teams, conditioned on the limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.cursor import SortKeyCursor
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.player_directory import profile_score
from gamification.domain.boards import PlayerScore
from gamification.domain.teams import (
    Membership,
    MembershipChange,
    Team,
    TeamError,
    TeamNotFoundError,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TEAM_META_SK = "META"
DIRECTORY_PK = keys.TEAM_DIRECTORY_PK
TEAM_PREFIX = keys.TEAM_PREFIX
USER_TEAMS_SK = "COUNT"
CURSOR = SortKeyCursor(max_chars=400, accepts=lambda sk: sk.startswith(TEAM_PREFIX))


team_pk = keys.team_pk


def membership_sk(team_id: str) -> str:
    return f"{TEAM_PREFIX}{team_id}"


class TeamRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # -- teams ---------------------------------------------------------------------------------

    def get(self, team_id: str, consistent: bool = False) -> Team | None:
        item = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": team_pk(team_id), "SK": TEAM_META_SK}),
            ConsistentRead=consistent,
        ).get("Item")
        return None if item is None else _team(from_item(item))

    def put(self, team: Team) -> bool:
        """Create or replace ``team``'s definition, keeping its member count; True if new."""
        existed = self.get(team.team_id, consistent=True) is not None
        fields = {
            ":name": team.name,
            ":description": team.description,
            ":join": team.join,
            ":max": team.max_members,
            ":zero": 0,
        }
        update = "SET #n = :name, description = :description, #j = :join, max_members = :max, "
        update += "members = if_not_exists(members, :zero)"
        if team.code is not None:
            fields[":code"] = team.code
            update += ", code = :code"
        else:
            update += " REMOVE code"
        self._client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": to_item({"PK": team_pk(team.team_id), "SK": TEAM_META_SK}),
                        "UpdateExpression": update,
                        "ExpressionAttributeNames": {"#n": "name", "#j": "join"},
                        "ExpressionAttributeValues": to_item(fields),
                    }
                },
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_item(
                            {
                                "PK": DIRECTORY_PK,
                                "SK": team_pk(team.team_id),
                                "team_id": team.team_id,
                                "name": team.name,
                                "join": team.join,
                            }
                        ),
                    }
                },
            ]
        )
        return not existed

    def delete(self, team_id: str) -> bool:
        """Delete an empty team; False if there is none. Raises ``TeamError`` while it has
        members (remove them first: their contributions leave the boards with them)."""
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": to_item({"PK": team_pk(team_id), "SK": TEAM_META_SK}),
                            "ConditionExpression": "attribute_exists(PK) AND members = :zero",
                            "ExpressionAttributeValues": to_item({":zero": 0}),
                        }
                    },
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": to_item({"PK": DIRECTORY_PK, "SK": team_pk(team_id)}),
                        }
                    },
                ]
            )
        except ClientError as error:
            if _reasons(error)[0] != "ConditionalCheckFailed":
                raise
            if self.get(team_id, consistent=True) is None:
                return False
            raise TeamError("team_not_empty", "remove the team's members first") from error
        return True

    def directory(self, cursor: str | None, limit: int) -> tuple[list[Team], str | None]:
        """A page of teams by id, with their member counts."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item({":pk": DIRECTORY_PK, ":prefix": TEAM_PREFIX}),
            "Limit": limit,
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = to_item({"PK": DIRECTORY_PK, "SK": CURSOR.decode(cursor)})
        response = self._client.query(**kwargs)
        ids = [from_item(i)["team_id"] for i in response.get("Items", [])]
        teams = self.many(ids)
        last = response.get("LastEvaluatedKey")
        return [teams[i] for i in ids if i in teams], (
            CURSOR.encode(last["SK"]["S"]) if last else None
        )

    def many(self, team_ids: list[str]) -> dict[str, Team]:
        """The teams among ``team_ids`` (``BatchGetItem``s of ≤ 100, eventually consistent)."""
        found: dict[str, Team] = {}
        unique = list(dict.fromkeys(team_ids))
        for start in range(0, len(unique), 100):
            wanted: list[dict[str, Any]] = [
                to_item({"PK": team_pk(t), "SK": TEAM_META_SK}) for t in unique[start : start + 100]
            ]
            while wanted:
                response = self._client.batch_get_item(RequestItems={self._table: {"Keys": wanted}})
                for item in response.get("Responses", {}).get(self._table, []):
                    team = _team(from_item(item))
                    found[team.team_id] = team
                unprocessed: Any = response.get("UnprocessedKeys", {}).get(self._table, {})
                wanted = list(unprocessed.get("Keys", []))
        return found

    def player(self, user_id: str) -> PlayerScore | None:
        """The user's scores as the boards read them, from a strongly consistent read of the
        profile (the team projection's join reads it after admitting the member)."""
        item = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.PROFILE_SK}),
            ConsistentRead=True,
        ).get("Item")
        return None if item is None else profile_score(from_item(item))

    # -- memberships ---------------------------------------------------------------------------

    def join(self, team_id: str, user_id: str, at: datetime, *, limit: int, by_admin: bool) -> bool:
        """Add the membership and count it on both sides; False if already a member. Raises
        ``TeamError`` (``team_full``, ``team_limit``) or ``TeamNotFoundError``."""
        items: list[Any] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(
                        {
                            "PK": keys.membership_pk(user_id),
                            "SK": membership_sk(team_id),
                            "team_id": team_id,
                            "joined_at": at.isoformat(),
                            "added_by_admin": by_admin or None,
                            # A team's members, for team quests that pay every member.
                            "GSI1PK": keys.team_members_gsi_pk(team_id),
                            "GSI1SK": user_id,
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_item({"PK": team_pk(team_id), "SK": TEAM_META_SK}),
                    "UpdateExpression": "ADD members :one",
                    "ConditionExpression": "attribute_exists(PK) AND members < max_members",
                    "ExpressionAttributeValues": to_item({":one": 1}),
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_item({"PK": keys.membership_pk(user_id), "SK": USER_TEAMS_SK}),
                    "UpdateExpression": "ADD #c :one",
                    "ConditionExpression": "attribute_not_exists(#c) OR #c < :limit",
                    "ExpressionAttributeNames": {"#c": "count"},
                    "ExpressionAttributeValues": to_item({":one": 1, ":limit": limit}),
                }
            },
        ]
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            reasons = _reasons(error)
            if not reasons:
                raise
            if reasons[0] == "ConditionalCheckFailed":
                return False
            if reasons[1] == "ConditionalCheckFailed":
                if self.get(team_id, consistent=True) is None:
                    raise TeamNotFoundError(team_id) from error
                raise TeamError("team_full", "the team has its most members") from error
            if reasons[2] == "ConditionalCheckFailed":
                raise TeamError(
                    "team_limit", f"you are in the most teams allowed ({limit}): leave one first"
                ) from error
            raise
        return True

    def leave(self, team_id: str, user_id: str) -> bool:
        """Remove the membership and its counts; False if ``user_id`` was not a member."""
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": to_item(
                                {"PK": keys.membership_pk(user_id), "SK": membership_sk(team_id)}
                            ),
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    },
                    self._count(team_pk(team_id), TEAM_META_SK, "members"),
                    self._count(keys.membership_pk(user_id), USER_TEAMS_SK, "count"),
                ]
            )
        except ClientError as error:
            if _reasons(error)[:1] == ["ConditionalCheckFailed"]:
                return False
            raise
        return True

    def memberships(self, user_id: str) -> list[Membership]:
        """The user's teams (≤ the per-user limit): one Query of their ``TEAM#`` items."""
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues=to_item(
                {":pk": keys.membership_pk(user_id), ":prefix": TEAM_PREFIX}
            ),
        )
        return [
            Membership(
                item["team_id"],
                datetime.fromisoformat(item["joined_at"]),
                bool(item.get("added_by_admin")),
            )
            for item in map(from_item, response.get("Items", []))
        ]

    # -- the roster of team quests (services.team_quests.TeamRoster) ---------------------------

    def memberships_of(self, user_id: str) -> list[str]:
        return [m.team_id for m in self.memberships(user_id)]

    def is_member(self, team_id: str, user_id: str) -> bool:
        return "Item" in self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.membership_pk(user_id), "SK": membership_sk(team_id)}),
            ProjectionExpression="PK",
        )

    def exists(self, team_id: str) -> bool:
        return self.get(team_id) is not None

    def members(self, team_id: str) -> list[str]:
        """The team's members from GSI1 (keys only; eventually consistent: a member who joined
        a moment ago may be missing, and is paid once they count)."""
        found: list[str] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.team_members_gsi_pk(team_id)}),
        }
        while True:
            page = self._client.query(**kwargs)
            found += [from_item(i)["GSI1SK"] for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return sorted(found)
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def members_page(
        self, team_id: str, after: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        """One page of the team's members from GSI1 in id order (the index's sort key), the
        start key rebuilt from the last member listed (who may have left since)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.team_members_gsi_pk(team_id)}),
            "Limit": limit,
        }
        if after is not None:
            kwargs["ExclusiveStartKey"] = to_item(
                {
                    "GSI1PK": keys.team_members_gsi_pk(team_id),
                    "GSI1SK": after,
                    "PK": keys.membership_pk(after),
                    "SK": membership_sk(team_id),
                }
            )
        found = [from_item(i)["GSI1SK"] for i in self._client.query(**kwargs).get("Items", [])]
        return found, (found[-1] if found else None)

    def _count(self, pk: str, sk: str, attribute: str) -> Any:
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item({"PK": pk, "SK": sk}),
                "UpdateExpression": "ADD #c :minus",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeNames": {"#c": attribute},
                "ExpressionAttributeValues": to_item({":minus": -1}),
            }
        }


def membership_change(
    key: Mapping[str, Any], new_image: Mapping[str, Any] | None, recorded_at: datetime
) -> MembershipChange | None:
    """A stream record of a membership item as a join (an insert: ``joined_at`` from the
    image) or a leave (a removal at ``recorded_at``, the record's time); ``None`` for any
    other item."""
    pk, sk = str(key.get("PK", "")), str(key.get("SK", ""))
    if not (pk.startswith(keys.MEMBERSHIP_PREFIX) and sk.startswith(TEAM_PREFIX)):
        return None
    user_id, team_id = pk.removeprefix(keys.MEMBERSHIP_PREFIX), sk.removeprefix(TEAM_PREFIX)
    if new_image:
        joined_at = datetime.fromisoformat(str(new_image["joined_at"]))
        return MembershipChange(user_id, team_id, True, joined_at)
    return MembershipChange(user_id, team_id, False, recorded_at)


def _team(item: dict[str, Any]) -> Team:
    return Team(
        team_id=item["PK"].removeprefix(TEAM_PREFIX),
        name=item["name"],
        description=item.get("description", ""),
        join=item["join"],
        max_members=int(item["max_members"]),
        code=item.get("code"),
        members=int(item.get("members", 0)),
    )


def _reasons(error: ClientError) -> list[str]:
    return [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]


def unlink(client: DynamoDBClient, table: str, user_id: str, sort_keys: Sequence[str]) -> int:
    """The erasure's step for a page of the user's memberships: leave each team (the
    membership and the team's count in one transaction; a repeat finds nothing to leave), so
    the projector takes the user's contribution off the team boards. Returns the requests."""
    repository = TeamRepository(client, table)
    teams = [sk.removeprefix(TEAM_PREFIX) for sk in sort_keys if sk.startswith(TEAM_PREFIX)]
    for team_id in teams:
        repository.leave(team_id, user_id)
    return len(teams)
