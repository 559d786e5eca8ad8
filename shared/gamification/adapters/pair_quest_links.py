"""Friend quest pairings (``services.pair_quests.Links``): one item on each side
(``GRAPH#<user>`` / ``PQUEST#<quest>``, naming the partner), written or deleted together in one
transaction; a pairing is created only if neither side holds one for the quest, so a user has
at most one partner per quest. Items expire (TTL ``expires_at``) a while after the quest ends;
the eraser's walk of the ``GRAPH#`` partition deletes the erased user's side, and a pairing
with one side gone is no pairing (the service checks both)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.domain.pair_quests import PairLink

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _sk(quest_id: str) -> str:
    return f"{keys.PAIR_QUEST_PREFIX}{quest_id}"


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
        if raw is None:
            return None
        item = from_item(raw)
        return PairLink(owner, quest_id, str(item["partner"]), datetime.fromisoformat(item["at"]))

    def pair(self, a: str, b: str, quest_id: str, at: datetime, expires: datetime) -> bool:
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

        return self._commit([put(a, b), put(b, a)])

    def unpair(self, owner: str, quest_id: str, partner: str) -> None:
        """Both sides in one transaction, each only if it names the other (or is gone)."""

        def delete(side: str, other: str) -> dict[str, Any]:
            return {
                "Delete": {
                    "TableName": self._table,
                    "Key": to_item({"PK": keys.graph_pk(side), "SK": _sk(quest_id)}),
                    "ConditionExpression": "attribute_not_exists(PK) OR partner = :p",
                    "ExpressionAttributeValues": to_item({":p": other}),
                }
            }

        self._commit([delete(owner, partner), delete(partner, owner)])

    def _commit(self, items: list[dict[str, Any]]) -> bool:
        try:
            self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            return False
        return True
