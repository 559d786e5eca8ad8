"""Badge and quest definitions stored in the table, so admins change them without a deploy.

Both live in the ``CATALOG`` partition, so one query loads the badges and the quests together
(the consumer caches the result: quests cost no request of their own).

Until an admin first touches the catalog, the shipped default catalog applies; the first change
seeds the defaults into the table, after which the table alone is the catalog (so deleting a
default badge sticks).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.domain.badges import BadgeCatalog, BadgeDefinition, load_badge_catalog
from gamification.domain.quests import QuestCatalog, QuestDefinition

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SEEDED_SK = "SEEDED"
QUEST_RETENTION = timedelta(days=60)
"""A quest item expires (TTL) this long after its window closed: users still see how it went,
and the catalog query stops reading it afterwards."""


class BadgeRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def load(self) -> BadgeCatalog:
        """The stored catalog (one query), or the shipped default before the first change."""
        return self._badges(self._query_all())

    def load_rules(self) -> tuple[BadgeCatalog, QuestCatalog]:
        """Badges and quests from the same single query."""
        items = self._query_all()
        return self._badges(items), self._quests(items)

    def load_quests(self) -> QuestCatalog:
        return self._quests(self._query_all())

    @staticmethod
    def _quests(items: list[dict[str, Any]]) -> QuestCatalog:
        quests = [
            QuestDefinition.model_validate_json(i["definition"])
            for i in items
            if keys.is_quest_sk(i["SK"])
        ]
        return QuestCatalog(quests=tuple(sorted(quests, key=lambda q: q.id)))

    def put_quest(self, quest: QuestDefinition) -> None:
        expires = quest.ends_at + QUEST_RETENTION
        item = {
            "PK": keys.CATALOG_PK,
            "SK": keys.quest_sk(quest.id),
            "quest_id": quest.id,
            "definition": quest.model_dump_json(),
            "expires_at": int(expires.timestamp()),
        }
        self._client.put_item(TableName=self._table, Item=to_item(item))

    def delete_quest(self, quest_id: str) -> bool:
        response = self._client.delete_item(
            TableName=self._table,
            Key=to_item({"PK": keys.CATALOG_PK, "SK": keys.quest_sk(quest_id)}),
            ReturnValues="ALL_OLD",
        )
        return "Attributes" in response

    @staticmethod
    def _badges(items: list[dict[str, Any]]) -> BadgeCatalog:
        if not any(i["SK"] == SEEDED_SK for i in items):
            return load_badge_catalog()
        badges = [
            BadgeDefinition.model_validate_json(i["definition"])
            for i in items
            if keys.is_badge_sk(i["SK"])
        ]
        return BadgeCatalog(badges=tuple(sorted(badges, key=lambda b: b.id)))

    def seed_defaults(self) -> None:
        """Copy the shipped catalog into the table once, atomically: the defaults and the
        ``SEEDED`` flag commit together, guarded by the flag's absence, so two admins' first
        changes at once cannot seed twice (and bring back a default one of them deleted)."""
        if any(i["SK"] == SEEDED_SK for i in self._query_all()):
            return
        items: list[Any] = [
            {"Put": {"TableName": self._table, "Item": self._badge_item(badge)}}
            for badge in load_badge_catalog()
        ]
        items.append(
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item({"PK": keys.CATALOG_PK, "SK": SEEDED_SK}),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        )
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise  # cancelled: someone else seeded first, which is all we wanted

    def put(self, badge: BadgeDefinition) -> None:
        self._client.put_item(TableName=self._table, Item=self._badge_item(badge))

    def _badge_item(self, badge: BadgeDefinition) -> dict[str, Any]:
        return to_item(
            {
                "PK": keys.CATALOG_PK,
                "SK": keys.badge_sk(badge.id),
                "badge_id": badge.id,
                "definition": badge.model_dump_json(),
            }
        )

    def delete(self, badge_id: str) -> bool:
        """Remove a definition; returns whether it existed. Earned badges are kept (see docs)."""
        response = self._client.delete_item(
            TableName=self._table,
            Key=to_item({"PK": keys.CATALOG_PK, "SK": keys.badge_sk(badge_id)}),
            ReturnValues="ALL_OLD",
        )
        return "Attributes" in response

    def _query_all(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.CATALOG_PK}),
        }
        while True:
            response = self._client.query(**kwargs)
            items.extend(from_item(i) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
