"""The local stack's moto patches (TransactWriteItems, SQS receive and delete) behave like moto's
own code (and AWS's), only faster."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import time_machine
from botocore.exceptions import ClientError
from moto import backends, mock_aws
from moto.core import responses
from moto.dynamodb.models import DynamoDBBackend
from moto.sqs.models import Queue, SQSBackend

from gamification.local import moto_patches
from gamification.local.moto_patches import METHOD_NAMES
from gamification.local.provision import Provisioned


@pytest.fixture
def unpatched_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto exactly as shipped again after the test (``install`` patches classes globally)."""
    monkeypatch.setattr(
        DynamoDBBackend, "transact_write_items", DynamoDBBackend.transact_write_items
    )
    for name in moto_patches.SQS_REPLACED:
        owner, attribute = (
            {"Queue": Queue, "SQSBackend": SQSBackend}[name.split(".")[0]],
            name.split(".")[1],
        )
        monkeypatch.setattr(owner, attribute, vars(owner)[attribute])
    monkeypatch.setattr(backends, "list_of_moto_modules", backends.list_of_moto_modules)
    monkeypatch.setattr(responses, METHOD_NAMES, getattr(responses, METHOD_NAMES))


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


def test_same_outcomes_as_moto(aws: Provisioned, unpatched_after: None) -> None:
    expected = _scenario(aws)
    boto3.client("dynamodb").delete_table(TableName=aws.table_name)
    from gamification.local.provision import provision

    fresh = provision(prefix="patched")
    moto_patches.install()
    assert getattr(DynamoDBBackend.transact_write_items, "_gamify_fast", False)

    assert _scenario(fresh) == expected
    assert expected["items"] == [("a", None), ("taken", "2")]  # nothing of the cancelled one
    assert expected["cancelled"] == "TransactionCanceledException"
    assert expected["reasons"] == [("None", None), ("ConditionalCheckFailed", {"N": "2"})]


START = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)


def _sqs_scenario() -> list[Any]:
    """Everything a client of the queue can observe, through a life of messages: visibility
    timeouts, receive counts, deletes (also with an old handle, twice, and a bogus one), the
    redrive to the DLQ after ``maxReceiveCount``, and retention. Ids and handles are random,
    so bodies, counts and error codes are recorded."""
    seen: list[Any] = []
    sqs: Any = boto3.client("sqs", region_name="us-east-1")
    with time_machine.travel(START, tick=False) as clock:
        dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])
        redrive = {"deadLetterTargetArn": dlq_arn["Attributes"]["QueueArn"], "maxReceiveCount": 2}
        url = sqs.create_queue(
            QueueName="activities",
            Attributes={
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "600",
                "RedrivePolicy": json.dumps(redrive),
            },
        )["QueueUrl"]

        def receive(n: int = 10) -> list[dict[str, Any]]:
            got: list[dict[str, Any]] = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=n, MessageSystemAttributeNames=["All"]
            ).get("Messages", [])
            seen.append(
                ("received", [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in got])
            )
            return got

        def depth(queue: str = url) -> None:
            names = [
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ]
            attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=names)
            seen.append(("depth", queue == url, attributes["Attributes"]))

        def delete(handle: str) -> None:
            try:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
                seen.append(("deleted", True))
            except ClientError as exc:
                seen.append(("deleted", exc.response["Error"]["Code"]))

        for body in ("a", "b", "c", "d"):
            sqs.send_message(QueueUrl=url, MessageBody=body)
            clock.shift(1)  # distinct send times
        sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=20)
        depth()  # late is delayed
        first = receive(2)  # a, b: in flight for 30 s
        depth()
        delete(first[0]["ReceiptHandle"])  # a is done
        delete(first[0]["ReceiptHandle"])  # a second delete is accepted
        delete("not-a-handle")
        receive(10)  # c, d only: b is in flight, "late" delayed
        clock.shift(31)  # b, c, d visible again, "late" no longer delayed
        again = receive(10)  # b, c, d with count 2, late with count 1
        depth()
        delete(first[1]["ReceiptHandle"])  # b by the handle of its first receive
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=again[1]["ReceiptHandle"], VisibilityTimeout=0
        )
        depth()  # not yet visible: moto's "visible" is strictly after visible_at
        clock.shift(1)
        receive(10)  # c visible again, received twice already: to the DLQ, not delivered
        depth()
        depth(dlq)
        clock.shift(31)
        receive(10)  # d past maxReceiveCount: to the DLQ; late's second receive
        sqs.send_message(QueueUrl=url, MessageBody="expired")
        clock.shift(600)  # past the retention of everything sent so far
        receive(10)  # expired is not delivered; late goes to the DLQ
        depth()
        depth(dlq)
    return seen


def test_sqs_patches_give_the_same_observations_as_moto(unpatched_after: None) -> None:
    with mock_aws():
        expected = _sqs_scenario()
    assert moto_patches.install_sqs() == list(moto_patches.SQS_REPLACED)
    assert getattr(Queue.delete_message, "_gamify_fast", False)
    with mock_aws():
        assert _sqs_scenario() == expected

    received = [batch for kind, batch, *_ in expected if kind == "received"]
    assert received[0] == [("a", "1"), ("b", "1")]
    assert received[1] == [("c", "1"), ("d", "1")]
    assert received[2] == [("b", "2"), ("c", "2"), ("d", "2"), ("late", "1")]
    assert received[3] == []  # c went to the DLQ instead of a third delivery
    assert received[4] == [("late", "2")]
    assert received[5] == []  # past retention
    depths = [(main, d) for kind, main, d in (e for e in expected if e[0] == "depth")]
    assert depths[0][1]["ApproximateNumberOfMessagesDelayed"] == "1"
    assert [d["ApproximateNumberOfMessages"] for main, d in depths if not main] == ["1", "3"]
    deletes = [outcome for kind, outcome, *_ in expected if kind == "deleted"]
    assert deletes == [True, True, "ReceiptHandleIsInvalid", True]


def test_each_replaced_function_is_the_code_the_patch_was_written_for(
    unpatched_after: None,
) -> None:
    """A moto upgrade that changes one of them fails here: re-check the patch, then the digest."""
    for name, digest in moto_patches.SQS_REPLACED.items():
        current = moto_patches.sqs_current(name)
        if not getattr(current, "_gamify_fast", False):  # not installed by an earlier test
            assert moto_patches.source_digest(current) == digest, name
    assert moto_patches.install_sqs() == list(moto_patches.SQS_REPLACED)


def test_server_lookups_give_moto_answers_without_reading_the_disk_again(
    unpatched_after: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb.responses import DynamoHandler
    from moto.sqs.responses import SQSResponse

    modules = list(backends.list_of_moto_modules())
    methods = {c: getattr(responses, METHOD_NAMES)(c) for c in (DynamoHandler, SQSResponse)}
    assert {"dynamodb", "sqs", "dynamodbstreams"} <= set(modules)

    moto_patches.install_server_lookups()
    assert list(backends.list_of_moto_modules()) == modules
    for clazz, names in methods.items():
        assert getattr(responses, METHOD_NAMES)(clazz) == names
    getattr(responses, METHOD_NAMES)(SQSResponse).clear()  # a caller's copy, not the cache

    def no_listing(*_: object) -> None:
        raise AssertionError("moto's package directory listed again")

    monkeypatch.setattr("os.listdir", no_listing)
    monkeypatch.setattr("inspect.getmembers", no_listing)
    assert list(backends.list_of_moto_modules()) == modules
    assert getattr(responses, METHOD_NAMES)(SQSResponse) == methods[SQSResponse]
