"""The local stack's TransactWriteItems behaves like moto's (and DynamoDB's), only faster."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models import DynamoDBBackend

from gamification.local import moto_patches
from gamification.local.provision import Provisioned


def _put(table: str, pk: str, sk: str = "S", condition: str | None = None) -> Any:
    put: dict[str, Any] = {"TableName": table, "Item": {"PK": {"S": pk}, "SK": {"S": sk}}}
    if condition:
        put["ConditionExpression"] = condition
        put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {"Put": put}


def _scenario(aws: Provisioned) -> dict[str, Any]:
    client = boto3.client("dynamodb")
    table = aws.table_name
    client.put_item(TableName=table, Item={"PK": {"S": "taken"}, "SK": {"S": "S"}, "v": {"N": "1"}})
    client.transact_write_items(
        TransactItems=[
            _put(table, "a"),
            {
                "Update": {
                    "TableName": table,
                    "Key": {"PK": {"S": "taken"}, "SK": {"S": "S"}},
                    "UpdateExpression": "SET v = v + :one",
                    "ConditionExpression": "v = :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ]
    )
    with pytest.raises(ClientError) as cancelled:
        client.transact_write_items(
            TransactItems=[
                _put(table, "b"),
                _put(table, "taken", condition="attribute_not_exists(PK)"),
            ]
        )
    with pytest.raises(ClientError) as twice:
        client.transact_write_items(TransactItems=[_put(table, "c"), _put(table, "c")])
    items = client.scan(TableName=table)["Items"]
    return {
        "items": sorted((i["PK"]["S"], i.get("v", {}).get("N")) for i in items),
        "cancelled": cancelled.value.response["Error"]["Code"],
        "reasons": [
            (r["Code"], r.get("Item", {}).get("v"))
            for r in cancelled.value.response.get("CancellationReasons", [])
        ],
        "twice": twice.value.response["Error"]["Code"],
    }


def test_same_outcomes_as_moto(aws: Provisioned, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _scenario(aws)
    boto3.client("dynamodb").delete_table(TableName=aws.table_name)
    from gamification.local.provision import provision

    fresh = provision(prefix="patched")
    monkeypatch.setattr(
        DynamoDBBackend, "transact_write_items", DynamoDBBackend.transact_write_items
    )
    moto_patches.install()
    assert getattr(DynamoDBBackend.transact_write_items, "_gamify_fast", False)

    assert _scenario(fresh) == expected
    assert expected["items"] == [("a", None), ("taken", "2")]  # nothing of the cancelled one
    assert expected["cancelled"] == "TransactionCanceledException"
    assert expected["reasons"] == [("None", None), ("ConditionalCheckFailed", {"N": "2"})]
