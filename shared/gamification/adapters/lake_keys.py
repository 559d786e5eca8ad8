"""Users' lake keys (``PK=USER#<id>``, ``SK=LAKEKEY``): the secret behind their pseudonyms.

One random 16-byte key per user (``domain.lake``), in the user's own partition so the eraser's
walk deletes it with everything else; once it is gone the user's lake rows cannot be linked to
them. The key is created by the event publisher on the user's first event, in a transaction
that also checks the profile still holds game state: a tombstone (erased, or being erased) gets
no new key, so a late stream record cannot bring a deleted user back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from gamification.adapters import keys
from gamification.domain import lake

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LAKE_KEY_SK = "LAKEKEY"
BATCH_GET = 100
"""BatchGetItem takes at most 100 keys a call."""


class LakeKeyStore:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._client = client
        self._table = table_name
        self._random = random_bytes

    def keys_for(self, user_ids: Sequence[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for start in range(0, len(user_ids), BATCH_GET):
            wanted = [
                {"PK": {"S": keys.user_pk(u)}, "SK": {"S": LAKE_KEY_SK}}
                for u in user_ids[start : start + BATCH_GET]
            ]
            request = {
                self._table: {
                    "Keys": wanted,
                    "ProjectionExpression": "PK, #k",
                    "ExpressionAttributeNames": {"#k": "key"},
                }
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)  # type: ignore[arg-type]
                for item in response.get("Responses", {}).get(self._table, []):
                    found[keys.user_id_from_pk(item["PK"]["S"])] = bytes(item["key"]["B"])
                request = response.get("UnprocessedKeys") or {}  # type: ignore[assignment]
        return found

    def create(self, user_id: str) -> bytes | None:
        key = lake.new_user_key(self._random(lake.KEY_BYTES))
        pk = {"S": keys.user_pk(user_id)}
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self._table,
                            "Key": {"PK": pk, "SK": {"S": keys.PROFILE_SK}},
                            "ConditionExpression": "attribute_exists(#s)",
                            "ExpressionAttributeNames": {"#s": "state"},
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {"PK": pk, "SK": {"S": LAKE_KEY_SK}, "key": {"B": key}},
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                ]
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return None  # no live profile: erased or being erased
            return self._read(user_id)  # another publisher made it first
        return key

    def _read(self, user_id: str) -> bytes | None:
        item = self._client.get_item(
            TableName=self._table,
            Key={"PK": {"S": keys.user_pk(user_id)}, "SK": {"S": LAKE_KEY_SK}},
            ConsistentRead=True,
        ).get("Item")
        return bytes(item["key"]["B"]) if item else None
