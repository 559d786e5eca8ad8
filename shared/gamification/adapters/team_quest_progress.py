"""Team quests' progress in DynamoDB (``services.team_quests.TeamQuestStore``; sizes in
docs/data-model.md#team-quests).

* ``TQUEST#<team>#<quest>#<shard>`` / ``USER#<user>``: one member's contribution, their absolute
  ``count`` (only ever raised) and ``paid`` (a hint);
* ``TQUEST#<team>#<quest>#<shard>`` / ``SUM``: the sum of the shard's contributions and how many
  there are, changed only in the transaction that raises a contribution, by exactly the raise;
* ``TQUEST#<team>#<quest>`` / ``STATE``: ``reached_at`` (written once), ``settled``, and while
  the payout is open (reached, not settled) its cursor (``cursor_phase``, ``cursor_after``) and
  the sparse GSI1 key ``TQPAYOUTS`` / ``<team>#<quest>`` that lists it for the sweep.

A raise is one transaction: a condition check that the membership item exists, the contribution
conditioned on the count read (``attribute_not_exists`` for the first), and the shard's ``ADD``.
A redelivered or older count raises nothing (nothing is written); two raises racing make one
fail its condition, and it re-reads. Users are spread over ``TEAM_QUEST_SHARDS`` partitions
(``keys.team_quest_shard``), so no item of a 100,000-member team takes every write. Every item
expires (TTL ``expires_at``) 30 days after the quest ends.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.domain.quests import QuestDefinition
from gamification.domain.team_quests import (
    PayoutCursor,
    TeamContribution,
    TeamQuestStanding,
    raise_to,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SUM_SK = "SUM"
STATE_SK = "STATE"
KEEP = timedelta(days=30)
"""How long a team quest's items outlive the quest (the team's page shows an ended quest)."""
MAX_ATTEMPTS = 8


def _expires(quest: QuestDefinition) -> int:
    return int((quest.ends_at + KEEP).timestamp())


class TeamQuestTable:
    def __init__(
        self, client: DynamoDBClient, table_name: str, shards: int = keys.TEAM_QUEST_SHARDS
    ) -> None:
        self._client = client
        self._table = table_name
        self._shards = shards

    def _shard_pk(self, team_id: str, quest_id: str, user_id: str) -> str:
        return keys.team_quest_pk(team_id, quest_id, keys.team_quest_shard(user_id) % self._shards)

    def contribution(self, team_id: str, quest_id: str, user_id: str) -> TeamContribution | None:
        item = self._client.get_item(
            TableName=self._table,
            Key=to_item(
                {"PK": self._shard_pk(team_id, quest_id, user_id), "SK": keys.user_pk(user_id)}
            ),
            ConsistentRead=True,
        ).get("Item")
        return None if item is None else _contribution(user_id, from_item(item))

    def contribute(self, team_id: str, quest: QuestDefinition, user_id: str, count: int) -> bool:
        pk = self._shard_pk(team_id, quest.id, user_id)
        for _ in range(MAX_ATTEMPTS):
            held = self.contribution(team_id, quest.id, user_id)
            delta = raise_to(held.count if held else None, count)
            if delta == 0:
                return False
            guard = (
                ("attribute_not_exists(PK)", {})
                if held is None
                else ("#c = :old", {":old": held.count})
            )
            items: list[Any] = [
                {
                    "ConditionCheck": {
                        "TableName": self._table,
                        "Key": to_item(
                            {
                                "PK": keys.membership_pk(user_id),
                                "SK": f"{keys.TEAM_PREFIX}{team_id}",
                            }
                        ),
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": to_item({"PK": pk, "SK": keys.user_pk(user_id)}),
                        "UpdateExpression": "SET #c = :count, expires_at = :exp",
                        "ConditionExpression": guard[0],
                        "ExpressionAttributeNames": {"#c": "count"},
                        "ExpressionAttributeValues": to_item(
                            {":count": count, ":exp": _expires(quest), **guard[1]}
                        ),
                    }
                },
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": to_item({"PK": pk, "SK": SUM_SK}),
                        "UpdateExpression": (
                            "ADD #c :delta, contributors :new SET expires_at = :exp"
                        ),
                        "ExpressionAttributeNames": {"#c": "count"},
                        "ExpressionAttributeValues": to_item(
                            {
                                ":delta": delta,
                                ":new": 1 if held is None else 0,
                                ":exp": _expires(quest),
                            }
                        ),
                    }
                },
            ]
            try:
                self._client.transact_write_items(TransactItems=items)
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    return False  # not a member (any more)
                continue  # another raise won: read again
            return True
        raise RuntimeError(f"contribution of {user_id} to {team_id} kept changing")

    def standing(self, team_id: str, quest_id: str) -> TeamQuestStanding:
        return self.standings(team_id, [quest_id])[quest_id]

    def standings(self, team_id: str, quest_ids: Sequence[str]) -> dict[str, TeamQuestStanding]:
        """One ``BatchGetItem`` per 100 items: each quest's ``STATE`` and shard sums."""
        wanted: list[dict[str, str]] = []
        for quest_id in quest_ids:
            wanted.append({"PK": keys.team_quest_pk(team_id, quest_id), "SK": STATE_SK})
            wanted += [
                {"PK": keys.team_quest_pk(team_id, quest_id, s), "SK": SUM_SK}
                for s in range(self._shards)
            ]
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for start in range(0, len(wanted), 100):
            pending: dict[str, Any] = {
                self._table: {"Keys": [to_item(k) for k in wanted[start : start + 100]]}
            }
            while pending:
                response = self._client.batch_get_item(RequestItems=pending)
                for raw in response.get("Responses", {}).get(self._table, []):
                    item = from_item(raw)
                    found[(item["PK"], item["SK"])] = item
                pending = response.get("UnprocessedKeys") or {}
        result = {}
        for quest_id in quest_ids:
            state = found.get((keys.team_quest_pk(team_id, quest_id), STATE_SK), {})
            sums = [
                found.get((keys.team_quest_pk(team_id, quest_id, s), SUM_SK), {})
                for s in range(self._shards)
            ]
            reached = state.get("reached_at")
            result[quest_id] = TeamQuestStanding(
                progress=sum(int(s.get("count", 0)) for s in sums),
                contributors=sum(int(s.get("contributors", 0)) for s in sums),
                reached_at=datetime.fromisoformat(reached) if reached else None,
                settled=bool(state.get("settled")),
                cursor=_cursor(state),
            )
        return result

    def _state_key(self, team_id: str, quest_id: str) -> dict[str, Any]:
        return to_item({"PK": keys.team_quest_pk(team_id, quest_id), "SK": STATE_SK})

    def reach(self, team_id: str, quest: QuestDefinition, now: datetime) -> datetime:
        """Only the first write sets ``reached_at`` and the open payout's GSI1 key (a late one
        must not reopen a settled payout)."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._state_key(team_id, quest.id),
                UpdateExpression=(
                    "SET reached_at = :now, expires_at = :exp, GSI1PK = :open, GSI1SK = :which"
                ),
                ConditionExpression="attribute_not_exists(reached_at)",
                ExpressionAttributeValues=to_item(
                    {
                        ":now": now.isoformat(),
                        ":exp": _expires(quest),
                        ":open": keys.TEAM_QUEST_PAYOUTS,
                        ":which": f"{team_id}#{quest.id}",
                    }
                ),
            )
            return now
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        item = self._client.get_item(
            TableName=self._table, Key=self._state_key(team_id, quest.id), ConsistentRead=True
        )["Item"]
        return datetime.fromisoformat(from_item(item)["reached_at"])

    def advance(
        self, team_id: str, quest: QuestDefinition, held: PayoutCursor, to: PayoutCursor
    ) -> bool:
        """Compare and set of the cursor (absent attributes: the start), never once settled."""
        values: dict[str, Any] = {":phase": to.phase}
        if held == PayoutCursor():
            guard = "attribute_not_exists(cursor_phase)"
        else:
            guard = "cursor_phase = :held_phase AND " + (
                "attribute_not_exists(cursor_after)"
                if held.after is None
                else "cursor_after = :held_after"
            )
            values[":held_phase"] = held.phase
            if held.after is not None:
                values[":held_after"] = held.after
        update = "SET cursor_phase = :phase"
        if to.after is None:
            update += " REMOVE cursor_after"
        else:
            update = "SET cursor_phase = :phase, cursor_after = :after"
            values[":after"] = to.after
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._state_key(team_id, quest.id),
                UpdateExpression=update,
                ConditionExpression=(
                    f"attribute_exists(PK) AND attribute_not_exists(settled) AND {guard}"
                ),
                ExpressionAttributeValues=to_item(values),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def open_payouts(self) -> list[tuple[str, str]]:
        """The sparse GSI1 partition of open payouts (keys only, eventually consistent: a
        payout opened a moment ago is met by the next sweep)."""
        found: list[tuple[str, str]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.TEAM_QUEST_PAYOUTS}),
        }
        while True:
            page = self._client.query(**kwargs)
            for raw in page.get("Items", []):
                team_id, quest_id = from_item(raw)["GSI1SK"].split("#", 1)
                found.append((team_id, quest_id))
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def mark_settled(self, team_id: str, quest: QuestDefinition) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=self._state_key(team_id, quest.id),
            UpdateExpression=(
                "SET settled = :yes, expires_at = :exp"
                " REMOVE GSI1PK, GSI1SK, cursor_phase, cursor_after"
            ),
            ExpressionAttributeValues=to_item({":yes": True, ":exp": _expires(quest)}),
        )

    def mark_paid(self, team_id: str, quest: QuestDefinition, user_id: str) -> None:
        """Only on an existing contribution (a member paid without one has nothing to mark)."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_item(
                    {"PK": self._shard_pk(team_id, quest.id, user_id), "SK": keys.user_pk(user_id)}
                ),
                UpdateExpression="SET paid = :yes",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues=to_item({":yes": True}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def contributions(self, team_id: str, quest_id: str) -> Iterator[TeamContribution]:
        """Every contribution, a shard and a page at a time."""
        prefix = keys.user_pk("")
        for shard in range(self._shards):
            kwargs: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "PK = :pk AND begins_with(SK, :user)",
                "ExpressionAttributeValues": to_item(
                    {":pk": keys.team_quest_pk(team_id, quest_id, shard), ":user": prefix}
                ),
                "ConsistentRead": True,
            }
            while True:
                page = self._client.query(**kwargs)
                for raw in page.get("Items", []):
                    item = from_item(raw)
                    yield _contribution(keys.user_id_from_pk(item["SK"]), item)
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def contributions_page(
        self, team_id: str, quest_id: str, after: str | None, limit: int
    ) -> tuple[list[TeamContribution], str | None]:
        """Shard by shard, by user within a shard; the position is ``<shard>:<last user>``
        (``<shard>:`` for a shard's start), a consistent ``Query`` with ``Limit`` per shard."""
        shard, last = 0, None
        if after is not None:
            held_shard, held_last = after.split(":", 1)
            shard, last = int(held_shard), held_last or None
        page: list[TeamContribution] = []
        prefix = keys.user_pk("")
        while len(page) < limit and shard < self._shards:
            pk = keys.team_quest_pk(team_id, quest_id, shard)
            kwargs: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "PK = :pk AND begins_with(SK, :user)",
                "ExpressionAttributeValues": to_item({":pk": pk, ":user": prefix}),
                "ConsistentRead": True,
                "Limit": limit - len(page),
            }
            if last is not None:
                kwargs["ExclusiveStartKey"] = to_item({"PK": pk, "SK": keys.user_pk(last)})
            response = self._client.query(**kwargs)
            for raw in response.get("Items", []):
                item = from_item(raw)
                page.append(_contribution(keys.user_id_from_pk(item["SK"]), item))
                last = page[-1].user_id
            if "LastEvaluatedKey" not in response:
                shard, last = shard + 1, None
        if not page:
            return [], None
        return page, f"{shard}:{last or ''}"


def _cursor(state: dict[str, Any]) -> PayoutCursor:
    phase = state.get("cursor_phase")
    if phase is None:
        return PayoutCursor()
    return PayoutCursor(
        "members" if phase == "members" else "contributors", state.get("cursor_after")
    )


def _contribution(user_id: str, item: dict[str, Any]) -> TeamContribution:
    return TeamContribution(user_id, int(item.get("count", 0)), bool(item.get("paid")))
