"""Friend quest pairings (``services.pair_quests.Links``): one item on each side
(``GRAPH#<user>`` / ``PQUEST#<quest>``, naming the partner), written or deleted together in one
transaction; a pairing is created only if neither side holds one for the quest and neither user
blocks the other (a check of the block item in the same transaction), so a user has at most one
partner per quest. A block ends the two users' pairings in the block's own transaction
(``FollowGraph.block`` takes ``partners_of`` and ``end_side`` from here). Items expire (TTL
``expires_at``) a while after the quest ends; the eraser's walk of the ``GRAPH#`` partition
deletes the erased user's side, and a pairing with one side gone is no pairing (the service
checks both)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.graph_query import graph_items, transact
from gamification.domain.follows import BlockedError
from gamification.domain.pair_quests import PairLink

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


MAX_TRANSACTION_ITEMS = 100
"""DynamoDB's limit of actions in one ``TransactWriteItems``."""
ATTEMPTS = 3
_ANY = datetime.min  # a side named for deletion: its time does not matter


def _sk(quest_id: str) -> str:
    return f"{keys.PAIR_QUEST_PREFIX}{quest_id}"


def _link(owner: str, item: dict[str, Any]) -> PairLink:
    quest_id = str(item["SK"]).removeprefix(keys.PAIR_QUEST_PREFIX)
    return PairLink(owner, quest_id, str(item["partner"]), datetime.fromisoformat(item["at"]))


class PairQuestLinks:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def link(self, owner: str, quest_id: str) -> PairLink | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.graph_pk(owner), "SK": _sk(quest_id)}),
            ConsistentRead=True,
        )
        raw = response.get("Item")
        return _link(owner, from_item(raw)) if raw is not None else None

    def partners_of(self, owner: str) -> list[PairLink]:
        """Every side ``owner`` holds (≤ ``MAX_QUESTS``, ≤ 350 B each: one page of one
        consistent ``Query``, ≤ 35 KB), by quest id."""
        items = graph_items(
            self._client, self._table, owner, keys.PAIR_QUEST_PREFIX, consistent=True
        )
        return [_link(owner, item) for item in items]

    def pair(self, a: str, b: str, quest_id: str, at: datetime, expires: datetime) -> bool:
        """``False`` when either side holds a link for the quest; ``BlockedError`` when either
        blocks the other (a block that landed after the caller read the two as friends)."""

        def put(owner: str, partner: str) -> dict[str, Any]:
            item = {
                "PK": keys.graph_pk(owner),
                "SK": _sk(quest_id),
                "partner": partner,
                "at": at.isoformat(),
                "expires_at": int(expires.timestamp()),
            }
            return {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(item),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }

        no_block = {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": to_item({"PK": keys.graph_pk(a), "SK": keys.block_sk(b)}),
                "ConditionExpression": "attribute_not_exists(mine) AND "
                "attribute_not_exists(theirs)",
            }
        }
        reasons = self._commit([put(a, b), put(b, a), no_block])
        if reasons is not None and reasons[2] == "ConditionalCheckFailed":
            raise BlockedError(b)
        return reasons is None

    def unpair(self, owner: str, quest_id: str, partner: str) -> None:
        """Both sides in one transaction, each only if it names the other (or is gone)."""
        self._commit(
            [
                self.end_side(PairLink(owner, quest_id, partner, _ANY)),
                self.end_side(PairLink(partner, quest_id, owner, _ANY)),
            ]
        )

    def end_side(self, link: PairLink) -> dict[str, Any]:
        """The transaction item that deletes one side of a pairing, only if it still names the
        same partner (or is gone): for ``unpair`` and for a block's own transaction."""
        return {
            "Delete": {
                "TableName": self._table,
                "Key": to_item({"PK": keys.graph_pk(link.owner), "SK": _sk(link.quest_id)}),
                "ConditionExpression": "attribute_not_exists(PK) OR partner = :p",
                "ExpressionAttributeValues": to_item({":p": link.partner}),
            }
        }

    def end_sides(self, links: list[PairLink]) -> None:
        """Delete these sides, a transaction of at most 100 at a time (what a block's own
        transaction had no room for, or a pairing that raced it)."""
        step = MAX_TRANSACTION_ITEMS
        for start in range(0, len(links), step):
            self._commit([self.end_side(link) for link in links[start : start + step]])

    def _commit(self, items: list[dict[str, Any]]) -> list[str] | None:
        """``None`` once committed, else each item's cancellation code."""
        return transact(self._client, items, ATTEMPTS)
