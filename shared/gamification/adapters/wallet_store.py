"""DynamoDB store of the shop (items, sharded stock) and of the users' ledgers and receipts.

Balances are not here: they live in the profile and change only in a profile commit
(``user_repository`` writes the ledger entries, the receipt, the stock draws and the per-user
count in that commit's transaction, encoded by ``wallet_codec``). This adapter reads them back
and keeps the shop's items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.adapters.dynamo_codec import from_item, to_item
from gamification.adapters.wallet_codec import decode_ledger, decode_receipt
from gamification.domain.wallet import (
    LedgerEntry,
    RedeemResult,
    ShopItem,
    WalletRules,
    split_stock,
    stock_shards,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class ShopChangedError(Exception):
    """The item changed between the read and the write: retry the PUT."""


class WalletStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # -- currencies and earning rules ------------------------------------------------------

    def rules(self) -> WalletRules | None:
        """The saved rules (one read; the rules cache asks once a minute), ``None`` before an
        admin saved any: the shipped ``data/currencies.json`` applies then."""
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.CATALOG_PK, "SK": keys.WALLET_RULES_SK}),
        )
        found = response.get("Item")
        return WalletRules.model_validate_json(from_item(found)["definition"]) if found else None

    def put_rules(self, rules: WalletRules) -> None:
        """≤ 30 KB: 8 currencies and 200 rules of bounded fields."""
        item = {
            "PK": keys.CATALOG_PK,
            "SK": keys.WALLET_RULES_SK,
            "definition": rules.model_dump_json(exclude_none=True),
        }
        self._client.put_item(TableName=self._table, Item=to_item(item))

    # -- the shop ------------------------------------------------------------------------------

    def item(self, item_id: str) -> ShopItem | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.SHOP_PK, "SK": keys.shop_item_sk(item_id)}),
        )
        found = response.get("Item")
        return ShopItem.model_validate_json(from_item(found)["definition"]) if found else None

    def items(self) -> list[ShopItem]:
        found: list[ShopItem] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :p)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.SHOP_PK, ":p": keys.SHOP_ITEM_PREFIX}
            ),
        }
        while True:
            response = self._client.query(**request)
            found += [
                ShopItem.model_validate_json(from_item(i)["definition"]) for i in response["Items"]
            ]
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def put_item(self, item: ShopItem) -> None:
        """One transaction: the item (guarded on the stock read) and its stock shards: split
        when new, the added units on shard 0 when raised (the service refuses lowering)."""
        old = self.item(item.id)
        record = to_item(
            {
                "PK": keys.SHOP_PK,
                "SK": keys.shop_item_sk(item.id),
                "definition": item.model_dump_json(exclude_none=True),
                "stock": item.stock,
            }
        )
        if old is None:
            guard: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(PK)"}
        elif old.stock is None:
            guard = {"ConditionExpression": "attribute_not_exists(stock)"}
        else:
            guard = {
                "ConditionExpression": "stock = :s",
                "ExpressionAttributeValues": to_item({":s": old.stock}),
            }
        writes: list[Any] = [{"Put": {"TableName": self._table, "Item": record, **guard}}]
        if item.stock is not None and old is None:
            shards = split_stock(item.stock, stock_shards(item.stock))
            writes += [
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_item(
                            {"PK": keys.stock_pk(item.id), "SK": keys.stock_sk(n), "left": left}
                        ),
                    }
                }
                for n, left in enumerate(shards)
            ]
        elif item.stock is not None and old is not None and old.stock is not None:
            added = item.stock - old.stock
            if added > 0:
                writes.append(
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": to_item({"PK": keys.stock_pk(item.id), "SK": keys.stock_sk(0)}),
                            "UpdateExpression": "ADD #l :a",
                            "ExpressionAttributeNames": {"#l": "left"},
                            "ExpressionAttributeValues": to_item({":a": added}),
                        }
                    }
                )
        try:
            self._client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                raise ShopChangedError(item.id) from error
            raise

    def delete_item(self, item_id: str) -> bool:
        """The item and its stock shards go; what users bought stays in their ledgers."""
        response = self._client.delete_item(
            TableName=self._table,
            Key=to_item({"PK": keys.SHOP_PK, "SK": keys.shop_item_sk(item_id)}),
            ReturnValues="ALL_OLD",
        )
        for shard in self.stock_left(item_id):
            self._client.delete_item(
                TableName=self._table,
                Key=to_item({"PK": keys.stock_pk(item_id), "SK": keys.stock_sk(shard)}),
            )
        return "Attributes" in response

    def stock_left(self, item_id: str) -> dict[int, int]:
        """One query over the item's shards (≤ 10 items of ≈ 40 bytes: half a read unit)."""
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.stock_pk(item_id)}),
        )
        left = {}
        for raw in response["Items"]:
            item = from_item(raw)
            left[int(str(item["SK"]).removeprefix("SHARD#"))] = int(item["left"])
        return left

    def sold(self, item_id: str) -> int:
        """Units sold over every shard (what the stock tests sum)."""
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.stock_pk(item_id)}),
            ConsistentRead=True,
        )
        return sum(int(from_item(i).get("sold", 0)) for i in response["Items"])

    # -- ledgers and receipts ------------------------------------------------------------------

    def receipt(self, user_id: str, key: str) -> RedeemResult | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=to_item({"PK": keys.user_pk(user_id), "SK": keys.receipt_sk(key)}),
            ConsistentRead=True,
        )
        found = response.get("Item")
        return decode_receipt(from_item(found)) if found else None

    def purchases(self, user_id: str) -> dict[str, int]:
        """One query over the user's ``BOUGHT#`` items (≤ 200 B each; a user who bought k
        limited items reads k * 200 B, eventually consistent)."""
        found: dict[str, int] = {}
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :p)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.user_pk(user_id), ":p": keys.BOUGHT_PREFIX}
            ),
        }
        while True:
            response = self._client.query(**request)
            for raw in response["Items"]:
                item = from_item(raw)
                found[str(item["SK"]).removeprefix(keys.BOUGHT_PREFIX)] = int(item["count"])
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def page(self, user_id: str, limit: int, before: int | None) -> list[LedgerEntry]:
        """Newest first; ``before``: entries with a smaller ``seq`` only (the next page)."""
        upper = keys.ledger_sk(before) if before is not None else keys.LEDGER_PREFIX + "~"
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues=to_item(
                {":pk": keys.user_pk(user_id), ":lo": keys.LEDGER_PREFIX, ":hi": upper}
            ),
            ScanIndexForward=False,
            Limit=limit + 1,
        )
        entries = [decode_ledger(from_item(i)) for i in response["Items"]]
        return [e for e in entries if before is None or e.seq < before][:limit]
